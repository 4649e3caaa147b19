"""The shape of a flow: `begin`, then a table of steps, each a question (`ask`) and its answer (`on`)."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from texts import t
from handlers.context import Answer, Ctx


@dataclass(frozen=True)
class Step:
    """One step: ask its question, take its answer. Its name in the table is what the row stores.

    `takes_text`: the answer is free text (a company name, a note, a reason). There a command word
    followed by more words is the answer (`进展 顺利推进` is a note); only a command word alone, or a slash
    command, runs the command. At every other step (a choice, an amount, a date, a card to confirm) a
    message that starts with a command word runs it and the form is paused (handlers/commands.py)."""

    ask: Callable[[Ctx], Awaitable[None]]
    on: Callable[[Ctx, Answer], Awaitable[None]]
    takes_text: bool = False
    # Words that answer this step although they are command words too: the stage 线索 at the stage question.
    answers: tuple[str, ...] = ()


class Flow(ABC):
    """A step-by-step conversation. Subclasses list their steps in `steps()`, shared ones included."""

    name: ClassVar[str]
    # False for a flow that waits for files and buttons only (附件): typed text is then not its answer but a
    # message of its own — a command, or a question — and the flow ends quietly.
    answers_text: ClassVar[bool] = True
    # False for a flow with nothing worth keeping (附件 waits for files it has not got): idle, it ends quietly
    # instead of being paused with a message.
    pauses: ClassVar[bool] = True

    @property
    def title(self) -> str:
        return t(f"flow.{self.name}.title")

    @abstractmethod
    async def begin(self, ctx: Ctx, args: str) -> None:
        """Open the flow (the command's arguments may fill some steps at once)."""

    @abstractmethod
    def steps(self) -> dict[str, Step]:
        """The steps by name; a stored step missing here (an older bot's) starts the flow again."""

    @cached_property
    def table(self) -> dict[str, Step]:
        return self.steps()

    async def answer(self, ctx: Ctx, ans: Answer) -> None:
        step = self.table.get(ctx.state.step if ctx.state else "")
        if step is None:
            # A state written by an older version of the bot: start the steps again (in its place).
            ctx.replacing = True
            await self.begin(ctx, "")
            return
        await step.on(ctx, ans)

    async def reask(self, ctx: Ctx) -> None:
        """Ask the current step's question again (after a pause, or after a refused answer)."""
        assert ctx.state is not None
        step = self.table.get(ctx.state.step)
        if step is None:
            ctx.replacing = True
            await self.begin(ctx, "")
        else:
            await step.ask(ctx)

    def takes_text(self, step: str) -> bool:
        """Whether the step `step` takes free text (see `Step.takes_text`)."""
        found = self.table.get(step)
        return found is not None and found.takes_text

    def is_answer(self, step: str, text: str) -> bool:
        """Whether `text` is one of the step's own words (`Step.answers`), never a command there."""
        found = self.table.get(step)
        return found is not None and text.strip() in found.answers

    async def ask_step(self, ctx: Ctx, name: str) -> None:
        """Go to the step `name` (a chosen action or field) and ask its question."""
        await self.table[name].ask(ctx)

    def summary(self, data: dict[str, Any]) -> str:
        """What has been collected so far, for the message sent when the flow is paused."""
        return ""
