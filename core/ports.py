"""Ports: what the core needs from the outside world, as Protocols storage implements."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.delivery import Pending
from core.figures import FigureExplanation, LedgerEvent, LedgerRow, MonthFacts
from core.messages import Delivery, Outbound
from core.org import OrgConfig
from core.records import Event, Identity, Invite, Member, Note, Project, Trip, UnitRecord
from core.roles import Role
from core.stages import Stage

if TYPE_CHECKING:
    from core.sharing import Claim, CreditSnapshot, Interest, Transfer


@dataclass
class ConversationState:
    """An open flow: which, at what step, what has been collected. Lives in the database."""

    key: str
    flow: str
    step: str
    data: dict[str, Any]
    version: int
    expires_at: datetime
    channel: str
    chat_id: str


class OrgRepository(Protocol):
    async def config(self) -> OrgConfig | None: ...
    async def config_digest(self) -> str | None: ...
    async def units(self) -> list[UnitRecord]: ...
    async def member(self, member_id: int) -> Member | None: ...
    async def members(self, *, unit: str | None = None, role: Role | None = None) -> list[Member]: ...
    async def identity(self, channel: str, external_id: str) -> Identity | None: ...
    async def sender(self, channel: str, external_id: str) -> tuple[Identity, Member | None] | None: ...
    async def identities_of(self, member_id: int) -> list[Identity]: ...
    async def invite_by_hash(self, code_hash: str) -> Invite | None: ...


class ProjectRepository(Protocol):
    async def get(self, project_id: int) -> Project | None: ...
    async def by_credit_code(self, code: str) -> list[Project]: ...
    async def by_normalized_name(self, normalized: str) -> list[Project]: ...
    async def names(self) -> list[tuple[int, str]]: ...
    async def many(self, ids: list[int]) -> list[Project]: ...
    async def of_unit(self, unit: str, *, live_only: bool = True) -> list[Project]: ...
    async def stale(self, unit: str | None, before: datetime) -> list[Project]: ...
    async def notes(self, project_id: int, *, limit: int = 5) -> list[Note]: ...
    async def open_problems(self, project_id: int) -> list[Note]: ...
    async def events(self, project_id: int, *, limit: int | None = None) -> list[Event]: ...


class TripRepository(Protocol):
    async def get(self, trip_id: int) -> Trip | None: ...
    async def of_unit(self, unit: str) -> list[Trip]: ...


class SharingRepository(Protocol):
    """Reads of the shared lead ledger (core/sharing.py); storage/repositories_sharing.py implements it."""

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


class UpdateLog(Protocol):
    async def seen(self, channel: str, update_id: str) -> bool:
        """Record a delivery; True when it was already recorded (a duplicate)."""


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
    async def mark_sent(self, row_id: int, now: datetime) -> None: ...
    async def postpone(self, row_id: int, until: datetime, error: str) -> None: ...
    async def postpone_chat(self, channel: str, chat_id: str, until: datetime) -> None: ...
    async def give_up(self, row_id: int, error: str) -> None: ...


class Figures(Protocol):
    """A month's figures as of its end (local midnight in `tz`): the rules then in force and the facts.

    The one reading path for figures outside storage (/rank, the ranking-day pushes, `zsbot report …`),
    so a figure in chat is the figure in the report.
    """

    async def month(self, month: str, tz: ZoneInfo) -> tuple[OrgConfig, MonthFacts] | None:
        """`rules` and `facts` together; None before any configuration was loaded."""

    async def rules(self, month: str, tz: ZoneInfo) -> OrgConfig | None:
        """The configuration in force at the month's end (the first one, for a month before it)."""

    async def facts(self, month: str, tz: ZoneInfo) -> MonthFacts:
        """The facts the month's ranking is computed from, half-monthly reports counted in `tz`."""

    async def ledger(self, month: str, tz: ZoneInfo, unit_names: dict[str, str]
                     ) -> tuple[list[LedgerRow], list[LedgerEvent]]:
        """The month's 台账 rows (tracked projects at its end) and the events recorded in it."""

    async def explain(self, cfg: OrgConfig, month: str, tz: ZoneInfo, unit: str, indicator: str
                      ) -> FigureExplanation:
        """The ledger events behind `unit`'s value of `indicator` in the month, and the value they add up to."""


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

    async def record(self, type: str, payload: dict[str, Any], *, actor: int | None = None,
                     unit: str | None = None, project_id: int | None = None,
                     new_project: bool = False) -> Event: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    async def __aenter__(self) -> "UnitOfWork": ...
    async def __aexit__(self, *exc: object) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, readonly: bool = False) -> UnitOfWork: ...


__all__ = [
    "ConversationState", "OrgRepository", "ProjectRepository", "TripRepository",
    "SharingRepository", "ConversationRepository", "UpdateLog", "Outbox", "UnitOfWork", "UnitOfWorkFactory", "Stage",
]
