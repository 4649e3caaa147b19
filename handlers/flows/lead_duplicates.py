"""The lead flow's duplicate check: similar projects shown, then stop, open one, log anyway, or join as
a supporting unit where a district already holds the project (宣城's rule)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.names import normalize_company_name
from core.records import ProjectTraits
from core.usecases.leads import holder_of
from core.usecases.sharing import JoinAsSupporting, join_as_supporting
from handlers import cards
from texts import formatting as fmt
from handlers import sharing_pushes as pushes
from texts import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Step
from handlers.matching import by_words, find_duplicates, possible_duplicates


class LeadDuplicates:
    """Mixed into LeadFlow; `next` is the flow's order of questions."""

    next: Callable[[Ctx], Awaitable[None]]

    def duplicate_steps(self) -> dict[str, Step]:
        # 继续 here means 仍然登记 (it is the resume command elsewhere).
        return {"dup": Step(self.ask_dup, self.on_dup, answers=("继续",))}

    async def check_duplicates(self, ctx: Ctx) -> bool:
        d = ctx.data
        dups = await find_duplicates(ctx.uow, normalize_company_name(d["name"]), d.get("credit_code"))
        if not dups:
            return False
        d["dups"] = [x.project.id for x in dups]
        ctx.say(cards.duplicates(ctx, dups))
        # 宣城's rule: a department or resident office joins a district's live project instead.
        holder = await holder_of(ctx.uow, ctx.me, [x.project for x in dups if x.reason in ("code", "name")])
        d.pop("held_by", None)
        if holder is not None:
            d["held_by"] = holder.id
            ctx.say(t("sharing.held_by", name=holder.name, id=holder.id, stage=fmt.stage(holder.stage),
                      unit=ctx.unit_name(holder.responsible_unit)))
        await self.ask_dup(ctx)
        return True

    async def check_related(self, ctx: Ctx) -> bool:
        """Before the card, with the chain, amount and contact known: entries that may be the same investor's
        (the same chain and an amount within 20% under a related name, or the same phone), not shown before."""
        d = ctx.data
        me = ProjectTraits(0, normalize_company_name(d["name"]), d.get("credit_code"), d.get("industry"),
                           d.get("intended_wan"), d.get("contact"))
        found = [x for x in await possible_duplicates(ctx.uow, me, skip=frozenset(d.get("dups", ())))
                 if x.reason != "similar"]       # similar names were shown right after the name
        if not found:
            return False
        d["dups"] = [x.project.id for x in found]
        d.pop("held_by", None)
        ctx.say(cards.duplicates(ctx, found))
        await self.ask_dup(ctx)
        return True

    async def ask_dup(self, ctx: Ctx) -> None:
        if ctx.data.get("held_by"):
            ctx.ask("dup", t("lead.dup_question"), [
                Choice(t("sharing.join_supporting"), "support"), Choice(t("lead.dup_open"), "open"),
                Choice(t("lead.dup_stop"), "stop")], columns=1)
            return
        ctx.ask("dup", t("lead.dup_question"), [
            Choice(t("lead.dup_stop"), "stop"), Choice(t("lead.dup_open"), "open"),
            Choice(t("lead.dup_anyway"), "anyway")], columns=1)

    async def on_dup(self, ctx: Ctx, ans: Answer) -> None:
        choice = ans.value or by_words(ans.text, {"stop": ("停止", "不登记", "不", "否"), "open": ("查看",),
                                                   "anyway": ("仍然登记", "继续", "登记"),
                                                   "support": ("协助", "加入", "作为协助单位加入")})
        held = ctx.data.get("held_by")
        if choice == "anyway" and held:
            ctx.say(t("sharing.held_no_anyway"))
            await self.ask_dup(ctx)
        elif choice == "support" and held:
            ctx.finish()
            await join_as_supporting(ctx.uow, ctx.me, JoinAsSupporting(held))
            project = await ctx.uow.projects.get(held)
            assert project is not None
            reach = await pushes.unit_joined(ctx.uow, ctx.cfg, project, ctx.me, "supporting")
            unit = ctx.unit_name(project.responsible_unit)
            ctx.say(t("sharing.joined", name=project.name, id=project.id,
                      told=reach.told(t("notice.nobody", unit=unit))))
        elif choice == "stop":
            ctx.finish()
            ctx.say(t("lead.dup_stopped"))
        elif choice == "open":
            project = await ctx.uow.projects.get(held or ctx.data["dups"][0])
            ctx.finish()
            if project is not None:
                await cards.send_status(ctx, project)
        elif choice == "anyway":
            ctx.data["duplicate_of"] = ctx.data["dups"][0]
            await self.next(ctx)
        else:
            ctx.say(t("common.choose_one"))
            await self.ask_dup(ctx)
