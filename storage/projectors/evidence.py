"""Projectors of evidence: attached files, and each funds report's verification state.

A funds report's unit is its project's responsible unit when it was reported, read from the projects
table, which storage/projectors/records.py has brought up to that very event (it runs first).

Each decision also writes its effect on the figures (funds_decision_facts) for the month the funds belong to,
from the decision's own time on, and names itself a late fact: the months it reaches are computed again, and a
ranking as of an instant before it stays what it was.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Update

from core import events as ev
from core.records import Event
from storage.projectors.registry import projects
from storage.tables.evidence import AttachmentRow, FundsDecisionRow, FundsReportRow
from storage.tables.facts import FundFactRow, LateFactRow
from storage.tables.projects import ProjectRow


@projects(ev.FILE_ATTACHED)
async def _attached(session: AsyncSession, e: Event) -> None:
    p = ev.FileAttached.from_dict(e.payload)
    await session.execute(insert(AttachmentRow.__table__).values(
        seq=e.seq, project_id=e.project_id, sha256=p.sha256, size=p.size, name=p.name, mime_type=p.mime_type,
        actor=e.actor, unit=e.unit, channel=p.channel, at=e.at))


# Built once: every funds entry runs them (an import's thousands).
_P = ProjectRow.__table__
_UNIT_OF = select(_P.c.responsible_unit).where(_P.c.id == bindparam("e_project"))
_INSERT_REPORT = insert(FundsReportRow.__table__)


@projects(ev.FUNDS_ADDED)
async def _reported(session: AsyncSession, e: Event) -> None:
    p = ev.FundsAdded.from_dict(e.payload)
    unit = (await session.execute(_UNIT_OF, {"e_project": e.project_id})).scalar()
    await session.execute(_INSERT_REPORT, dict(
        seq=e.seq, project_id=e.project_id, unit=unit or e.unit or "", amount_wan=p.amount_wan, reported_by=e.actor,
        reported_at=e.at, status="pending", waiting_since=e.at))


def _report(seq: int) -> Update:
    return update(FundsReportRow.__table__).where(FundsReportRow.seq == seq)


@projects(ev.FUNDS_VERIFIED)
async def _verified(session: AsyncSession, e: Event) -> None:
    p = ev.FundsVerified.from_dict(e.payload)
    await session.execute(_report(p.funds_seq).values(status="verified", verified_wan=p.verified_wan,
                                                      decided_by=e.actor, decided_at=e.at, reason=p.reason))
    await _decision(session, e, p.funds_seq, verified=p.verified_wan, settles=1)


@projects(ev.FUNDS_RETURNED)
async def _returned(session: AsyncSession, e: Event) -> None:
    p = ev.FundsReturned.from_dict(e.payload)
    await session.execute(_report(p.funds_seq).values(status="returned", decided_by=e.actor, decided_at=e.at,
                                                      reason=p.reason))
    await _decision(session, e, p.funds_seq, verified=0, settles=1)


@projects(ev.FUNDS_RESUBMITTED)
async def _resubmitted(session: AsyncSession, e: Event) -> None:
    p = ev.FundsResubmitted.from_dict(e.payload)
    await session.execute(_report(p.funds_seq).values(status="pending", waiting_since=e.at, note=p.note))
    await _decision(session, e, p.funds_seq, verified=0, settles=-1)


@projects(ev.FUNDS_CORRECTED)
async def _corrected(session: AsyncSession, e: Event) -> None:
    """A corrected entry is reported anew at its corrected amount: a pending one waits at that amount (so 核实
    "as reported" counts what the unit says now), and a decided one goes back to 待核实 — what was verified
    (or returned) at the old amount is undone from the correction's time on, so no unverified amount counts and
    待核实 never goes negative. The ranking as of an instant before the correction keeps the old decision."""
    p = ev.FundsCorrected.from_dict(e.payload)
    r = FundsReportRow
    row = (await session.execute(select(r.status, r.verified_wan).where(r.seq == p.entry))).first()
    if row is None:
        return
    await session.execute(_report(p.entry).values(amount_wan=p.amount_wan, status="pending", waiting_since=e.at,
                                                   verified_wan=None))
    if row.status == "pending":
        return
    d = FundsDecisionRow
    settled = (await session.execute(select(func.coalesce(func.sum(d.settled_wan), 0))
                                     .where(d.entry_seq == p.entry))).scalar_one()
    counted = (await session.execute(select(func.coalesce(func.sum(d.verified_wan), 0))
                                     .where(d.entry_seq == p.entry))).scalar_one()
    await _undo(session, e, p.entry, verified=-int(counted), settled=-int(settled))


async def _decision(session: AsyncSession, e: Event, entry: int, *, verified: int, settles: int) -> None:
    """The decision's offsets: `verified` 万元 counted, and the entry's reported amount (with the corrections
    recorded so far) out of 待核实 (`settles` 1) or back into it (-1)."""
    f = FundFactRow
    row = (await session.execute(select(func.min(f.at), func.coalesce(func.sum(f.amount_wan), 0))
                                 .where(f.entry_seq == entry))).first()
    at: datetime = row[0] if row is not None and row[0] is not None else e.at
    reported = int(row[1]) if row is not None else 0
    await _write(session, e, entry, at, verified=verified, settled=settles * reported)


async def _undo(session: AsyncSession, e: Event, entry: int, *, verified: int, settled: int) -> None:
    """Offsets that take back what the entry's decisions so far counted and settled. The correction is already
    named a late fact for the entry's month by its funds offset (storage/projectors/facts.py)."""
    f = FundFactRow
    first = (await session.execute(select(func.min(f.at)).where(f.entry_seq == entry))).scalar()
    await _write(session, e, entry, first if first is not None else e.at, verified=verified, settled=settled,
                 late=False)


async def _write(session: AsyncSession, e: Event, entry: int, at: datetime, *, verified: int, settled: int,
                 late: bool = True) -> None:
    await session.execute(insert(FundsDecisionRow.__table__).values(
        event_seq=e.seq, project_id=e.project_id, entry_seq=entry, at=at, recorded_at=e.at, verified_wan=verified,
        settled_wan=settled))
    if late and at < e.at:
        await session.execute(insert(LateFactRow.__table__).values(event_seq=e.seq, project_id=e.project_id, at=at,
                                                                    recorded_at=e.at))
