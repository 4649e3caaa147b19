"""核查 overdue: funds reports waiting for a decision longer than the org file's
`[verification] remind_after_workdays` (working days) are reminded each working day at the calendar's
reminder time — to the unit head who verifies them, and to the office, which sees every overdue report
with who is to decide it (its own queue among them)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from core.evidence import Verifier
from core.messages import Button, SendText
from core.records import FundsReport
from core.roles import Role
from core.usecases.evidence import queue_for, waiting_all
from core.workdays import at_local
from reminders.planner import PlanContext, Push, RenderContext
from texts import formatting as fmt
from texts import t

# A daily reminder missed while the bot was down is still sent the same day; the next day's replaces it.
KEEP = timedelta(hours=12)
SHOWN = 10


def _workdays(ctx: PlanContext, start: datetime, end: datetime) -> Iterable[tuple[date, datetime]]:
    when = ctx.cfg.calendar.reminder_time
    day, last = start.astimezone(ctx.tz).date(), end.astimezone(ctx.tz).date()
    while day <= last:
        at = at_local(day, when, ctx.tz)
        if ctx.days.is_workday(day) and start <= at <= end:
            yield day, at
        day += timedelta(days=1)


def _overdue(ctx: RenderContext, r: FundsReport) -> int | None:
    """How many working days the report has waited, when that is over the limit."""
    waited = ctx.plan.days.between(r.waiting_since.astimezone(ctx.tz).date(), ctx.now.astimezone(ctx.tz).date())
    return waited if waited > ctx.cfg.verification.remind_after_workdays else None


async def _lines(ctx: RenderContext, reports: list[tuple[FundsReport, Verifier | None]]) -> list[str]:
    lines = []
    for r, v in reports[:SHOWN]:
        p = await ctx.uow.projects.get(r.project_id)
        who = "" if v is None else t("verify.remind.by_office") if v.office else \
            t("verify.remind.by_head", unit=ctx.plan.unit_name(v.unit or ""))
        lines.append(t("verify.remind.line", seq=r.seq, name=p.name if p else f"#{r.project_id}",
                       unit=ctx.plan.unit_name(r.unit), amount=fmt.amount(r.amount_wan),
                       days=_overdue(ctx, r), who=who))
    if len(reports) > SHOWN:
        lines.append(t("verify.queue_more", more=len(reports) - SHOWN))
    return lines


def _message(header: str, lines: list[str]) -> SendText:
    return SendText(text="\n".join([header, *lines]),
                    buttons=((Button(label=t("verify.remind.button"), payload="s:verify:"),),))


class VerifierReminder:
    """A unit head who verifies the units under theirs: their own reports waiting too long."""

    name = "funds.remind_verifier"

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]:
        rules = ctx.cfg.verification
        parents = {u.parent for u in ctx.cfg.units if u.parent and rules.rule_for(u.kind) == "parent_head"}
        heads = [m for m in ctx.with_role(Role.UNIT_HEAD) if m.unit in parents]
        for day, at in _workdays(ctx, start, end):
            for m in heads:
                yield Push(self.name, day.isoformat(), m.id, at, at + KEEP)

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        me = await ctx.uow.org.member(push.member_id)
        if me is None:
            return None
        late: list[tuple[FundsReport, Verifier | None]] = [
            (r, None) for r in await queue_for(ctx.uow, me) if _overdue(ctx, r) is not None]
        if not late:
            return None
        days = ctx.cfg.verification.remind_after_workdays
        return _message(t("verify.remind.head", count=len(late), days=days), await _lines(ctx, late))


class OfficeOverview:
    """The office: every report waiting too long, each naming who is to decide it."""

    name = "funds.overdue_office"

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]:
        for day, at in _workdays(ctx, start, end):
            for m in ctx.office():
                yield Push(self.name, day.isoformat(), m.id, at, at + KEEP)

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        if "overdue" not in ctx.memo:
            ctx.memo["overdue"] = [(r, v) for r, v in await waiting_all(ctx.uow) if _overdue(ctx, r) is not None]
        late: list[tuple[FundsReport, Verifier | None]] = ctx.memo["overdue"]
        if not late:
            return None
        days = ctx.cfg.verification.remind_after_workdays
        return _message(t("verify.remind.office", count=len(late), days=days), await _lines(ctx, late))


KINDS = (VerifierReminder(), OfficeOverview())
