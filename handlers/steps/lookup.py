"""Flows of one question — which project — that answer at once when the command names it (/status, /history)."""
from __future__ import annotations

from abc import abstractmethod
from collections.abc import Awaitable, Callable

from core.records import Project
from texts import t
from handlers.context import Answer, Ctx
from handlers.flows.base import Flow, Step
from handlers.matching import find_projects


class LookupFlow(Flow):
    """Step `query`: the name to look up; `show` answers it and the flow ends."""

    @abstractmethod
    async def show(self, ctx: Ctx, query: str) -> None:
        """Answer for the projects matching `query`."""

    async def begin(self, ctx: Ctx, args: str) -> None:
        if args.strip():
            await self.show(ctx, args.strip())
            return
        ctx.open(self.name)
        await self.ask_query(ctx)

    async def ask_query(self, ctx: Ctx) -> None:
        ctx.ask("query", t("status.ask_name"))

    async def on_query(self, ctx: Ctx, ans: Answer) -> None:
        ctx.finish()
        await self.show(ctx, ans.text)

    def steps(self) -> dict[str, Step]:
        return {"query": Step(self.ask_query, self.on_query, takes_text=True)}


async def show_found(ctx: Ctx, query: str, one: Callable[[Project], Awaitable[None]], action: str,
                     unit: Callable[[Project], str | None]) -> None:
    """None found, one (answered by `one`), or several offered as `s:<action>:<id>` buttons naming `unit`."""
    found, total = await find_projects(ctx.uow, ctx.cfg, query)
    if not found:
        ctx.say(t("status.none", query=query))
    elif total == 1:
        await one(found[0])
    else:
        head = t("status.several", query=query, count=total) if total == len(found) else \
            t("status.several_more", query=query, count=total, shown=len(found),
              unit=ctx.unit_name(unit(found[0])))
        ctx.offer(head,
                  [(f"#{p.id} {p.name}（{ctx.unit_name(unit(p))}）", f"s:{action}:{p.id}") for p in found])
