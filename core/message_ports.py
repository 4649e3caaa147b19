"""Ports of a message's way through: a conversation's saved state, the log of updates seen (with the replies kept
until sent) and the outbox of pushes. Listed apart from core/ports.py, which re-exports them, because they are
the delivery side's own and that module was outgrowing a screen."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.conversation_state import ConversationState
from core.delivery import Pending
from core.messages import Delivery, Outbound


class ConversationRepository(Protocol):
    async def load(self, key: str) -> ConversationState | None: ...
    async def save(self, state: ConversationState, *, last: bool = False) -> None:
        """`last`: only the replies (`UpdateLog.keep_replies`) and the commit follow in this unit of work, so the
        write may wait to go with the replies (one round trip on PostgreSQL)."""
    async def clear(self, key: str, *, last: bool = False) -> None: ...

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
    async def seen(self, channel: str, update_id: str, *, sent: Sequence[str] = ()) -> bool:
        """Record a delivery; True when it was already recorded (a duplicate). `sent`: updates of the channel whose
        replies were sent since, forgotten first (as `replied`; on PostgreSQL in the same statement)."""

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
