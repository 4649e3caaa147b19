"""月调度: the monthly dispatch digest to the dispatching leader and the office (seed 002: 市政府分管
领导每月最后一周召集项目调度会), on the configured weekday of the month's last week.

The dispatching leader is any active member whose title mentions 分管招商 (e.g. 副市长（分管招商引资）).
The digest lists projects ≥ dispatch_threshold_wan (contract amount, else intended) and
leader-led projects with their stage changes this month, open problems needing city
coordination, and projects with no update for stale_days days.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from core.messages import SendText
from core.records import Member, Project
from handlers import formatting as fmt
from handlers.catalog import t
from core.workdays import at_local, day_start, dispatch_day
from reminders.planner import PlanContext, Push, RenderContext
from reminders.pushes_reports import day_zh, local_days

DISPATCHER_WORD = "分管招商"
LIST_LIMIT = 30


def dispatchers(ctx: PlanContext) -> list[Member]:
    return [m for m in ctx.active() if DISPATCHER_WORD in (m.title or "")]


def _months(start: date, end: date) -> Iterable[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


class DispatchDigest:
    name = "dispatch.digest"

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]:
        cal = ctx.cfg.calendar
        first, last = local_days(start, end, ctx.tz)
        recipients = {m.id: m for m in dispatchers(ctx) + ctx.office()}
        for year, month in _months(first, last):
            at = at_local(dispatch_day(year, month, cal, ctx.days), cal.dispatch_time, ctx.tz)
            if not start <= at <= end:
                continue
            month_end = day_start(date(year + (month == 12), month % 12 + 1, 1), ctx.tz)
            for m in recipients.values():
                yield Push(self.name, f"{year}-{month:02d}", m.id, at, month_end, {"month": f"{year}-{month:02d}"})

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        memo = f"{self.name}:{push.period}"
        if memo not in ctx.memo:
            ctx.memo[memo] = await self._text(ctx, push)
        return SendText(text=ctx.memo[memo])

    async def _text(self, ctx: RenderContext, push: Push) -> str:
        cal = ctx.cfg.calendar
        year, month = (int(x) for x in push.data["month"].split("-"))
        data = await ctx.uow.calendar.dispatch(
            threshold_wan=cal.dispatch_threshold_wan, month_start=day_start(date(year, month, 1), ctx.tz),
            stale_before=push.due - timedelta(days=cal.stale_days))
        leaders = {m.id: m.name for m in ctx.plan.members}
        unit = ctx.plan.unit_name
        lines = [t("dispatch.title", year=year, month=month, day=day_zh(push.due.astimezone(ctx.tz).date()))]
        lines.append(t("dispatch.key_header", threshold=fmt.amount(cal.dispatch_threshold_wan),
                       count=len(data.key_projects)))
        for p in data.key_projects[:LIST_LIMIT]:
            moves = data.moves.get(p.id, [])
            change = ("；" + t("dispatch.moves", moves="，".join(
                f"{fmt.stage(mv.before)}→{fmt.stage(mv.after)}" for mv in moves))) if moves else ""
            leader = (t("dispatch.leader", name=leaders.get(p.leader_member_id, f"#{p.leader_member_id}"))
                      if p.leader_member_id else "")
            lines.append(t("dispatch.key_line", id=p.id, name=p.name, stage=fmt.stage(p.stage), amount=_amount(p),
                           unit=unit(p.responsible_unit), leader=leader, change=change))
        lines.extend(_more(len(data.key_projects)))
        lines.append(t("dispatch.problem_header", count=len(data.problems)))
        for note, p in data.problems[:LIST_LIMIT]:
            lines.append(t("dispatch.problem_line", id=p.id, name=p.name, text=note.text, unit=unit(p.responsible_unit),
                           day=fmt.short_day(note.at.astimezone(ctx.tz).date())))
        lines.extend(_more(len(data.problems)))
        lines.append(t("dispatch.stale_header", days=cal.stale_days, count=len(data.stale)))
        for p in data.stale[:LIST_LIMIT]:
            lines.append(t("dispatch.stale_line", id=p.id, name=p.name, unit=unit(p.responsible_unit),
                           age=fmt.age(p.updated_at, push.due)))
        lines.extend(_more(len(data.stale)))
        return "\n".join(lines)


def _amount(p: Project) -> str:
    return fmt.amount(p.contract_wan if p.contract_wan is not None else p.intended_wan)


def _more(count: int) -> list[str]:
    if count == 0:
        return [t("dispatch.none")]
    return [t("common.more", count=count - LIST_LIMIT)] if count > LIST_LIMIT else []


KINDS = (DispatchDigest(),)
