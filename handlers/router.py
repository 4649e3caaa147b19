"""The conversation core's entry point: one Inbound in, Outbound actions back, all in one transaction."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from core.errors import Refusal, Unavailable
from core.messages import Button, ChatType, Delivery, EditText, Inbound, SendFile, SendPhoto, SendText
from core.org import Calendar
from core.ports import ConversationState, UnitOfWork
from core.workdays import Workdays
from texts import t
from handlers.commands import parse_command
from handlers.inbound_check import check_content, check_ids
from handlers.context import CONVERSATION_PREFIX, MENU, Answer, Ctx, conversation_key, pause
from handlers.parsing import normalize_input
from handlers.parsing.ids import as_id, as_index
from handlers.registration import unregistered
from handlers.registry import Command, registry

log = logging.getLogger("zsbot.conversations")
# A unit of work that fails on a lost connection, a serialization failure or a deadlock is tried
# again on a fresh connection: 4 attempts, 0.1 s, 0.3 s, 0.9 s apart (under WeCom's 5 s answer).
RETRIES = 4
RETRY_DELAY = 0.1

Reply = SendText | EditText | SendPhoto | SendFile


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


class Conversations:
    """Routes a message to a command, the open flow, or a pressed button; persists the flow's state."""

    def __init__(self, uow_factory: Callable[..., UnitOfWork], *, tz: ZoneInfo,
                 workdays: Callable[[Calendar], Workdays],
                 timeout: timedelta = timedelta(minutes=30), bot_username: str | None = None,
                 transient: Callable[[BaseException], bool] = lambda exc: False,
                 retries: int = RETRIES, retry_delay: float = RETRY_DELAY) -> None:
        self.uow_factory = uow_factory
        # Which store failures pass by themselves (storage/transient.py, bound in bot/composition.py).
        self.transient = transient
        self.retries = max(1, retries)
        self.retry_delay = retry_delay
        self.workdays = workdays  # the official working days (chinesecalendar), bound in bot/composition.py
        self.tz = tz
        self.timeout = timeout
        self.bot_username = bot_username

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Handle one update in one unit of work. A transient store failure is retried on a fresh
        connection (RETRIES attempts, backoff from RETRY_DELAY); when it persists, `Unavailable` is
        raised so the channel does not acknowledge the update. Only a bug gets the internal-error reply."""
        refused = check_ids(inbound)
        if refused is not None:
            # Nothing of it reaches SQL, not even the update id: a redelivery is refused the same way.
            return self._refused(inbound, refused)
        delay = self.retry_delay
        for attempt in range(1, self.retries + 1):
            try:
                return await self._attempt(inbound)
            except Exception as exc:
                if not self.transient(exc):
                    # Nothing was saved (the transaction rolled back); the person still gets an answer.
                    log.exception("failed to handle %s message %s", inbound.channel, inbound.message_id)
                    return [SendText(text=t("error.internal"))]
                if attempt == self.retries:
                    log.warning("%s update %s not handled after %d attempts (%s: %s): left for redelivery",
                                inbound.channel, inbound.update_id, attempt, type(exc).__name__, _first_line(exc))
                    raise Unavailable(_first_line(exc)) from exc
                log.warning("%s update %s: transient database error (%s: %s), attempt %d, retrying in %.2fs",
                            inbound.channel, inbound.update_id, type(exc).__name__, _first_line(exc), attempt, delay)
                await asyncio.sleep(delay)
                delay *= 3
        raise AssertionError("unreachable")

    async def _attempt(self, inbound: Inbound) -> list[Reply]:
        async with self.uow_factory() as uow:
            if inbound.update_id is not None and await uow.updates.seen(inbound.channel, inbound.update_id):
                return []
            inbound, refused = check_content(inbound)
            # A refused message has no effect but its update record: a redelivery stays silent.
            out = self._refused(inbound, refused) if refused else await self._handle(uow, inbound)
            await uow.commit()
            return out

    @staticmethod
    def _refused(inbound: Inbound, key: str) -> list[Reply]:
        """One sentence; in a group only for a pressed button or a command (people talk there)."""
        if inbound.chat_type != ChatType.PRIVATE and not inbound.payload and not (inbound.text or "").startswith("/"):
            return []
        return [SendText(text=t(key))]

    async def _handle(self, uow: UnitOfWork, inbound: Inbound) -> list[Reply]:
        # The configuration, the sender and their conversation in one read (docs/BENCHMARKS.md).
        opening = await uow.opening(inbound.channel, inbound.sender_id, CONVERSATION_PREFIX)
        cfg = opening.config
        if cfg is None:
            return [SendText(text=t("error.no_org"))]
        member = opening.member
        if member is not None and not member.active:
            member = None
        state = opening.state if member is not None else None
        ctx = Ctx(uow=uow, inbound=inbound, member=member, cfg=cfg, now=uow.clock.now(), tz=self.tz,
                  timeout=self.timeout, workdays=self.workdays, state=state)
        try:
            if member is None:
                await unregistered(ctx, normalize_input(inbound.text or ""), self.bot_username)
            else:
                await self._route(ctx)
        except Refusal as refusal:
            ctx.refuse(refusal)
        if ctx.state_dirty and member is not None:
            if ctx.state is None:
                await uow.conversations.clear(conversation_key(member.id))
            else:
                await uow.conversations.save(ctx.state)
        return ctx.out

    async def _route(self, ctx: Ctx) -> None:
        text = normalize_input(ctx.inbound.text or "")
        if self._expired(ctx):
            self.park(ctx)
            if not ctx.inbound.payload and parse_command(text, self.bot_username, in_flow=False) is None:
                return
        if ctx.inbound.payload:
            await self._payload(ctx, ctx.inbound.payload, pressed=True)
            return
        parsed = parse_command(text, self.bot_username, in_flow=ctx.flow is not None)
        if parsed is not None:
            command, args = parsed
            if command is None:  # addressed to another bot
                if not ctx.in_group:  # ...but in a private chat there is no other bot: answer anyway
                    ctx.say(t("command.unknown", name=text[1:].partition(" ")[0]))
                return
            await self._command(ctx, command, args)
            return
        chosen = self._typed_choice(ctx, text)
        if chosen is not None:
            await self._payload(ctx, chosen, pressed=False)
            return
        if ctx.flow is not None:
            await registry().flows[ctx.flow].answer(ctx, Answer(text=text))
            return
        if ctx.in_group:
            return  # people talk to each other there; only commands are for the bot
        if ctx.state is not None and ctx.state.control.parked and ctx.state.flow in registry().flows:
            # Most likely the answer to the paused question: say again what was kept and how to go on.
            self.park(ctx)
            return
        for fallback in registry().fallbacks:
            if await fallback(ctx, text):
                return
        ctx.say(t("fallback.unknown"))

    # -- commands -------------------------------------------------------------------------------
    async def _command(self, ctx: Ctx, command: Command, args: str) -> None:
        if command.flow is None:
            assert command.run is not None, f"command {command.name} has neither a flow nor a run"
            await command.run(ctx, args)
            if ctx.flow is not None and command.name not in ("cancel", "help"):
                ctx.say(t("flow.still_open", title=registry().flows[ctx.flow].title, command=ctx.flow))
            return
        flow = registry().flows[command.flow]
        parked = ctx.state is not None and ctx.state.flow == command.flow and ctx.state.control.parked
        if parked and not args.strip():
            await self.resume(ctx)
            return
        # Paused flows count too: a new flow takes the member's one conversation row.
        current = ctx.state if ctx.state is not None and ctx.state.flow in registry().flows else None
        mark = len(ctx.out)
        await flow.begin(ctx, args)
        if current is None:
            return
        title = registry().flows[current.flow].title
        if ctx.state is not current:
            ctx.out.insert(mark, SendText(text=t("flow.replaced", title=title)))
        elif ctx.state is current and not current.control.parked:
            # `查询 名称` answers at once and leaves the open flow as it was: say so, don't claim it was dropped.
            ctx.say(t("flow.still_open", title=title, command=current.flow))

    # -- buttons and numbered choices -----------------------------------------------------------
    def _typed_choice(self, ctx: Ctx, text: str) -> str | None:
        """A typed number or label that matches the choices last offered (channels without buttons)."""
        if ctx.state is None or not text:
            return None
        control = ctx.state.control
        if ctx.state.flow == MENU or control.parked:
            offered = list(control.menu)
        else:
            offered = [(label, f"f:{ctx.state.version}:{i}") for i, (label, _) in enumerate(control.choices)]
        if not offered:
            return None
        if (chosen := as_index(text, len(offered) + 1)) is not None and chosen >= 1:
            return offered[chosen - 1][1]
        # The text was normalised (NFKC): so must the labels be, or 问题（提请调度） never matches.
        folded = text.strip().lower()
        return next((payload for label, payload in offered if normalize_input(label).lower() == folded), None)

    async def _payload(self, ctx: Ctx, payload: str, *, pressed: bool) -> None:
        kind, _, rest = payload.partition(":")
        if kind == "f":
            version, _, index = rest.partition(":")
            state = ctx.state
            at = as_index(index, len(state.control.choices)) if state is not None else None
            if ctx.flow is None or state is None or as_id(version) != state.version or at is None:
                ctx.say(t("button.expired"))
                return
            label, value = state.control.choices[at]
            if pressed and ctx.inbound.message_id and state.control.asked:
                ctx.send(EditText(message_id=ctx.inbound.message_id, chosen=label,
                                  text=t("button.chosen", question=state.control.asked, label=label)))
            await registry().flows[state.flow].answer(ctx, Answer(text=label, value=value))
            return
        if kind == "s":
            name, _, arg = rest.partition(":")
            if name == "resume":
                await self.resume(ctx)
                return
            action = registry().actions.get(name)
            if action is None:
                ctx.say(t("button.expired"))
                return
            await action(ctx, arg)
            return
        ctx.say(t("button.expired"))

    # -- pausing and resuming -------------------------------------------------------------------
    def _expired(self, ctx: Ctx) -> bool:
        s = ctx.state
        return s is not None and s.flow != MENU and not s.control.parked and s.expires_at <= ctx.now

    def park(self, ctx: Ctx) -> None:
        """An idle flow is paused, not thrown away: say what was kept and how to go on."""
        state = ctx.state
        assert state is not None
        flow = registry().flows.get(state.flow)
        pause(state)
        ctx.state_dirty = True
        if flow is None:
            ctx.state = None
            return
        ctx.say(parked_message(flow.title, flow.summary(state.data), state.flow, self.timeout),
                [[_button(t("flow.resume_button"), "s:resume"), _button(t("button.cancel"), "s:cancel")]])

    async def resume(self, ctx: Ctx) -> None:
        state = ctx.state
        if state is None or not state.control.parked or state.flow not in registry().flows:
            ctx.say(t("flow.nothing_to_resume"))
            return
        ctx.unpause()
        await registry().flows[state.flow].reask(ctx)

    async def expire_idle(self) -> int:
        """Pause every flow idle past the timeout and tell its owner, through the outbox."""
        paused = 0
        async with self.uow_factory() as uow:
            now = uow.clock.now()
            for state in await uow.conversations.expired(now):
                if state.flow == MENU:
                    await uow.conversations.clear(state.key)
                    continue
                if state.control.parked:
                    continue
                flow = registry().flows.get(state.flow)
                if flow is None:
                    await uow.conversations.clear(state.key)
                    continue
                pause(state)
                await uow.conversations.save(state)
                text = parked_message(flow.title, flow.summary(state.data), state.flow, self.timeout)
                action = SendText(text=text, buttons=((_button(t("flow.resume_button"), "s:resume"),
                                                       _button(t("button.cancel"), "s:cancel")),))
                await uow.outbox.enqueue(f"parked:{state.key}:{state.version}", "flow_paused",
                                         Delivery(channel=state.channel, chat_id=state.chat_id, action=action))
                paused += 1
            await uow.commit()
        return paused


def parked_message(title: str, kept: str, command: str, timeout: timedelta) -> str:
    return t("flow.expired", title=title, minutes=int(timeout.total_seconds() // 60), kept=kept, command=command)


def _button(label: str, payload: str) -> Button:
    return Button(label=label, payload=payload)


__all__ = ["Conversations", "ConversationState"]
