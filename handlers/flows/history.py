"""/history 历史: a project's ledger in order — logged, routed, transferred, accepted, stages, funds.

Each line says when (local date), what and who; claim events of a duplicate entry are included.
"""
from __future__ import annotations

from core.records import Project
from handlers import cards
from texts import formatting as fmt
from texts import t
from handlers.context import Ctx
from handlers.flows.transfer_decide import credit_line
from handlers.steps.lookup import LookupFlow, show_found
from handlers.registry import Command, Feature
from handlers.parsing.ids import as_id


class HistoryFlow(LookupFlow):
    """One step: which project; with a name given it answers at once."""

    name = "history"

    async def show(self, ctx: Ctx, query: str) -> None:
        await show_history(ctx, query)


async def show_history(ctx: Ctx, query: str) -> None:
    async def one(p: Project) -> None:
        ctx.say(await history_text(ctx, p))

    await show_found(ctx, query, one, "history", lambda p: p.owner_unit)


async def history_text(ctx: Ctx, p: Project) -> str:
    events = await ctx.uow.sharing.history(p.id)
    names = await cards.member_names(ctx, {e.actor for e in events})
    lines = [t("sharing.history_title", id=p.id, name=p.name, owner=ctx.unit_name(p.owner_unit),
               unit=ctx.unit_name(p.responsible_unit), stage=fmt.stage(p.stage))]
    named = await cards.may_read_files(ctx, p)
    lines += [cards.describe_event(ctx, e, names, file_names=named) for e in events]
    supporting = await ctx.uow.sharing.supporting_units(p.id)
    if supporting:
        lines.append(t("sharing.history_supporting", units="、".join(ctx.unit_name(u) for u in supporting)))
    credit = await ctx.uow.sharing.credit(p.id)
    if credit is not None:
        lines.append(credit_line(ctx, credit))
    return "\n".join(lines)


async def history_by_id(ctx: Ctx, arg: str) -> None:
    project = await ctx.uow.projects.get(pid) if (pid := as_id(arg)) is not None else None
    if project is None:
        ctx.say(t("status.gone"))
    else:
        ctx.say(await history_text(ctx, project))


FEATURE = Feature(
    commands=(Command("history", ("历史", "项目历史"), flow="history", order=45, glued=("历史",)),),
    flows=(HistoryFlow(),),
    actions={"history": history_by_id},
)
