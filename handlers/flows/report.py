"""/report 半月报: walk the reporter through each of the unit's tracked projects (无变化 / 更新进展 /
阶段变更 / 到位资金 / 问题), then a summary to confirm. Each update is its own ledger event, written
as it is entered; confirming writes the `report.submitted` event, on time or late. The walk's
position lives in the conversation row, so a restart in the middle continues where it was.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from core.errors import Refusal
from core.records import Project
from core.halfmonthly import period_id, read_period, reporting_units
from core.usecases.halfmonthly import Entry, SubmitReport, submit_report
from core.stages import Stage, rank
from core.usecases import projects as uc
from texts import formatting as fmt
from texts import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Flow, Step
from handlers.registry import Command, Feature, registry
from handlers.steps.effective_date import keep_date, on_instant
from handlers.steps.project_steps import BACK, Around, StageSteps, TextStep, parse_cny
from core.workdays import Workdays, deadline, due_date, last_closed_period, open_period

ITEM_ACTIONS = ("unchanged", "note", "stage", "funds", "problem")


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日（周{fmt.WEEKDAYS[d.weekday()]}）"


class ReportFlow(Flow):
    name = "report"

    def __init__(self) -> None:
        # The walk's project is the current one; 返回 (or a project gone meanwhile) goes back to it.
        self.around = Around(self.current, back=self.ask_item)
        self.stage = StageSteps(self.around, self._stage, capped=False, dated=True)  # the use case refuses too much
        self.note = TextStep("note", self.around, lambda ctx, p: t("report.ask_note", name=p.name), self._note)
        self.problem = TextStep("problem", self.around, lambda ctx, p: t("report.ask_problem", name=p.name),
                                self._problem)

    def steps(self) -> dict[str, Step]:
        return {"item": Step(self.ask_item, self.on_item), **self.note.steps(), **self.problem.steps(),
                **self.stage.steps(), "funds": Step(self.ask_funds, self.on_funds),
                "over": Step(self.ask_over, self.on_over), "confirm": Step(self.ask_confirm, self.on_confirm)}

    async def begin(self, ctx: Ctx, args: str) -> None:
        await self.start(ctx, args.strip() or None)

    # -- opening ----------------------------------------------------------------------------------
    async def start(self, ctx: Ctx, wanted: str | None) -> None:
        cal = ctx.cfg.calendar
        days = ctx.workdays(cal)
        unit = ctx.me.unit
        if unit not in reporting_units(ctx.cfg, await ctx.uow.org.members(unit=unit)):
            self._close(ctx)
            ctx.say(t("report.not_required", unit=ctx.unit_name(unit)))
            return
        current = open_period(ctx.now, cal, ctx.tz, days)
        if wanted is not None:
            period = read_period(wanted, cal.half_monthly_days, ctx.today)
            if period is None:
                self._close(ctx)
                ctx.say(t("report.bad_period", text=wanted,
                          days="、".join(f"{d}日" for d in sorted(cal.half_monthly_days))))
                return
            if period > current:
                self._close(ctx)
                ctx.say(t("report.not_open", period=_short(period), current=_short(current)))
                return
        else:
            period = current
        state = ctx.state
        if state is not None and state.flow == self.name and state.data.get("period") == period_id(period) \
                and state.data.get("unit") == unit:
            # The same report is open (or paused): go on where it was rather than start again.
            ctx.unpause()
            ctx.say(t("report.resumed", period=_short(period)))
            await self.reask(ctx)
            return
        existing = await ctx.uow.reports.submission(unit, period_id(period))
        if existing is not None:
            self._close(ctx)
            ctx.say(t("report.already", unit=ctx.unit_name(unit), period=_short(period),
                      at=ctx.local(existing.submitted_at).strftime("%m-%d %H:%M"),
                      status=t("report.on_time") if existing.on_time else t("report.late")))
            return
        closes = deadline(period, cal, ctx.tz, days)
        # A back-dated report covers what the unit had by that deadline, not leads logged since.
        projects = [p for p in await ctx.uow.projects.of_unit(unit)
                    if p.responsible_unit == unit and p.created_at <= closes]
        ids = sorted(p.id for p in projects)
        ctx.open(self.name, {"period": period_id(period), "unit": unit, "deadline": closes.isoformat(),
                             "ids": ids, "i": 0, "entries": {}})
        due = due_date(period, cal, days)
        key = "report.intro_late" if ctx.now > closes else "report.intro"
        ctx.say(t(key, unit=ctx.unit_name(unit), period=_short(period), due=_day(due), count=len(ids)))
        if wanted is None and period == current:
            await self._mention_missed(ctx, unit, current, days)
        await self.ask_item(ctx)

    async def _mention_missed(self, ctx: Ctx, unit: str, current: date, days: Workdays) -> None:
        last = last_closed_period(ctx.now, ctx.cfg.calendar, ctx.tz, days)
        if last < current and await ctx.uow.reports.submission(unit, period_id(last)) is None:
            ctx.say(t("report.missed", period=_short(last), payload=period_id(last)))

    def _close(self, ctx: Ctx) -> None:
        if ctx.flow == self.name:
            ctx.finish()

    # -- one project at a time --------------------------------------------------------------------
    async def current(self, ctx: Ctx) -> Project | None:
        d = ctx.data
        while d["i"] < len(d["ids"]):
            p = await ctx.uow.projects.get(d["ids"][d["i"]])
            if p is not None:
                return p
            d["i"] += 1
        return None

    def entry(self, ctx: Ctx, project_id: int) -> dict[str, list[Any]]:
        entry: dict[str, list[Any]] = ctx.data["entries"].setdefault(str(project_id), {"actions": [], "seqs": []})
        return entry

    async def ask_item(self, ctx: Ctx) -> None:
        p = await self.current(ctx)
        if p is None:
            return await self.ask_confirm(ctx)
        d = ctx.data
        done = d["entries"].get(str(p.id), {}).get("actions", [])
        money = fmt.amount(p.contract_wan if p.contract_wan is not None else p.intended_wan)
        text = t("report.item", n=d["i"] + 1, total=len(d["ids"]), id=p.id, name=p.name, stage=fmt.stage(p.stage),
                 amount=money, funds=fmt.amount(p.funds_wan), age=fmt.age(p.updated_at, ctx.now))
        if done:
            text += "\n" + t("report.item_done", actions="、".join(t(f"report.action.{a}") for a in done))
        first = Choice(t("report.next") if done else t("report.action.unchanged"), "unchanged")
        # 到位资金 only from 签约 on: a 线索 or 在谈 has none to report.
        actions = [a for a in ITEM_ACTIONS[1:] if a != "funds" or rank(p.stage) >= rank(Stage.SIGNED)]
        ctx.ask("item", text, [first] + [Choice(t(f"report.action.{a}"), a) for a in actions], columns=2)

    async def on_item(self, ctx: Ctx, ans: Answer) -> None:
        action = ans.value or next((a for a in ITEM_ACTIONS if t(f"report.action.{a}") == ans.text.strip()), None)
        if action is None and ans.text.strip() in (t("report.next"), "无变化", "下一个"):
            action = "unchanged"
        if action not in ITEM_ACTIONS:
            ctx.say(t("common.choose_one"))
            return await self.ask_item(ctx)
        p = await self.current(ctx)
        if p is None:
            return await self.ask_confirm(ctx)
        if action == "unchanged":
            self.entry(ctx, p.id)
            ctx.data["i"] += 1
            return await self.ask_item(ctx)
        await self.ask_step(ctx, action)

    async def _done(self, ctx: Ctx, p: Project, action: str) -> None:
        """An update was recorded: note it (with its event) and offer the same project again."""
        latest = await ctx.uow.projects.events(p.id, limit=1)
        entry = self.entry(ctx, p.id)
        entry["actions"].append(action)
        if latest:
            entry["seqs"].append(latest[-1].seq)
        ctx.say(t("report.recorded", name=p.name, action=t(f"report.action.{action}")))
        await self.ask_item(ctx)

    async def _write(self, ctx: Ctx, p: Project, action: str, write: Any) -> None:
        for key in ("target", "reason", "contract_wan", "amount_wan", "over_ok", "on"):
            ctx.data.pop(key, None)
        try:
            await write
        except Refusal as refusal:
            ctx.refuse(refusal)
            return await self.ask_item(ctx)
        await self._done(ctx, p, action)

    # -- 更新进展, 问题, 阶段变更: the steps /update has too, with 返回 to the project ---------------
    async def _note(self, ctx: Ctx, p: Project, text: str) -> None:
        await self._write(ctx, p, "note", uc.add_note(ctx.uow, ctx.me, uc.AddNote(p.id, text)))

    async def _problem(self, ctx: Ctx, p: Project, text: str) -> None:
        await self._write(ctx, p, "problem", uc.raise_problem(ctx.uow, ctx.me, uc.RaiseProblem(p.id, text)))

    async def _stage(self, ctx: Ctx, p: Project) -> None:
        d = ctx.data
        change = uc.ChangeStage(p.id, Stage(d["target"]), contract_wan=d.get("contract_wan"), reason=d.get("reason"),
                                on=on_instant(ctx))
        await self._write(ctx, p, "stage", uc.change_stage(ctx.uow, ctx.me, change))

    # -- 到位资金 -----------------------------------------------------------------------------------
    async def ask_funds(self, ctx: Ctx) -> None:
        p = await self.current(ctx)
        assert p is not None
        if rank(p.stage) < rank(Stage.SIGNED):
            ctx.say(t("refusal.funds_before_signing", current=fmt.stage(p.stage)))
            return await self.ask_item(ctx)
        ctx.ask("funds", t("update.ask_funds", total=fmt.amount(p.funds_wan), contract=fmt.amount(p.contract_wan)),
                extra=self.around.extra())

    async def on_funds(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.current(ctx)
        if p is None or self.around.went_back(p, ans):
            return await self.ask_item(ctx)
        text = await keep_date(ctx, p, ans.text, funds=True)   # `500万 日期 11月20日`
        # The use case refuses too much.
        wan = parse_cny(ctx, text, "update.funds_positive", capped=False) if text is not None else None
        if wan is None:
            return await self.ask_funds(ctx)
        ctx.data["amount_wan"] = wan
        total = p.funds_wan + wan
        if p.contract_wan is not None and total > p.contract_wan:
            ctx.ask("over", t("update.over_contract", total=fmt.amount(total), contract=fmt.amount(p.contract_wan)),
                    [Choice(t("update.over_yes"), "yes"), Choice(t("report.back"), BACK)], columns=1)
            return None
        await self._funds(ctx, p, over_ok=False)

    async def ask_over(self, ctx: Ctx) -> None:
        await self.ask_funds(ctx)

    async def on_over(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.current(ctx)
        if p is None or ans.value != "yes":
            return await self.ask_item(ctx)
        await self._funds(ctx, p, over_ok=True)

    async def _funds(self, ctx: Ctx, p: Project, *, over_ok: bool) -> None:
        funds = uc.AddFunds(p.id, ctx.data["amount_wan"], confirmed_over_contract=over_ok, on=on_instant(ctx))
        await self._write(ctx, p, "funds", uc.add_funds(ctx.uow, ctx.me, funds))

    # -- the summary and the submission ---------------------------------------------------------
    async def ask_confirm(self, ctx: Ctx) -> None:
        d = ctx.data
        period = date.fromisoformat(d["period"])
        projects = {p.id: p for p in await ctx.uow.projects.many(d["ids"])}
        lines = [t("report.summary_title", unit=ctx.unit_name(d["unit"]), period=_short(period))]
        for pid in d["ids"]:
            p = projects.get(pid)
            actions = d["entries"].get(str(pid), {}).get("actions", [])
            what = "、".join(t(f"report.action.{a}") for a in actions) or t("report.action.unchanged")
            lines.append(t("report.summary_line", id=pid, name=p.name if p else f"#{pid}", what=what))
        if not d["ids"]:
            lines.append(t("report.summary_empty"))
        updated = sum(1 for e in d["entries"].values() if e["actions"])
        lines.append(t("report.summary_counts", total=len(d["ids"]), updated=updated,
                       unchanged=len(d["ids"]) - updated))
        late = ctx.now > datetime.fromisoformat(d["deadline"])
        lines.append(t("report.will_be_late") if late else t("report.will_be_on_time"))
        ctx.ask("confirm", "\n".join(lines), [Choice(t("report.submit"), "yes"), Choice(t("button.cancel"), "no")])

    async def on_confirm(self, ctx: Ctx, ans: Answer) -> None:
        choice = ans.value or {t("report.submit"): "yes", "确认": "yes", t("button.cancel"): "no"}.get(ans.text.strip())
        if choice == "no":
            ctx.finish()
            ctx.say(t("report.cancelled"))
            return
        if choice != "yes":
            ctx.say(t("common.choose_one"))
            return await self.ask_confirm(ctx)
        d = ctx.data
        entries = [Entry(project_id=pid, actions=tuple(d["entries"].get(str(pid), {}).get("actions", [])),
                         seqs=tuple(d["entries"].get(str(pid), {}).get("seqs", []))) for pid in d["ids"]]
        ctx.finish()
        try:
            done = await submit_report(ctx.uow, ctx.me, SubmitReport(unit=d["unit"], period=d["period"], deadline=datetime.fromisoformat(d["deadline"]), entries=entries))
        except Refusal as refusal:
            ctx.refuse(refusal)
            return
        period = date.fromisoformat(d["period"])
        ctx.say(t("report.submitted", unit=ctx.unit_name(d["unit"]), period=_short(period),
                  status=t("report.on_time") if done.on_time else t("report.late"), total=len(entries)))

    def summary(self, data: dict[str, Any]) -> str:
        if not data.get("period"):
            return t("flow.nothing_kept")
        period = date.fromisoformat(data["period"])
        return t("report.kept", period=_short(period), done=min(data.get("i", 0), len(data.get("ids", []))),
                 total=len(data.get("ids", [])))


def _short(d: date) -> str:
    return f"{d.month}月{d.day}日"


async def report_button(ctx: Ctx, arg: str) -> None:
    """[开始填报] on a reminder (`s:report:<period>`): the unit is the sender's, whatever the button says."""
    if ctx.flow is not None and ctx.flow != ReportFlow.name:
        ctx.say(t("flow.replaced", title=registry().flows[ctx.flow].title))
    await REPORT.start(ctx, arg or None)


REPORT = ReportFlow()

FEATURE = Feature(
    commands=(Command("report", ("半月报", "填报"), flow="report", order=35),),
    flows=(REPORT,),
    actions={"report": report_button},
)
