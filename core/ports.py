"""Ports: what the core needs from the outside world, as Protocols storage implements."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from core.checkpoints import Checkpoint
from core.clock import Clock
from core.conversation_state import ConversationState
from core.delivery import Pending
from core.figures import FigureExplanation, LedgerEvent, LedgerRow, MonthFacts
from core.halfmonthly import Submission
from core.messages import Delivery, Outbound
from core.org import OrgConfig
from core.project_list import ProjectPage, ProjectQuery
from core.records import (AttachedFile, DispatchData, Event, FundsReport, Identity, Invite, Member, Note, Project,
                          ProjectTraits, Timeline, Trip, UnitRecord)
from core.roles import Role
from core.sharing import Claim, CreditSnapshot, Interest, Transfer
from core.stages import Stage
from core.web_access import AuditEntry, WebLink, WebSession


class OrgRepository(Protocol):
    async def config(self) -> OrgConfig | None: ...
    async def config_digest(self) -> str | None: ...
    async def units(self) -> list[UnitRecord]: ...
    async def member(self, member_id: int) -> Member | None: ...
    async def members(self, *, unit: str | None = None, role: Role | None = None) -> list[Member]: ...
    async def identity(self, channel: str, external_id: str) -> Identity | None: ...
    async def sender(self, channel: str, external_id: str) -> tuple[Identity, Member | None] | None: ...
    async def identities_of(self, member_id: int) -> list[Identity]: ...
    async def identities(self) -> list[Identity]: ...
    async def invite_by_hash(self, code_hash: str) -> Invite | None: ...


class ProjectRepository(Protocol):
    async def get(self, project_id: int) -> Project | None: ...
    async def by_credit_code(self, code: str) -> list[Project]: ...
    async def by_normalized_name(self, normalized: str) -> list[Project]: ...
    async def names(self) -> list[tuple[int, str]]: ...
    async def traits(self) -> list[ProjectTraits]:
        """Every project's name key, credit code, industry chain, intended amount and contact (duplicates)."""
    async def many(self, ids: list[int]) -> list[Project]: ...
    async def of_unit(self, unit: str, *, live_only: bool = True) -> list[Project]: ...
    async def stale(self, unit: str | None, before: datetime) -> list[Project]: ...
    async def notes(self, project_id: int, *, limit: int = 5) -> list[Note]: ...
    async def open_problems(self, project_id: int) -> list[Note]: ...
    async def events(self, project_id: int, *, limit: int | None = None) -> list[Event]: ...
    async def timeline(self, project_id: int) -> Timeline:
        """When its stage, signing and funds entries happened (effective dates), for back-dating and corrections."""
    async def all_open_problems(self, *, limit: int = 50) -> tuple[int, list[Note]]:
        """How many problems await city coordination, and the newest `limit` of them."""
    async def search(self, query: ProjectQuery) -> ProjectPage:
        """One page of the projects matching the console's filters, and how many match in all."""


class TripRepository(Protocol):
    async def get(self, trip_id: int) -> Trip | None: ...
    async def of_unit(self, unit: str) -> list[Trip]: ...
    async def recent(self, *, unit: str | None = None, leader: int | None = None, limit: int = 100
                     ) -> tuple[int, list[Trip]]: ...
    async def leader_counts(self, since: date) -> dict[int, int]: ...


class SharingRepository(Protocol):
    """Reads of the shared lead ledger (core/sharing.py)."""

    async def transfer(self, transfer_id: int) -> Transfer | None: ...
    async def pending_transfer(self, project_id: int) -> Transfer | None: ...
    async def transfers(self, project_id: int) -> list[Transfer]: ...
    async def pending_transfers(self, *, to_unit: str | None = None) -> list[Transfer]: ...
    async def has_interest(self, project_id: int, unit: str) -> bool: ...
    async def interests(self, project_id: int) -> list[Interest]: ...
    async def landed_by_unit(self, industry: str, *, exclude: int | None = None) -> dict[str, int]: ...
    async def supporting_units(self, project_id: int) -> list[str]: ...
    async def claim(self, claim_id: int) -> Claim | None: ...
    async def open_claims(self) -> list[Claim]: ...
    async def claims_of(self, project_id: int) -> list[Claim]: ...
    async def credit(self, project_id: int) -> CreditSnapshot | None: ...
    async def credits(self, project_ids: list[int] | None = None) -> dict[int, CreditSnapshot]: ...
    async def pool(self, *, industry: str | None = None, limit: int = 10) -> list[Project]: ...
    async def events_by_seq(self, seqs: list[int]) -> list[Event]: ...
    async def history(self, project_id: int) -> list[Event]: ...
    async def interest_counts(self, project_ids: list[int]) -> dict[int, int]: ...


class ConversationRepository(Protocol):
    async def load(self, key: str) -> ConversationState | None: ...
    async def save(self, state: ConversationState) -> None: ...
    async def clear(self, key: str) -> None: ...

    async def expired(self, now: datetime) -> list[ConversationState]:
        """Open flows whose expiry has passed (they are parked, not dropped)."""


