"""/transfer 流转 and /route 分流: hand a project to another unit, which accepts or refuses.

The receiver's head gets [接收] [拒绝] buttons (handlers/flows/transfer_decide.py); a pending
transfer can be withdrawn from here.
"""
from __future__ import annotations

from typing import Any

from core import sharing as sh
from core.errors import Refusal
from core.records import Project
from core.roles import Role
from core.stages import is_live
from core.usecases import sharing as share_uc
from texts import formatting as fmt
from handlers import sharing_pushes as pushes
from texts import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Flow, Step
from handlers.matching import match_options
from handlers.flows.transfer_decide import withdraw
from handlers.registry import Command, Feature
from handlers.steps.pick_project import PickProject, picked_project

SKIP = "__skip__"


def _office(ctx: Ctx) -> bool:
    return ctx.me.role is Role.OFFICE_ADMIN


def suggestion_reason(s: sh.Suggestion, industry: str | None) -> str:
    parts = []
    if s.industry_match:
        parts.append(t("sharing.why.industry", industry=industry))
    if s.landed:
        parts.append(t("sharing.why.landed", count=s.landed))
    return "；".join(parts)


class TransferFlow(Flow):
    """Pick a project, a receiving unit (suggestions, or by peer group), a reason; confirm."""

    name = "transfer"

    def may(self, ctx: Ctx, p: Project) -> bool:
        return is_live(p.stage) and (_office(ctx) or ctx.me.unit in (p.owner_unit, p.responsible_unit))

    async def propose(self, ctx: Ctx, project_id: int, to_unit: str, reason: str) -> sh.Transfer:
        return await share_uc.propose_transfer(ctx.uow, ctx.me, share_uc.ProposeTransfer(project_id, to_unit, reason))

    def __init__(self) -> None:
        self.pick = PickProject(
            allowed=self.may, question=lambda ctx: t(f"sharing.{self.name}.ask_project"),
            # The office may name any unit's project, so it is asked even with none of its own.
            nothing_to_offer=lambda ctx: None if _office(ctx) else t("sharing.no_projects"),
            not_allowed=lambda ctx, p: t(f"sharing.{self.name}.not_yours", name=p.name,
                                         owner=ctx.unit_name(p.owner_unit), unit=ctx.unit_name(p.responsible_unit)),
            then=self._picked)

    def steps(self) -> dict[str, Step]:
        return {**self.pick.steps(), "pending": Step(self.ask_pending, self.on_pending),
                "unit": Step(self.ask_unit, self.on_unit), "group_unit": Step(self.ask_group_unit, self.on_group_unit),
                "reason": Step(self.ask_reason, self.on_reason, takes_text=True),
                "confirm": Step(self.ask_confirm, self.on_confirm)}

    async def begin(self, ctx: Ctx, args: str) -> None:
        await self.pick.begin(ctx, self.name, args)

    async def project(self, ctx: Ctx) -> Project:
        return await picked_project(ctx)

    async def _picked(self, ctx: Ctx, p: Project) -> None:
        if await ctx.uow.sharing.pending_transfer(p.id) is not None:
            return await self.ask_pending(ctx)
        await self.ask_unit(ctx)

    # -- a transfer is already waiting ----------------------------------------------------------
    async def ask_pending(self, ctx: Ctx) -> None:
        pending = await ctx.uow.sharing.pending_transfer(ctx.data["project_id"])
        if pending is None:
            return await self.ask_unit(ctx)
        ctx.data["pending_id"] = pending.id
        ctx.ask("pending", t("sharing.pending_exists", name=ctx.data["project_name"],
                             unit=ctx.unit_name(pending.to_unit), reason=pending.reason,
                             day=fmt.short_day(ctx.local(pending.proposed_at).date())),
                [Choice(t("sharing.button.withdraw"), "withdraw"), Choice(t("sharing.button.keep"), "keep")])

    async def on_pending(self, ctx: Ctx, ans: Answer) -> None:
        choice = ans.value or {"撤回": "withdraw", "保留": "keep"}.get(ans.text.strip())
        if choice is None:
            ctx.say(t("common.choose_one"))
            return await self.ask_pending(ctx)
        pending_id = ctx.data["pending_id"]
        ctx.finish()
        if choice == "keep":
            ctx.say(t("sharing.pending_kept"))
            return None
        await withdraw(ctx, pending_id)

    # -- which unit -----------------------------------------------------------------------------
    async def ask_unit(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        suggestions = await share_uc.suggest_units(ctx.uow, p)
        ctx.data["suggested"] = {s.unit: suggestion_reason(s, p.industry) for s in suggestions}
        lines = [t(f"sharing.{self.name}.ask_unit", name=p.name, unit=ctx.unit_name(p.responsible_unit))]
        if suggestions:
            lines.append(t("sharing.suggest_title"))
            lines += [t("sharing.suggest_line", unit=ctx.unit_name(s.unit), why=ctx.data["suggested"][s.unit])
                      for s in suggestions]
        groups = [g for g in ctx.cfg.peer_groups if self._group_units(ctx, g.code, p)]
        ctx.ask("unit", "\n".join(lines),
                [Choice(t("sharing.suggested_choice", unit=ctx.unit_name(s.unit)), f"u:{s.unit}") for s in suggestions],
                extra=[Choice(g.name, f"g:{g.code}") for g in groups])

    def _group_units(self, ctx: Ctx, group: str, p: Project) -> list[str]:
        return [u.code for u in ctx.cfg.group_units(group)
                if u.kind in sh.RECEIVER_KINDS and u.code != p.responsible_unit]

    async def on_unit(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.project(ctx)
        value = ans.value or ""
        if value.startswith("g:"):
            ctx.data["group"] = value[2:]
            return await self.ask_group_unit(ctx)
        if value.startswith("u:"):
            code = value[2:]
        else:
            names = {u.name: u.code for u in ctx.cfg.units if u.kind in sh.RECEIVER_KINDS}
            short = {u.short_name: u.code for u in ctx.cfg.units if u.short_name and u.code in names.values()}
            hits = match_options(ans.text, list(names) + list(short))
            codes = sorted({names.get(h) or short[h] for h in hits})
            if len(codes) != 1:
                ctx.say(t("sharing.unit_unknown", text=ans.text))
                return await self.ask_unit(ctx)
            code = codes[0]
        if code == p.responsible_unit:
            ctx.refuse(Refusal("transfer_to_self", unit=ctx.unit_name(code)))
            return await self.ask_unit(ctx)
        ctx.data["to_unit"] = code
        await self.ask_reason(ctx)

    async def ask_group_unit(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        codes = self._group_units(ctx, ctx.data["group"], p)
        ctx.ask("group_unit", t("sharing.ask_group_unit", group=ctx.cfg.peer_group(ctx.data["group"]).name),
                [Choice(ctx.unit_name(c), f"u:{c}") for c in codes], extra=[Choice(t("sharing.button.back"), SKIP)])

    async def on_group_unit(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == SKIP:
            return await self.ask_unit(ctx)
        await self.on_unit(ctx, ans)

    # -- why, and confirm -----------------------------------------------------------------------
    def default_reason(self, ctx: Ctx) -> str | None:
        return None

    async def ask_reason(self, ctx: Ctx) -> None:
        default = self.default_reason(ctx)
        # Offer the suggested reason only when there is one; never a "use it:" with nothing after it.
        key = f"sharing.{self.name}.ask_reason_or_suggested" if default else f"sharing.{self.name}.ask_reason"
        ctx.ask("reason", t(key, unit=ctx.unit_name(ctx.data["to_unit"])),
                extra=[Choice(t("sharing.use_suggested_reason", reason=default), SKIP)] if default else None)

    async def on_reason(self, ctx: Ctx, ans: Answer) -> None:
        reason = self.default_reason(ctx) if ans.value == SKIP else ans.text.strip()[:500]
        if not reason:
            return await self.ask_reason(ctx)
        ctx.data["reason"] = reason
        await self.ask_confirm(ctx)

    async def ask_confirm(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        to = ctx.unit_name(ctx.data["to_unit"])
        ctx.ask("confirm", t(f"sharing.{self.name}.confirm", name=p.name, unit=to, reason=ctx.data["reason"],
                             owner=ctx.unit_name(p.owner_unit)),
                [Choice(t("button.confirm"), "yes"), Choice(t("button.cancel"), "no")])

    async def on_confirm(self, ctx: Ctx, ans: Answer) -> None:
        choice = ans.value or {"确认": "yes", "是": "yes", "取消": "no", "否": "no"}.get(ans.text.strip())
        if choice is None:
            ctx.say(t("common.choose_one"))
            return await self.ask_confirm(ctx)
        d = ctx.data
        ctx.finish()
        if choice == "no":
            ctx.say(t("flow.cancelled", title=self.title))
            return None
        try:
            transfer = await self.propose(ctx, d["project_id"], d["to_unit"], d["reason"])
        except Refusal as refusal:
            ctx.refuse(refusal)
            return None
        project = await ctx.uow.projects.get(transfer.project_id)
        assert project is not None
        reach = await pushes.transfer_proposed(ctx.uow, ctx.cfg, transfer, project, ctx.me)
        unit = ctx.unit_name(transfer.to_unit)
        # With no head there, the office decides: the office member who routed it is told so, not "notified".
        nobody = t("notice.you_decide", unit=unit) if reach.actor_among else t("notice.nobody", unit=unit)
        ctx.say(t(f"sharing.{self.name}.done", name=project.name, unit=unit, told=reach.told(nobody)))

    def summary(self, data: dict[str, Any]) -> str:
        return t("update.kept", name=data["project_name"]) if data.get("project_name") else t("flow.nothing_kept")


class RouteFlow(TransferFlow):
    """客商分流: the office or the owner sends an investor where its industry fits; same hand-over."""

    name = "route"

    def may(self, ctx: Ctx, p: Project) -> bool:
        return is_live(p.stage) and (_office(ctx) or ctx.me.unit == p.owner_unit)

    async def propose(self, ctx: Ctx, project_id: int, to_unit: str, reason: str) -> sh.Transfer:
        return await share_uc.route_investor(ctx.uow, ctx.me, share_uc.RouteInvestor(project_id, to_unit, reason))

    def default_reason(self, ctx: Ctx) -> str | None:
        return ctx.data.get("suggested", {}).get(ctx.data.get("to_unit")) or None


FEATURE = Feature(
    commands=(
        Command("transfer", ("流转", "项目流转"), flow="transfer", order=70),
        Command("route", ("分流", "客商分流"), flow="route", order=72),
    ),
    flows=(TransferFlow(), RouteFlow()),
)
