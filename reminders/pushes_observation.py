"""季观摩: each quarter, districts and zones are asked to name their observation project; a district
with none for `zero_report_quarters` quarters running is reported to the office and the leaders
(seed 002: 观摩实行零报告制度，连续三个季度无观摩项目的……将提请通报批评).

Only quarters the calendar watched from their first day count, so a fresh installation does not
report districts for quarters before it existed.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from core.messages import Button, SendText
from core.halfmonthly import observation_units, quarter_start, quarter_zh, shift_quarter
from handlers.catalog import t
from core.workdays import at_local, day_start, observation_day, quarters_between
from reminders.planner import PlanContext, Push, RenderContext
from reminders.pushes_reports import local_days


def _instants(ctx: PlanContext, start: datetime, end: datetime) -> Iterable[tuple[str, datetime, datetime]]:
    """(quarter, reminder instant, end of the quarter) for each quarter whose reminder is in the window."""
    cal = ctx.cfg.calendar
    first, last = local_days(start, end, ctx.tz)
    for q in quarters_between(first - timedelta(days=100), last):
        at = at_local(observation_day(q, cal, ctx.days), cal.reminder_time, ctx.tz)
        if start <= at <= end:
            yield q, at, day_start(quarter_start(shift_quarter(q, 1)), ctx.tz)


class ObservationReminder:
    name = "observation.reminder"

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]:
        for q, at, quarter_end in _instants(ctx, start, end):
            for unit in observation_units(ctx.cfg):
                for m in ctx.reporters_of(unit):
                    yield Push(self.name, q, m.id, at, quarter_end, {"unit": unit, "quarter": q})

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        unit, quarter = push.data["unit"], push.data["quarter"]
        if await ctx.uow.reports.observation(unit, quarter) is not None:
            return None
        text = t("observe.reminder", unit=ctx.plan.unit_name(unit), quarter=quarter_zh(quarter))
        return SendText(text=text, buttons=((Button(label=t("observe.button"), payload=f"s:observe:{quarter}"),),))


class ZeroReport:
    """At the new quarter's reminder: districts with no observation project in the last N quarters."""

    name = "observation.zero_report"

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]:
        recipients = {m.id: m for m in ctx.office() + ctx.leaders()}
        for q, at, quarter_end in _instants(ctx, start, end):
            closed = shift_quarter(q, -1)
            for m in recipients.values():
                yield Push(self.name, closed, m.id, at, quarter_end, {"quarter": closed})

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        memo = f"{self.name}:{push.period}"
        if memo not in ctx.memo:
            ctx.memo[memo] = await self._text(ctx, push.data["quarter"])
        text = ctx.memo[memo]
        return None if text is None else SendText(text=text)

    async def _text(self, ctx: RenderContext, last: str) -> str | None:
        n = ctx.cfg.calendar.zero_report_quarters
        quarters = [shift_quarter(last, -i) for i in range(n - 1, -1, -1)]
        if day_start(quarter_start(quarters[0]), ctx.tz) < ctx.since:
            return None  # the calendar did not watch all of these quarters
        named = await ctx.uow.reports.observations(quarters)
        silent = [u for u in observation_units(ctx.cfg) if not any(u in named[q] for q in quarters)]
        if not silent:
            return None
        return t("observe.zero_report", count=n, first=quarter_zh(quarters[0]), last=quarter_zh(quarters[-1]),
                 units="、".join(ctx.plan.unit_name(u) for u in silent))


KINDS = (ObservationReminder(), ZeroReport())
