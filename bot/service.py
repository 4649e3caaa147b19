"""The long-running bot: the channel built by the composition root, the outbox sender, the calendar and
the periodic jobs, started in order and stopped gracefully (`zsbot run` is `serve`)."""
from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.composition import build_conversations, open_database, start_channel
from bot.config import Settings
from bot.errors import StartError
from reminders.outbox import Limits, OutboxSender
from storage.database import Database
from storage.leader import LeaderLock
from texts import t

log = logging.getLogger("zsbot.run")
SHUTDOWN_GRACE_SECONDS = 10.0


@dataclass
class Runtime:
    """What a running bot is made of; tests build one against fake servers and stop it."""

    settings: Settings
    db: Database
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    cleanups: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    sender: OutboxSender | None = None
    channel: Any = None
    calendar: Any = None  # reminders.scheduler.CalendarService when ZSBOT_CALENDAR is on

    async def shutdown(self) -> None:
        self.stop.set()
        # Let work in hand finish first: an update being handled has been recorded, so a reply
        # cut off now would never be sent (its redelivery has no second effect).
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=SHUTDOWN_GRACE_SECONDS)
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                await cleanup()
        await self.db.dispose()
        gc.unfreeze()  # a test process starts many; what this one kept may be collected again


def outbox_limits(settings: Settings) -> Limits:
    return Limits(per_second=settings.outbox_per_second, chat_interval=1.0 / settings.outbox_per_chat_per_second,
                  group_per_minute=settings.outbox_per_group_per_minute)


async def start(settings: Settings, *, db: Database | None = None) -> Runtime:
    """Build and start everything; raise StartError with one line when the bot cannot start."""
    db = db or open_database(settings)
    db.channels = (settings.channel,)
    await db.migrate()
    async with db.uow(readonly=True) as uow:
        if await uow.org.config() is None:
            raise StartError(t("org_config.missing"))
    rt = Runtime(settings, db)
    sender = await start_channel(rt)
    lock = LeaderLock(db.engine)
    rt.sender = OutboxSender(db.uow, {settings.channel: sender}, db.clock, outbox_limits(settings),
                             leading=lambda: lock.is_leader)
    rt.tasks.append(asyncio.create_task(rt.sender.run(rt.stop), name="outbox"))
    if settings.calendar:
        await _start_calendar(rt, lock)
    else:
        # No scheduler here: this process still sends its own queued replies (SQLite: the only one;
        # PostgreSQL: only if no other process leads).
        rt.tasks.append(asyncio.create_task(_every(settings.calendar_poll_seconds, rt.stop, _lead(lock)),
                                            name="outbox-leadership"))
        rt.cleanups.append(lock.release)
    rt.tasks.append(asyncio.create_task(_every(60, rt.stop, _expire_idle(rt)), name="expire-idle"))
    # Every process, for its own channel, from its start: replies a crash left committed and unsent.
    pickup = min(max(settings.reply_lease_seconds / 2, 1.0), 60.0)
    rt.tasks.append(asyncio.create_task(_every(pickup, rt.stop, _unsent_replies(rt)), name="unsent-replies"))
    rt.tasks.append(asyncio.create_task(_warm_figures(rt), name="warm-figures"))
    _keep_out_of_collections()
    return rt


def _keep_out_of_collections() -> None:
    """What start-up made (modules, the configuration, the frameworks, the pools) lives as long as the
    process, yet every full garbage collection walked it again: about 200,000 objects, 60–120 ms each
    time, 0.2–0.5 ms of every update's CPU in the update benchmark (docs/BENCHMARKS.md, section 1).
    Frozen, collections walk only what messages made since."""
    gc.collect()
    gc.freeze()


async def _warm_figures(rt: Runtime) -> None:
    """Once, at start: the figures of the running month and the two before, so a leader's first question is not
    the one that reads them (seconds at province scale; brought forward event by event afterwards)."""
    from handlers.questions.figures import warm

    try:
        async with rt.db.uow(readonly=True) as uow:
            months = await warm(uow, rt.settings.tz, rt.db.clock.now().astimezone(rt.settings.tz).date())
        log.info("figures read for %s", ", ".join(months))
    except Exception:
        log.exception("reading the figures at start failed")


async def _start_calendar(rt: Runtime, lock: LeaderLock) -> None:
    from reminders.scheduler import CalendarService

    async def on_leadership(leading: bool) -> None:
        if leading and rt.sender is not None:
            rt.sender.notify()

    calendar = CalendarService(rt.db.uow, tz=rt.settings.tz, lock=lock,
                               poll_seconds=rt.settings.calendar_poll_seconds, on_leadership=on_leadership,
                               on_tick=rt.sender.notify if rt.sender is not None else None)
    await calendar.start()
    rt.calendar = calendar
    rt.cleanups.append(calendar.stop)


def _lead(lock: LeaderLock) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        await lock.acquire()

    return job


def _expire_idle(rt: Runtime) -> Callable[[], Awaitable[None]]:
    conversations = build_conversations(rt.settings, rt.db)

    async def job() -> None:
        if await conversations.expire_idle() and rt.sender is not None:
            rt.sender.notify()

    return job


def _unsent_replies(rt: Runtime) -> Callable[[], Awaitable[None]]:
    from datetime import timedelta

    from handlers.stored_replies import resend_unsent

    s = rt.settings

    async def job() -> None:
        queued, _ = await resend_unsent(rt.db.uow, s.channel, lease=timedelta(seconds=s.reply_lease_seconds),
                                        window=timedelta(minutes=s.reply_window_minutes))
        if queued and rt.sender is not None:
            rt.sender.notify()

    return job


async def _every(seconds: float, stop: asyncio.Event, job: Callable[[], Awaitable[None]]) -> None:
    while not stop.is_set():
        try:
            await job()
        except Exception:
            log.exception("periodic job failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


async def serve(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM."""
    rt = await start(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, rt.stop.set)
    log.info("zsbot running: channel=%s", settings.channel)
    try:
        await rt.stop.wait()
    finally:
        await rt.shutdown()
