"""The conversation core's entry point: one Inbound in, Outbound actions back, all in one transaction."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from core.errors import Refusal, Unavailable
from core.evidence import FilePolicy
from core.messages import ChatType, Delivery, EditText, Inbound, SendFile, SendPhoto, SendText
from core.org import Calendar
from core.ports import ConversationState, UnitOfWork
from core.workdays import Workdays
from texts import t
from handlers import forms, stored_replies
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
# Commands that leave an open form open: help is read beside it, cancel and 继续 act on it.
_KEEP_OPEN = ("help", "cancel", "resume", "unknown")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


class Conversations:
    """Routes a message to a command, the open flow, or a pressed button; persists the flow's state."""

    def __init__(self, uow_factory: Callable[..., UnitOfWork], *, tz: ZoneInfo,
                 workdays: Callable[[Calendar], Workdays],
                 timeout: timedelta = timedelta(minutes=30), bot_username: str | None = None,
                 transient: Callable[[BaseException], bool] = lambda exc: False,
                 retries: int = RETRIES, retry_delay: float = RETRY_DELAY,
                 files: FilePolicy | None = None, reply_lease: timedelta = stored_replies.LEASE,
                 reply_window: timedelta = stored_replies.WINDOW) -> None:
        self.uow_factory = uow_factory
        # The stored replies' lease and window, and their marks once sent (handlers/stored_replies.py).
        self.reply_lease, self.reply_window = reply_lease, reply_window
        self.sent_marks = stored_replies.SentMarks(uow_factory, transient=transient, retries=max(1, retries),
                                                   delay=retry_delay)
        self.files = files or FilePolicy()  # the attachments' size limit and allowed types (bot/config.py)
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

    async def wants_file(self, inbound: Inbound) -> bool:
        """Would a file in this message be kept? The channel downloads it only then, before `handle`."""
        from handlers.flows.evidence import wants_file

        return await wants_file(self.uow_factory, inbound)

    async def _attempt(self, inbound: Inbound) -> list[Reply]:
        async with self.uow_factory() as uow:
            if inbound.update_id is not None and await uow.updates.seen(inbound.channel, inbound.update_id):
                # Seen: no second effect; its replies go out now only if they were never sent (a crash).
                if await stored_replies.replay(uow, inbound, lease=self.reply_lease, window=self.reply_window):
                    await uow.commit()
                return []
            inbound, refused = check_content(inbound)
            # A refused message has no effect but its update record: a redelivery stays silent.
            out = self._refused(inbound, refused) if refused else await self._handle(uow, inbound)
            # The replies commit with the effects; the channel says when they were sent (`replied`).
            await stored_replies.keep(uow, inbound, out)
            await uow.commit()
            return out

    async def replied(self, inbound: Inbound) -> None:
        """The channel sent (or tried to send) the replies `handle` returned: they are not sent again."""
        await self.sent_marks.mark(inbound)

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
                  timeout=self.timeout, workdays=self.workdays, state=state, files=self.files)
        try:
            if member is None:
                await unregistered(ctx, normalize_input(inbound.text or ""), self.bot_username)
            else:
                await self._route(ctx)
        except Refusal as refusal:
            ctx.refuse(refusal)
        if member is not None:
            forms.notices(ctx)
        if ctx.state_dirty and member is not None:
            if ctx.state is None:
                await uow.conversations.clear(conversation_key(member.id))
            else:
                await uow.conversations.save(ctx.state)
        return ctx.out

    async def _route(self, ctx: Ctx) -> None:
        text = normalize_input(ctx.inbound.text or "")
        payload = ctx.inbound.payload or ""
        if self._announce(ctx):
            # Told what was kept: only a command or a stateless button goes on; an answer to a question
            # asked before the pause is not taken as one.
            if not payload.startswith("s:") and (payload or self._parse(ctx, text) is None):
                return
        if payload:
            await self._payload(ctx, payload, pressed=True)
            return
        if ctx.inbound.attachment is not None:
            # A photo or file (its caption may name the project: 附件 #12): the feature that keeps files takes it.
            for on_file in registry().file_handlers:
                if await on_file(ctx, text):
                    return
            return
        open_flow = registry().flows.get(ctx.flow) if ctx.flow is not None else None
        if open_flow is not None and not open_flow.answers_text and self._typed_choice(ctx, text) is None:
            ctx.finish()  # it waits for files and buttons only (附件): typed text is a message of its own
        # A slash command is always one; a number or a label of what was offered comes before keywords
        # (修改 on a card is its 修改 button); then a keyword (handlers/commands.py says where).
        parsed = self._parse(ctx, text) if text.startswith("/") else None
        chosen = self._typed_choice(ctx, text) if parsed is None else None
        if chosen is not None:
            await self._payload(ctx, chosen, pressed=False)
            return
        if parsed is None:
            parsed = self._parse(ctx, text)
        if parsed is not None:
            command, args = parsed
            if command is None:  # addressed to another bot
                if not ctx.in_group:  # ...but in a private chat there is no other bot: answer anyway
                    ctx.say(t("command.unknown", name=text[1:].partition(" ")[0]))
                return
            await self._command(ctx, command, args)
            return
        if ctx.flow is not None:
            await registry().flows[ctx.flow].answer(ctx, Answer(text=text))
            return
        if ctx.in_group:
            return  # people talk to each other there; only commands are for the bot
        if ctx.state is not None and ctx.state.control.parked and ctx.state.flow in registry().flows:
            # Most likely the answer to the paused question: say again what was kept and how to go on.
            self.remind(ctx)
            return
        for fallback in registry().fallbacks:
            if await fallback(ctx, text):
                return
        ctx.say(t("fallback.unknown"))

    def _parse(self, ctx: Ctx, text: str) -> tuple[Command | None, str] | None:
        flow = registry().flows.get(ctx.flow) if ctx.flow is not None else None
        step = ctx.state.step if ctx.state is not None else ""
        if flow is not None and not text.startswith("/") and flow.is_answer(step, text):
            return None
        return parse_command(text, self.bot_username, in_flow=flow is not None,
                             takes_text=flow is not None and flow.takes_text(step))

    # -- commands -------------------------------------------------------------------------------
    async def _command(self, ctx: Ctx, command: Command, args: str) -> None:
        flows = registry().flows
        if command.flow is None:
            assert command.run is not None, f"command {command.name} has neither a flow nor a run"
            # A command that answers at once pauses the open form where it is (not /help, /cancel, 继续).
            paused = forms.paused_here(ctx) if command.name not in _KEEP_OPEN else None
            try:
                await command.run(ctx, args)
            except Refusal as refusal:
                ctx.refuse(refusal)
            if paused is not None and ctx.state is paused and paused.control.parked:
                ctx.say(t("flow.paused_kept", title=flows[paused.flow].title, command=paused.flow))
            elif command.name == "unknown" and ctx.flow is not None:
                ctx.say(t("flow.still_open", title=flows[ctx.flow].title, command=ctx.flow))
            return
        state = ctx.state if ctx.state is not None and ctx.state.flow in flows else None
        if state is not None and not args.strip():
            shelf = state.control.shelved
            if state.flow == command.flow or (shelf is not None and shelf["flow"] == command.flow):
                await forms.take_up(ctx, command.flow)
                return
        open_before = state if state is not None and not state.control.parked else None
        await flows[command.flow].begin(ctx, args)
        if open_before is not None and ctx.state is open_before and not open_before.control.parked:
            # It answered at once (`查询 名称`) and left the open form as it was: paused, as for 我的项目.
            forms.paused_here(ctx)
            ctx.say(t("flow.paused_kept", title=flows[open_before.flow].title, command=open_before.flow))

    # -- buttons and numbered choices -----------------------------------------------------------
    def _typed_choice(self, ctx: Ctx, text: str) -> str | None:
        """A typed number or label that matches the choices last offered (channels without buttons);
        for a paused form, a label of its question too (确认 typed after a 查询 on the card)."""
        if ctx.state is None or not text:
            return None
        control = ctx.state.control
        question = [(label, f"f:{ctx.state.version}:{i}") for i, (label, _) in enumerate(control.choices)]
        if ctx.state.flow == MENU or control.parked:
            offered, labels_only = list(control.menu), question
        else:
            offered, labels_only = question, []
        if (chosen := as_index(text, len(offered) + 1)) is not None and chosen >= 1 and offered:
            return offered[chosen - 1][1]
        # The text was normalised (NFKC): so must the labels be, or 问题（提请调度） never matches.
        folded = text.strip().lower()
        return next((payload for label, payload in offered + labels_only
                     if normalize_input(label).lower() == folded), None)

    async def _payload(self, ctx: Ctx, payload: str, *, pressed: bool) -> None:
        kind, _, rest = payload.partition(":")
        if kind == "f":
            version, _, index = rest.partition(":")
            state = ctx.state
            at = as_index(index, len(state.control.choices)) if state is not None else None
            if state is None or state.flow not in registry().flows or as_id(version) != state.version or at is None:
                ctx.say(t("button.expired"))
                return
            if state.control.parked:
                ctx.unpause()  # the paused question's own button (or label) takes the form up again
            label, value = state.control.choices[at]
            if pressed and ctx.inbound.message_id and state.control.asked:
                ctx.send(EditText(message_id=ctx.inbound.message_id, chosen=label,
                                  text=t("button.chosen", question=state.control.asked, label=label)))
            await registry().flows[state.flow].answer(ctx, Answer(text=label, value=value))
            return
        if kind == "s":
            name, _, arg = rest.partition(":")
            action = registry().actions.get(name)
            if action is None:
                ctx.say(t("button.expired"))
                return
            await action(ctx, arg)
            return
        ctx.say(t("button.expired"))

    # -- pausing and resuming -------------------------------------------------------------------
    def _announce(self, ctx: Ctx) -> bool:
        return forms.announce(ctx, self.timeout)

    def park(self, ctx: Ctx) -> None:
        forms.park(ctx, self.timeout)

    def remind(self, ctx: Ctx) -> None:
        forms.remind(ctx)

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
                if flow is None or not flow.pauses:  # nothing worth keeping (附件 waiting for files): it ends
                    await uow.conversations.clear(state.key)
                    continue
                pause(state)
                await uow.conversations.save(state)
                text = forms.parked_message(flow.title, flow.summary(state.data), state.flow, self.timeout)
                action = SendText(text=text, buttons=forms.resume_buttons())
                await uow.outbox.enqueue(f"parked:{state.key}:{state.version}", "flow_paused",
                                         Delivery(channel=state.channel, chat_id=state.chat_id, action=action))
                paused += 1
            await uow.commit()
        return paused


__all__ = ["Conversations", "ConversationState"]
