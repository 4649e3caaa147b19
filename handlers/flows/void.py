"""/void 撤销 `#编号 原因`: a lead entered by mistake leaves every list and figure (asked to confirm first);
/restore 恢复 `#编号`: the office's undo. Who may do either is the use case's rule (core.usecases.corrections)."""
from __future__ import annotations

import re
from typing import Any

from core.errors import Refusal
from core.projects import require_void_right
from core.usecases import corrections as fix
from texts import t
from handlers import cards
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Flow, Step
from handlers.matching import find_projects
from handlers.parsing import normalize_input
from handlers.parsing.ids import as_id
from handlers.registry import Command, Feature
from handlers.steps.pick_project import picked_project

_REF = re.compile(r"^[#＃]?(\d{1,18})(?:\s+|$)(.*)$", re.DOTALL)
YES, NO = "yes", "no"


def read_ref(args: str) -> tuple[int | None, str]:
    """`#12 重复录入` → (12, "重复录入"); without a number, (None, the whole text)."""
    text = normalize_input(args).strip()
    m = _REF.match(text)
    return (as_id(m.group(1)), m.group(2).strip()) if m else (None, text)


class VoidFlow(Flow):
    name = "void"

    def steps(self) -> dict[str, Step]:
        return {"reason": Step(self.ask_reason, self.on_reason), "confirm": Step(self.ask_confirm, self.on_confirm)}

    async def begin(self, ctx: Ctx, args: str) -> None:
        pid, reason = read_ref(args)
        if pid is None and reason:
            found, total = await find_projects(ctx.uow, ctx.cfg, reason)
            if total != 1:
                ctx.say(t("void.which", id=found[0].id, lines="\n".join(cards.project_line(ctx, p) for p in found))
                        if found else t("status.none", query=reason))
                return
            pid, reason = found[0].id, ""
        p = await ctx.uow.projects.get(pid) if pid is not None else None
        if p is None:
            ctx.say(t("void.usage") if pid is None else t("refusal.project_unknown", project_id=pid))
            return
        require_void_right(ctx.me, p)   # said before any question is asked
        if p.voided_at is not None:
            raise Refusal("already_voided", project_id=p.id)
        ctx.open(self.name, {"project_id": p.id, "project_name": p.name})
        if reason:
            ctx.data["reason"] = ctx.typed(reason)[:fix.REASON_MAX]
            await self.ask_confirm(ctx)
        else:
            await self.ask_reason(ctx)

    async def ask_reason(self, ctx: Ctx) -> None:
        ctx.ask("reason", t("void.ask_reason", name=ctx.data["project_name"], id=ctx.data["project_id"]))

    async def on_reason(self, ctx: Ctx, ans: Answer) -> None:
        reason = ctx.typed(ans.text.strip())[:fix.REASON_MAX]
        if not reason:
            return await self.ask_reason(ctx)
        ctx.data["reason"] = reason
        await self.ask_confirm(ctx)

    async def ask_confirm(self, ctx: Ctx) -> None:
        p = await picked_project(ctx)
        ctx.ask("confirm", t("void.confirm", name=p.name, id=p.id, unit=ctx.unit_name(p.owner_unit),
                             reason=ctx.data["reason"]),
                [Choice(t("void.yes"), YES), Choice(t("button.cancel"), NO)], columns=2)

    async def on_confirm(self, ctx: Ctx, ans: Answer) -> None:
        choice = ans.value or {"确认撤销": YES, "确认": YES, "是": YES, "取消": NO, "否": NO}.get(ans.text.strip())
        if choice is None:
            ctx.say(t("common.choose_one"))
            return await self.ask_confirm(ctx)
        d = ctx.data
        ctx.finish()
        if choice == NO:
            ctx.say(t("flow.cancelled", title=self.title))
            return
        p = await fix.void_project(ctx.uow, ctx.me, fix.VoidProject(d["project_id"], d["reason"]))
        ctx.say(t("void.done", name=p.name, id=p.id))

    def summary(self, data: dict[str, Any]) -> str:
        return t("edit.kept", name=data["project_name"]) if data.get("project_name") else t("flow.nothing_kept")


async def restore_command(ctx: Ctx, args: str) -> None:
    pid, reason = read_ref(args)
    if pid is None:
        ctx.say(t("restore.usage"))
        return
    p = await fix.restore_project(ctx.uow, ctx.me, fix.RestoreProject(pid, ctx.typed(reason) if reason else None))
    ctx.say(t("restore.done", name=p.name, id=p.id))


FEATURE = Feature(
    commands=(Command("void", ("撤销", "作废"), flow="void", order=32),
              Command("restore", ("恢复",), run=restore_command, order=85)),
    flows=(VoidFlow(),),
)
