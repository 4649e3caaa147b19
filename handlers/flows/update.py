"""/update 进展: pick one of the unit's projects, then a stage change, funds, a note or a problem."""
from __future__ import annotations

from typing import Any

from core.errors import Refusal
from core.records import Project
from core.roles import may_write_for
from core.stages import Stage, next_stages, rank, stage_from_text
from core.usecases import projects as uc
from core import projects as project_rules
from handlers import formatting as fmt
from handlers.catalog import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Flow
from handlers.matching import search_projects
from handlers.parsing import AmountError, parse_amount
from handlers.registry import Command, Feature

UPDATE_ACTIONS = ("stage", "funds", "note", "problem")
SKIP = "__skip__"
PICK_LIMIT = 8


class UpdateFlow(Flow):
    name = "update"

    async def begin(self, ctx: Ctx, args: str) -> None:
        ctx.open(self.name)
        if args.strip():
            await self.on_project(ctx, Answer(args.strip()))
        else:
            await self.ask_project(ctx)

    def writable(self, ctx: Ctx, p: Project) -> bool:
        return may_write_for(ctx.me.role, ctx.me.unit, p.responsible_unit)

    async def project(self, ctx: Ctx) -> Project:
        p = await ctx.uow.projects.get(ctx.data["project_id"])
        if p is None:
            raise Refusal("project_unknown", project_id=ctx.data["project_id"])
        return p

    async def ask_project(self, ctx: Ctx) -> None:
        mine = [p for p in await ctx.uow.projects.of_unit(ctx.me.unit) if self.writable(ctx, p)]
        if not mine and not ctx.data.get("candidates"):
            ctx.finish()
            ctx.say(t("update.no_projects"))
            return
        ids = ctx.data.get("candidates") or [p.id for p in mine[:PICK_LIMIT]]
        listed = await ctx.uow.projects.many(ids)
        ctx.ask("project", t("update.ask_project"),
                [Choice(f"#{p.id} {p.name}（{fmt.stage(p.stage)}）", str(p.id)) for p in listed], columns=1)

    async def on_project(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value:
            found = [p for p in await ctx.uow.projects.many([int(ans.value)])]
        else:
            found = await search_projects(ctx.uow, ans.text)
        if not found:
            ctx.say(t("status.none", query=ans.text))
            return await self.ask_project(ctx)
        writable = [p for p in found if self.writable(ctx, p)]
        if not writable:
            ctx.finish()
            p = found[0]
            ctx.say(t("refusal.not_your_project", name=p.name, unit=ctx.unit_name(p.responsible_unit)))
            return None
        if len(writable) > 1:
            ctx.data["candidates"] = [p.id for p in writable[:PICK_LIMIT]]
            ctx.say(t("update.several", count=len(writable)))
            return await self.ask_project(ctx)
        ctx.data.pop("candidates", None)
        ctx.data["project_id"] = writable[0].id
        ctx.data["project_name"] = writable[0].name
        await self.ask_action(ctx)

    async def ask_action(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        ctx.ask("action", t("update.ask_action", name=p.name, stage=fmt.stage(p.stage)),
                [Choice(t(f"update.action.{a}"), a) for a in UPDATE_ACTIONS])

    async def on_action(self, ctx: Ctx, ans: Answer) -> None:
        action = ans.value or next((a for a in UPDATE_ACTIONS if t(f"update.action.{a}") in ans.text), None)
        if action is None:
            ctx.say(t("common.choose_one"))
            return await self.ask_action(ctx)
        await getattr(self, f"ask_{action}")(ctx)

    # -- stage ----------------------------------------------------------------------------------
    async def ask_stage(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        options = next_stages(p.stage)
        if not options:
            ctx.finish()
            ctx.say(t("refusal.stage_terminated", current=fmt.stage(p.stage), target=fmt.stage(p.stage)))
            return
        ctx.ask("stage", t("update.ask_stage", stage=fmt.stage(p.stage)),
                [Choice(fmt.stage(s), s.value) for s in options], columns=3)

    async def on_stage(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.project(ctx)
        target = Stage(ans.value) if ans.value else stage_from_text(ans.text)
        if target is None or target not in next_stages(p.stage):
            ctx.say(t("update.stage_not_allowed", text=ans.text, stage=fmt.stage(p.stage)))
            return await self.ask_stage(ctx)
        ctx.data["target"] = target.value
        if target is Stage.TERMINATED:
            return await self.ask_reason(ctx)
        if rank(target) >= rank(Stage.SIGNED) and p.contract_wan is None:
            return await self.ask_contract(ctx)
        await self.ask_confirm_stage(ctx)

    async def ask_reason(self, ctx: Ctx) -> None:
        ctx.ask("reason", t("update.ask_reason"))

    async def on_reason(self, ctx: Ctx, ans: Answer) -> None:
        if not ans.text.strip():
            return await self.ask_reason(ctx)
        ctx.data["reason"] = ans.text.strip()[:500]
        await self.ask_confirm_stage(ctx)

    async def ask_contract(self, ctx: Ctx) -> None:
        ctx.ask("contract", t("update.ask_contract"))

    async def on_contract(self, ctx: Ctx, ans: Answer) -> None:
        try:
            amount = parse_amount(ans.text)
        except AmountError as exc:
            ctx.say(str(exc))
            return await self.ask_contract(ctx)
        if amount.currency != "CNY" or amount.wan <= 0:
            ctx.say(t("update.contract_cny"))
            return await self.ask_contract(ctx)
        if amount.wan > project_rules.MAX_WAN:
            ctx.refuse(Refusal("amount_too_large", max=project_rules.MAX_WAN))
            return await self.ask_contract(ctx)
        ctx.data["contract_wan"] = amount.wan
        await self.ask_confirm_stage(ctx)

    async def ask_confirm_stage(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        d = ctx.data
        detail = ""
        if d.get("contract_wan") is not None:
            detail = t("update.detail_contract", amount=fmt.amount(d["contract_wan"]))
        if d.get("reason"):
            detail = t("update.detail_reason", reason=d["reason"])
        ctx.ask("confirm_stage", t("update.confirm_stage", name=p.name, before=fmt.stage(p.stage),
                                   after=fmt.stage(d["target"]), detail=detail),
                _yes_no(), columns=2)

    async def on_confirm_stage(self, ctx: Ctx, ans: Answer) -> None:
        if not await self._confirmed(ctx, ans, self.ask_confirm_stage):
            return
        d = ctx.data
        await self._apply(ctx, uc.change_stage(ctx.uow, ctx.me, uc.ChangeStage(d["project_id"], Stage(d["target"]), contract_wan=d.get("contract_wan"), reason=d.get("reason"))),
                          lambda p: t("update.stage_done", name=p.name, stage=fmt.stage(p.stage)))

    # -- funds ----------------------------------------------------------------------------------
    async def ask_funds(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        if rank(p.stage) < rank(Stage.SIGNED):
            ctx.finish()
            ctx.say(t("refusal.funds_before_signing", current=fmt.stage(p.stage)))
            return
        ctx.ask("funds", t("update.ask_funds", total=fmt.amount(p.funds_wan),
                           contract=fmt.amount(p.contract_wan)))

    async def on_funds(self, ctx: Ctx, ans: Answer) -> None:
        try:
            amount = parse_amount(ans.text)
        except AmountError as exc:
            ctx.say(str(exc))
            return await self.ask_funds(ctx)
        if amount.currency != "CNY" or amount.wan <= 0:
            ctx.say(t("update.funds_positive"))
            return await self.ask_funds(ctx)
        if amount.wan > project_rules.MAX_WAN:
            ctx.refuse(Refusal("amount_too_large", max=project_rules.MAX_WAN))
            return await self.ask_funds(ctx)
        p = await self.project(ctx)
        ctx.data["amount_wan"] = amount.wan
        total = p.funds_wan + amount.wan
        if p.contract_wan is not None and total > p.contract_wan:
            return await self.ask_over(ctx)
        await self.ask_confirm_funds(ctx)

    async def ask_over(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        total = p.funds_wan + ctx.data["amount_wan"]
        ctx.ask("over", t("update.over_contract", total=fmt.amount(total), contract=fmt.amount(p.contract_wan)),
                [Choice(t("update.over_yes"), "yes"), Choice(t("button.cancel"), "no")], columns=1)

    async def on_over(self, ctx: Ctx, ans: Answer) -> None:
        # An unclear word neither confirms nor cancels: the question is asked again.
        if not await self._confirmed(ctx, ans, self.ask_over):
            return
        ctx.data["over_ok"] = True
        await self.ask_confirm_funds(ctx)

    async def ask_confirm_funds(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        amount = ctx.data["amount_wan"]
        ctx.ask("confirm_funds", t("update.confirm_funds", name=p.name, amount=fmt.amount(amount),
                                   total=fmt.amount(p.funds_wan + amount)), _yes_no(), columns=2)

    async def on_confirm_funds(self, ctx: Ctx, ans: Answer) -> None:
        if not await self._confirmed(ctx, ans, self.ask_confirm_funds):
            return
        d = ctx.data
        await self._apply(ctx, uc.add_funds(ctx.uow, ctx.me, uc.AddFunds(d["project_id"], d["amount_wan"], confirmed_over_contract=bool(d.get("over_ok")))),
                          lambda p: t("update.funds_done", name=p.name, total=fmt.amount(p.funds_wan)))

    # -- notes and problems ---------------------------------------------------------------------
    async def ask_note(self, ctx: Ctx) -> None:
        ctx.ask("note", t("update.ask_note"))

    async def on_note(self, ctx: Ctx, ans: Answer) -> None:
        if not ans.text.strip():
            return await self.ask_note(ctx)
        ctx.data["note"] = ans.text.strip()[:2000]
        await self.ask_next_steps(ctx)

    async def ask_next_steps(self, ctx: Ctx) -> None:
        ctx.ask("next_steps", t("update.ask_next_steps"), extra=[Choice(t("button.skip"), SKIP)])

    async def on_next_steps(self, ctx: Ctx, ans: Answer) -> None:
        d = ctx.data
        steps = None if ans.value == SKIP else ans.text.strip()[:2000] or None
        name = d["project_name"]
        await self._apply(ctx, uc.add_note(ctx.uow, ctx.me, uc.AddNote(d["project_id"], d["note"], next_steps=steps)),
                          lambda _: t("update.note_done", name=name))

    async def ask_problem(self, ctx: Ctx) -> None:
        ctx.ask("problem", t("update.ask_problem"))

    async def on_problem(self, ctx: Ctx, ans: Answer) -> None:
        if not ans.text.strip():
            return await self.ask_problem(ctx)
        d = ctx.data
        name = d["project_name"]
        await self._apply(ctx, uc.raise_problem(ctx.uow, ctx.me, uc.RaiseProblem(d["project_id"], ans.text.strip()[:2000])),
                          lambda _: t("update.problem_done", name=name))

    # -- shared ---------------------------------------------------------------------------------
    async def _confirmed(self, ctx: Ctx, ans: Answer, reask: Any) -> bool:
        choice = ans.value or {"确认": "yes", "是": "yes", "取消": "no", "否": "no"}.get(ans.text.strip())
        if choice == "yes":
            return True
        if choice == "no":
            ctx.finish()
            ctx.say(t("flow.cancelled", title=self.title))
            return False
        ctx.say(t("common.choose_one"))
        await reask(ctx)
        return False

    async def _apply(self, ctx: Ctx, action: Any, done: Any) -> None:
        try:
            result = await action
        except Refusal as refusal:
            ctx.finish()
            ctx.refuse(refusal)
            return
        ctx.finish()
        ctx.say(done(result))

    def summary(self, data: dict[str, Any]) -> str:
        return t("update.kept", name=data["project_name"]) if data.get("project_name") else t("flow.nothing_kept")


def _yes_no() -> list[Choice]:
    return [Choice(t("button.confirm"), "yes"), Choice(t("button.cancel"), "no")]


FEATURE = Feature(
    commands=(Command("update", ("进展", "更新", "更新进展"), flow="update", order=30),),
    flows=(UpdateFlow(),),
)
