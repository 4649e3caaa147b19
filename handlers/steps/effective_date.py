"""The day a stage change or funds happened, when it was not today: `签约 日期 11月20日`, `500万 日期 11.20`, or
the confirm card's 改日期 button. Read with the chat's date parser, checked here with the dates in the answer
(the use case checks the same rules again: core.projects.check_on)."""
from __future__ import annotations

import re
from datetime import date, datetime

from core.clock import local_midnight_utc
from core.records import Project
from texts import formatting as fmt
from texts import t
from handlers.context import Answer, Ctx
from handlers.parsing import DateError, parse_date

_CLAUSE = re.compile(r"日期\s*[:：]?\s*(\S+)")
TODAY = "__today__"


def take_date(ctx: Ctx, text: str) -> tuple[str, date | None]:
    """The answer without its `日期 …` clause, and the day it names (DateError when it is no date)."""
    m = _CLAUSE.search(text)
    if m is None:
        return text, None
    # Nearest, not past: a day typed ahead by mistake is refused as in the future, not moved a year back.
    day = parse_date(m.group(1), ctx.today, prefer="nearest")
    return (text[:m.start()] + " " + text[m.end():]).strip(), day


async def date_problem(ctx: Ctx, p: Project, day: date, *, funds: bool) -> str | None:
    """Why the day cannot be used, or None: not after today, not before the lead, not before the current stage
    (for funds: the signing)."""
    if day > ctx.today:
        return t("date.in_future", today=fmt.short_day(ctx.today))
    created = ctx.local(p.created_at).date()
    if day < created:
        return t("date.before_lead", day=fmt.short_day(created))
    timeline = await ctx.uow.projects.timeline(p.id)
    bound = timeline.signed_at if funds else timeline.stage_at
    if bound is not None and day < ctx.local(bound).date():
        key = "date.before_signing" if funds else "date.before_stage"
        return t(key, stage=fmt.stage(p.stage), day=fmt.short_day(ctx.local(bound).date()))
    return None


async def keep_date(ctx: Ctx, p: Project, text: str, *, funds: bool) -> str | None:
    """Take a `日期 …` clause out of `text` into the flow's `on`; the rest of the answer, or None after saying why
    the date cannot be used."""
    try:
        rest, day = take_date(ctx, text)
    except DateError as exc:
        ctx.say(str(exc))
        return None
    if day is not None:
        problem = await date_problem(ctx, p, day, funds=funds)
        if problem is not None:
            ctx.say(problem)
            return None
        ctx.data["on"] = day.isoformat()
    return rest


async def on_date_answer(ctx: Ctx, p: Project, ans: Answer, *, funds: bool) -> bool:
    """The 改日期 question's answer into `on`: True when taken."""
    if ans.value == TODAY or ans.text.strip() == t("date.today"):
        ctx.data.pop("on", None)
        return True
    try:
        day = parse_date(ans.text, ctx.today, prefer="nearest")
    except DateError as exc:
        ctx.say(str(exc))
        return False
    problem = await date_problem(ctx, p, day, funds=funds)
    if problem is not None:
        ctx.say(problem)
        return False
    ctx.data["on"] = day.isoformat()
    return True


def date_line(ctx: Ctx) -> str:
    on = ctx.data.get("on")
    return t("date.line", day=fmt.short_day(date.fromisoformat(on))) if on else ""


def on_instant(ctx: Ctx) -> datetime | None:
    """The flow's day as the instant the local day began (what the event records), or None for today."""
    on = ctx.data.get("on")
    if not on:
        return None
    day = date.fromisoformat(on)
    return None if day == ctx.today else local_midnight_utc(day, ctx.tz)
