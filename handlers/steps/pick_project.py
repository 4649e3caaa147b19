"""Which project: the sender's own as choices, or a name typed and searched (/update, /transfer, /route)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.errors import Refusal
from core.records import Project
from texts import formatting as fmt
from texts import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Step
from handlers.matching import search_projects
from handlers.parsing.ids import as_id

PICK_LIMIT = 8


async def picked_project(ctx: Ctx) -> Project:
    """The project the open flow picked (`project_id` in its fields), read afresh: it may have changed since."""
    p = await ctx.uow.projects.get(ctx.data["project_id"])
    if p is None:
        raise Refusal("project_unknown", project_id=ctx.data["project_id"])
    return p


@dataclass(frozen=True)
class PickProject:
    """Step `project`: several matches are offered again as choices; one allowed match goes to `then`
    with `project_id` and `project_name` in the flow's fields."""

    allowed: Callable[[Ctx, Project], bool]
    question: Callable[[Ctx], str]
    nothing_to_offer: Callable[[Ctx], str | None]  # the message that ends the flow, or None to ask anyway
    not_allowed: Callable[[Ctx, Project], str]
    then: Callable[[Ctx, Project], Awaitable[None]]

    async def begin(self, ctx: Ctx, name: str, args: str) -> None:
        ctx.open(name)
        if args.strip():
            await self.on(ctx, Answer(args.strip()))
        else:
            await self.ask(ctx)

    async def ask(self, ctx: Ctx) -> None:
        ids = ctx.data.get("candidates")
        if not ids:
            ids = [p.id for p in await ctx.uow.projects.of_unit(ctx.me.unit) if self.allowed(ctx, p)][:PICK_LIMIT]
        ending = None if ids else self.nothing_to_offer(ctx)
        if ending is not None:
            ctx.finish()
            ctx.say(ending)
            return
        listed = await ctx.uow.projects.many(ids)
        ctx.ask("project", self.question(ctx),
                [Choice(f"#{p.id} {p.name}（{fmt.stage(p.stage)}）", str(p.id)) for p in listed], columns=1)

    async def on(self, ctx: Ctx, ans: Answer) -> None:
        ref = as_id(ans.text.strip().lstrip("#＃")) if ans.text.strip()[:1] in ("#", "＃") else None
        if ans.value:
            found = await ctx.uow.projects.many([int(ans.value)])
        elif ref is not None:   # #12, the number every card shows
            found = await ctx.uow.projects.many([ref])
            if found and found[0].voided_at is not None:   # lists leave it out; by its number it is refused
                ctx.finish()
                ctx.refuse(Refusal("project_voided", project_id=ref))
                return None
        else:
            found = await search_projects(ctx.uow, ans.text)
        if not found:
            ctx.say(t("status.none", query=ans.text))
            return await self.ask(ctx)
        allowed = [p for p in found if self.allowed(ctx, p)]
        if not allowed:
            ctx.finish()
            ctx.say(self.not_allowed(ctx, found[0]))
            return None
        if len(allowed) > 1:
            ctx.data["candidates"] = [p.id for p in allowed[:PICK_LIMIT]]
            ctx.say(t("update.several", count=len(allowed)))
            return await self.ask(ctx)
        ctx.data.pop("candidates", None)
        ctx.data["project_id"], ctx.data["project_name"] = allowed[0].id, allowed[0].name
        await self.then(ctx, allowed[0])

    def steps(self) -> dict[str, Step]:
        return {"project": Step(self.ask, self.on, takes_text=True)}
