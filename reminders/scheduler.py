"""The calendar inside `zsbot run`: an APScheduler 3 `AsyncIOScheduler` that polls the ticker, on
the leader only.

Jobs (explicit time zone, stable ids, so a restart replaces rather than duplicates them):
- `zsbot.calendar.poll` — every `poll_seconds` (default 60): try to lead (`lock.acquire()`),
  and if leading, tick. coalesce=True and misfire_grace_time=poll_seconds: polls missed while
  the loop was busy collapse into one; the ticker itself catches up on whatever fell due.
- `zsbot.calendar.at.HHMM` — a cron job at each configured time (reminder, dispatch, ranking),
  so pushes go out on the minute rather than up to a poll later. coalesce=True,
  misfire_grace_time=3600: a late run is still useful (the ticker drops what no longer matters).

Correctness never depends on the scheduler: every push has a unique key and is decided once in
the database, so a missed, repeated or concurrent tick (another process, `zsbot tick`) is harmless.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.ports import UnitOfWork
from reminders.ticker import Decision, Ticker

log = logging.getLogger("zsbot.calendar")

POLL_JOB = "zsbot.calendar.poll"
AT_JOB = "zsbot.calendar.at."
AT_GRACE_SECONDS = 3600


class Leadership(Protocol):
    """storage.leader.LeaderLock: who runs the scheduler (and the outbox sender)."""

    @property
    def is_leader(self) -> bool: ...

    async def acquire(self) -> bool: ...

    async def release(self) -> None: ...


class CalendarService:
    """`await service.start()` / `await service.stop()`; `poll()` is what every job runs."""

    def __init__(self, uow_factory: Callable[..., UnitOfWork], *, tz: ZoneInfo, lock: Leadership,
                 poll_seconds: float = 60.0,
                 on_leadership: Callable[[bool], Awaitable[None]] | None = None,
                 on_tick: Callable[[], None] | None = None) -> None:
        self.uow_factory = uow_factory
        self.tz = tz
        self.lock = lock
        self.poll_seconds = poll_seconds
        self.on_leadership = on_leadership
        self.on_tick = on_tick  # e.g. wake the outbox sender: what a tick queued goes out now
        self.ticker = Ticker(uow_factory, tz=tz)
        self.scheduler: AsyncIOScheduler | None = None
        self._polling = asyncio.Lock()
        self._times: tuple[time, ...] = ()

    @property
    def is_leader(self) -> bool:
        return self.lock.is_leader

    async def start(self, *, poll_now: bool = True) -> None:
        scheduler = AsyncIOScheduler(timezone=self.tz, job_defaults={"coalesce": True, "max_instances": 1})
        extra = {"next_run_time": datetime.now(self.tz)} if poll_now else {}
        scheduler.add_job(self._run, IntervalTrigger(seconds=self.poll_seconds, timezone=self.tz), id=POLL_JOB,
                          name="calendar poll", replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=max(1, int(self.poll_seconds)), **extra)
        self.scheduler = scheduler
        await self._sync_times()
        scheduler.start()
        log.info("calendar scheduler started (poll every %ss, %s)", self.poll_seconds, self.tz.key)

    async def stop(self) -> None:
        """Stop the jobs (after a tick in progress finishes) and give up leadership."""
        async with self._polling:
            if self.scheduler is not None and self.scheduler.running:
                self.scheduler.shutdown(wait=False)
            self.scheduler = None
            was = self.lock.is_leader
            await self.lock.release()
        if was and self.on_leadership is not None:
            await self.on_leadership(False)

    async def poll(self) -> list[Decision]:
        """Lead if possible; if leading, run everything due now. Followers do nothing."""
        async with self._polling:
            was = self.lock.is_leader
            leading = await self.lock.acquire()
            if leading != was:
                log.info("calendar leadership: %s", "leading" if leading else "following")
                if self.on_leadership is not None:
                    await self.on_leadership(leading)
            if not leading:
                return []
            await self._sync_times()
            decisions = await self.ticker.tick()
            if decisions and self.on_tick is not None:
                self.on_tick()
            return decisions

    async def _run(self) -> None:
        try:
            await self.poll()
        except Exception:
            log.exception("calendar tick failed; the next poll tries again")

    async def _sync_times(self) -> None:
        """One cron job per configured time of day; replaced when the org file changes them."""
        if self.scheduler is None:
            return
        async with self.uow_factory(readonly=True) as uow:
            cfg = await uow.org.config()
        if cfg is None:
            return
        cal = cfg.calendar
        times = tuple(sorted({cal.reminder_time, cal.dispatch_time, cal.ranking_time}))
        if times == self._times:
            return
        wanted = {f"{AT_JOB}{t.hour:02d}{t.minute:02d}": t for t in times}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(AT_JOB) and job.id not in wanted:
                job.remove()
        for job_id, at in wanted.items():
            self.scheduler.add_job(self._run, CronTrigger(hour=at.hour, minute=at.minute, timezone=self.tz),
                                   id=job_id, name=f"calendar at {at:%H:%M}", replace_existing=True, coalesce=True,
                                   max_instances=1, misfire_grace_time=AT_GRACE_SECONDS)
        self._times = times