@dataclass(frozen=True)
class UnsentReplies:
    """An update's replies kept with its record and not (yet) marked sent by the channel."""

    channel: str
    update_id: str
    chat_id: str
    actions: list[Outbound]
    stored_at: datetime


class UpdateLog(Protocol):
    async def seen(self, channel: str, update_id: str) -> bool:
        """Record a delivery; True when it was already recorded (a duplicate)."""

    async def keep_replies(self, channel: str, update_id: str, chat_id: str, actions: Sequence[Outbound]) -> None:
        """Store the replies with the update's record, in its transaction, until `replied`."""

    async def replied(self, channel: str, update_ids: Sequence[str]) -> int:
        """The channel sent these updates' replies: forget them. How many were still there."""

    async def unsent(self, channel: str, *, stored_before: datetime, update_id: str | None = None,
                     limit: int = 100) -> list[UnsentReplies]:
        """Replies stored before `stored_before` and still not sent (oldest first); one update's with `update_id`."""

    async def take(self, channel: str, update_id: str) -> bool:
        """Claim stored replies (they are forgotten here); False when someone else took them first."""


class Outbox(Protocol):
    async def enqueue(self, key: str, kind: str, delivery: Delivery, *, member_id: int | None = None,
                      not_before: datetime | None = None) -> bool:
        """Queue a push once per key; False when the key was already queued."""

    async def enqueue_member(self, key: str, kind: str, member_id: int, action: Outbound, *,
                             not_before: datetime | None = None, undeliverable: str = "no_chat") -> int:
        """Queue a push to each chat the member is bound to on an active channel; returns how many
        were newly queued. A member with no such chat gets an `undeliverable` row the office sees,
        recording `undeliverable` as its reason (the caller's Chinese text; the code `no_chat` if none)."""

    async def enqueue_unit_groups(self, key: str, kind: str, unit: str, action: Outbound) -> int:
        """Queue a push to each group chat bound to the unit (on an active channel)."""

    # The sending side, used by the outbox sender.
    async def due(self, now: datetime, channels: tuple[str, ...], *, limit: int = 200) -> list[Pending]: ...
    async def claim(self, row_id: int) -> bool:
        """In flight, committed before the call; False when the row is no longer pending."""
    async def recover_inflight(self, resend: Callable[[str], bool], resent: str, held: str) -> tuple[int, int]:
        """Rows a crash left in flight: resent when their kind allows it, else failed. (resent, held)."""
    async def mark_sent(self, row_id: int, now: datetime) -> None: ...
    async def postpone(self, row_id: int, until: datetime, error: str) -> None: ...
    async def postpone_chat(self, channel: str, chat_id: str, until: datetime) -> None: ...
    async def give_up(self, row_id: int, error: str) -> None: ...
    async def drop(self, row_id: int, reason: str) -> None:
        """Not sent: the push went stale (its subject settled); `reason` is recorded."""
    async def release_waiting(self, member_id: int, channel: str, chat_id: str) -> int:
        """The member's undeliverable rows, queued to the chat just bound; how many."""


class Figures(Protocol):
    """A month's figures as of its end (local midnight in `tz`): the rules then in force and the facts.

    The one reading path for figures outside storage (/rank, the ranking-day pushes, `zsbot report …`),
    so a figure in chat is the figure in the report.
    """

    async def month(self, month: str, tz: ZoneInfo, *, as_of: datetime | None = None
                    ) -> tuple[OrgConfig, MonthFacts] | None:
        """`rules` and `facts` together; None before any configuration was loaded."""

    async def rules(self, month: str, tz: ZoneInfo) -> OrgConfig | None:
        """The configuration in force at the month's end (the first one, for a month before it)."""

    async def facts(self, month: str, tz: ZoneInfo, *, as_of: datetime | None = None) -> MonthFacts:
        """The facts the month's ranking is computed from, half-monthly reports counted in `tz`: what happened
        before the month's end as known now (corrections made since included) or as recorded before `as_of`."""

    async def revision(self, month: str, tz: ZoneInfo) -> int:
        """The newest event the month's figures (as known now) depend on: it moves with the head while the month
        runs, and afterwards only when a correction, a back-dated entry or a void reaches into the month."""

    async def ledger(self, month: str, tz: ZoneInfo, unit_names: dict[str, str]
                     ) -> tuple[list[LedgerRow], list[LedgerEvent]]:
        """The month's 台账 rows (tracked projects at its end) and the events recorded in it."""

    async def explain(self, cfg: OrgConfig, month: str, tz: ZoneInfo, unit: str, indicator: str
                      ) -> FigureExplanation:
        """The ledger events behind `unit`'s value of `indicator` in the month, and the value they add up to."""


class ReportRepository(Protocol):
    """Half-monthly reports and observation projects (core/halfmonthly.py)."""

    async def submission(self, unit: str, period: str) -> Submission | None: ...
    async def submissions(self, period: str) -> dict[str, Submission]: ...
    async def observation(self, unit: str, quarter: str) -> dict[str, Any] | None: ...
    async def observations(self, quarters: Sequence[str]) -> dict[str, set[str]]: ...


