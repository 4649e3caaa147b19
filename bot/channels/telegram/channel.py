"""The Telegram channel, whichever framework: replies, the outbox's sender, and the chosen backend.

A backend (python-telegram-bot or aiogram) only converts between its own objects and the
core's Inbound/Outbound and speaks the Bot API; everything that must behave the same for
both — when an update counts as received, the webhook's secret, what a failed reply becomes —
lives in this package once.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.channels.files import WantsFile, wanted
from bot.channels.telegram import polling, webhook
from bot.channels.telegram.contract import CHANNEL, Backend, FileRef, FileTooBig, Handle, Incoming, OnIncoming
from core.delivery import TEXT_LIMITS, Action, RetryAfter, SendError, split_action
from core.evidence import FilePolicy, mime_of
from core.messages import Attachment, ChatType, Delivery, EditText, Inbound, SendText

log = logging.getLogger("zsbot.telegram")


class Telegram:
    """The Telegram channel over one backend: receive, hand to the core, reply; and send pushes."""

    channel = CHANNEL

    def __init__(self, backend: Backend, handle: Handle, *,
                 enqueue_reply: Callable[[str, Delivery], Awaitable[None]] | None = None,
                 files: FilePolicy | None = None, wants_file: WantsFile | None = None,
                 replied: Callable[[Inbound], Awaitable[None]] | None = None) -> None:
        self.backend = backend
        self.handle = handle
        self.enqueue_reply = enqueue_reply
        self.files = files or FilePolicy()
        self.wants_file = wants_file  # the core's "would this file be kept?" (Conversations.wants_file)
        # The core's "these replies went out" (Conversations.replied): otherwise they are sent again
        # after the lease, as after a crash between the commit and the reply.
        self.replied = replied
        self.received = 0

    # -- the outbox's ChannelSender ---------------------------------------------------------------
    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith("-")

    async def deliver(self, chat_id: str, action: Action) -> None:
        await self.backend.send(chat_id, action)

    # -- incoming -------------------------------------------------------------------------------
    async def on_incoming(self, incoming: Incoming) -> None:
        """Called by the backend's dispatcher for every message and button press."""
        self.received += 1
        inbound = incoming.inbound
        if incoming.file is not None and inbound.chat_type is ChatType.PRIVATE:
            inbound = await self._with_file(inbound, incoming.file)
        try:
            replies = await self.handle(inbound)
        finally:
            if incoming.callback_query_id:
                await self._quietly(self.backend.answer_callback(incoming.callback_query_id))
        chat = incoming.inbound.chat_id
        parts = fold_into_edit([part for action in replies for part in split_action(CHANNEL, action)])
        for i, action in enumerate(parts):
            try:
                await self.backend.send(chat, action)
            except RetryAfter:
                # Flood control on a reply: it still reaches the person, through the paced outbox.
                if self.enqueue_reply is not None:
                    key = f"reply:{CHANNEL}:{incoming.inbound.update_id}:{i}"
                    await self.enqueue_reply(key, Delivery(channel=CHANNEL, chat_id=chat, action=action))
            except SendError as exc:
                log.warning("reply to chat %s not sent: %s", chat, exc)
        if replies and self.replied is not None:
            await self.replied(inbound)

    async def _with_file(self, inbound: Inbound, ref: FileRef) -> Inbound:
        """Download the file before the core runs (never inside its unit of work, which holds the ledger
        lock): only a type the policy allows, and only up to its size limit."""
        mime = mime_of(ref.name, ref.mime_type)
        if not await wanted(self.wants_file, inbound):
            # A stranger, or no project to attach it to: the core answers without the bytes.
            return inbound.model_copy(update={"attachment": Attachment(name=ref.name, mime_type=mime, size=ref.size)})
        problem: str | None = self.files.problem(mime, ref.size)
        data: bytes | None = None
        if problem is None:
            try:
                data = await self.backend.download(ref.file_id, self.files.max_bytes)
            except FileTooBig:
                problem = "too_large"
            except SendError as exc:
                log.warning("file %s of update %s not downloaded: %s", ref.file_id, inbound.update_id, exc)
                problem = "unavailable"
        if problem == "empty":
            # Nothing to fetch: the core refuses the empty file in its own words.
            return inbound.model_copy(update={"attachment": Attachment(name=ref.name, mime_type=mime, size=0, data=b"")})
        attachment = Attachment(name=ref.name, mime_type=mime, size=ref.size, data=data,
                                problem=problem)  # too_large, type or unavailable (pydantic checks it)
        return inbound.model_copy(update={"attachment": attachment})

    async def _quietly(self, call: Awaitable[None]) -> None:
        try:
            await call
        except SendError as exc:
            log.info("answerCallbackQuery failed: %s", exc)

    # -- how updates arrive: bot/channels/telegram/polling.py and webhook.py ----------------------
    async def poll(self, stop: asyncio.Event, *, timeout: int = 30) -> None:
        await polling.poll(self.backend, stop, timeout=timeout)

    def webhook_app(self, secret: str, path: str = "/telegram") -> web.Application:
        return webhook.webhook_app(self.backend, secret, path)


def fold_into_edit(parts: list[Action]) -> list[Action]:
    """A pressed button whose whole answer is one plain sentence (已登记线索 #…, 已取消): the sentence is
    added to the pressed message, which is being edited to show the choice anyway — one Bot API call
    instead of two, and the outcome stands under the card it answers. A question with buttons, more
    than one message, or a text over Telegram's limit are sent as they are."""
    if len(parts) != 2:
        return parts
    edit, answer = parts
    if (isinstance(edit, EditText) and not edit.buttons and isinstance(answer, SendText) and not answer.buttons
            and len(edit.text) + 2 + len(answer.text) <= TEXT_LIMITS[CHANNEL]):
        return [edit.model_copy(update={"text": f"{edit.text}\n\n{answer.text}"})]
    return parts


def make_backend(framework: str, token: str, api_url: str, on_incoming: OnIncoming,
                 *, timeout: float = 20.0) -> Backend:
    """The configured framework's backend; imported here so the other framework is never loaded."""
    if framework == "aiogram":
        from bot.channels.telegram.aiogram import AiogramBackend

        return AiogramBackend(token, api_url, on_incoming, timeout=timeout)
    from bot.channels.telegram.ptb import PtbBackend

    return PtbBackend(token, api_url, on_incoming, timeout=timeout)
