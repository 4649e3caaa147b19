"""/observe 季观摩: a district or zone names its observation project for the quarter (seed 002), from
its projects or by name; the naming is a ledger event the zero-report check reads."""
from __future__ import annotations

from typing import Any

from core.errors import Refusal
from core.halfmonthly import OBSERVATION_KINDS, parse_quarter, quarter_of, quarter_zh, shift_quarter
from core.usecases.halfmonthly import NameObservation, name_observation
from texts import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Flow, Step
from handlers.registry import Command, Feature, registry

PICK_LIMIT = 8


class ObserveFlow(Flow):
    name = "observe"

    async def begin(self, ctx: Ctx, args: str) -> None:
        await self.start(ctx, args.strip() or None)

    async def start(self, ctx: Ctx, wanted: str | None) -> None:
        unit = ctx.me.unit
        if ctx.cfg.unit(unit).kind not in OBSERVATION_KINDS:
            ctx.say(t("observe.not_county"))
            return
        current = quarter_of(ctx.today)
        quarter = wanted or current
        if parse_quarter(quarter) is None or quarter not in (shift_quarter(current, -1), current,
                                                             shift_quarter(current, 1)):
            ctx.say(t("observe.bad_quarter", text=quarter, current=quarter_zh(current)))
            return
        named = await ctx.uow.reports.observation(unit, quarter)
        ctx.open(self.name, {"unit": unit, "quarter": quarter})
        if named is not None:
            ctx.say(t("observe.already", quarter=quarter_zh(quarter), name=named["name"]))
        await self.ask_project(ctx)

    async def ask_project(self, ctx: Ctx) -> None:
        unit = ctx.data["unit"]
        mine = [p for p in await ctx.uow.projects.of_unit(unit) if p.responsible_unit == unit][:PICK_LIMIT]
        ctx.ask("project", t("observe.ask_project", quarter=quarter_zh(ctx.data["quarter"])),
                [Choice(f"#{p.id} {p.name}", str(p.id)) for p in mine], columns=1)

    async def on_project(self, ctx: Ctx, ans: Answer) -> None:
        d = ctx.data
        if ans.value:
            p = await ctx.uow.projects.get(int(ans.value))
            d["project_id"], d["name"] = (p.id, p.name) if p else (None, ans.text)
        else:
            text = ans.text.strip()
            if not text:
                return await self.ask_project(ctx)
            unit = d["unit"]
            found = [p for p in await ctx.uow.projects.of_unit(unit) if text in p.name and p.responsible_unit == unit]
            d["project_id"], d["name"] = (found[0].id, found[0].name) if len(found) == 1 else (None, text[:200])
        await self.ask_confirm(ctx)

    async def ask_confirm(self, ctx: Ctx) -> None:
        d = ctx.data
        key = "observe.confirm" if d.get("project_id") else "observe.confirm_free"
        ctx.ask("confirm", t(key, name=d["name"], unit=ctx.unit_name(d["unit"]), quarter=quarter_zh(d["quarter"])),
                [Choice(t("button.confirm"), "yes"), Choice(t("button.cancel"), "no")])

    async def on_confirm(self, ctx: Ctx, ans: Answer) -> None:
        choice = ans.value or {"确认": "yes", "取消": "no"}.get(ans.text.strip())
        if choice is None:
            ctx.say(t("common.choose_one"))
            return await self.ask_confirm(ctx)
        d = ctx.data
        ctx.finish()
        if choice == "no":
            ctx.say(t("flow.cancelled", title=self.title))
            return
        try:
            await name_observation(ctx.uow, ctx.me, NameObservation(unit=d["unit"], quarter=d["quarter"], name=d["name"], project_id=d.get("project_id")))
        except Refusal as refusal:
            ctx.refuse(refusal)
            return
        ctx.say(t("observe.done", name=d["name"], unit=ctx.unit_name(d["unit"]), quarter=quarter_zh(d["quarter"])))

    def steps(self) -> dict[str, Step]:
        return {"project": Step(self.ask_project, self.on_project, takes_text=True), "confirm": Step(self.ask_confirm, self.on_confirm)}

    def summary(self, data: dict[str, Any]) -> str:
        return t("observe.kept", quarter=quarter_zh(data["quarter"])) if data.get("quarter") else t("flow.nothing_kept")


async def observe_button(ctx: Ctx, arg: str) -> None:
    """[申报观摩项目] on the quarterly reminder (`s:observe:<quarter>`)."""
    if ctx.flow is not None and ctx.flow != ObserveFlow.name:
        ctx.say(t("flow.replaced", title=registry().flows[ctx.flow].title))
    await OBSERVE.start(ctx, arg or None)


OBSERVE = ObserveFlow()

FEATURE = Feature(
    commands=(Command("observe", ("季观摩", "观摩"), flow="observe", order=36),),
    flows=(OBSERVE,),
    actions={"observe": observe_button},
)
