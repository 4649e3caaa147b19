"""/claims 首谈认定 (office): two units registered one company; both entries side by side, one button each."""
from __future__ import annotations

from core import sharing as sh
from core.errors import Refusal
from core.messages import Button
from core.records import Project
from core.roles import Role
from core.usecases import sharing as share_uc
from handlers import cards
from texts import formatting as fmt
from handlers import sharing_pushes as pushes
from texts import t
from handlers.context import Ctx
from handlers.registry import Command, Feature
from handlers.parsing.ids import as_id

SHOWN = 10
HISTORY_LINES = 6


def _require_office(ctx: Ctx) -> None:
    if ctx.me.role is not Role.OFFICE_ADMIN:
        raise Refusal("claim_office_only")


async def claims_command(ctx: Ctx, args: str) -> None:
    """No argument: the open claims. `/claims 认定号 项目号`: decide (channels without buttons)."""
    _require_office(ctx)
    words = args.replace("#", " ").split()
    ids = [as_id(w) for w in words]
    if len(ids) == 2 and ids[0] is not None and ids[1] is not None:
        await decide(ctx, ids[0], ids[1])
        return
    if len(ids) == 1 and ids[0] is not None:
        await show_claim(ctx, ids[0])
        return
    if words:  # not a number: say so rather than silently list (a typo must not look like "nothing to do")
        ctx.say(t("sharing.claim_not_a_number", text=args.strip()))
    claims = await ctx.uow.sharing.open_claims()
    if not claims:
        ctx.say(t("sharing.claims_none"))
        return
    ctx.say(t("sharing.claims_title", count=len(claims)))
    for claim in claims[:SHOWN]:
        await _card(ctx, claim)
    if len(claims) > SHOWN:
        ctx.say(t("common.more", count=len(claims) - SHOWN))


async def show_claim(ctx: Ctx, claim_id: int) -> None:
    claim = await ctx.uow.sharing.claim(claim_id)
    if claim is None:
        await _no_such_claim(ctx, claim_id)
        return
    if claim.status != sh.OPEN:
        raise Refusal("claim_already_resolved", claim_id=claim_id, unit=ctx.unit_name(claim.first_contact_unit))
    await _card(ctx, claim)


async def _no_such_claim(ctx: Ctx, number: int) -> None:
    """A number that is no claim: a project's number (the push shows both), else which claims are open."""
    project = await ctx.uow.projects.get(number)
    if project is not None:
        claims = await ctx.uow.sharing.claims_of(number)
        waiting = [c for c in claims if c.status == sh.OPEN]
        if waiting:
            ctx.say(t("sharing.claim_is_project", id=number, name=project.name))
            for claim in waiting:
                await _card(ctx, claim)
            return
        if claims:
            raise Refusal("claim_already_resolved", claim_id=claims[-1].id,
                          unit=ctx.unit_name(claims[-1].first_contact_unit))
        ctx.say(t("sharing.claim_project_none", id=number, name=project.name))
        return
    waiting = await ctx.uow.sharing.open_claims()
    if not waiting:
        ctx.say(t("sharing.claim_unknown_none", id=number))
        return
    ctx.say(t("sharing.claim_unknown_open", id=number, ids="、".join(f"#{c.id}" for c in waiting[:SHOWN])))


async def _entries(ctx: Ctx, claim: sh.Claim) -> list[Project]:
    """The earlier entry first: the order people registered them in."""
    return sorted(await ctx.uow.projects.many([claim.other_project_id, claim.project_id]), key=lambda p: p.id)


async def _card(ctx: Ctx, claim: sh.Claim) -> None:
    entries = await _entries(ctx, claim)
    lines = [t("sharing.claim_title", id=claim.id, name=entries[-1].name if entries else "—",
               reason=t(f"sharing.claim_reason.{claim.reason}"))]
    for p in entries:
        creator = await ctx.uow.org.member(p.created_by) if p.created_by else None
        lines.append(t("sharing.claim_entry", id=p.id, unit=ctx.unit_name(p.owner_unit),
                       person=creator.name if creator else t("common.system"),
                       day=fmt.short_day(ctx.local(p.created_at).date()), stage=fmt.stage(p.stage),
                       amount=fmt.amount(p.intended_wan)))
        events = [e for e in await ctx.uow.projects.events(p.id) if not e.type.startswith("claim.")]
        names = await cards.member_names(ctx, {e.actor for e in events})
        lines += ["  " + cards.describe_event(ctx, e, names) for e in events[-HISTORY_LINES:]]
    lines.append(t("sharing.claim_footer", id=claim.id))
    buttons = [Button(label=t("sharing.button.first_contact", id=p.id, unit=ctx.unit_name(p.owner_unit)),
                      payload=f"s:claim:{claim.id}:{p.id}") for p in entries]
    ctx.say("\n".join(lines), [buttons])


async def decide(ctx: Ctx, claim_id: int, project_id: int) -> None:
    claim = await share_uc.resolve_claim(ctx.uow, ctx.me, share_uc.ResolveClaim(claim_id, project_id))
    entries = await _entries(ctx, claim)
    reach = await pushes.claim_resolved(ctx.uow, ctx.cfg, claim, entries, ctx.me)
    ctx.say(t("sharing.claim_decided", id=claim.id, unit=ctx.unit_name(claim.first_contact_unit),
              kept=claim.other_project_id, dup=claim.project_id, told=reach.told(t("notice.nobody_both"))))


async def decide_action(ctx: Ctx, arg: str) -> None:
    claim, _, project = arg.partition(":")
    claim_id, project_id = as_id(claim), as_id(project)
    if claim_id is None or project_id is None:
        ctx.say(t("button.expired"))
        return
    _require_office(ctx)
    await decide(ctx, claim_id, project_id)


async def claims_action(ctx: Ctx, arg: str) -> None:
    await claims_command(ctx, arg)


FEATURE = Feature(
    commands=(Command("claims", ("首谈认定", "认定"), run=claims_command, order=80),),
    actions={"claim": decide_action, "claims": claims_action},
)
