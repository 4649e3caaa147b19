"""One tick: queue every push due up to an instant, exactly once, in one transaction.

The scheduler calls it every poll; `zsbot tick --at` calls it with a fixed clock. Each push is
decided once — queued, undeliverable (nobody bound to a chat) or skipped (no longer needed) —
and the decision is written in `calendar_pushes` with the outbox rows, so repeated ticks,
restarts and several processes never send a key twice. After downtime, pushes that are due and
have not expired go out once; expired ones (a reminder whose deadline has passed: the overdue
notice replaces it) are never sent. Nothing due before the calendar first ran is sent.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.clock import to_utc
from core.messages import SendText
from core.ports import UnitOfWork
from handlers.catalog import t
from core.workdays import at_local, day_start
from reminders.calendar import knows, workdays
from reminders.names import reason
from reminders.planner import PlanContext, Push, RenderContext, kinds, plan

log = logging.getLogger("zsbot.calendar")

SINCE = "since"            # the local day the calendar first ran: nothing due earlier is sent
LAST_TICK = "last_tick"
LOOKBACK = timedelta(days=100)    # longer than any push stays relevant
WARN_AHEAD = timedelta(days=31)   # warn about a year without holiday data a month before it starts
FALLBACK_KIND = "calendar.fallback"


@dataclass(frozen=True)
class Decision:
    push: Push
    status: str   # queued | undeliverable | skipped
    rows: int


class Ticker:
    def __init__(self, uow_factory: Callable[..., UnitOfWork], *, tz: ZoneInfo) -> None:
        self.uow_factory = uow_factory
        self.tz = tz

    async def tick(self, at: datetime | None = None) -> list[Decision]:
        """Decide every push due at or before `at` (default: the unit of work's clock).

        A read-only look first: most ticks find nothing new and never take the write lock.
        """
        async with self.uow_factory(readonly=True) as uow:
            at = to_utc(at) if at is not None else uow.clock.now()
            cfg = await uow.org.config()
            if cfg is None:
                return []
            state = await uow.calendar.states((SINCE, LAST_TICK))
            stored = state.get(SINCE)
            since = self._since(stored, at)
            ctx = PlanContext(cfg, tuple(await uow.org.members()), self.tz, workdays(cfg.calendar))
            start = max(since, at - LOOKBACK)
            if LAST_TICK in state and start < (last := datetime.fromisoformat(state[LAST_TICK])) <= at:
                start = last  # everything due up to the last deciding tick was decided (or had expired) then
            due = self._due(ctx, start, at)
            done = await uow.calendar.decided([p.key for p in due]) if due else set()
        todo = [p for p in due if p.key not in done]
        if not todo and stored == since.isoformat():
            return []
        async with self.uow_factory() as uow:
            store = uow.calendar
            if stored != since.isoformat():
                await store.set_state(SINCE, since.isoformat(), at)
            # Under the write lock now: another process may have decided some of these meanwhile.
            done = await store.decided([p.key for p in todo])
            rctx = RenderContext(uow=uow, plan=ctx, now=at, since=since)
            decisions: list[Decision] = []
            for push in todo:
                if push.key in done:
                    continue
                if push.kind == FALLBACK_KIND:
                    action: SendText | None = SendText(text=push.data["text"])
                else:
                    action = await kinds()[push.kind].render(rctx, push)
                decisions.append(await self._queue(uow, push, action))
            await store.record([{"key": d.push.key, "kind": d.push.kind, "period": d.push.period,
                                 "member_id": d.push.member_id, "due_at": d.push.due, "status": d.status,
                                 "decided_at": at, "rows": d.rows} for d in decisions])
            await store.set_state(LAST_TICK, at.isoformat(), at)
            await uow.commit()
        queued = sum(1 for d in decisions if d.status != "skipped")
        if decisions:
            log.info("tick %s: %d queued, %d skipped", at.isoformat(), queued, len(decisions) - queued)
        return decisions

    def _due(self, ctx: PlanContext, start: datetime, at: datetime) -> list[Push]:
        due = [p for p in plan(ctx, start, at) if p.expires > at]
        return due + self._fallback(ctx, at)

    async def _queue(self, uow: UnitOfWork, push: Push, action: SendText | None) -> Decision:
        if action is None:
            return Decision(push, "skipped", 0)
        rows = await uow.outbox.enqueue_member(push.key, push.kind, push.member_id, action,
                                               undeliverable=reason("no_chat"))
        return Decision(push, "queued" if rows else "undeliverable", rows)

    def _since(self, stored: str | None, at: datetime) -> datetime:
        """The start of the local day the calendar first ran (earlier if a tick goes back in time)."""
        today = day_start(at.astimezone(self.tz).date(), self.tz)
        if stored is None or today < datetime.fromisoformat(stored):
            return today
        return datetime.fromisoformat(stored)

    def _fallback(self, ctx: PlanContext, at: datetime) -> list[Push]:
        """Tell the office once per year that its holidays are guessed (weekends + the org file's extras),
        on a working day from the reminder time, as soon as such a year is a month away."""
        local = at.astimezone(self.tz)
        cal = ctx.cfg.calendar
        if not ctx.days.is_workday(local.date()) or local.time() < cal.reminder_time:
            return []
        years = {y for y in ({local.year, (local + WARN_AHEAD).year} | ctx.days.unknown_years)
                 if not knows(y)}
        due = at_local(local.date(), cal.reminder_time, self.tz)
        out: list[Push] = []
        for year in sorted(years):
            text = t("calendar.fallback", year=year,
                     holidays=sum(1 for d in cal.extra_holidays if d.year == year),
                     workdays=sum(1 for d in cal.extra_workdays if d.year == year))
            out.extend(Push(FALLBACK_KIND, str(year), m.id, due, due + timedelta(days=1), {"text": text})
                       for m in ctx.office())
        return out


def fallback_years(start: date, end: date) -> list[int]:
    """Years in [start, end] whose holidays chinesecalendar does not know."""
    return [y for y in range(start.year, end.year + 1) if not knows(y)]
