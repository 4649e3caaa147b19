"""What the core reads back from storage: plain, immutable records."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.roles import Role, UnitKind
from core.stages import Stage


@dataclass(frozen=True, slots=True)
class UnitRecord:
    code: str
    name: str
    kind: UnitKind
    parent: str | None
    peer_group: str | None


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    name: str
    unit: str
    role: Role
    active: bool = True
    title: str = ""
    trip_quota: int | None = None
    reporter: bool = False


@dataclass(frozen=True, slots=True)
class Identity:
    channel: str
    external_id: str
    member_id: int
    chat_id: str


@dataclass(frozen=True, slots=True)
class Invite:
    id: int
    unit: str
    role: Role
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None
    member_id: int | None = None


@dataclass(frozen=True, slots=True)
class ProjectTraits:
    """What the duplicate levels compare (handlers/matching.py): one scan of these per check."""

    id: int
    normalized_name: str
    credit_code: str | None = None
    industry: str | None = None
    intended_wan: int | None = None
    contact: str | None = None


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    name: str
    normalized_name: str
    credit_code: str | None
    industry: str | None
    stage: Stage
    category: str | None
    source: str | None
    contact: str | None
    intended_wan: int | None
    contract_wan: int | None
    planned_wan: int | None
    funds_wan: int
    foreign_wan: int | None
    foreign_currency: str | None
    flags: frozenset[str]
    owner_unit: str
    responsible_unit: str
    responsible_person: str | None
    leader_member_id: int | None
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    terminated_reason: str | None = None
    duplicate_of: int | None = None
    content: str | None = None
    next_steps: str | None = None
    industry_other: str | None = None  # 其他: a chain typed that the org file does not list, for the office to map
    voided_at: datetime | None = None      # entered by mistake and voided: out of every list and figure
    void_reason: str | None = None


@dataclass(frozen=True, slots=True)
class FundEntry:
    """One funds-in-place entry of a project, as corrected so far."""

    seq: int
    on: datetime            # when the money arrived (the entry's date)
    recorded_at: datetime
    amount_wan: int         # what it counts now, its corrections included
    original_wan: int       # what was entered


@dataclass(frozen=True, slots=True)
class Timeline:
    """When a project's facts happened (not when they were recorded): what back-dating and corrections check."""

    stage_at: datetime | None = None        # the current stage was reached
    signed_at: datetime | None = None
    contract_seq: int | None = None         # the stage change whose contract amount stands
    funds: tuple[FundEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    project_id: int
    at: datetime
    author_id: int | None
    kind: str          # "note" | "problem"
    text: str
    next_steps: str | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Trip:
    id: int
    unit: str
    traveller: str
    leader_member_id: int | None
    destination: str
    start_date: date
    end_date: date
    companies: tuple[str, ...]
    outcome: str | None
    next_steps: str | None
    created_by: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    at: datetime
    actor: int | None
    unit: str | None
    type: str
    payload: dict[str, Any] = field(hash=False)
    prev_hash: str = ""
    hash: str = ""
    project_id: int | None = None


@dataclass(frozen=True)
class StageMove:
    at: datetime
    before: str
    after: str


@dataclass(frozen=True)
class DispatchData:
    """What the monthly dispatch meeting looks at (seed 002 月调度)."""

    key_projects: list[Project]
    moves: dict[int, list[StageMove]]
    problems: list[tuple[Note, Project]]
    stale: list[Project]
    names: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AttachedFile:
    """A file attached to a project (its bytes are in the blob table under `sha256`)."""

    seq: int
    project_id: int
    sha256: str
    size: int
    name: str
    mime_type: str
    actor: int | None
    unit: str | None
    channel: str
    at: datetime


@dataclass(frozen=True, slots=True)
class FundsReport:
    """One funds report (project.funds_added, by its seq) and where its verification stands.

    status: "pending" (待核实: new or resubmitted), "verified" (已核实), "returned" (已退回)."""

    seq: int
    project_id: int
    unit: str                 # the project's responsible unit when it was reported
    amount_wan: int
    reported_by: int | None
    reported_at: datetime
    status: str
    waiting_since: datetime   # reported, or resubmitted
    verified_wan: int | None = None
    decided_by: int | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    note: str | None = None
