"""/status 查询, /my 我的项目, /stale 久未更新: reading where projects stand."""
from __future__ import annotations

from datetime import timedelta

from core.records import Project
from core.roles import reads_everything
from handlers import cards
from texts import formatting as fmt
from texts import t
from handlers.context import Ctx
from handlers.steps.lookup import LookupFlow, show_found
from handlers.registry import Command, Feature
from handlers.parsing.ids import as_id

DEFAULT_STALE_DAYS = 15


class StatusFlow(LookupFlow):
    """Only one step: which project. With a name given it answers at once."""

    name = "status"

    async def show(self, ctx: Ctx, query: str) -> None:
        await show_matches(ctx, query)


async def show_matches(ctx: Ctx, query: str) -> None:
    async def one(p: Project) -> None:
        await cards.send_status(ctx, p)

    await show_found(ctx, query, one, "status", lambda p: p.responsible_unit)


async def status_by_id(ctx: Ctx, arg: str) -> None:
    project = await ctx.uow.projects.get(pid) if (pid := as_id(arg)) is not None else None
    if project is None:
        ctx.say(t("status.gone"))
    else:
        await cards.send_status(ctx, project)


async def my_projects(ctx: Ctx, args: str) -> None:
    me = ctx.me
    if reads_everything(me.role) and not args.strip():
        await city_overview(ctx)
        return
    projects = await ctx.uow.projects.of_unit(me.unit, live_only=False)
    ctx.say(cards.by_stage(ctx, projects, t("my.title", unit=ctx.unit_name(me.unit), count=len(projects))))


async def city_overview(ctx: Ctx) -> None:
    """Leaders and the office have no unit projects of their own: they see the city by unit."""
    lines = [t("my.city_title")]
    for unit in await ctx.uow.org.units():
        # By responsible unit only, so a transferred project is counted once; every unit with
        # projects is listed (leaders and the office log leads too).
        projects = [p for p in await ctx.uow.projects.of_unit(unit.code) if p.responsible_unit == unit.code]
        if projects:
            lines.append(t("my.city_line", unit=unit.name, count=len(projects),
                           signed=sum(1 for p in projects if p.contract_wan is not None)))
    ctx.say("\n".join(lines) if len(lines) > 1 else t("my.city_empty"))


async def stale_projects(ctx: Ctx, args: str) -> None:
    text = args.strip()
    days = as_id(text) if text else DEFAULT_STALE_DAYS
    if days is None or not 1 <= days <= 3650:
        ctx.say(t("stale.bad_days", text=text))
        return
    unit = None if reads_everything(ctx.me.role) else ctx.me.unit
    found = await ctx.uow.projects.stale(unit, ctx.now - timedelta(days=days))
    if not found:
        ctx.say(t("stale.none", days=days))
        return
    lines = [t("stale.title", days=days, count=len(found))]
    lines.extend(t("stale.line", line=cards.project_line(ctx, p), age=fmt.age(p.updated_at, ctx.now))
                 for p in found[:50])
    if len(found) > 50:
        lines.append(t("common.more", count=len(found) - 50))
    ctx.say("\n".join(lines))


FEATURE = Feature(
    commands=(
        Command("status", ("查询", "查项目", "项目"), flow="status", order=40, glued=("查询",)),
        Command("my", ("我的项目", "本单位项目"), run=my_projects, order=50),
        Command("stale", ("久未更新", "未更新"), run=stale_projects, order=60),
    ),
    flows=(StatusFlow(),),
    actions={"status": status_by_id},
)
