"""The conversation core's entry point: one Inbound in, Outbound actions back, all in one transaction.

Here: the unit of work around a message (the delivery record, the opening read, the retries of a transient
failure, saving the flow's state) and the pausing of idle flows. What the message means — a command, an
answer, a button — is handlers/routing.py's.
"""
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
from core.ports import ConversationState, Opening, UnitOfWork
from core.workdays import Workdays
from texts import t
from handlers import forms, stored_replies
from handlers.inbound_check import check_content, check_ids
from handlers.context import CONVERSATION_PREFIX, MENU, Ctx, conversation_key, pause
from handlers.parsing import normalize_input
from handlers.registration import unregistered
from handlers.registry import registry
from handlers.routing import route

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
                 retries: int = RETRIES, retry_delay: float = RETRY_DELAY,
                 files: FilePolicy | None = None, reply_lease: timedelta = stored_replies.LEASE,
                 reply_window: timedelta = stored_replies.WINDOW, reply_linger: float = 1.0) -> None:
        self.uow_factory = uow_factory
        # The stored replies' lease and window, and their marks once sent (handlers/stored_replies.py).
        self.reply_lease, self.reply_window = reply_lease, reply_window
        self.sent_marks = stored_replies.SentMarks(uow_factory, transient=transient, retries=max(1, retries),
                                                   delay=retry_delay, linger=reply_linger)
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
        # The marks of replies sent since the last message ride in this transaction (before any lock is taken).
        marks = self.sent_marks.take()
        try:
            async with self.uow_factory() as uow:
                # This channel's marks ride in the update's record; others go first. The record and the opening
                # read are one statement on PostgreSQL (storage/repositories/opening.py).
                sent = marks.get(inbound.channel, []) if inbound.update_id is not None else []
                await self.sent_marks.write(uow, {c: ids for c, ids in marks.items() if not sent or c != inbound.channel})
                opening = await uow.opening(inbound.channel, inbound.sender_id, CONVERSATION_PREFIX,
                                            update_id=inbound.update_id, sent=sent)
                if opening.seen:
                    # Seen: no second effect; its replies go out now only if they were never sent (a crash).
                    queued = await stored_replies.replay(uow, inbound, lease=self.reply_lease,
                                                         window=self.reply_window)
                    if queued or marks:
                        await uow.commit()
                    return []
                inbound, refused = check_content(inbound)
                # A refused message has no effect but its update record: a redelivery stays silent.
                out = self._refused(inbound, refused) if refused else await self._handle(uow, inbound, opening)
                # The replies commit with the effects; the channel says when they were sent (`replied`).
                await stored_replies.keep(uow, inbound, out)
                await uow.commit()
                return out
        except BaseException:
            self.sent_marks.restore(marks)
            raise

    async def replied(self, inbound: Inbound) -> None:
        """The channel sent (or tried to send) the replies `handle` returned: they are not sent again."""
        await self.sent_marks.mark(inbound)

    async def close(self) -> None:
        """The process stops: the marks not yet written are written now (else those replies go again)."""
        await self.sent_marks.flush()

    @staticmethod
    def _refused(inbound: Inbound, key: str) -> list[Reply]:
        """One sentence; in a group only for a pressed button or a command (people talk there)."""
        if inbound.chat_type != ChatType.PRIVATE and not inbound.payload and not (inbound.text or "").startswith("/"):
            return []
        return [SendText(text=t(key))]

    async def _handle(self, uow: UnitOfWork, inbound: Inbound, opening: Opening) -> list[Reply]:
        # The configuration, the sender and their conversation, read in one statement (docs/BENCHMARKS.md).
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
                await route(ctx, self.bot_username)
        except Refusal as refusal:
            ctx.refuse(refusal)
        if member is not None:
            forms.notices(ctx)
        if ctx.state_dirty and member is not None:
            # Last: only the replies are stored after it (one statement with them on PostgreSQL).
            if ctx.state is None:
                await uow.conversations.clear(conversation_key(member.id), last=True)
            else:
                await uow.conversations.save(ctx.state, last=True)
        return ctx.out

    # -- pausing and resuming -------------------------------------------------------------------
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
