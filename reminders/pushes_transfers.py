"""Pending transfers 项目流转: the receiver's head is reminded after two working days, the office after five.

The plan may not read the database, so each working day at the calendar's reminder time there
is one check per receiving unit head and per office admin. A check lists the still-pending
transfers whose reminder fell due since the previous working day's check (the due instant is
`core.sharing.transfer_escalations`: the proposal's time of day, 2 or 5 working days later), so
each transfer is reminded once per level; a check with nothing to say is skipped.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from core.messages import Button, SendText
from core.records import Member
from core.roles import Role
from core.sharing import RECEIVER_KINDS, REMIND_HEAD_AFTER, REMIND_OFFICE_AFTER, Transfer, transfer_escalations
from handlers import formatting as fmt
from handlers.catalog import t
from core.workdays import at_local
from reminders.planner import PlanContext, Push, RenderContext

# A check missed while the bot was down is still sent within this time (its window never repeats).
KEEP = timedelta(days=7)


def _checks(ctx: PlanContext, start: datetime, end: datetime) -> Iterable[tuple[date, datetime, datetime]]:
    """(working day, its check instant, the previous working day's check instant) within [start, end]."""
    when = ctx.cfg.calendar.reminder_time
    day, last = start.astimezone(ctx.tz).date(), end.astimezone(ctx.tz).date()
    while day <= last:
        at = at_local(day, when, ctx.tz)
        if ctx.days.is_workday(day) and start <= at <= end:
            yield day, at, at_local(ctx.days.on_or_before(day - timedelta(days=1)), when, ctx.tz)
        day += timedelta(days=1)


def _receiving_heads(ctx: PlanContext) -> list[Member]:
    kinds = {u.code for u in ctx.cfg.units if u.kind in RECEIVER_KINDS}
    return [m for m in ctx.with_role(Role.UNIT_HEAD) if m.unit in kinds]


def _due_in(ctx: RenderContext, tr: Transfer, level: str, since: datetime, until: datetime) -> bool:
    due = dict(transfer_escalations(tr.proposed_at, until, ctx.plan.days.is_workday, ctx.tz))
    return level in due and due[level] > since


async def _message(ctx: RenderContext, header: str, transfers: list[Transfer]) -> SendText | None:
    if not transfers:
        return None
    lines, buttons = [header], []
    for tr in transfers:
        p = await ctx.uow.projects.get(tr.project_id)
        name = p.name if p else f"#{tr.project_id}"
        lines.append(t("sharing.remind.line", id=tr.id, name=name, unit=ctx.plan.unit_name(tr.from_unit),
                       to=ctx.plan.unit_name(tr.to_unit), reason=tr.reason,
                       day=fmt.short_day(tr.proposed_at.astimezone(ctx.tz).date())))
        buttons.append((Button(label=t("sharing.accept_label", id=tr.id, name=name), payload=f"s:tr_ok:{tr.id}"),
                        Button(label=t("sharing.refuse_label", id=tr.id, name=name), payload=f"s:tr_no:{tr.id}")))
    return SendText(text="\n".join(lines), buttons=tuple(buttons))


class HeadReminder:
    """Day 2: the receiving unit's head, for the transfers waiting on that unit."""

    name = "transfer.remind_head"

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]:
        heads = _receiving_heads(ctx)
        for day, at, previous in _checks(ctx, start, end):
            for m in heads:
                yield Push(self.name, day.isoformat(), m.id, at, at + KEEP,
                           {"unit": m.unit, "since": previous.isoformat()})

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        since = datetime.fromisoformat(push.data["since"])
        waiting = [tr for tr in await ctx.uow.sharing.pending_transfers(to_unit=push.data["unit"])
                   if _due_in(ctx, tr, "head", since, push.due)]
        return await _message(ctx, t("sharing.remind.head", days=REMIND_HEAD_AFTER), waiting)


class OfficeReminder:
    """Day 5: the office, for every transfer still waiting (and day 2 for units with no head)."""

    name = "transfer.remind_office"

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]:
        headless = sorted(u.code for u in ctx.cfg.units if u.kind in RECEIVER_KINDS and not ctx.heads_of(u.code))
        for day, at, previous in _checks(ctx, start, end):
            for m in ctx.office():
                yield Push(self.name, day.isoformat(), m.id, at, at + KEEP,
                           {"since": previous.isoformat(), "headless": headless})

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        since = datetime.fromisoformat(push.data["since"])
        headless = set(push.data["headless"])
        waiting = [tr for tr in await ctx.uow.sharing.pending_transfers()
                   if _due_in(ctx, tr, "office", since, push.due)
                   or (tr.to_unit in headless and _due_in(ctx, tr, "head", since, push.due))]
        return await _message(ctx, t("sharing.remind.office", days=REMIND_OFFICE_AFTER), waiting)


KINDS = (HeadReminder(), OfficeReminder())
