"""The outbox sender: drains pushes within each platform's flood limits, once each.

- at most `per_second` sends overall, one per `chat_interval` per chat, `group_per_minute`
  per group chat, paced evenly (with a small margin) so the platform never has to say 429;
- sends to different chats run concurrently, a chat's pushes go out in order, one at a time;
- 429 (`RetryAfter`) delays that chat only; connection failures retry with exponential
  backoff up to `max_attempts`; a read timeout is never retried (the platform has no
  idempotency key, so a retry could duplicate) and neither is a permanent refusal;
- each row is claimed (`sending`, committed) before the call and marked sent in its own
  transaction right after it; at most `max_inflight` calls are under way at once, so a crash
  leaves at most that many rows in flight. On (re)start the sender resends them when their kind
  allows (`may_resend`: a reminder or a reply may reach someone twice) and counts them; a
  ranking-day push (a chart, a 台账 file) is not sent twice: it is marked failed for the office to check.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from core.clock import Clock
from core.delivery import Ambiguous, ChannelSender, Pending, Permanent, RetryAfter, SendError, Transient
from reminders.names import reason as why
from reminders.staleness import stale_reason

log = logging.getLogger("zsbot.outbox")


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0
    chat_interval: float = 1.0
    group_per_minute: float = 20.0
    max_attempts: int = 8
    backoff_max: float = 300.0
    margin: float = 0.97          # pace a little under the limit: network jitter must not push us over
    poll_interval: float = 1.0
    max_inflight: int = 4         # calls under way at once: the most one crash can duplicate


def may_resend(kind: str) -> bool:
    """Whether a row a crash left in flight is sent again: not the ranking-day pushes (files, charts,
    the month's figures: once is the promise), everything else (reminders, notices, replies) yes."""
    return not kind.startswith("ranking.")


@dataclass
class _Pace:
    """Next allowed start times, on the monotonic clock."""

    global_next: float = 0.0
    chat_next: dict[tuple[str, str], float] = field(default_factory=dict)
    group_sends: dict[tuple[str, str], deque[float]] = field(default_factory=dict)


class OutboxSender:
    """`await sender.drain()` sends what is due now; `run(stop)` keeps draining until stopped."""

    def __init__(self, uow_factory: Callable[..., Any], senders: dict[str, ChannelSender], clock: Clock,
                 limits: Limits = Limits(), *, monotonic: Callable[[], float] = time.monotonic,
                 leading: Callable[[], bool] | None = None) -> None:
        self.uow_factory = uow_factory
        # With several processes on one database only the leader drains, so two senders never race
        # over one row; a follower's queued rows wait for the leader's next poll.
        self.leading = leading
        self.senders = senders
        self.clock = clock
        self.limits = limits
        self.monotonic = monotonic
        self.pace = _Pace()
        self.wake = asyncio.Event()
        self.sent = 0
        self.dropped = 0
        self.resent_after_crash = 0

    async def run(self, stop: asyncio.Event) -> None:
        recovered = False
        while not stop.is_set():
            try:
                leading = self.leading is None or self.leading()
                if leading and not recovered:
                    await self.recover()  # what a crashed (or deposed) sender left in flight
                recovered = leading
                done = await self.drain() if leading else 0
            except Exception:
                log.exception("outbox drain failed; retrying")
                done = 0
            if done == 0:
                self.wake.clear()
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
                await asyncio.wait(waiters, timeout=self.limits.poll_interval, return_when=asyncio.FIRST_COMPLETED)
                for w in waiters:
                    w.cancel()

    async def recover(self) -> tuple[int, int]:
        """Rows left `sending` by a crash: resent when their kind allows it (counted), else failed."""
        async with self.uow_factory() as uow:
            resent, held = await uow.outbox.recover_inflight(
                may_resend, why("resent_after_crash"), why("held_after_crash"))
            await uow.commit()
        if resent or held:
            log.warning("outbox: %d row(s) left in flight by a crash queued again (may arrive twice), "
                        "%d not resent (may be missing)", resent, held)
        self.resent_after_crash += resent
        return resent, held

    def notify(self) -> None:
        """Something was queued: drain now instead of at the next poll."""
        self.wake.set()

    async def drain(self) -> int:
        """Send every row due now; returns how many calls were made."""
        async with self.uow_factory(readonly=True) as uow:
            rows = await uow.outbox.due(self.clock.now(), tuple(self.senders))
        if not rows:
            return 0
        queues: dict[tuple[str, str], deque[Any]] = {}
        for row in rows:
            queues.setdefault(row.chat, deque()).append(row)
        inflight: set[asyncio.Task[None]] = set()
        calls = 0
        while queues or inflight:
            now = self.monotonic()
            started = False
            for chat, queue in list(queues.items()):
                if len(inflight) >= self.limits.max_inflight:
                    break
                if any(getattr(t, "chat", None) == chat for t in inflight):
                    continue
                ready = max(self.pace.global_next, self._chat_ready(chat))
                if ready > now:
                    continue
                row = queue.popleft()
                if not queue:
                    del queues[chat]
                self._reserve(chat, now)
                task = asyncio.create_task(self._send(row))
                task.chat = chat  # type: ignore[attr-defined]
                inflight.add(task)
                calls += 1
                started = True
                now = self.monotonic()
            if started:
                continue
            wait = self._next_ready(queues) - self.monotonic()
            if inflight:
                full = len(inflight) >= self.limits.max_inflight
                done, _ = await asyncio.wait(inflight, timeout=max(wait, 0.001) if queues and not full else None,
                                             return_when=asyncio.FIRST_COMPLETED)
                inflight -= done
                # A 429 may have postponed a chat: drop the rest of its rows from this round.
                for chat in list(queues):
                    if self.pace.chat_next.get(chat, 0) > self.monotonic() + self.limits.chat_interval * 2:
                        del queues[chat]
            elif queues:
                await asyncio.sleep(max(wait, 0.001))
        return calls

    # -- pacing ---------------------------------------------------------------------------------
    def _is_group(self, chat: tuple[str, str]) -> bool:
        return self.senders[chat[0]].is_group(chat[1])

    def _chat_ready(self, chat: tuple[str, str]) -> float:
        ready = self.pace.chat_next.get(chat, 0.0)
        if self._is_group(chat):
            window = self.pace.group_sends.get(chat)
            if window and len(window) >= self.limits.group_per_minute * self.limits.margin:
                ready = max(ready, window[0] + 60.0)
        return ready

    def _reserve(self, chat: tuple[str, str], now: float) -> None:
        lim = self.limits
        self.pace.global_next = now + 1.0 / (lim.per_second * lim.margin)
        interval = lim.chat_interval / lim.margin
        if self._is_group(chat):
            interval = max(interval, 60.0 / (lim.group_per_minute * lim.margin))
            window = self.pace.group_sends.setdefault(chat, deque())
            window.append(now)
            while window and window[0] <= now - 60.0:
                window.popleft()
        self.pace.chat_next[chat] = now + interval

    def _next_ready(self, queues: dict[tuple[str, str], deque[Any]]) -> float:
        if not queues:
            return self.monotonic() + self.limits.poll_interval
        return max(self.pace.global_next, min(self._chat_ready(c) for c in queues))

    # -- one call -------------------------------------------------------------------------------
    async def _send(self, row: Pending) -> None:
        channel, chat_id = row.chat
        async with self.uow_factory() as uow:
            stale = await stale_reason(uow, row)
            if stale is not None:
                # Its subject was settled since it was queued (a claim resolved, a transfer accepted): not sent.
                await uow.outbox.drop(row.id, stale)
                await uow.commit()
                self.dropped += 1
                log.info("outbox row %s (%s) dropped: %s", row.id, row.key, stale)
                return
            claimed = await uow.outbox.claim(row.id)
            await uow.commit()
        if not claimed:
            return  # sent or given up meanwhile (another sender, before it lost the lead)
        try:
            await self.senders[channel].deliver(chat_id, row.delivery.action)
        except RetryAfter as exc:
            self.pace.chat_next[row.chat] = self.monotonic() + exc.seconds
            until = self.clock.now() + timedelta(seconds=exc.seconds)
            async with self.uow_factory() as uow:
                await uow.outbox.postpone(row.id, until, why("retry_after", seconds=f"{exc.seconds:g}"))
                await uow.outbox.postpone_chat(channel, chat_id, until)
                await uow.commit()
            return
        except Transient as exc:
            await self._retry_later(row, exc)
            return
        except (Ambiguous, Permanent) as exc:
            await self._give_up(row, why("ambiguous" if isinstance(exc, Ambiguous) else "refused", error=exc))
            return
        except SendError as exc:
            await self._give_up(row, why("send_error", error=exc))
            return
        except Exception as exc:  # a bug in a channel adapter must not stop the others
            log.exception("unexpected error sending outbox row %s", row.id)
            await self._give_up(row, why("internal", error=f"{type(exc).__name__}: {exc}"))
            return
        async with self.uow_factory() as uow:
            await uow.outbox.mark_sent(row.id, self.clock.now())
            await uow.commit()
        self.sent += 1

    async def _retry_later(self, row: Pending, exc: Exception) -> None:
        attempts = row.attempts + 1
        if attempts >= self.limits.max_attempts:
            await self._give_up(row, why("gave_up", attempts=attempts, error=exc))
            return
        delay = min(2.0 ** attempts, self.limits.backoff_max)
        async with self.uow_factory() as uow:
            await uow.outbox.postpone(row.id, self.clock.now() + timedelta(seconds=delay),
                                    why("transient", error=exc))
            await uow.commit()

    async def _give_up(self, row: Pending, reason: str) -> None:
        log.warning("outbox row %s (%s) not delivered: %s", row.id, row.key, reason)
        async with self.uow_factory() as uow:
            await uow.outbox.give_up(row.id, reason)
            await uow.commit()
