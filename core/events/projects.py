"""A project's events from lead to production — logged, corrected, staged, funded, noted, its problems — and
the trips that find them."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from core.payload import Payload

# Where an imported event came from: {"file_sha256", "sheet", "row"} and, when the ledger could not take the
# event on the row's date (it appends in time order), "on": that date. Absent for what the chat records.
IMPORTED = {"omit_none": True}
# When a fact happened, if not when it was recorded (a signing entered days later): the UTC instant the local
# day began, ISO 8601. Omitted when None, so every event written before back-dating keeps its exact bytes.
EFFECTIVE = {"omit_none": True}
# Why a correction, void or restore was made, as the person typed it; omitted when none was given.
REASON = {"omit_none": True}

__all__ = [
    "LEAD_LOGGED", "PROJECT_CORRECTED", "STAGE_CHANGED", "FUNDS_ADDED", "NOTE_ADDED", "PROBLEM_RAISED",
    "PROBLEM_RESOLVED", "TRIP_LOGGED", "PROJECT_VOIDED", "PROJECT_RESTORED", "FUNDS_CORRECTED", "CONTRACT_CORRECTED",
    "LeadFields", "LeadLogged", "ProjectCorrected", "StageChanged", "FundsAdded", "NoteAdded", "ProblemRaised",
    "ProblemResolved", "TripLogged", "ProjectVoided", "ProjectRestored", "FundsCorrected", "ContractCorrected",
    "effective_at",
]

LEAD_LOGGED: Final = "lead.logged"
PROJECT_CORRECTED: Final = "project.corrected"
STAGE_CHANGED: Final = "project.stage_changed"
FUNDS_ADDED: Final = "project.funds_added"
NOTE_ADDED: Final = "project.note_added"
PROBLEM_RAISED: Final = "project.problem_raised"
PROBLEM_RESOLVED: Final = "project.problem_resolved"
PROJECT_VOIDED: Final = "project.voided"
PROJECT_RESTORED: Final = "project.restored"
FUNDS_CORRECTED: Final = "project.funds_corrected"
CONTRACT_CORRECTED: Final = "project.contract_corrected"

TRIP_LOGGED: Final = "trip.logged"


@dataclass(frozen=True)
class LeadFields:
    """A company and its investment intention, as a person gives them: written once, shared by the command
    that logs a lead (core.usecases.leads.LeadDraft) and the event that records it."""

    name: str
    normalized_name: str
    owner_unit: str
    credit_code: str | None = None
    industry: str | None = None
    intended_wan: int | None = None
    foreign_wan: int | None = None
    foreign_currency: str | None = None
    source: str | None = None
    contact: str | None = None
    content: str | None = None
    category: str | None = None
    flags: Collection[str] = ()           # in the event: a sorted tuple (stored as a list)
    responsible_unit: str | None = None   # None (an older writer): the owner unit
    responsible_person: str | None = None
    leader_member_id: int | None = None
    # 其他: a chain the org file does not list, as typed, for the office to map (issue 16); `industry` None.
    # Omitted while None, so leads logged before it existed keep their exact bytes.
    industry_other: str | None = field(default=None, metadata={"omit_none": True})


@dataclass(frozen=True)
class LeadLogged(LeadFields, Payload):
    TYPE = LEAD_LOGGED
    stage: str = "lead"
    duplicate_of: int | None = None
    imported: dict[str, Any] | None = field(default=None, metadata=IMPORTED)


@dataclass(frozen=True)
class ProjectCorrected(Payload):
    TYPE = PROJECT_CORRECTED
    changes: dict[str, Any]
    before: dict[str, Any] = field(default_factory=dict)
    imported: dict[str, Any] | None = field(default=None, metadata=IMPORTED)
    reason: str | None = field(default=None, metadata=REASON)
    # From when the corrected values hold in the figures: a chat correction fixes what was typed, so from the
    # lead's start; absent (the importer, older ledgers): from the correction on, as it always was.
    since: str | None = field(default=None, metadata=EFFECTIVE)


@dataclass(frozen=True)
class StageChanged(Payload):
    TYPE = STAGE_CHANGED
    from_: str = field(metadata={"key": "from"})
    to: str
    contract_wan: int | None = None
    reason: str | None = None
    imported: dict[str, Any] | None = field(default=None, metadata=IMPORTED)
    on: str | None = field(default=None, metadata=EFFECTIVE)


@dataclass(frozen=True)
class FundsAdded(Payload):
    TYPE = FUNDS_ADDED
    amount_wan: int
    total_wan: int
    imported: dict[str, Any] | None = field(default=None, metadata=IMPORTED)
    on: str | None = field(default=None, metadata=EFFECTIVE)


@dataclass(frozen=True)
class FundsCorrected(Payload):
    """A funds entry (`entry`: its event's seq) was wrong: it now counts `amount_wan` (0: it should never have been
    entered). `offset_wan` is what the correction adds (negative when the entry was too high); the rankings book it
    on the entry's own date, so the month the money was reported in is the month that changes."""

    TYPE = FUNDS_CORRECTED
    entry: int
    amount_wan: int
    offset_wan: int
    total_wan: int
    reason: str


@dataclass(frozen=True)
class ContractCorrected(Payload):
    """The contract amount recorded by a stage change (`entry`: its event's seq) was wrong. The amount belongs to
    that signing, so the figures read the corrected amount from the signing's date on."""

    TYPE = CONTRACT_CORRECTED
    entry: int
    amount_wan: int
    before_wan: int
    reason: str | None = field(default=None, metadata=REASON)


@dataclass(frozen=True)
class ProjectVoided(Payload):
    """A lead entered by mistake (a duplicate, a test, the wrong company): out of every list and figure, kept in the
    ledger."""

    TYPE = PROJECT_VOIDED
    reason: str


@dataclass(frozen=True)
class ProjectRestored(Payload):
    """The office undid a void: the project is back in the lists and figures it was in."""

    TYPE = PROJECT_RESTORED
    voided: int                                  # the seq of the void undone
    reason: str | None = field(default=None, metadata=REASON)


def effective_at(on: str | None, recorded: datetime) -> datetime:
    """When a fact happened: its `on` (never after it was recorded), else when it was recorded."""
    if on is None:
        return recorded
    return min(datetime.fromisoformat(on), recorded)


@dataclass(frozen=True)
class NoteAdded(Payload):
    TYPE = NOTE_ADDED
    text: str
    next_steps: str | None = None
    imported: dict[str, Any] | None = field(default=None, metadata=IMPORTED)


@dataclass(frozen=True)
class ProblemRaised(Payload):
    TYPE = PROBLEM_RAISED
    text: str
    needs_city: bool = True
    imported: dict[str, Any] | None = field(default=None, metadata=IMPORTED)


@dataclass(frozen=True)
class ProblemResolved(Payload):
    TYPE = PROBLEM_RESOLVED
    problem_id: int
    resolution: str = ""


@dataclass(frozen=True)
class TripLogged(Payload):
    TYPE = TRIP_LOGGED
    traveller: str
    destination: str
    start_date: str              # ISO dates
    end_date: str
    companies: tuple[str, ...] = ()
    outcome: str | None = None
    next_steps: str | None = None
    leader_member_id: int | None = None
