"""The organisation's events: the configuration, members, their identities and invites, a unit's group chats
(core/groups.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from core.payload import Payload

__all__ = [
    "ORG_CONFIGURED", "MEMBER_ADDED", "MEMBER_CHANGED", "IDENTITY_BOUND", "INVITE_CREATED",
    "INVITE_USED", "GROUP_BOUND", "GROUP_UNBOUND", "OrgConfigured", "MemberAdded", "MemberChanged",
    "IdentityBound", "InviteCreated", "InviteUsed", "GroupBound", "GroupUnbound",
]

ORG_CONFIGURED: Final = "org.configured"
MEMBER_ADDED: Final = "member.added"
MEMBER_CHANGED: Final = "member.changed"
IDENTITY_BOUND: Final = "identity.bound"
INVITE_CREATED: Final = "invite.created"
INVITE_USED: Final = "invite.used"

# A unit's group chats (core/groups.py).
GROUP_BOUND: Final = "group.bound"
GROUP_UNBOUND: Final = "group.unbound"


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
