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
from core.halfmonthly import parse_period, period_id, reporting_units
from core.usecases.halfmonthly import Entry, SubmitReport, submit_report
from core.stages import Stage, next_stages, rank, stage_from_text
from core.usecases import projects as uc
from handlers import formatting as fmt
from handlers.catalog import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Flow
from handlers.parsing import AmountError, parse_amount
from handlers.registry import Command, Feature, registry
from core.workdays import Workdays, deadline, due_date, last_closed_period, open_period

ITEM_ACTIONS = ("unchanged", "note", "stage", "funds", "problem")
BACK = "__back__"


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日（周{fmt.WEEKDAYS[d.weekday()]}）"


class ReportFlow(Flow):
    name = "report"

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
            period = parse_period(wanted, cal.half_monthly_days)
            if period is None:
                self._close(ctx)
                ctx.say(t("report.bad_period", text=wanted))
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
            state.data.pop("_parked", None)
            state.data.pop("_menu", None)
            state.expires_at = ctx.now + ctx.timeout
            ctx.state_dirty = True
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
        projects = [p for p in await ctx.uow.projects.of_unit(unit) if p.responsible_unit == unit]
        ids = sorted(p.id for p in projects)
        closes = deadline(period, cal, ctx.tz, days)
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
        return ctx.data["entries"].setdefault(str(project_id), {"actions": [], "seqs": []})

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
        ctx.ask("item", text, [first] + [Choice(t(f"report.action.{a}"), a) for a in ITEM_ACTIONS[1:]], columns=2)

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
        await getattr(self, f"ask_{action}")(ctx)

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
        for key in ("target", "reason", "contract_wan", "amount_wan", "over_ok"):
            ctx.data.pop(key, None)
        try:
            await write
        except Refusal as refusal:
            ctx.refuse(refusal)
            return await self.ask_item(ctx)
        await self._done(ctx, p, action)

    def _back(self, ans: Answer) -> bool:
        return ans.value == BACK or ans.text.strip() == t("report.back")

    def _back_choice(self) -> list[Choice]:
        return [Choice(t("report.back"), BACK)]

    # -- 更新进展 -----------------------------------------------------------------------------------
    async def ask_note(self, ctx: Ctx) -> None:
        p = await self.current(ctx)
        assert p is not None
        ctx.ask("note", t("report.ask_note", name=p.name), extra=self._back_choice())

    async def on_note(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.current(ctx)
        if p is None or self._back(ans):
            return await self.ask_item(ctx)
        if not ans.text.strip():
            return await self.ask_note(ctx)
        await self._write(ctx, p, "note", uc.add_note(ctx.uow, ctx.me, uc.AddNote(p.id, ans.text.strip()[:2000])))

    # -- 问题 -------------------------------------------------------------------------------------
    async def ask_problem(self, ctx: Ctx) -> None:
        p = await self.current(ctx)
        assert p is not None
        ctx.ask("problem", t("report.ask_problem", name=p.name), extra=self._back_choice())

    async def on_problem(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.current(ctx)
        if p is None or self._back(ans):
            return await self.ask_item(ctx)
        if not ans.text.strip():
            return await self.ask_problem(ctx)
        await self._write(ctx, p, "problem", uc.raise_problem(ctx.uow, ctx.me, uc.RaiseProblem(p.id, ans.text.strip()[:2000])))

    # -- 阶段变更 -----------------------------------------------------------------------------------
    async def ask_stage(self, ctx: Ctx) -> None:
        p = await self.current(ctx)
        assert p is not None
        options = next_stages(p.stage)
        if not options:
            ctx.say(t("refusal.stage_terminated", current=fmt.stage(p.stage), target=fmt.stage(p.stage)))
            return await self.ask_item(ctx)
        ctx.ask("stage", t("update.ask_stage", stage=fmt.stage(p.stage)),
                [Choice(fmt.stage(s), s.value) for s in options], columns=3, extra=self._back_choice())

    async def on_stage(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.current(ctx)
        if p is None or self._back(ans):
            return await self.ask_item(ctx)
        target = Stage(ans.value) if ans.value else stage_from_text(ans.text)
        if target is None or target not in next_stages(p.stage):
            ctx.say(t("update.stage_not_allowed", text=ans.text, stage=fmt.stage(p.stage)))
            return await self.ask_stage(ctx)
        ctx.data["target"] = target.value
        if target is Stage.TERMINATED:
            return await self.ask_reason(ctx)
        if rank(target) >= rank(Stage.SIGNED) and p.contract_wan is None:
            return await self.ask_contract(ctx)
        await self._stage(ctx, p)

    async def ask_reason(self, ctx: Ctx) -> None:
        ctx.ask("reason", t("update.ask_reason"), extra=self._back_choice())

    async def on_reason(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.current(ctx)
        if p is None or self._back(ans):
            return await self.ask_item(ctx)
        if not ans.text.strip():
            return await self.ask_reason(ctx)
        ctx.data["reason"] = ans.text.strip()[:500]
        await self._stage(ctx, p)

    async def ask_contract(self, ctx: Ctx) -> None:
        ctx.ask("contract", t("update.ask_contract"), extra=self._back_choice())

    async def on_contract(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.current(ctx)
        if p is None or self._back(ans):
            return await self.ask_item(ctx)
        try:
            amount = parse_amount(ans.text)
        except AmountError as exc:
            ctx.say(str(exc))
            return await self.ask_contract(ctx)
        if amount.currency != "CNY" or amount.wan <= 0:
            ctx.say(t("update.contract_cny"))
            return await self.ask_contract(ctx)
        ctx.data["contract_wan"] = amount.wan
        await self._stage(ctx, p)

    async def _stage(self, ctx: Ctx, p: Project) -> None:
        d = ctx.data
        target, contract, reason = Stage(d["target"]), d.get("contract_wan"), d.get("reason")
        await self._write(ctx, p, "stage", uc.change_stage(ctx.uow, ctx.me, uc.ChangeStage(p.id, target, contract_wan=contract, reason=reason)))

    # -- 到位资金 -----------------------------------------------------------------------------------
    async def ask_funds(self, ctx: Ctx) -> None:
        p = await self.current(ctx)
        assert p is not None
        if rank(p.stage) < rank(Stage.SIGNED):
            ctx.say(t("refusal.funds_before_signing", current=fmt.stage(p.stage)))
            return await self.ask_item(ctx)
        ctx.ask("funds", t("update.ask_funds", total=fmt.amount(p.funds_wan), contract=fmt.amount(p.contract_wan)),
                extra=self._back_choice())

    async def on_funds(self, ctx: Ctx, ans: Answer) -> None:
        p = await self.current(ctx)
        if p is None or self._back(ans):
            return await self.ask_item(ctx)
        try:
            amount = parse_amount(ans.text)
        except AmountError as exc:
            ctx.say(str(exc))
            return await self.ask_funds(ctx)
        if amount.currency != "CNY" or amount.wan <= 0:
            ctx.say(t("update.funds_positive"))
            return await self.ask_funds(ctx)
        ctx.data["amount_wan"] = amount.wan
        total = p.funds_wan + amount.wan
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
        amount = ctx.data["amount_wan"]
        await self._write(ctx, p, "funds", uc.add_funds(ctx.uow, ctx.me, uc.AddFunds(p.id, amount, confirmed_over_contract=over_ok)))

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
