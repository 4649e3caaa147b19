"""/edit 修改: correct what was typed wrong on one of the unit's projects — a field, the signing's contract amount
or one funds entry. Old → new is shown and confirmed; a reason is optional (required for funds). One line works
too: `修改 #12 意向投资 4亿`."""
from __future__ import annotations

from datetime import date
from typing import Any

from core.errors import Refusal
from core.records import Project
from core.roles import may_write_for
from core.usecases import corrections as fix
from core.usecases import projects as uc
from texts import formatting as fmt
from texts import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Flow, Step
from handlers.registry import Command, Feature
from handlers.steps import correction_values as cv
from handlers.steps.pick_project import PickProject, picked_project

REASON, YES, NO = "__reason__", "yes", "no"


class EditFlow(Flow):
    name = "edit"

    def __init__(self) -> None:
        self.pick = PickProject(
            allowed=self.writable, question=lambda ctx: t("edit.ask_project"),
            nothing_to_offer=lambda ctx: t("edit.no_projects"),
            not_allowed=lambda ctx, p: t("refusal.not_your_project", name=p.name,
                                         unit=ctx.unit_name(p.responsible_unit)),
            then=self.picked)

    def steps(self) -> dict[str, Step]:
        return {**self.pick.steps(), "field": Step(self.ask_field, self.on_field),
                "entry": Step(self.ask_entry, self.on_entry), "value": Step(self.ask_value, self.on_value),
                "reason": Step(self.ask_reason, self.on_reason), "confirm": Step(self.ask_confirm, self.on_confirm)}

    def writable(self, ctx: Ctx, p: Project) -> bool:
        return may_write_for(ctx.me.role, ctx.me.unit, p.responsible_unit)

    async def begin(self, ctx: Ctx, args: str) -> None:
        ref, field, value = cv.split_field(args)
        ctx.open(self.name, {"field": field, "typed": value} if field else None)
        if ref:
            await self.pick.on(ctx, Answer(ref))
        else:
            await self.pick.ask(ctx)

    async def picked(self, ctx: Ctx, p: Project) -> None:
        field, typed = ctx.data.get("field"), ctx.data.pop("typed", None)
        if field is None:
            await self.ask_field(ctx)
        elif field == "funds":
            await self.ask_entry(ctx)
        elif typed:
            await self.on_value(ctx, Answer(typed))
        else:
            await self.ask_value(ctx)

    async def project(self, ctx: Ctx) -> Project:
        return await picked_project(ctx)

    # -- which field ------------------------------------------------------------------------------
    async def ask_field(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        ctx.ask("field", t("edit.ask_field", name=p.name), [Choice(cv.field_label(f), f) for f in cv.FIELDS], columns=3)

    async def on_field(self, ctx: Ctx, ans: Answer) -> None:
        field = ans.value if ans.value in cv.FIELDS else cv.field_of(ans.text)
        if field is None:
            ctx.say(t("edit.unknown_field", text=ans.text, fields=cv.fields_text()))
            return await self.ask_field(ctx)
        ctx.data["field"] = field
        await self.ask_step(ctx, "entry" if field == "funds" else "value")

    # -- a funds entry ------------------------------------------------------------------------------
    async def ask_entry(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        entries = (await ctx.uow.projects.timeline(p.id)).funds
        if not entries:
            ctx.finish()
            ctx.say(t("edit.no_entries", name=p.name))
            return
        choices = [Choice(t("edit.entry", day=fmt.short_day(ctx.local(e.on).date()), amount=fmt.amount(e.original_wan),
                            corrected=t("edit.entry_corrected", amount=fmt.amount(e.amount_wan))
                            if e.amount_wan != e.original_wan else ""), str(e.seq)) for e in entries[-8:]]
        ctx.ask("entry", t("edit.ask_entry"), choices, columns=1)

    async def on_entry(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.project(ctx)
        entries = {str(e.seq): e for e in (await ctx.uow.projects.timeline(p.id)).funds}
        entry = entries.get(ans.value or "")
        if entry is None:
            ctx.say(t("common.choose_one"))
            return await self.ask_entry(ctx)
        ctx.data.update(entry=entry.seq, before=entry.amount_wan, entry_day=ctx.local(entry.on).date().isoformat())
        await self.ask_value(ctx)

    # -- the new value -----------------------------------------------------------------------------
    async def ask_value(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        field = ctx.data["field"]
        if field == "contract_wan" and p.contract_wan is None:
            ctx.finish()
            ctx.say(t("edit.no_contract", name=p.name))
            return
        if field == "funds":
            day = fmt.short_day(_day(ctx.data["entry_day"]))
            ctx.ask("value", t("edit.ask_entry_amount", day=day, amount=fmt.amount(ctx.data["before"])))
        elif field == "flags":
            ctx.ask("value", t("edit.ask_value_flags", old=cv.shown(ctx, field, cv.current(p, field)),
                               options=cv.flag_options()))
        else:
            ctx.ask("value", t("edit.ask_value", field=cv.field_label(field),
                               old=cv.shown(ctx, field, cv.current(p, field))))

    async def on_value(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.project(ctx)
        field = ctx.data["field"]
        if field == "contract_wan" and p.contract_wan is None:
            return await self.ask_value(ctx)
        try:
            value = cv.parse_value(ctx, field, ans.text)
        except cv.ValueProblem as problem:
            ctx.say(str(problem))
            return await self.ask_value(ctx)
        before = ctx.data["before"] if field == "funds" else cv.current(p, field)
        if value == before:
            ctx.say(t("edit.not_changed"))
            return await self.ask_value(ctx)
        ctx.data.update(value=value, before=before)
        if field == "funds" and not ctx.data.get("reason"):
            return await self.ask_reason(ctx)
        await self.ask_confirm(ctx)

    async def ask_reason(self, ctx: Ctx) -> None:
        required = ctx.data["field"] == "funds"
        ctx.ask("reason", t("edit.ask_reason_required" if required else "edit.ask_reason"))

    async def on_reason(self, ctx: Ctx, ans: Answer) -> None:
        reason = ctx.typed(ans.text.strip())[:fix.REASON_MAX]
        if not reason:
            return await self.ask_reason(ctx)
        ctx.data["reason"] = reason
        await self.ask_confirm(ctx)

    # -- confirm and record --------------------------------------------------------------------------
    async def ask_confirm(self, ctx: Ctx) -> None:
        p = await self.project(ctx)
        d = ctx.data
        since = {"funds": "edit.since_entry", "contract_wan": "edit.since_signing"}.get(d["field"], "edit.since_start")
        reason = t("edit.reason_line", reason=d["reason"]) if d.get("reason") else ""
        ctx.ask("confirm", t("edit.confirm", name=p.name, id=p.id, field=_label(ctx, d),
                             before=cv.shown(ctx, d["field"], d["before"]), after=cv.shown(ctx, d["field"], d["value"]),
                             since=t(since), reason=reason),
                [Choice(t("button.confirm"), YES), Choice(t("edit.add_reason"), REASON),
                 Choice(t("button.cancel"), NO)], columns=3)

    async def on_confirm(self, ctx: Ctx, ans: Answer) -> None:
        choice = ans.value or {"确认": YES, "是": YES, "取消": NO, "否": NO}.get(ans.text.strip())
        if choice == NO:
            ctx.finish()
            ctx.say(t("flow.cancelled", title=self.title))
            return
        if choice == REASON:
            return await self.ask_reason(ctx)
        if choice != YES:   # anything else typed here is the reason
            return await self.on_reason(ctx, ans)
        d = ctx.data
        # A decided funds report goes back to 待核实 when corrected (storage/projectors/evidence.py): say so.
        reopened = d["field"] == "funds" and any(
            r.seq == d["entry"] and r.status != "pending" for r in await ctx.uow.evidence.reports_of(d["project_id"]))
        try:
            await _record(ctx, d)
        except Refusal as refusal:
            ctx.finish()
            ctx.refuse(refusal)
            return
        ctx.finish()
        ctx.say(t("edit.done", name=d["project_name"], id=d["project_id"], field=_label(ctx, d),
                  before=cv.shown(ctx, d["field"], d["before"]), after=cv.shown(ctx, d["field"], d["value"])))
        if reopened:
            ctx.say(t("edit.funds_reopened"))

    def summary(self, data: dict[str, Any]) -> str:
        return t("edit.kept", name=data["project_name"]) if data.get("project_name") else t("flow.nothing_kept")


async def _record(ctx: Ctx, d: dict[str, Any]) -> None:
    field, pid, reason = d["field"], d["project_id"], d.get("reason")
    if field == "funds":
        await fix.correct_funds(ctx.uow, ctx.me, fix.CorrectFunds(pid, d["entry"], d["value"], reason or ""))
    elif field == "contract_wan":
        await fix.correct_contract(ctx.uow, ctx.me, fix.CorrectContract(pid, d["value"], reason))
    else:
        await uc.correct_project(ctx.uow, ctx.me, uc.CorrectProject(pid, {field: d["value"]}, reason=reason,
                                                                    from_start=True))


def _label(ctx: Ctx, d: dict[str, Any]) -> str:
    if d["field"] == "funds":
        return f"{cv.field_label('funds')}（{fmt.short_day(_day(d['entry_day']))}）"
    return cv.field_label(d["field"])


def _day(iso: str) -> date:
    return date.fromisoformat(iso)


FEATURE = Feature(
    commands=(Command("edit", ("修改", "更正"), flow="edit", order=31),),
    flows=(EditFlow(),),
)
