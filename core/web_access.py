"""What the web console's operational state reads back: one-time links, sessions, the access log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class WebLink:
    member_id: int
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class WebSession:
    id_hash: str
    member_id: int
    created_at: datetime
    last_seen: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    member_id: int
    action: str
    detail: str
    address: str
