"""/verify 核实: the funds reports waiting for this verifier, oldest first, each with its evidence; buttons
decide — 核实, 更正金额 (with a reason), 退回 (with a reason; the unit is told and may resubmit).

A member who verifies nothing sees their own unit's returned reports instead, each with 重新提交.
"""
from __future__ import annotations

from typing import Any

from core.errors import Refusal
from core.projects import require_write
from core.messages import Button, SendText
from core.records import FundsReport, Member
from core.roles import Role
from core.usecases import evidence as uc
from handlers.cards import member_names
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Flow, Step
from handlers.flows.evidence import send_file
from handlers.parsing.ids import as_id
from handlers.registry import Command, Feature
from handlers.steps.project_steps import parse_cny
from texts import formatting as fmt
from texts import t

LISTED = 10        # reports offered at once (the oldest)
FILES = 4          # evidence buttons under one report
BACK, SKIP = "__back__", "__skip__"


class VerifyFlow(Flow):
    name = "verify"

    async def begin(self, ctx: Ctx, args: str) -> None:
        me = ctx.me
        if me.role not in (Role.OFFICE_ADMIN, Role.UNIT_HEAD):
            await show_returned(ctx)
            return
        seq = as_id(args) if args.strip() else None
        if seq is not None and seq not in {r.seq for r in await uc.queue_for(ctx.uow, me)}:
            # `核实 123` opens only a report waiting for this verifier: another's stays theirs to read.
            raise Refusal("verify_not_yours", unit="")
        ctx.open(self.name)
        if seq is not None:
            ctx.data["seq"] = seq
            await self.ask_decide(ctx)
            return
        await self.ask_pick(ctx)

    def steps(self) -> dict[str, Step]:
        return {"pick": Step(self.ask_pick, self.on_pick), "decide": Step(self.ask_decide, self.on_decide),
                "amount": Step(self.ask_amount, self.on_amount), "reason": Step(self.ask_reason, self.on_reason),
                "return": Step(self.ask_return, self.on_return)}

    # -- the queue ------------------------------------------------------------------------------
    async def ask_pick(self, ctx: Ctx) -> None:
        queue = await uc.queue_for(ctx.uow, ctx.me)
        if not queue:
            ctx.finish()
            ctx.say(t("verify.empty"))
            return
        projects = {p.id: p for p in await ctx.uow.projects.many(sorted({r.project_id for r in queue[:LISTED]}))}
        lines = [t("verify.queue_title", count=len(queue))]
        choices = []
        for n, r in enumerate(queue[:LISTED], 1):
            name = projects[r.project_id].name if r.project_id in projects else f"#{r.project_id}"
            lines.append(t("verify.queue_line", n=n, name=name, unit=ctx.unit_name(r.unit),
                           amount=fmt.amount(r.amount_wan), day=fmt.short_day(ctx.local(r.waiting_since).date()),
                           waited=self.waited(ctx, r)))
            choices.append(Choice(t("verify.pick_button", n=n, name=_short(name)), str(r.seq)))
        if len(queue) > LISTED:
            lines.append(t("verify.queue_more", more=len(queue) - LISTED))
        ctx.ask("pick", "\n".join(lines), choices, columns=1)

    def waited(self, ctx: Ctx, r: FundsReport) -> int:
        days = ctx.workdays(ctx.cfg.calendar)
        return days.between(ctx.local(r.waiting_since).date(), ctx.today)

    async def on_pick(self, ctx: Ctx, ans: Answer) -> None:
        seq = as_id(ans.value or "")
        if seq is None:
            ctx.say(t("common.choose_one"))
            return await self.ask_pick(ctx)
        ctx.data["seq"] = seq
        await self.ask_decide(ctx)

    # -- one report -----------------------------------------------------------------------------
    async def ask_decide(self, ctx: Ctx) -> None:
        report = await ctx.uow.evidence.report(ctx.data["seq"])
        if report is None:
            ctx.finish()
            ctx.say(t("refusal.funds_report_unknown", seq=ctx.data["seq"]))
            return
        text, files = await report_card(ctx, report)
        if report.status != "pending":
            ctx.say(text)
            return await self.ask_pick(ctx)
        choices = [Choice(t("verify.confirm"), "ok"), Choice(t("verify.correct"), "correct"),
                   Choice(t("verify.return"), "return")]
        extra = [Choice(t("evidence.get_button", n=n, name=_short(name)), f"get:{seq}") for n, (seq, name) in
                 list(enumerate(files, 1))[:FILES]]
        extra.append(Choice(t("verify.back"), BACK))
        ctx.ask("decide", text, choices, columns=3, extra=extra)

    async def on_decide(self, ctx: Ctx, ans: Answer) -> None:
        value = ans.value or {t("verify.confirm"): "ok", t("verify.correct"): "correct",
                              t("verify.return"): "return"}.get(ans.text.strip())
        if value and value.startswith("get:"):
            await send_file(ctx, value.removeprefix("get:"))
            # The pressed card was marked as answered: offer the decision again under the file.
            return await self.ask_decide(ctx)
        if value == BACK:
            return await self.ask_pick(ctx)
        if value == "ok":
            return await self.decide(ctx, uc.verify_funds(ctx.uow, ctx.me, uc.VerifyFunds(ctx.data["seq"])))
        if value == "correct":
            return await self.ask_amount(ctx)
        if value == "return":
            return await self.ask_return(ctx)
        ctx.say(t("common.choose_one"))
        await self.ask_decide(ctx)

    async def ask_amount(self, ctx: Ctx) -> None:
        ctx.ask("amount", t("verify.ask_amount"), extra=[Choice(t("verify.back"), BACK)])

    async def on_amount(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == BACK:
            return await self.ask_decide(ctx)
        wan = parse_cny(ctx, ans.text, "update.funds_positive", capped=True)
        if wan is None:
            return await self.ask_amount(ctx)
        ctx.data["amount_wan"] = wan
        await self.ask_reason(ctx)

    async def ask_reason(self, ctx: Ctx) -> None:
        ctx.ask("reason", t("verify.ask_reason", amount=fmt.amount(ctx.data["amount_wan"])),
                extra=[Choice(t("verify.back"), BACK)])

    async def on_reason(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == BACK:
            return await self.ask_decide(ctx)
        if not ans.text.strip():
            return await self.ask_reason(ctx)
        cmd = uc.VerifyFunds(ctx.data["seq"], verified_wan=ctx.data["amount_wan"], reason=ctx.typed(ans.text.strip()))
        await self.decide(ctx, uc.verify_funds(ctx.uow, ctx.me, cmd))

    async def ask_return(self, ctx: Ctx) -> None:
        ctx.ask("return", t("verify.ask_return"), extra=[Choice(t("verify.back"), BACK)])

    async def on_return(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == BACK:
            return await self.ask_decide(ctx)
        if not ans.text.strip():
            return await self.ask_return(ctx)
        cmd = uc.ReturnFunds(ctx.data["seq"], reason=ctx.typed(ans.text.strip()))
        await self.decide(ctx, uc.return_funds(ctx.uow, ctx.me, cmd))

    async def decide(self, ctx: Ctx, decision: Any) -> None:
        try:
            report: FundsReport = await decision
        except Refusal as refusal:
            ctx.refuse(refusal)
            return await self.ask_pick(ctx)
        p = await ctx.uow.projects.get(report.project_id)
        name = p.name if p else f"#{report.project_id}"
        if report.status == "verified":
            ctx.say(t("verify.verified", name=name, amount=fmt.amount(report.verified_wan)))
        else:
            ctx.say(t("verify.returned", name=name, unit=ctx.unit_name(report.unit)))
        await tell_reporter(ctx, report, name)
        ctx.data.pop("amount_wan", None)
        await self.ask_pick(ctx)

    def summary(self, data: dict[str, Any]) -> str:
        return t("verify.kept")


async def report_card(ctx: Ctx, r: FundsReport) -> tuple[str, list[tuple[int, str]]]:
    """One report as the verifier reads it, and its evidence (attachment seq, name), newest last."""
    p = await ctx.uow.projects.get(r.project_id)
    names = await member_names(ctx, {r.reported_by, r.decided_by})
    lines = [t("verify.card_title", seq=r.seq, id=r.project_id, name=p.name if p else "—"),
             t("verify.card_report", unit=ctx.unit_name(r.unit), amount=fmt.amount(r.amount_wan),
               who=names.get(r.reported_by or -1, "—"), day=fmt.short_day(ctx.local(r.reported_at).date())),
             t(f"verify.status.{r.status}", amount=fmt.amount(r.verified_wan))]
    if p is not None:
        lines.append(t("verify.card_project", stage=fmt.stage(p.stage), contract=fmt.amount(p.contract_wan),
                       total=fmt.amount(p.funds_wan)))
    if r.reason:
        lines.append(t("verify.card_reason", reason=r.reason))
    if r.note:
        lines.append(t("verify.card_note", note=r.note))
    files = await ctx.uow.evidence.files(r.project_id)
    if files:
        lines.append(t("verify.card_files", count=len(files)))
        lines += [t("verify.card_file", n=n, name=f.name, size=fmt.size(f.size),
                    day=fmt.short_day(ctx.local(f.at).date())) for n, f in enumerate(files, 1)]
    else:
        lines.append(t("verify.card_no_files"))
    return "\n".join(lines), [(f.seq, f.name) for f in files]


async def tell_reporter(ctx: Ctx, r: FundsReport, name: str) -> None:
    """The reporter learns the decision through the outbox (another chat, maybe another channel)."""
    if r.reported_by is None:
        return
    if r.status == "verified":
        text = t("verify.told_verified", id=r.project_id, name=name, amount=fmt.amount(r.amount_wan),
                 verified=fmt.amount(r.verified_wan), reason=t("verify.told_reason", reason=r.reason) if r.reason else "")
        action = SendText(text=text)
    else:
        text = t("verify.told_returned", id=r.project_id, name=name, amount=fmt.amount(r.amount_wan),
                 reason=r.reason or "")
        action = SendText(text=text, buttons=((Button(label=t("verify.resubmit_button"), payload=f"s:resubmit:{r.seq}"),
                                                Button(label=t("evidence.attach_button"),
                                                       payload=f"s:attach:{r.project_id}")),))
    key = f"funds:{r.seq}:{r.status}:{int(r.decided_at.timestamp()) if r.decided_at else 0}"
    await ctx.uow.outbox.enqueue_member(key, f"funds_{r.status}", r.reported_by, action)


async def show_returned(ctx: Ctx) -> None:
    """A member's view of /verify: their unit's returned reports, each with 重新提交."""
    me: Member = ctx.me
    returned = await ctx.uow.evidence.waiting(units=[me.unit], status="returned")
    pending = await ctx.uow.evidence.waiting(units=[me.unit])
    if not returned:
        ctx.say(t("verify.member_none", pending=len(pending)))
        return
    projects = {p.id: p for p in await ctx.uow.projects.many(sorted({r.project_id for r in returned}))}
    lines = [t("verify.member_title", count=len(returned), pending=len(pending))]
    choices = []
    for r in returned[:LISTED]:
        name = projects[r.project_id].name if r.project_id in projects else f"#{r.project_id}"
        lines.append(t("verify.member_line", id=r.project_id, name=name, amount=fmt.amount(r.amount_wan),
                       reason=r.reason or ""))
        choices.append((t("verify.resubmit_named", name=_short(name)), f"s:resubmit:{r.seq}"))
    ctx.offer("\n".join(lines), choices)


class ResubmitFlow(Flow):
    """A returned report again: files sent now attach to its project; then a note (or 跳过) resubmits it."""

    name = "resubmit"

    async def begin(self, ctx: Ctx, args: str) -> None:
        seq = as_id(args)
        report = await ctx.uow.evidence.report(seq) if seq is not None else None
        if report is None:
            ctx.say(t("verify.resubmit_usage"))
            return
        if report.status != "returned":
            raise Refusal("resubmit_not_returned", seq=report.seq)
        p = await ctx.uow.projects.get(report.project_id)
        if p is not None:
            require_write(ctx.me, p.responsible_unit)  # the button is not trusted: only the unit resubmits
        ctx.open(self.name, {"seq": report.seq, "project_id": report.project_id,
                             "project_name": p.name if p else ""})
        await self.ask_note(ctx)

    def steps(self) -> dict[str, Step]:
        return {"note": Step(self.ask_note, self.on_note)}

    async def ask_note(self, ctx: Ctx) -> None:
        ctx.ask("note", t("verify.ask_note", id=ctx.data["project_id"], name=ctx.data["project_name"]),
                extra=[Choice(t("verify.resubmit_now"), SKIP)])

    async def on_note(self, ctx: Ctx, ans: Answer) -> None:
        note = None if ans.value == SKIP else ctx.typed(ans.text.strip()) or None
        seq, name = ctx.data["seq"], ctx.data["project_name"]
        ctx.finish()
        report = await uc.resubmit_funds(ctx.uow, ctx.me, uc.ResubmitFunds(seq, note=note))
        ctx.say(t("verify.resubmitted", name=name, amount=fmt.amount(report.amount_wan)))


async def verify_action(ctx: Ctx, arg: str) -> None:
    """去核实 under a reminder: the queue, as /verify shows it (the sender decides what is shown)."""
    await VerifyFlow().begin(ctx, arg)


async def resubmit_action(ctx: Ctx, arg: str) -> None:
    await ResubmitFlow().begin(ctx, arg)


def _short(name: str, n: int = 16) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


FEATURE = Feature(
    commands=(Command("verify", ("核实", "核查", "待核实"), flow="verify", order=34),
              Command("resubmit", ("重新提交",), flow="resubmit", order=36, in_menu=False)),
    flows=(VerifyFlow(), ResubmitFlow()),
    actions={"resubmit": resubmit_action, "verify": verify_action},
)
