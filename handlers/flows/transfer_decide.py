"""接收 / 拒绝 a transfer or routing: the receiver's head (or the office) decides; a refusal needs a reason.

Buttons carry only the transfer id (`s:tr_ok:12`, `s:tr_no:12`, `s:tr_wd:12`); channels without
buttons type 接收 12 / 拒绝 12 原因. Whoever presses is authorised by the use case, never by the button.
"""
from __future__ import annotations

from typing import Any

from core import sharing as sh
from core.roles import Role
from core.usecases import sharing as share_uc
from handlers import sharing_pushes as pushes
from texts import t
from handlers.context import Answer, Ctx
from handlers.flows.base import Flow, Step
from handlers.registry import Command, Feature, registry
from handlers.parsing.ids import as_id


def _office(ctx: Ctx) -> bool:
    return ctx.me.role is Role.OFFICE_ADMIN


class RefuseFlow(Flow):
    """The receiver's head declines: one question, the reason, which the owner will read.

    `/refuse 12 原因` (拒绝 12 原因) decides at once; `/refuse 12` or the [拒绝] button asks the reason.
    """

    name = "transfer_refuse"

    async def begin(self, ctx: Ctx, args: str) -> None:
        head, _, reason = args.strip().partition(" ")
        transfer_id = _id(head)
        if transfer_id is None:
            await incoming(ctx)
        elif reason.strip():
            await refuse(ctx, transfer_id, reason.strip())
        else:
            await self.start(ctx, transfer_id)

    async def start(self, ctx: Ctx, transfer_id: int) -> None:
        transfer = await share_uc.require_decider(ctx.uow, ctx.me, transfer_id)
        ctx.open(self.name, {"transfer_id": transfer.id})
        await self.ask_reason(ctx)

    async def ask_reason(self, ctx: Ctx) -> None:
        transfer = await ctx.uow.sharing.transfer(ctx.data["transfer_id"])
        project = await ctx.uow.projects.get(transfer.project_id) if transfer else None
        ctx.ask("reason", t("sharing.ask_refuse_reason", name=project.name if project else "—",
                            unit=ctx.unit_name(transfer.from_unit if transfer else None)))

    async def on_reason(self, ctx: Ctx, ans: Answer) -> None:
        if not ans.text.strip():
            return await self.ask_reason(ctx)
        transfer_id = ctx.data["transfer_id"]
        ctx.finish()
        await refuse(ctx, transfer_id, ans.text.strip())

    def steps(self) -> dict[str, Step]:
        return {"reason": Step(self.ask_reason, self.on_reason, takes_text=True)}

    def summary(self, data: dict[str, Any]) -> str:
        return t("sharing.refuse_kept", id=data.get("transfer_id", "—"))


# -- decisions (buttons and typed commands) -----------------------------------------------------
async def accept(ctx: Ctx, transfer_id: int) -> None:
    transfer = await share_uc.accept_transfer(ctx.uow, ctx.me, share_uc.AcceptTransfer(transfer_id))
    project = await ctx.uow.projects.get(transfer.project_id)
    assert project is not None
    await pushes.transfer_decided(ctx.uow, ctx.cfg, transfer, project, ctx.me)
    credit = await ctx.uow.sharing.credit(project.id)
    lines = [t("sharing.accepted", name=project.name, unit=ctx.unit_name(transfer.to_unit),
               owner=ctx.unit_name(project.owner_unit))]
    if project.contact:
        lines.append(t("status.contact", contact=project.contact))
    if credit is not None:
        lines.append(credit_line(ctx, credit))
    ctx.say("\n".join(lines))


def credit_line(ctx: Ctx, c: sh.CreditSnapshot) -> str:
    rule = c.rule_name or t("sharing.credit_no_rule")
    return t("sharing.credit", rule=rule, owner=ctx.unit_name(c.owner_unit), owner_pct=c.owner_pct,
             host=ctx.unit_name(c.host_unit), host_pct=c.host_pct)


async def refuse(ctx: Ctx, transfer_id: int, reason: str) -> None:
    transfer = await share_uc.refuse_transfer(ctx.uow, ctx.me, share_uc.RefuseTransfer(transfer_id, reason))
    project = await ctx.uow.projects.get(transfer.project_id)
    assert project is not None
    await pushes.transfer_decided(ctx.uow, ctx.cfg, transfer, project, ctx.me)
    ctx.say(t("sharing.refused", name=project.name, unit=ctx.unit_name(transfer.from_unit)))


async def withdraw(ctx: Ctx, transfer_id: int) -> None:
    transfer = await share_uc.withdraw_transfer(ctx.uow, ctx.me, share_uc.WithdrawTransfer(transfer_id))
    project = await ctx.uow.projects.get(transfer.project_id)
    assert project is not None
    await pushes.transfer_withdrawn(ctx.uow, ctx.cfg, transfer, project, ctx.me)
    ctx.say(t("sharing.withdrawn", name=project.name, unit=ctx.unit_name(transfer.to_unit)))


def _id(text: str) -> int | None:
    return as_id(text)


async def accept_action(ctx: Ctx, arg: str) -> None:
    transfer_id = _id(arg)
    if transfer_id is None:
        ctx.say(t("button.expired"))
        return
    await accept(ctx, transfer_id)


async def refuse_action(ctx: Ctx, arg: str) -> None:
    transfer_id = _id(arg)
    if transfer_id is None:
        ctx.say(t("button.expired"))
        return
    await share_uc.require_decider(ctx.uow, ctx.me, transfer_id)
    if ctx.flow is not None and ctx.flow != RefuseFlow.name:
        ctx.say(t("flow.replaced", title=registry().flows[ctx.flow].title))
    await REFUSE_FLOW.start(ctx, transfer_id)


async def withdraw_action(ctx: Ctx, arg: str) -> None:
    transfer_id = _id(arg)
    if transfer_id is None:
        ctx.say(t("button.expired"))
        return
    await withdraw(ctx, transfer_id)


async def incoming(ctx: Ctx) -> None:
    """What waits for this head's (or the office's) decision, with the buttons again."""
    unit = None if _office(ctx) else ctx.me.unit
    waiting = await ctx.uow.sharing.pending_transfers(to_unit=unit)
    if not waiting:
        ctx.say(t("sharing.incoming_none"))
        return
    lines = [t("sharing.incoming_title", count=len(waiting))]
    choices: list[tuple[str, str]] = []
    for tr in waiting[:10]:
        p = await ctx.uow.projects.get(tr.project_id)
        name = p.name if p else f"#{tr.project_id}"
        lines.append(t("sharing.incoming_line", id=tr.id, name=name, unit=ctx.unit_name(tr.from_unit),
                       to=ctx.unit_name(tr.to_unit), reason=tr.reason))
        choices += [(t("sharing.accept_label", id=tr.id, name=name), f"s:tr_ok:{tr.id}"),
                    (t("sharing.refuse_label", id=tr.id, name=name), f"s:tr_no:{tr.id}")]
    ctx.offer("\n".join(lines), choices, columns=2)


async def accept_command(ctx: Ctx, args: str) -> None:
    transfer_id = _id(args)
    if transfer_id is None:
        await incoming(ctx)
        return
    await accept(ctx, transfer_id)


REFUSE_FLOW = RefuseFlow()

FEATURE = Feature(
    commands=(
        Command("accept", ("接收",), run=accept_command, order=74),
        Command("refuse", ("拒绝",), flow="transfer_refuse", in_menu=False, order=75),
    ),
    flows=(REFUSE_FLOW,),
    actions={"tr_ok": accept_action, "tr_no": refuse_action, "tr_wd": withdraw_action},
)
