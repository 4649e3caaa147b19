"""The ledger's event types and one payload type per type: every fact the city records is one of these.

The use case that appends an event builds its payload type; every projector reads the event back
through the same type (`LeadLogged.from_dict(e.payload)`), so an event's shape is written once.
Each area's names and payloads are a module here; this one gathers them, so `ev.<name>` reads any of
them and `PAYLOADS` is the one registry.
"""
from __future__ import annotations

from typing import Final

from core.events.evidence import *  # noqa: F403  (each area module lists its names in __all__)
from core.events.org import *  # noqa: F403
from core.events.projects import *  # noqa: F403
from core.events.reports import *  # noqa: F403
from core.events.sharing import *  # noqa: F403
from core.payload import Payload

ALL: Final = frozenset(
    {
        ORG_CONFIGURED, MEMBER_ADDED, MEMBER_CHANGED, IDENTITY_BOUND, INVITE_CREATED, INVITE_USED,
        LEAD_LOGGED, PROJECT_CORRECTED, STAGE_CHANGED, FUNDS_ADDED, NOTE_ADDED, PROBLEM_RAISED,
        PROBLEM_RESOLVED, TRIP_LOGGED, PROJECT_VOIDED, PROJECT_RESTORED, FUNDS_CORRECTED, CONTRACT_CORRECTED,
    }
)
SHARING: Final = frozenset({INTEREST_MARKED, ROUTED, TRANSFER_PROPOSED, TRANSFER_ACCEPTED, TRANSFER_REFUSED,
                            TRANSFER_WITHDRAWN, SUPPORTING_JOINED, CLAIM_OPENED, CLAIM_RESOLVED})
EVIDENCE: Final = frozenset({FILE_ATTACHED, FUNDS_VERIFIED, FUNDS_RETURNED, FUNDS_RESUBMITTED})

PAYLOADS: Final[dict[str, type[Payload]]] = {p.TYPE: p for p in (
    OrgConfigured, MemberAdded, MemberChanged, IdentityBound, InviteCreated, InviteUsed, LeadLogged,
    ProjectCorrected, StageChanged, FundsAdded, NoteAdded, ProblemRaised, ProblemResolved, TripLogged,
    InterestMarked, TransferProposed, Routed, TransferAccepted, TransferRefused, TransferWithdrawn,
    SupportingJoined, ClaimOpened, ClaimResolved, ReportSubmitted, ObservationNamed, GroupBound, GroupUnbound,
    ProjectVoided, ProjectRestored, FundsCorrected, ContractCorrected, FileAttached, FundsVerified, FundsReturned,
    FundsResubmitted)}
"""Every event type's payload class, for readers that take any event."""
