"""/status 查询, /my 我的项目, /stale 久未更新: reading where projects stand."""
from __future__ import annotations

from datetime import timedelta

from core.records import Project
from core.roles import reads_everything
from handlers import cards
from texts import formatting as fmt
from texts import t
from handlers.context import Ctx
from handlers.matching import units_meant
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
    """`我的项目`: one's own unit; `我的项目 驻深圳办事处`: any unit's, for a leader or the office."""
    me, text = ctx.me, args.strip()
    if not text:
        if reads_everything(me.role):
            await city_overview(ctx)
        else:
            await unit_projects(ctx, me.unit)
        return
    meant = units_meant(ctx.cfg, text)
    if meant == [me.unit]:
        await unit_projects(ctx, me.unit)
    elif not reads_everything(me.role):
        ctx.say(t("my.other_unit_refused"))
        await unit_projects(ctx, me.unit)
    elif len(meant) == 1:
        await unit_projects(ctx, meant[0])
    elif meant:
        ctx.offer(t("my.which_unit", text=text), [(ctx.unit_name(code), f"s:my:{code}") for code in meant], columns=2)
    else:
        ctx.say(t("my.unknown_unit", text=text))


async def unit_projects(ctx: Ctx, unit: str) -> None:
    projects = await ctx.uow.projects.of_unit(unit, live_only=False)
    ctx.say(cards.by_stage(ctx, projects, t("my.title", unit=ctx.unit_name(unit), count=len(projects))))


async def unit_action(ctx: Ctx, arg: str) -> None:
    """A unit's button under the city overview; the sender, not the button, decides what may be read."""
    if not reads_everything(ctx.me.role) or arg not in {u.code for u in ctx.cfg.units}:
        await unit_projects(ctx, ctx.me.unit)
    else:
        await unit_projects(ctx, arg)


async def city_overview(ctx: Ctx) -> None:
    """Leaders and the office have no unit projects of their own: they see the city by unit, a button each."""
    lines = [t("my.city_title")]
    buttons: list[tuple[str, str]] = []
    for unit in await ctx.uow.org.units():
        # By responsible unit only, so a transferred project is counted once; every unit with
        # projects is listed (leaders and the office log leads too).
        projects = [p for p in await ctx.uow.projects.of_unit(unit.code) if p.responsible_unit == unit.code]
        if projects:
            lines.append(t("my.city_line", unit=unit.name, count=len(projects),
                           signed=sum(1 for p in projects if p.contract_wan is not None)))
            buttons.append((unit.name, f"s:my:{unit.code}"))
    if not buttons:
        ctx.say(t("my.city_empty"))
        return
    lines.append(t("my.city_footer"))
    ctx.offer("\n".join(lines), buttons, columns=3)


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
    actions={"status": status_by_id, "my": unit_action},
)
