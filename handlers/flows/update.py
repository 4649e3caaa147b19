"""/update 进展: pick one of the unit's projects, then a stage change, funds, a note or a problem."""
from __future__ import annotations

from typing import Any

from core.errors import Refusal
from core.records import Project
from core.roles import may_write_for
from core.stages import Stage, rank
from core.usecases import projects as uc
from core.usecases.evidence import evidence_since_stage
from texts import formatting as fmt
from texts import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Flow, Step
from handlers.flows.evidence import open_attach
from handlers.registry import Command, Feature
from handlers.steps.effective_date import TODAY, date_line, keep_date, on_date_answer, on_instant
from handlers.steps.pick_project import PickProject, picked_project
from handlers.steps.project_steps import Around, StageSteps, TextStep, parse_cny

UPDATE_ACTIONS = ("stage", "funds", "note", "problem")
SKIP = "__skip__"
REDATE = "__date__"


class UpdateFlow(Flow):
    name = "update"

    def __init__(self) -> None:
        around = Around(self.project)  # no 返回 here: a dead end (no stage ahead) ends the flow
        self.pick = PickProject(
            allowed=self.writable, question=lambda ctx: t("update.ask_project"),
            nothing_to_offer=lambda ctx: t("update.no_projects"),
            not_allowed=lambda ctx, p: t("refusal.not_your_project", name=p.name,
                                         unit=ctx.unit_name(p.responsible_unit)),
            then=lambda ctx, p: self.ask_action(ctx))
        self.stage = StageSteps(around, lambda ctx, p: self.ask_confirm_stage(ctx), capped=True, dated=True)
        self.note = TextStep("note", around, lambda ctx, p: t("update.ask_note"), self._note)
        self.problem = TextStep("problem", around, lambda ctx, p: t("update.ask_problem"), self._problem)

    def steps(self) -> dict[str, Step]:
        return {**self.pick.steps(), "action": Step(self.ask_action, self.on_action), **self.stage.steps(),
                "confirm_stage": Step(self.ask_confirm_stage, self.on_confirm_stage),
                "stage_evidence": Step(self.ask_confirm_stage, self.on_stage_evidence),
                "funds": Step(self.ask_funds, self.on_funds), "over": Step(self.ask_over, self.on_over),
                "confirm_funds": Step(self.ask_confirm_funds, self.on_confirm_funds),
                "date": Step(self.ask_date, self.on_date),
                **self.note.steps(), "next_steps": Step(self.ask_next_steps, self.on_next_steps, takes_text=True),
                **self.problem.steps()}

    async def begin(self, ctx: Ctx, args: str) -> None:
        await self.pick.begin(ctx, self.name, args)

    def writable(self, ctx: Ctx, p: Project) -> bool:
        return may_write_for(ctx.me.role, ctx.me.unit, p.responsible_unit)

    async def project(self, ctx: Ctx) -> Project:
        return await picked_project(ctx)

    async def ask_action(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        # 到位资金 only where it can be taken: from 签约 on (a 线索 or 在谈 has none to report).
        actions = [a for a in UPDATE_ACTIONS if a != "funds" or rank(p.stage) >= rank(Stage.SIGNED)]
        ctx.ask("action", t("update.ask_action", name=p.name, stage=fmt.stage(p.stage)),
                [Choice(t(f"update.action.{a}"), a) for a in actions])

    async def on_action(self, ctx: Ctx, ans: Answer) -> None:
        action = ans.value or next((a for a in UPDATE_ACTIONS if t(f"update.action.{a}") in ans.text), None)
        if action is None:
            ctx.say(t("common.choose_one"))
            return await self.ask_action(ctx)
        await self.ask_step(ctx, action)

    # -- stage: the shared steps ask; this flow confirms before writing -------------------------
    async def ask_confirm_stage(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        d = ctx.data
        if Stage(d["target"]) in ctx.cfg.verification.evidence_stages and not await evidence_since_stage(ctx.uow, p.id):
            # The office asks for evidence first (org file [verification]); a file sent now attaches to p.
            ctx.ask("stage_evidence", t("update.stage_needs_evidence", name=p.name, stage=fmt.stage(d["target"]),
                                        id=p.id),
                    [Choice(t("update.evidence_sent"), "yes"), Choice(t("button.cancel"), "no")], columns=2)
            return
        detail = ""
        if d.get("contract_wan") is not None:
            detail = t("update.detail_contract", amount=fmt.amount(d["contract_wan"]))
        if d.get("reason"):
            detail = t("update.detail_reason", reason=d["reason"])
        ctx.ask("confirm_stage", t("update.confirm_stage", name=p.name, before=fmt.stage(p.stage),
                                   after=fmt.stage(d["target"]), detail=detail + date_line(ctx)),
                _yes_no(dated=True), columns=3)

    async def on_stage_evidence(self, ctx: Ctx, ans: Answer) -> None:
        if await self._confirmed(ctx, ans, self.ask_confirm_stage):
            p = await self.project(ctx)
            if not await evidence_since_stage(ctx.uow, p.id):
                ctx.say(t("update.evidence_still_missing"))
            await self.ask_confirm_stage(ctx)

    async def on_confirm_stage(self, ctx: Ctx, ans: Answer) -> None:
        if await self._redate(ctx, ans, "confirm_stage") or not await self._confirmed(ctx, ans, self.ask_confirm_stage):
            return
        d = ctx.data
        change = uc.ChangeStage(d["project_id"], Stage(d["target"]), contract_wan=d.get("contract_wan"),
                                reason=d.get("reason"), on=on_instant(ctx))
        await self._apply(ctx, uc.change_stage(ctx.uow, ctx.me, change),
                          lambda p: t("update.stage_done", name=p.name, stage=fmt.stage(p.stage)))

    # -- funds ----------------------------------------------------------------------------------
    async def ask_funds(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        if rank(p.stage) < rank(Stage.SIGNED):  # typed although not offered: say why, and ask again
            ctx.say(t("refusal.funds_before_signing", current=fmt.stage(p.stage)))
            return await self.ask_action(ctx)
        ctx.ask("funds", t("update.ask_funds", total=fmt.amount(p.funds_wan),
                           contract=fmt.amount(p.contract_wan)))

    async def on_funds(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.project(ctx)
        text = await keep_date(ctx, p, ans.text, funds=True)
        wan = parse_cny(ctx, text, "update.funds_positive", capped=True) if text is not None else None
        if wan is None:
            return await self.ask_funds(ctx)
        ctx.data["amount_wan"] = wan
        if p.contract_wan is not None and p.funds_wan + wan > p.contract_wan:
            return await self.ask_over(ctx)
        await self.ask_confirm_funds(ctx)

    async def ask_over(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        total = p.funds_wan + ctx.data["amount_wan"]
        ctx.ask("over", t("update.over_contract", total=fmt.amount(total), contract=fmt.amount(p.contract_wan)),
                [Choice(t("update.over_yes"), "yes"), Choice(t("update.over_again"), "again")], columns=1)

    async def on_over(self, ctx: Ctx, ans: Answer) -> None:
        # Not over after all: the amount is asked again, the update kept (取消 alone still ends it).
        choice = ans.value or {"确认": "yes", "是": "yes", "否": "again", "不": "again", "不是": "again",
                               "重新输入": "again", "重输": "again"}.get(ans.text.strip())
        if choice == "again":
            ctx.data.pop("amount_wan", None)
            ctx.say(t("update.over_again_said"))
            return await self.ask_funds(ctx)
        if choice != "yes":
            ctx.say(t("common.choose_one"))
            return await self.ask_over(ctx)
        ctx.data["over_ok"] = True
        await self.ask_confirm_funds(ctx)

    async def ask_confirm_funds(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        amount = ctx.data["amount_wan"]
        ctx.ask("confirm_funds", t("update.confirm_funds", name=p.name, amount=fmt.amount(amount),
                                   total=fmt.amount(p.funds_wan + amount)) + date_line(ctx),
                _yes_no(dated=True), columns=3)

    async def on_confirm_funds(self, ctx: Ctx, ans: Answer) -> None:
        if await self._redate(ctx, ans, "confirm_funds") or not await self._confirmed(ctx, ans, self.ask_confirm_funds):
            return
        d = ctx.data
        funds = uc.AddFunds(d["project_id"], d["amount_wan"], confirmed_over_contract=bool(d.get("over_ok")),
                            on=on_instant(ctx))
        try:
            p = await uc.add_funds(ctx.uow, ctx.me, funds)
        except Refusal as refusal:
            ctx.finish()
            ctx.refuse(refusal)
            return
        # The report waits for its verifier: the evidence is asked for at once, while the officer has it at hand.
        await open_attach(ctx, p, intro=t("update.funds_done", name=p.name, total=fmt.amount(p.funds_wan),
                                          amount=fmt.amount(d["amount_wan"])), after=True)

    # -- notes (with next steps) and problems -----------------------------------------------------
    async def _note(self, ctx: Ctx, p: Project, text: str) -> None:
        ctx.data["note"] = text
        await self.ask_next_steps(ctx)

    async def ask_next_steps(self, ctx: Ctx) -> None:
        ctx.ask("next_steps", t("update.ask_next_steps"), extra=[Choice(t("button.skip"), SKIP)])

    async def on_next_steps(self, ctx: Ctx, ans: Answer) -> None:
        d = ctx.data
        steps = None if ans.value == SKIP else ctx.typed(ans.text.strip())[:2000] or None
        name = d["project_name"]
        await self._apply(ctx, uc.add_note(ctx.uow, ctx.me, uc.AddNote(d["project_id"], d["note"], next_steps=steps)),
                          lambda _: t("update.note_done", name=name))

    async def _problem(self, ctx: Ctx, p: Project, text: str) -> None:
        name = ctx.data["project_name"]
        await self._apply(ctx, uc.raise_problem(ctx.uow, ctx.me, uc.RaiseProblem(p.id, text)),
                          lambda _: t("update.problem_done", name=name))

    # -- the day it happened (改日期 on a confirm card) ----------------------------------------------
    async def _redate(self, ctx: Ctx, ans: Answer, confirm: str) -> bool:
        if ans.value != REDATE and ans.text.strip() != t("date.button"):
            return False
        ctx.data["confirm"] = confirm
        await self.ask_date(ctx)
        return True

    async def ask_date(self, ctx: Ctx) -> None:
        ctx.ask("date", t("date.ask"), [Choice(t("date.today"), TODAY)])

    async def on_date(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.project(ctx)
        confirm = ctx.data.get("confirm", "confirm_stage")
        if not await on_date_answer(ctx, p, ans, funds=confirm == "confirm_funds"):
            return await self.ask_date(ctx)
        await self.ask_step(ctx, confirm)

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


def _yes_no(*, dated: bool = False) -> list[Choice]:
    date = [Choice(t("date.button"), REDATE)] if dated else []
    return [Choice(t("button.confirm"), "yes"), *date, Choice(t("button.cancel"), "no")]


FEATURE = Feature(
    commands=(Command("update", ("进展", "更新", "更新进展"), flow="update", order=30),),
    flows=(UpdateFlow(),),
)
