"""When a queued push goes stale (issue 16): every kind states it here, and the outbox sender drops a
stale row — status `dropped`, the Chinese reason recorded — instead of sending it.

A push is written when something happens and sent a moment (or, for someone who binds a chat only
later, days) after. By then its subject may be settled: a 首谈认定 resolved, a transfer accepted or
withdrawn, a half-monthly report filed, a paused form taken up again. Each rule reads the subject
through the unit of work from what the row carries (its key, its member, its buttons) and returns the
reason, or None to send. A kind whose news stays true once it happened (a decision, a ranking) never
goes stale. tests/unit/test_staleness.py fails for a kind with no rule.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from core import sharing as sh
from core.delivery import Pending
from core.messages import SendText
from core.ports import UnitOfWork
from core.usecases.evidence import queue_for
from reminders.names import reason as why

Rule = Callable[[UnitOfWork, Pending], Awaitable[str | None]]


def as_id(text: str) -> int | None:
    """An id the key carries: ASCII digits only (the key is ours, but a row may be older than this code)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _segment(key: str, index: int) -> str:
    """The key's `index`-th part: `claim:12:opened:m3@telegram` → 1: "12"; the chat suffix cut off."""
    parts = key.split("@", 1)[0].split(":")
    return parts[index] if index < len(parts) else ""


async def never(uow: UnitOfWork, row: Pending) -> str | None:
    """News that stays true once it happened: a decision, a ranking, a reply."""
    return None


async def claim_settled(uow: UnitOfWork, row: Pending) -> str | None:
    """首谈认定 asked of the office: stale once the claim is resolved."""
    claim_id = as_id(_segment(row.key, 1))
    claim = await uow.sharing.claim(claim_id) if claim_id is not None else None
    if claim is not None and claim.status == sh.OPEN:
        return None
    return why("stale_claim", id=claim_id if claim_id is not None else "?")


async def transfer_settled(uow: UnitOfWork, row: Pending) -> str | None:
    """A transfer to accept or refuse: stale once it is accepted, refused or withdrawn."""
    transfer_id = as_id(_segment(row.key, 1))
    transfer = await uow.sharing.transfer(transfer_id) if transfer_id is not None else None
    if transfer is not None and transfer.status == sh.PENDING:
        return None
    return why("stale_transfer", id=transfer_id if transfer_id is not None else "?")


async def transfers_listed_settled(uow: UnitOfWork, row: Pending) -> str | None:
    """A reminder listing transfers (one 接收 button each): stale once none of them is waiting any more."""
    action = row.delivery.action
    ids = [as_id(b.payload.split(":")[2]) for r in (action.buttons if isinstance(action, SendText) else ())
           for b in r if b.payload.startswith("s:tr_ok:")]
    for transfer_id in ids:
        transfer = await uow.sharing.transfer(transfer_id) if transfer_id is not None else None
        if transfer is not None and transfer.status == sh.PENDING:
            return None
    return why("stale_transfers") if ids else None


async def report_filed(uow: UnitOfWork, row: Pending) -> str | None:
    """A half-monthly reminder or overdue notice to a unit's reporter or head: stale once the unit filed."""
    period = _segment(row.key, 1).split("@", 1)[0]
    member = await uow.org.member(row.member_id) if row.member_id is not None else None
    if member is None or await uow.reports.submission(member.unit, period) is None:
        return None
    return why("stale_report", period=period)


async def observation_named(uow: UnitOfWork, row: Pending) -> str | None:
    """季观摩 reminder to a district: stale once it named its observation project for the quarter."""
    quarter = _segment(row.key, 1)
    member = await uow.org.member(row.member_id) if row.member_id is not None else None
    if member is None or await uow.reports.observation(member.unit, quarter) is None:
        return None
    return why("stale_observation", quarter=quarter)


async def verification_done(uow: UnitOfWork, row: Pending) -> str | None:
    """核查 reminder to a verifying head: stale once nothing waits for them any more."""
    member = await uow.org.member(row.member_id) if row.member_id is not None else None
    if member is None or await queue_for(uow, member):
        return None
    return why("stale_verification")


async def form_taken_up(uow: UnitOfWork, row: Pending) -> str | None:
    """“…已暂停” after a form sat idle: stale once that pause is over (taken up, cancelled, finished)."""
    state_key, version = _segment(row.key, 1), as_id(_segment(row.key, 2))
    state = await uow.conversations.load(state_key)
    if state is not None and state.version == version and state.control.parked:
        return None
    return why("stale_form")


STALE: dict[str, Rule] = {
    "report.reminder": report_filed,
    "report.overdue": report_filed,
    "report.overdue_list": never,          # the office's list of who was late: true as of its day
    "dispatch.digest": never,
    "observation.reminder": observation_named,
    "observation.zero_report": never,
    "ranking.chart": never,
    "ranking.text": never,
    "ranking.digest": never,
    "ranking.ledger": never,
    "ranking.group": never,
    "transfer.remind_head": transfers_listed_settled,
    "transfer.remind_office": transfers_listed_settled,
    "calendar.fallback": never,
    "transfer_proposed": transfer_settled,
    "transfer_accepted": never,
    "transfer_refused": never,
    "transfer_withdrawn": never,
    "claim_opened": claim_settled,
    "claim_resolved": never,
    "sharing_interest": never,
    "sharing_supporting": never,
    "reply": never,
    "flow_paused": form_taken_up,
    "funds.remind_verifier": verification_done,
    "funds.overdue_office": never,         # the office's list of overdue reports: true as of its day
    "funds_verified": never,
    "funds_returned": never,
}


async def stale_reason(uow: UnitOfWork, row: Pending) -> str | None:
    """Why this row should not be sent any more, or None (an unknown kind — a test's — is sent)."""
    return await STALE.get(row.kind, never)(uow, row)