class CalendarStore(Protocol):
    """The calendar's bookkeeping: which pushes were decided, the ticker's state, the dispatch reads."""

    async def decided(self, keys: Sequence[str]) -> set[str]: ...
    async def record(self, decisions: Sequence[dict[str, Any]]) -> None: ...
    async def state(self, name: str) -> str | None: ...
    async def states(self, names: Sequence[str]) -> dict[str, str]: ...
    async def set_state(self, name: str, value: str, at: datetime) -> None: ...
    async def statuses(self, keys: Sequence[str]) -> dict[str, str]: ...
    async def dispatch(self, *, threshold_wan: int, month_start: datetime, stale_before: datetime
                       ) -> DispatchData: ...


class ChainStatus(Protocol):
    """A verification's outcome (read-only, so a frozen record satisfies it)."""

    @property
    def ok(self) -> bool: ...
    @property
    def count(self) -> int: ...
    @property
    def head(self) -> str: ...
    @property
    def bad_seq(self) -> int | None: ...
    @property
    def reason(self) -> str: ...


class Chain(Protocol):
    """The ledger's hash chain as a whole: its head, and a walk that checks every link."""

    async def head(self) -> tuple[int, str]: ...
    async def verify(self) -> ChainStatus: ...
    async def publish(self, seq: int, hash: str, via: str, at: datetime) -> None:
        """Record that a push carries the head `#seq hash` (once per seq and push)."""
    async def checkpoints(self) -> list[Checkpoint]: ...


class WebAccess(Protocol):
    """The web console's operational state: one-time links, sessions, the access log."""

    async def add_link(self, token_hash: str, member_id: int, at: datetime, expires_at: datetime) -> None: ...
    async def link(self, token_hash: str) -> WebLink | None: ...
    async def use_link(self, token_hash: str, at: datetime) -> None: ...
    async def add_session(self, id_hash: str, member_id: int, at: datetime) -> None: ...
    async def session(self, id_hash: str) -> WebSession | None: ...
    async def touch_session(self, id_hash: str, at: datetime) -> None: ...
    async def end_session(self, id_hash: str, at: datetime) -> None: ...
    async def audit(self, at: datetime, member_id: int, action: str, detail: str, address: str) -> None: ...
    async def audit_log(self, *, limit: int = 200) -> list[AuditEntry]: ...


class Evidence(Protocol):
    """Files attached to projects (their bytes by SHA-256) and the funds reports' verification (core/evidence.py)."""

    async def put_blob(self, sha256: str, data: bytes, at: datetime) -> None:
        """Keep the bytes under their SHA-256 (once, however often they are attached)."""
    async def blob(self, sha256: str) -> bytes | None: ...
    async def files(self, project_id: int) -> list[AttachedFile]: ...
    async def file(self, seq: int) -> AttachedFile | None: ...
    async def report(self, seq: int) -> FundsReport | None: ...
    async def reports_of(self, project_id: int) -> list[FundsReport]: ...
    async def waiting(self, *, units: list[str] | None = None, status: str = "pending") -> list[FundsReport]:
        """Reports waiting for a decision (待核实), oldest first; only `units`' when given; `status="returned"`:
        those waiting for their unit to resubmit."""
    async def verified_totals(self) -> dict[int, int]:
        """Project id → its funds verified so far, at the verifiers' amounts (the exports' funds_verified_wan)."""


@dataclass(frozen=True)
class Opening:
    """What every message starts from: the configuration in force, who wrote (their identity on
    this channel and its member, when bound) and that member's open conversation."""

    config: OrgConfig | None
    identity: Identity | None
    member: Member | None
    state: ConversationState | None


class UnitOfWork(Protocol):
    """One transaction: reads, ledger appends with their projections, operational state."""

    clock: Clock
    org: OrgRepository
    projects: ProjectRepository
    trips: TripRepository
    sharing: SharingRepository
    conversations: ConversationRepository
    updates: UpdateLog
    outbox: Outbox
    figures: Figures
    reports: ReportRepository
    calendar: CalendarStore
    chain: Chain
    web: WebAccess
    evidence: Evidence

    async def record(self, type: str, payload: dict[str, Any], *, actor: int | None = None,
                     unit: str | None = None, project_id: int | None = None,
                     new_project: bool = False) -> Event: ...
    async def opening(self, channel: str, external_id: str, key_prefix: str) -> Opening:
        """The configuration, the sender and their conversation (keyed `key_prefix` + member id) in one read."""
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, *exc: object) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, readonly: bool = False) -> UnitOfWork: ...


class Store(Protocol):
    """Where units of work come from, and the clock they write with (storage.database.Database is one)."""

    clock: Clock

    def uow(self, *, readonly: bool = False) -> UnitOfWork: ...


__all__ = [
    "ConversationState", "OrgRepository", "ProjectRepository", "TripRepository",
    "SharingRepository", "ConversationRepository", "UpdateLog", "Outbox", "Figures", "ReportRepository",
    "CalendarStore", "Chain", "WebAccess", "Evidence", "Opening", "UnitOfWork", "UnitOfWorkFactory", "Store", "Stage",
]
