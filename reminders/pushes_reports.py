"""半月报 pushes: reminders before each deadline, the overdue notice to late units (reporter, then
unit head), and the office's list with the on-time figures (seed 002: 每月10日、25日前填写报送)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.messages import Button, SendText
from core.halfmonthly import next_period, period_id, reporting_units
from handlers.catalog import t
from core.workdays import (
    at_local,
    deadline,
    due_date,
    escalation_days,
    overdue_day,
    periods_around,
    reminder_instants,
)
from reminders.planner import PlanContext, Push, RenderContext

WEEKDAYS = "一二三四五六日"


def day_zh(d: date) -> str:
    return f"{d.month}月{d.day}日（周{WEEKDAYS[d.weekday()]}）"


def due_zh(period: date, ctx: PlanContext) -> str:
    """12月10日（周四）, or 1月10日（顺延至1月12日（周一））when postponed."""
    due = due_date(period, ctx.cfg.calendar, ctx.days)
    if due == period:
        return day_zh(due)
    return t("calendar.postponed", period=f"{period.month}月{period.day}日", due=day_zh(due))


def local_days(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[date, date]:
    return start.astimezone(tz).date(), end.astimezone(tz).date()


def report_button(period: str, *, late: bool = False) -> tuple[tuple[Button, ...], ...]:
    label = t("report.button_late") if late else t("report.button_start")
    return ((Button(label=label, payload=f"s:report:{period}"),),)


async def filed(ctx: RenderContext, unit: str, period: str) -> bool:
    return await ctx.uow.reports.submission(unit, period) is not None


class ReportReminder:
    name = "report.reminder"

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]:
        cal = ctx.cfg.calendar
        units = reporting_units(ctx.cfg, ctx.members)
        for period in periods_around(*local_days(start, end, ctx.tz), cal):
            instants = reminder_instants(period, cal, ctx.tz, ctx.days)
            closes = deadline(period, cal, ctx.tz, ctx.days)
            for i, r in enumerate(instants):
                if not start <= r.at <= end:
                    continue
                expires = instants[i + 1].at if i + 1 < len(instants) else closes
                for unit in units:
                    for m in ctx.reporters_of(unit):
                        yield Push(self.name, f"{period_id(period)}@{r.day.isoformat()}", m.id, r.at, expires,
                                   {"unit": unit, "period": period_id(period)})

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        unit, period = push.data["unit"], push.data["period"]
        if await filed(ctx, unit, period):
            return None
        p = date.fromisoformat(period)
        due = due_date(p, ctx.cfg.calendar, ctx.plan.days)
        left = (due - push.due.astimezone(ctx.tz).date()).days
        when = t("report.today") if left <= 0 else t("report.days_left", days=left)
        text = t("report.reminder", unit=ctx.plan.unit_name(unit), period=f"{p.month}月{p.day}日",
                 due=due_zh(p, ctx.plan), when=when)
        return SendText(text=text, buttons=report_button(period))


class ReportOverdue:
    """The first working day after the due day: each late unit's reporter; the unit head on the
    escalation step named "unit_head"."""

    name = "report.overdue"

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]:
        cal = ctx.cfg.calendar
        units = reporting_units(ctx.cfg, ctx.members)
        for period in periods_around(*local_days(start, end, ctx.tz), cal):
            expires = deadline(next_period(period, cal.half_monthly_days), cal, ctx.tz, ctx.days)
            steps = escalation_days(period, cal, ctx.days)
            targets: list[tuple[datetime, str]] = [(at_local(overdue_day(period, cal, ctx.days), cal.reminder_time,
                                                             ctx.tz), "reporter")]
            if "unit_head" in cal.escalation:
                day = steps[cal.escalation.index("unit_head")]
                targets.append((at_local(day, cal.reminder_time, ctx.tz), "head"))
            for at, who in targets:
                if not start <= at <= end:
                    continue
                for unit in units:
                    people = ctx.reporters_of(unit) if who == "reporter" else ctx.heads_of(unit)
                    for m in people:
                        yield Push(self.name, period_id(period), m.id, at, expires,
                                   {"unit": unit, "period": period_id(period), "as": who})

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        unit, period = push.data["unit"], push.data["period"]
        if await filed(ctx, unit, period):
            return None
        p = date.fromisoformat(period)
        args = dict(unit=ctx.plan.unit_name(unit), period=f"{p.month}月{p.day}日", due=due_zh(p, ctx.plan))
        if push.data["as"] == "head":
            names = "、".join(m.name for m in ctx.plan.reporters_of(unit)) or t("common.none")
            return SendText(text=t("report.overdue_head", reporters=names, **args))
        return SendText(text=t("report.overdue", **args), buttons=report_button(period, late=True))


class ReportOfficeList:
    """The escalation step named "office": who filed on time, late, and who has still not filed."""

    name = "report.overdue_list"

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]:
        cal = ctx.cfg.calendar
        if "office" not in cal.escalation:
            return
        for period in periods_around(*local_days(start, end, ctx.tz), cal):
            day = escalation_days(period, cal, ctx.days)[cal.escalation.index("office")]
            at = at_local(day, cal.reminder_time, ctx.tz)
            if not start <= at <= end:
                continue
            expires = deadline(next_period(period, cal.half_monthly_days), cal, ctx.tz, ctx.days)
            for m in ctx.office():
                yield Push(self.name, period_id(period), m.id, at, expires, {"period": period_id(period)})

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        period = push.data["period"]
        memo = f"{self.name}:{period}"
        if memo not in ctx.memo:
            ctx.memo[memo] = await self._text(ctx, period)
        return SendText(text=ctx.memo[memo])

    async def _text(self, ctx: RenderContext, period: str) -> str:
        p = date.fromisoformat(period)
        units = reporting_units(ctx.cfg, ctx.plan.members)
        got = await ctx.uow.reports.submissions(period)
        on_time = [u for u in units if u in got and got[u].on_time]
        late = [u for u in units if u in got and not got[u].on_time]
        missing = [u for u in units if u not in got]
        names = ctx.plan.unit_name
        lines = [t("report.office_title", period=f"{p.month}月{p.day}日", due=due_zh(p, ctx.plan)),
                 t("report.office_figures", total=len(units), on_time=len(on_time), late=len(late),
                   missing=len(missing), rate=(len(on_time) * 100 // len(units)) if units else 0)]
        if missing:
            lines.append(t("report.office_missing", units="、".join(names(u) for u in missing)))
        if late:
            lines.append(t("report.office_late", units="、".join(names(u) for u in late)))
        if not missing and not late:
            lines.append(t("report.office_all_on_time"))
        return "\n".join(lines)


KINDS = (ReportReminder(), ReportOverdue(), ReportOfficeList())
