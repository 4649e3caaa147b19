"""The shape of a flow: `begin`, then one `ask_<step>` / `on_<step>` pair per step."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from texts import t
from handlers.context import Answer, Ctx


class Flow(ABC):
    """A step-by-step conversation. Subclasses define `ask_<step>(ctx)` and `on_<step>(ctx, answer)`."""

    name: ClassVar[str]

    @property
    def title(self) -> str:
        return t(f"flow.{self.name}.title")

    @abstractmethod
    async def begin(self, ctx: Ctx, args: str) -> None:
        """Open the flow (the command's arguments may fill some steps at once)."""

    async def answer(self, ctx: Ctx, ans: Answer) -> None:
        step = ctx.state.step if ctx.state else ""
        handler = getattr(self, f"on_{step}", None)
        if handler is None:
            # A state written by an older version of the bot: start the steps again.
            await self.begin(ctx, "")
            return
        await handler(ctx, ans)

    async def reask(self, ctx: Ctx) -> None:
        """Ask the current step's question again (after a pause, or after a refused answer)."""
        assert ctx.state is not None
        asker = getattr(self, f"ask_{ctx.state.step}", None)
        if asker is None:
            await self.begin(ctx, "")
        else:
            await asker(ctx)

    def summary(self, data: dict[str, Any]) -> str:
        """What has been collected so far, for the message sent when the flow is paused."""
        return ""
