"""The ledger's event types and one payload type per type: every fact the city records is one of these.

The use case that appends an event builds its payload type; every projector reads the event back
through the same type (`LeadLogged.from_dict(e.payload)`), so an event's shape is written once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Self

from core.payload import Payload

ORG_CONFIGURED: Final = "org.configured"
MEMBER_ADDED: Final = "member.added"
MEMBER_CHANGED: Final = "member.changed"
IDENTITY_BOUND: Final = "identity.bound"
INVITE_CREATED: Final = "invite.created"
INVITE_USED: Final = "invite.used"

LEAD_LOGGED: Final = "lead.logged"
PROJECT_CORRECTED: Final = "project.corrected"
STAGE_CHANGED: Final = "project.stage_changed"
FUNDS_ADDED: Final = "project.funds_added"
NOTE_ADDED: Final = "project.note_added"
PROBLEM_RAISED: Final = "project.problem_raised"
PROBLEM_RESOLVED: Final = "project.problem_resolved"

TRIP_LOGGED: Final = "trip.logged"

ALL: Final = frozenset(
    {
        ORG_CONFIGURED, MEMBER_ADDED, MEMBER_CHANGED, IDENTITY_BOUND, INVITE_CREATED, INVITE_USED,
        LEAD_LOGGED, PROJECT_CORRECTED, STAGE_CHANGED, FUNDS_ADDED, NOTE_ADDED, PROBLEM_RAISED,
        PROBLEM_RESOLVED, TRIP_LOGGED,
    }
)

# The shared lead ledger (core/sharing.py).
INTEREST_MARKED: Final = "share.interest_marked"
ROUTED: Final = "share.routed"              # a routing is also a transfer proposal (kind "route")
TRANSFER_PROPOSED: Final = "transfer.proposed"
TRANSFER_ACCEPTED: Final = "transfer.accepted"
TRANSFER_REFUSED: Final = "transfer.refused"
TRANSFER_WITHDRAWN: Final = "transfer.withdrawn"
SUPPORTING_JOINED: Final = "share.supporting_joined"
CLAIM_OPENED: Final = "claim.opened"
CLAIM_RESOLVED: Final = "claim.resolved"
SHARING: Final = frozenset({INTEREST_MARKED, ROUTED, TRANSFER_PROPOSED, TRANSFER_ACCEPTED, TRANSFER_REFUSED,
                            TRANSFER_WITHDRAWN, SUPPORTING_JOINED, CLAIM_OPENED, CLAIM_RESOLVED})

# The half-monthly report and the quarter's observation project (core/halfmonthly.py).
REPORT_SUBMITTED: Final = "report.submitted"
OBSERVATION_NAMED: Final = "observation.named"

# A unit's group chats (core/groups.py).
GROUP_BOUND: Final = "group.bound"
GROUP_UNBOUND: Final = "group.unbound"


# -- the organisation ------------------------------------------------------------------------
@dataclass(frozen=True)
class OrgConfigured(Payload):
    TYPE = ORG_CONFIGURED
    config: dict[str, Any]
    digest: str


@dataclass(frozen=True)
class MemberAdded(Payload):
    TYPE = MEMBER_ADDED
    name: str
    unit: str
    role: str
    title: str = ""
    trip_quota: int | None = None
    reporter: bool = False


@dataclass(frozen=True)
class MemberChanged(Payload):
    TYPE = MEMBER_CHANGED
    member_id: int
    changes: dict[str, Any]


@dataclass(frozen=True)
class IdentityBound(Payload):
    TYPE = IDENTITY_BOUND
    member_id: int
    channel: str
    external_id: str
    chat_id: str


@dataclass(frozen=True)
class InviteCreated(Payload):
    TYPE = INVITE_CREATED
    code_hash: str
    unit: str
    role: str
    expires_at: str              # ISO 8601, aware
    member_id: int | None = None


@dataclass(frozen=True)
class InviteUsed(Payload):
    TYPE = INVITE_USED
    invite_id: int
    member_id: int


# -- projects --------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeadLogged(Payload):
    TYPE = LEAD_LOGGED
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
    flags: tuple[str, ...] = ()
    responsible_unit: str | None = None   # None (an older writer): the owner unit
    responsible_person: str | None = None
    leader_member_id: int | None = None
    stage: str = "lead"
    duplicate_of: int | None = None


@dataclass(frozen=True)
class ProjectCorrected(Payload):
    TYPE = PROJECT_CORRECTED
    changes: dict[str, Any]
    before: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StageChanged(Payload):
    TYPE = STAGE_CHANGED
    from_: str = field(metadata={"key": "from"})
    to: str
    contract_wan: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class FundsAdded(Payload):
    TYPE = FUNDS_ADDED
    amount_wan: int
    total_wan: int


@dataclass(frozen=True)
class NoteAdded(Payload):
    TYPE = NOTE_ADDED
    text: str
    next_steps: str | None = None


@dataclass(frozen=True)
class ProblemRaised(Payload):
    TYPE = PROBLEM_RAISED
    text: str
    needs_city: bool = True


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


# -- the shared lead ledger ------------------------------------------------------------------
@dataclass(frozen=True)
class InterestMarked(Payload):
    TYPE = INTEREST_MARKED
    unit: str


@dataclass(frozen=True)
class TransferProposed(Payload):
    """Also the payload of ROUTED, which adds the suggested units (see Routed)."""

    TYPE = TRANSFER_PROPOSED
    from_unit: str
    to_unit: str
    owner_unit: str
    reason: str


@dataclass(frozen=True)
class Routed(TransferProposed):
    TYPE = ROUTED
    suggested: tuple[str, ...] = ()


@dataclass(frozen=True)
class CreditSplit(Payload):
    """The credit split frozen when responsibility or ownership moves (core/sharing.py: credit_split)."""

    TYPE = "credit"              # not an event: a part of TransferAccepted and ClaimResolved
    rule_code: str | None
    rule_name: str | None
    owner_unit: str
    host_unit: str
    owner_pct: int
    host_pct: int


@dataclass(frozen=True)
class TransferAccepted(Payload):
    TYPE = TRANSFER_ACCEPTED
    transfer_id: int
    kind: str
    from_unit: str
    to_unit: str
    owner_unit: str
    responsible_person: str | None
    credit: CreditSplit

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Self:
        return super().from_dict({**raw, "credit": CreditSplit.from_dict(raw["credit"])})


@dataclass(frozen=True)
class TransferRefused(Payload):
    TYPE = TRANSFER_REFUSED
    transfer_id: int
    from_unit: str
    to_unit: str
    reason: str | None = None


@dataclass(frozen=True)
class TransferWithdrawn(Payload):
    TYPE = TRANSFER_WITHDRAWN
    transfer_id: int
    from_unit: str
    to_unit: str


@dataclass(frozen=True)
class SupportingJoined(Payload):
    TYPE = SUPPORTING_JOINED
    unit: str
    holder_unit: str


@dataclass(frozen=True)
class ClaimOpened(Payload):
    TYPE = CLAIM_OPENED
    other_project_id: int
    new_unit: str
    other_unit: str
    reason: str                  # "code" | "name" | "similar"


@dataclass(frozen=True)
class ClaimResolved(Payload):
    TYPE = CLAIM_RESOLVED
    claim_id: int
    first_contact_project_id: int
    first_contact_unit: str
    kept_project_id: int
    duplicate_project_id: int
    owner_before: str
    credit: CreditSplit | None   # None: the owner stays, so the split does too
    note: str = ""

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Self:
        credit = raw.get("credit")
        return super().from_dict({**raw, "credit": CreditSplit.from_dict(credit) if credit else None})


# -- the half-monthly report, the observation project, group chats ----------------------------
@dataclass(frozen=True)
class ReportEntry(Payload):
    TYPE = "entry"               # not an event: one tracked project of ReportSubmitted
    project_id: int
    actions: tuple[str, ...] = ()
    seqs: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReportTotals(Payload):
    TYPE = "counts"              # not an event: ReportSubmitted's totals
    projects: int = 0
    unchanged: int = 0
    updated: int = 0


@dataclass(frozen=True)
class ReportSubmitted(Payload):
    TYPE = REPORT_SUBMITTED
    unit: str
    period: str
    deadline: str                # ISO 8601, aware
    on_time: bool
    entries: tuple[ReportEntry, ...] = ()
    counts: ReportTotals = ReportTotals()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Self:
        return super().from_dict({**raw, "entries": [ReportEntry.from_dict(x) for x in raw.get("entries", ())],
                                  "counts": ReportTotals.from_dict(raw.get("counts", {}))})


@dataclass(frozen=True)
class ObservationNamed(Payload):
    TYPE = OBSERVATION_NAMED
    unit: str
    quarter: str
    name: str
    project_id: int | None = None


@dataclass(frozen=True)
class GroupBound(Payload):
    TYPE = GROUP_BOUND
    channel: str
    chat_id: str
    unit: str
    title: str = ""


@dataclass(frozen=True)
class GroupUnbound(Payload):
    TYPE = GROUP_UNBOUND
    channel: str
    chat_id: str


PAYLOADS: Final[dict[str, type[Payload]]] = {p.TYPE: p for p in (
    OrgConfigured, MemberAdded, MemberChanged, IdentityBound, InviteCreated, InviteUsed, LeadLogged,
    ProjectCorrected, StageChanged, FundsAdded, NoteAdded, ProblemRaised, ProblemResolved, TripLogged,
    InterestMarked, TransferProposed, Routed, TransferAccepted, TransferRefused, TransferWithdrawn,
    SupportingJoined, ClaimOpened, ClaimResolved, ReportSubmitted, ObservationNamed, GroupBound, GroupUnbound)}
"""Every event type's payload class, for readers that take any event."""
