"""Steps about one project already chosen: a stage change (with 签约's contract amount and 终止's reason),
a note, a problem — the same in /update and in the half-monthly report's walk."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core import projects as project_rules
from core.errors import Refusal
from core.records import Project
from core.stages import Stage, next_stages, rank, stage_from_text
from texts import formatting as fmt
from texts import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Step
from handlers.parsing import AmountError, parse_amount
from handlers.steps.effective_date import keep_date

BACK = "__back__"
Ask = Callable[[Ctx], Awaitable[None]]


@dataclass(frozen=True)
class Around:
    """Where a flow's project steps find their project, and where 返回 leads.

    `back` None: no 返回 choice, and a step with nowhere to go (no stage ahead) ends the flow.
    """

    project: Callable[[Ctx], Awaitable[Project | None]]
    back: Ask | None = None

    def extra(self) -> list[Choice] | None:
        return [Choice(t("report.back"), BACK)] if self.back is not None else None

    def went_back(self, p: Project | None, ans: Answer) -> bool:
        return self.back is not None and (p is None or ans.value == BACK or ans.text.strip() == t("report.back"))

    async def leave(self, ctx: Ctx) -> None:
        if self.back is not None:
            await self.back(ctx)
        else:
            ctx.finish()


def parse_cny(ctx: Ctx, text: str, not_positive: str, *, capped: bool) -> int | None:
    """A positive amount in 万元 typed as text, or None after saying what is wrong with it."""
    try:
        amount = parse_amount(text)
    except AmountError as exc:
        ctx.say(str(exc))
        return None
    if amount.currency != "CNY" or amount.wan <= 0:
        ctx.say(t(not_positive))
        return None
    if capped and amount.wan > project_rules.MAX_WAN:
        ctx.refuse(Refusal("amount_too_large", max=project_rules.MAX_WAN))
        return None
    return amount.wan


@dataclass(frozen=True)
class TextStep:
    """A question about the project answered in words (a note, a problem, a reason); empty is asked again."""

    name: str
    around: Around
    question: Callable[[Ctx, Project], str]
    then: Callable[[Ctx, Project, str], Awaitable[None]]
    limit: int = 2000

    async def ask(self, ctx: Ctx) -> None:
        p = await self.around.project(ctx)
        if p is None:  # the report's project was deleted meanwhile: on to the next
            return await self.around.leave(ctx)
        ctx.ask(self.name, self.question(ctx, p), extra=self.around.extra())

    async def on(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.around.project(ctx)
        if p is None or self.around.went_back(p, ans):
            return await self.around.leave(ctx)
        if not ans.text.strip():
            return await self.ask(ctx)
        await self.then(ctx, p, ctx.typed(ans.text.strip())[:self.limit])

    def steps(self) -> dict[str, Step]:
        return {self.name: Step(self.ask, self.on, takes_text=True)}


class StageSteps:
    """阶段变更: the next stage; 终止 asks why, reaching 签约 with no contract asks its amount; then `done`
    with `target`, and `reason` or `contract_wan` where asked, in the flow's fields."""

    def __init__(self, around: Around, done: Callable[[Ctx, Project], Awaitable[None]], *,
                 capped: bool, dated: bool = False) -> None:
        self.around, self.done = around, done
        self.capped = capped  # /update refuses an impossible contract here; the report leaves it to the use case
        self.dated = dated    # `签约 日期 11月20日`, `5亿 日期 11.20`: handlers/steps/effective_date.py
        self.reason = TextStep("reason", around, lambda ctx, p: t("update.ask_reason"), self._reason, limit=500)

    async def ask_stage(self, ctx: Ctx) -> None:
        p = await self.around.project(ctx)
        assert p is not None
        options = next_stages(p.stage)
        if not options:
            ctx.say(t("refusal.stage_terminated", current=fmt.stage(p.stage), target=fmt.stage(p.stage)))
            return await self.around.leave(ctx)
        ctx.ask("stage", t("update.ask_stage", stage=fmt.stage(p.stage)),
                [Choice(fmt.stage(s), s.value) for s in options], columns=3, extra=self.around.extra())

    async def on_stage(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.around.project(ctx)
        if p is None or self.around.went_back(p, ans):
            return await self.around.leave(ctx)
        text = ans.text
        if self.dated and not ans.value:
            kept = await keep_date(ctx, p, text, funds=False)
            if kept is None:
                return await self.ask_stage(ctx)
            text = kept
        target = Stage(ans.value) if ans.value else stage_from_text(text)
        if target is None or target not in next_stages(p.stage):
            ctx.say(t("update.stage_not_allowed", text=ans.text, stage=fmt.stage(p.stage)))
            return await self.ask_stage(ctx)
        ctx.data["target"] = target.value
        if target is Stage.TERMINATED:
            return await self.reason.ask(ctx)
        if rank(target) >= rank(Stage.SIGNED) and p.contract_wan is None:
            return await self.ask_contract(ctx)
        await self.done(ctx, p)

    async def _reason(self, ctx: Ctx, p: Project, reason: str) -> None:
        ctx.data["reason"] = reason
        await self.done(ctx, p)

    async def ask_contract(self, ctx: Ctx) -> None:
        ctx.ask("contract", t("update.ask_contract"), extra=self.around.extra())

    async def on_contract(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.around.project(ctx)
        if p is None or self.around.went_back(p, ans):
            return await self.around.leave(ctx)
        text = ans.text
        if self.dated:
            kept = await keep_date(ctx, p, text, funds=False)
            if kept is None:
                return await self.ask_contract(ctx)
            text = kept
        wan = parse_cny(ctx, text, "update.contract_cny", capped=self.capped)
        if wan is None:
            return await self.ask_contract(ctx)
        ctx.data["contract_wan"] = wan
        await self.done(ctx, p)

    def steps(self) -> dict[str, Step]:
        # 线索 is a stage as well as the lead command: at this question it is the stage.
        return {"stage": Step(self.ask_stage, self.on_stage, answers=tuple(fmt.stage(s) for s in Stage)),
                **self.reason.steps(),
                "contract": Step(self.ask_contract, self.on_contract)}
