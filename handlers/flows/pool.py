"""/pool 线索池: recent shared leads city-wide (never the contact); [关注] marks a unit's interest."""
from __future__ import annotations

from core import sharing as sh
from core.usecases import sharing as share_uc
from texts import formatting as fmt
from handlers import sharing_pushes as pushes
from texts import t
from handlers.context import Ctx
from handlers.matching import match_options
from handlers.registry import Command, Feature
from handlers.parsing.ids import as_id

POOL_SIZE = 10


async def pool_command(ctx: Ctx, args: str) -> None:
    industry = None
    if args.strip():
        hits = match_options(args.strip(), ctx.cfg.industries)
        if len(hits) != 1:
            ctx.say(t("sharing.pool_industry_unknown", text=args.strip(), industries="、".join(ctx.cfg.industries)))
            return
        industry = hits[0]
    leads = await ctx.uow.sharing.pool(industry=industry, limit=POOL_SIZE)
    if not leads:
        ctx.say(t("sharing.pool_empty", scope=industry or t("sharing.pool_all")))
        return
    counts = await ctx.uow.sharing.interest_counts([p.id for p in leads])
    lines = [t("sharing.pool_title", scope=industry or t("sharing.pool_all"), count=len(leads))]
    choices: list[tuple[str, str]] = []
    may_join = sh.works_projects(ctx.cfg, ctx.me.unit)
    for p in leads:
        interest = t("sharing.pool_interest", count=counts[p.id]) if counts.get(p.id) else ""
        if ctx.me.unit in (p.owner_unit, p.responsible_unit):
            mark = t("sharing.pool_own")
        elif may_join and await ctx.uow.sharing.has_interest(p.id, ctx.me.unit):
            mark = t("sharing.pool_followed")
        else:
            mark = ""
            if may_join:
                choices.append((t("sharing.button.interest", id=p.id), f"s:interest:{p.id}"))
        lines.append(t("sharing.pool_line", id=p.id, name=p.name, industry=p.industry or t("common.unknown"),
                       amount=fmt.amount(p.intended_wan if p.foreign_wan is None else p.foreign_wan,
                                         p.foreign_currency), stage=fmt.stage(p.stage),
                       owner=ctx.unit_name(p.owner_unit), interest=interest + mark))
    # The footer promises a 关注 button only when one is there.
    if choices:
        lines.append(t("sharing.pool_footer"))
        ctx.offer("\n".join(lines), choices, columns=2)
    else:
        lines.append(t("sharing.pool_footer_none" if may_join else "sharing.pool_footer_readonly"))
        ctx.say("\n".join(lines))


async def interest_action(ctx: Ctx, arg: str) -> None:
    project_id = as_id(arg)
    if project_id is None:
        ctx.say(t("button.expired"))
        return
    await share_uc.mark_interest(ctx.uow, ctx.me, share_uc.MarkInterest(project_id))
    project = await ctx.uow.projects.get(project_id)
    assert project is not None
    reach = await pushes.unit_joined(ctx.uow, ctx.cfg, project, ctx.me, "interest")
    unit = ctx.unit_name(project.responsible_unit)
    ctx.say(t("sharing.interest_done", name=project.name, told=reach.told(t("notice.nobody", unit=unit))))


FEATURE = Feature(
    commands=(Command("pool", ("线索池", "共享线索"), run=pool_command, order=65),),
    actions={"interest": interest_action},
)
