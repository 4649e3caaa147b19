"""Replies that survive a crash: an update's replies are stored with its record, in the transaction of
its effects, and forgotten once the channel sent them (`Conversations.replied`).

Whoever stored them owns them for a lease (`ZSBOT_REPLY_LEASE_SECONDS`): the channel is sending them.
After it, they are orphans — the process died between the commit and the reply — and go to the outbox
once (the record is cleared in the same transaction, whoever clears it first takes them): when the
update is delivered again, and at every process's periodic pick-up for its own channel (which runs
at start). Replies stored longer ago than the window (`ZSBOT_REPLY_WINDOW_MINUTES`) are dropped and
counted in the log: an answer hours late confuses more than it helps.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from core.messages import Delivery, Inbound, Outbound
from core.ports import UnitOfWork, UnsentReplies

log = logging.getLogger("zsbot.replies")
KIND = "reply"  # the outbox kind of a reply (never stale; resent after an outbox crash: reminders/outbox.py)
LEASE = timedelta(seconds=30)
WINDOW = timedelta(hours=1)


async def keep(uow: UnitOfWork, inbound: Inbound, out: Sequence[Outbound]) -> None:
    """Store what the channel is about to send, with the update's record (nothing without an update id)."""
    if inbound.update_id is not None and out:
        await uow.updates.keep_replies(inbound.channel, inbound.update_id, inbound.chat_id, out)


class SentMarks:
    """Forgets the replies the channel sent. A mark does not cost a transaction of its own while messages
    keep coming: the next message's unit of work writes every mark gathered so far (`take`, then `write`,
    one statement before it takes the ledger lock; `restore` if it does not commit). With nothing else
    coming, a mark is written in its own transaction after `linger` seconds, and `flush` writes what is left
    when the process stops. A crash loses at most the marks of the last moments (those replies go once more
    after the lease: docs/OPERATIONS.md); a failed write is logged, not raised — a reply sent twice is the
    lesser harm than one never sent."""

    def __init__(self, uow_factory: Callable[..., UnitOfWork], *, transient: Callable[[BaseException], bool],
                 retries: int, delay: float, linger: float = 1.0) -> None:
        self.uow_factory = uow_factory
        self.transient = transient
        self.retries = retries
        self.delay = delay
        self.linger = linger
        self._pending: dict[str, list[str]] = {}
        self._timer: asyncio.Task[None] | None = None

    async def mark(self, inbound: Inbound) -> None:
        if inbound.update_id is None:
            return
        self._pending.setdefault(inbound.channel, []).append(inbound.update_id)
        if self._timer is None or self._timer.done():
            self._timer = asyncio.create_task(self._later(), name="replies-sent")

    def take(self) -> dict[str, list[str]]:
        marks, self._pending = self._pending, {}
        return marks

    def restore(self, marks: dict[str, list[str]]) -> None:
        for channel, update_ids in marks.items():
            self._pending.setdefault(channel, []).extend(update_ids)

    @staticmethod
    async def write(uow: UnitOfWork, marks: dict[str, list[str]]) -> None:
        for channel, update_ids in marks.items():
            await uow.updates.replied(channel, update_ids)

    async def flush(self) -> None:
        """Write every mark gathered so far, in a transaction of its own."""
        marks = self.take()
        if marks:
            await self._write(marks)

    async def _later(self) -> None:
        await asyncio.sleep(self.linger)
        await self.flush()

    async def _write(self, by_channel: dict[str, list[str]]) -> None:
        delay = self.delay
        for attempt in range(1, self.retries + 1):
            try:
                async with self.uow_factory() as uow:
                    await self.write(uow, by_channel)
                    await uow.commit()
                return
            except Exception as exc:
                if not self.transient(exc) or attempt >= self.retries:
                    log.warning("replies of %d update(s) sent but not marked (%s: %s); they may be sent again",
                                sum(map(len, by_channel.values())), type(exc).__name__, str(exc)[:200])
                    return
                await asyncio.sleep(delay)
                delay *= 3


async def replay(uow: UnitOfWork, inbound: Inbound, *, lease: timedelta = LEASE, window: timedelta = WINDOW) -> int:
    """A redelivered update: replies stored and not sent within the lease go to the outbox, once.
    Returns how many updates' replies were queued (0 or 1); the caller commits."""
    now = uow.clock.now()
    found = await uow.updates.unsent(inbound.channel, stored_before=now - lease, update_id=inbound.update_id,
                                     limit=1)
    queued, _ = await _requeue(uow, found, since=now - window)
    return queued


async def resend_unsent(uow_factory: Callable[..., UnitOfWork], channel: str, *, lease: timedelta = LEASE,
                        window: timedelta = WINDOW) -> tuple[int, int]:
    """The pick-up: every update of this channel whose replies outlived the lease unsent. Queued to the
    outbox within the window, dropped before it; returns (queued, dropped)."""
    async with uow_factory(readonly=True) as uow:
        # Most runs find nothing: a read, not a writer's lock (SQLite's BEGIN IMMEDIATE) every few seconds.
        if not await uow.updates.unsent(channel, stored_before=uow.clock.now() - lease, limit=1):
            return 0, 0
    total = (0, 0)
    while True:
        async with uow_factory() as uow:
            now = uow.clock.now()
            found = await uow.updates.unsent(channel, stored_before=now - lease)
            queued, dropped = await _requeue(uow, found, since=now - window)
            await uow.commit()
        total = (total[0] + queued, total[1] + dropped)
        if len(found) < 100:
            break
    if total[0]:
        log.warning("%s: replies of %d update(s) committed but not sent (a crash?) queued to the outbox",
                    channel, total[0])
    if total[1]:
        log.warning("%s: replies of %d update(s) older than %s dropped unsent", channel, total[1], window)
    return total


async def _requeue(uow: UnitOfWork, found: list[UnsentReplies], *, since: datetime) -> tuple[int, int]:
    queued = dropped = 0
    for r in found:
        if not await uow.updates.take(r.channel, r.update_id):
            continue  # another process's pick-up, or the redelivery, took them first
        if r.stored_at < since:
            dropped += 1
            continue
        for i, action in enumerate(r.actions):
            await uow.outbox.enqueue(f"unsent:{r.channel}:{r.update_id}:{i}", KIND,
                                     Delivery(channel=r.channel, chat_id=r.chat_id, action=action))
        queued += 1
    return queued, dropped
