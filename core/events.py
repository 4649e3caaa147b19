"""Names of the ledger's event types: every fact the city records is one of these."""
from __future__ import annotations

from typing import Final

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
