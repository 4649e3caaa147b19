"""`uow.outbox`: every push queued once under its key, and the sending side's bookkeeping."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import Pending, split_action
from core.messages import Delivery, Outbound
from storage.repositories.org import SqlOrgRepository
from storage.tables.operational import OutboxRow
from storage.tables.org import IdentityRow

_ACTION: TypeAdapter[Outbound] = TypeAdapter(Outbound)
SENDING = "sending"  # claimed by the sender, the call under way: what a crash leaves behind
NO_CHAT = "no_chat"  # the reason code of an undeliverable row whose caller gave no (Chinese) reason
DROPPED = "dropped"  # not sent: its subject was settled before its turn (reminders/staleness.py)


class SqlOutbox:
    def __init__(self, session: AsyncSession, clock_now: Any, channels: tuple[str, ...] | None = None) -> None:
        self.s = session
        self._now = clock_now
        self.channels = channels  # the channels this deployment runs; None = every channel

    async def enqueue_member(self, key: str, kind: str, member_id: int, action: Any, *,
                             not_before: datetime | None = None, undeliverable: str = NO_CHAT) -> int:
        rows = (await self.s.execute(select(IdentityRow).where(IdentityRow.member_id == member_id)
                                     .order_by(IdentityRow.bound_at))).scalars().all()
        targets = [r for r in rows if self.channels is None or r.channel in self.channels]
        if not targets:
            await self._undeliverable(key, kind, member_id, action, undeliverable)
            return 0
        queued = 0
        for r in targets:
            delivery = Delivery(channel=r.channel, chat_id=r.chat_id, action=action)
            queued += await self.enqueue(f"{key}@{r.channel}", kind, delivery, member_id=member_id,
                                         not_before=not_before)
        return queued

    async def enqueue_unit_groups(self, key: str, kind: str, unit: str, action: Any) -> int:
        from core.groups import ROBOT_CHANNEL, robot_chat_id
        from storage.tables.groups import UnitChatRow

        rows = (await self.s.execute(select(UnitChatRow).where(UnitChatRow.unit == unit)
                                     .order_by(UnitChatRow.bound_at))).scalars().all()
        chats = [(r.channel, r.chat_id) for r in rows]
        cfg = await SqlOrgRepository(self.s).config()
        if cfg is not None and cfg.has_unit(unit) and cfg.unit(unit).robot_webhook_key:
            chats.append((ROBOT_CHANNEL, robot_chat_id(unit)))  # the org file's WeCom group robot
        queued = 0
        for channel, chat_id in dict.fromkeys(chats):
            if self.channels is None or channel in self.channels:
                delivery = Delivery(channel=channel, chat_id=chat_id, action=action)
                queued += await self.enqueue(f"{key}@{channel}:{chat_id}", kind, delivery)
        return queued

    async def _undeliverable(self, key: str, kind: str, member_id: int, action: Any, reason: str) -> None:
        exists = (await self.s.execute(select(func.count()).select_from(OutboxRow).where(OutboxRow.key == key))).scalar()
        if exists:
            return
        now = self._now()
        await self.s.execute(insert(OutboxRow).values(
            key=key, kind=kind, channel="", chat_id="", member_id=member_id, action=action.model_dump_json(),
            status="undeliverable", attempts=0, created_at=now, not_before=now,
            last_error=reason[:500]))

    async def enqueue(self, key: str, kind: str, delivery: Delivery, *, member_id: int | None = None,
                      not_before: datetime | None = None) -> bool:
        parts = split_action(delivery.channel, delivery.action)
        if len(parts) > 1:
            # One row per part: a retry of a later part never re-sends an earlier one.
            first = await self._enqueue_one(key, kind, delivery.model_copy(update={"action": parts[0]}),
                                            member_id=member_id, not_before=not_before)
            if first:
                for i, part in enumerate(parts[1:], 2):
                    await self._enqueue_one(f"{key}#{i}", kind, delivery.model_copy(update={"action": part}),
                                            member_id=member_id, not_before=not_before)
            return first
        return await self._enqueue_one(key, kind, delivery, member_id=member_id, not_before=not_before)

    async def _enqueue_one(self, key: str, kind: str, delivery: Delivery, *, member_id: int | None,
                           not_before: datetime | None) -> bool:
        exists = (await self.s.execute(select(func.count()).select_from(OutboxRow).where(OutboxRow.key == key))).scalar()
        if exists:
            return False
        now = self._now()
        try:
            async with self.s.begin_nested():
                await self.s.execute(insert(OutboxRow).values(
                    key=key, kind=kind, channel=delivery.channel, chat_id=delivery.chat_id, member_id=member_id,
                    action=delivery.action.model_dump_json(), status="pending", attempts=0, created_at=now,
                    not_before=not_before or now))
        except IntegrityError:
            # Another process queued the same key first: the push still goes out exactly once.
            return False
        return True

    # -- the sending side ------------------------------------------------------------------------
    async def due(self, now: datetime, channels: tuple[str, ...], *, limit: int = 200) -> list[Pending]:
        """Pending rows whose time has come, oldest first (a chat's pushes keep their order)."""
        rows = (await self.s.execute(
            select(OutboxRow).where(OutboxRow.status == "pending", OutboxRow.not_before <= now,
                                    OutboxRow.channel.in_(channels))
            .order_by(OutboxRow.id).limit(limit))).scalars().all()
        return [Pending(r.id, r.key, Delivery(channel=r.channel, chat_id=r.chat_id,
                                              action=_ACTION.validate_json(r.action)), r.attempts,
                        kind=r.kind, member_id=r.member_id) for r in rows]

    async def claim(self, row_id: int) -> bool:
        """Mark a due row in flight (committed before the call); False when it is no longer pending."""
        done = await self.s.execute(update(OutboxRow.__table__).where(
            OutboxRow.id == row_id, OutboxRow.status == "pending").values(status=SENDING))
        return bool(getattr(done, "rowcount", 0))

    async def recover_inflight(self, resend: Callable[[str], bool], resent: str, held: str) -> tuple[int, int]:
        """Rows left in flight by a crash: pending again when `resend(kind)` (the platform may have
        them already: counted, `resent` recorded), failed with `held` otherwise. (resent, held)."""
        rows = (await self.s.execute(select(OutboxRow.id, OutboxRow.kind).where(OutboxRow.status == SENDING))).all()
        again = [r.id for r in rows if resend(r.kind)]
        kept = [r.id for r in rows if not resend(r.kind)]
        if again:
            await self.s.execute(update(OutboxRow.__table__).where(OutboxRow.id.in_(again)).values(
                status="pending", attempts=OutboxRow.attempts + 1, last_error=resent[:500]))
        if kept:
            await self.s.execute(update(OutboxRow.__table__).where(OutboxRow.id.in_(kept)).values(
                status="failed", attempts=OutboxRow.attempts + 1, last_error=held[:500]))
        return len(again), len(kept)

    async def mark_sent(self, row_id: int, now: datetime) -> None:
        await self.s.execute(update(OutboxRow.__table__).where(OutboxRow.id == row_id).values(
            status="sent", sent_at=now, attempts=OutboxRow.attempts + 1, last_error=None))

    async def postpone(self, row_id: int, until: datetime, error: str) -> None:
        await self.s.execute(update(OutboxRow.__table__).where(OutboxRow.id == row_id).values(
            status="pending", not_before=until, attempts=OutboxRow.attempts + 1, last_error=error[:500]))

    async def postpone_chat(self, channel: str, chat_id: str, until: datetime) -> None:
        """A 429 for one chat delays every pending push to that chat, and no other."""
        await self.s.execute(update(OutboxRow.__table__).where(
            OutboxRow.channel == channel, OutboxRow.chat_id == chat_id, OutboxRow.status == "pending",
            OutboxRow.not_before < until).values(not_before=until))

    async def drop(self, row_id: int, reason: str) -> None:
        """Not sent: its subject is settled (reminders/staleness.py); the reason says which."""
        await self.s.execute(update(OutboxRow.__table__).where(OutboxRow.id == row_id, OutboxRow.status == "pending")
                             .values(status=DROPPED, last_error=reason[:500]))

    async def release_waiting(self, member_id: int, channel: str, chat_id: str) -> int:
        """The member's undeliverable rows, queued to the chat they just bound (the sender drops the ones
        gone stale meanwhile); how many."""
        if self.channels is not None and channel not in self.channels:
            return 0
        rows = (await self.s.execute(select(OutboxRow).where(
            OutboxRow.status == "undeliverable", OutboxRow.member_id == member_id).order_by(OutboxRow.id))).scalars().all()
        now = self._now()
        for r in rows:
            parts = split_action(channel, _ACTION.validate_json(r.action))
            key = f"{r.key}@{channel}"
            await self.s.execute(update(OutboxRow.__table__).where(OutboxRow.id == r.id).values(
                key=key, channel=channel, chat_id=chat_id, action=parts[0].model_dump_json(), status="pending",
                not_before=now, last_error=None))
            for i, part in enumerate(parts[1:], 2):
                await self._enqueue_one(f"{key}#{i}", r.kind, Delivery(channel=channel, chat_id=chat_id, action=part),
                                        member_id=member_id, not_before=now)
        return len(rows)

    async def give_up(self, row_id: int, error: str) -> None:
        await self.s.execute(update(OutboxRow.__table__).where(OutboxRow.id == row_id).values(
            status="failed", attempts=OutboxRow.attempts + 1, last_error=error[:500]))
