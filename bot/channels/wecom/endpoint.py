"""WeCom (企业微信) / 政务微信 self-built application: the callback listener and the replies.

Receiving: WeCom posts each message, encrypted and signed, to the callback URL and retries any
call not answered within 5 seconds. The listener checks and decrypts it, hands the message to the
core in a task (one sender's messages in order) and answers when it is kept (at most ANSWER_WITHIN
seconds later); the core records the MsgId with its effects, so a retry, or a replay, has no second
effect. A message the database could not keep is answered 503, so WeCom calls again. Replies go by
the API through `WeComSender` (sender.py), which is also what the outbox sends with.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.channels.files import WantsFile, wanted
from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.contract import CHANNEL, WeComApiError, WeComCryptoError, WeComNetworkError, WeComTooLarge
from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.inbound import Media, inbound_from_message, media_of
from bot.channels.wecom.message_xml import parse_message_xml
from bot.channels.wecom.sender import CardsMode, RobotKey, WeComSender, org_robot_keys
from core.delivery import Action, RetryAfter, SendError, split_action
from core.errors import Unavailable
from core.evidence import FilePolicy, mime_of
from core.messages import Delivery, Inbound

log = logging.getLogger("zsbot.wecom")
CALLBACK_PATH = "/wecom/callback"
MAX_BODY = 64 * 1024          # real callbacks are a few KiB
ANSWER_WITHIN = 4.0           # seconds the callback waits for the message to be kept (WeCom: 5 s)
MAX_SKEW_SECONDS = 3600       # older signed callbacks are refused: no replay after the update log forgets

Handle = Callable[[Inbound], Awaitable[list[Action]]]


class WeCom(WeComSender):
    """The WeCom channel: callback in, core, replies out; `deliver` (WeComSender) for the outbox."""

    def __init__(self, client: WeComClient, crypto: WeComCrypto, handle: Handle, *, robot_key: RobotKey,
                 enqueue_reply: Callable[[str, Delivery], Awaitable[None]] | None = None,
                 cards: CardsMode = "auto", now: Callable[[], float] = time.time, files: FilePolicy | None = None,
                 wants_file: WantsFile | None = None,
                 replied: Callable[[Inbound], Awaitable[None]] | None = None) -> None:
        super().__init__(client, robot_key=robot_key, cards=cards)
        self.files = files or FilePolicy()
        self.wants_file = wants_file  # the core's "would this file be kept?" (Conversations.wants_file)
        self.crypto = crypto
        self.handle = handle
        self.replied = replied  # the core's "these replies went out" (Conversations.replied)
        self.enqueue_reply = enqueue_reply
        self.now = now
        self.received = 0
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._senders: dict[str, tuple[asyncio.Lock, int]] = {}

    # -- the callback ---------------------------------------------------------------------------
    def callback_app(self, path: str = CALLBACK_PATH) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_get(path, self._verify_url)
        app.router.add_post(path, self._callback)
        return app

    async def listen(self, host: str, port: int) -> Callable[[], Awaitable[None]]:
        """Serve the callback on host:port (behind the HTTPS reverse proxy); returns the cleanup."""
        runner = web.AppRunner(self.callback_app(), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError:
            await runner.cleanup()
            raise
        return runner.cleanup

    async def _verify_url(self, request: web.Request) -> web.Response:
        """The handshake when the callback URL is saved in the admin console: echo the plain echostr."""
        q = request.query
        try:
            plain = self.crypto.verify_url(q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""),
                                           q.get("echostr", ""))
        except WeComCryptoError as exc:
            log.warning("callback URL verification refused: %s", exc.reason)
            return web.Response(status=400, text=exc.reason)
        return web.Response(text=plain)

    async def _callback(self, request: web.Request) -> web.Response:
        q = request.query
        if not self._fresh(q.get("timestamp", "")):
            log.warning("callback refused: timestamp missing or too far from now")
            return web.Response(status=400, text="stale")
        body = await request.read()  # beyond MAX_BODY aiohttp answers 413 itself
        try:
            inner = self.crypto.decrypt_message(q.get("msg_signature", ""), q.get("timestamp", ""),
                                                q.get("nonce", ""), body)
            message = parse_message_xml(inner)
        except WeComCryptoError as exc:
            log.warning("callback refused: %s", exc.reason)
            return web.Response(status=400, text=exc.reason)
        inbound = inbound_from_message(message, agent_id=self.client.agent_id)
        if inbound is not None:
            task = self._spawn(inbound, media_of(message))
            # Answered once the message is kept, or after ANSWER_WITHIN (WeCom retries anything slower
            # than 5 s; the MsgId makes its retry harmless). Not kept (the database unavailable after
            # the core's retries): no success, so WeCom calls again. Replies go by the API.
            done, _ = await asyncio.wait({task}, timeout=ANSWER_WITHIN)
            if task in done and not task.cancelled() and isinstance(task.exception(), Unavailable):
                return web.Response(status=503, text="retry")
        return web.Response(status=200, text="")

    def _fresh(self, timestamp: str) -> bool:
        return timestamp.isdigit() and len(timestamp) <= 12 and abs(self.now() - int(timestamp)) <= MAX_SKEW_SECONDS

    def _spawn(self, inbound: Inbound, media: Media | None = None) -> asyncio.Task[None]:
        update_id = inbound.update_id or ""
        if update_id in self._inflight:
            return self._inflight[update_id]  # WeCom's retry of a message still being handled
        self.received += 1
        lock, users = self._senders.get(inbound.sender_id, (asyncio.Lock(), 0))
        self._senders[inbound.sender_id] = (lock, users + 1)
        task = asyncio.create_task(self._process(inbound, lock, media), name=f"wecom-{update_id}")
        self._inflight[update_id] = task
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: an Unavailable after the answer was logged in _process

    async def _process(self, inbound: Inbound, lock: asyncio.Lock, media: Media | None = None) -> None:
        try:
            async with lock:  # FIFO: one person's messages are handled in the order they came
                if media is not None:
                    inbound = await self._with_media(inbound, media)
                replies = await self.handle(inbound)
                await self._reply(inbound, replies)
                if replies and self.replied is not None:
                    await self.replied(inbound)
        except Unavailable as exc:
            # Not kept: the callback answers 503 if it is still waiting, and WeCom calls again.
            log.warning("WeCom message %s not kept (%s)", inbound.update_id, exc)
            raise
        except Exception:
            log.exception("WeCom message %s not handled", inbound.update_id)
        finally:
            self._inflight.pop(inbound.update_id or "", None)
            lock_, users = self._senders[inbound.sender_id]
            if users <= 1:
                del self._senders[inbound.sender_id]
            else:
                self._senders[inbound.sender_id] = (lock_, users - 1)

    async def _with_media(self, inbound: Inbound, media: Media) -> Inbound:
        """Fetch a received image or file (media/get) before the core runs — never inside its unit of work,
        which holds the ledger lock — when the core would keep it, bounded by the policy's size limit."""
        attachment = inbound.attachment
        assert attachment is not None
        if not await wanted(self.wants_file, inbound):
            return inbound
        if attachment.mime_type and not self.files.allows(attachment.mime_type):
            return inbound.model_copy(update={"attachment": attachment.model_copy(update={"problem": "type"})})
        try:
            name, data = await self.client.get_media(media.media_id, max_bytes=self.files.max_bytes)
        except WeComTooLarge:
            return inbound.model_copy(update={"attachment": attachment.model_copy(update={"problem": "too_large"})})
        except (WeComApiError, WeComNetworkError) as exc:
            log.warning("media of WeCom message %s not fetched: %s", inbound.update_id, exc)
            return inbound.model_copy(update={"attachment": attachment.model_copy(update={"problem": "unavailable"})})
        name = media.name or name
        fetched = attachment.model_copy(update={"name": name, "mime_type": mime_of(name, attachment.mime_type),
                                                "size": len(data), "data": data})
        return inbound.model_copy(update={"attachment": fetched})

    async def _reply(self, inbound: Inbound, replies: list[Action]) -> None:
        chat = inbound.chat_id
        parts = [part for action in replies for part in split_action(CHANNEL, action)]
        limited = False
        for i, action in enumerate(parts):
            if not limited:
                try:
                    await self.deliver(chat, action)
                    continue
                except RetryAfter:
                    limited = True
                except SendError as exc:
                    log.warning("reply to %s not sent: %s", chat, exc)
                    continue
            # Rate-limited: this part and the rest still reach the person, in order, through the outbox.
            if self.enqueue_reply is not None:
                key = f"reply:{CHANNEL}:{inbound.update_id}:{i}"
                await self.enqueue_reply(key, Delivery(channel=CHANNEL, chat_id=chat, action=action))

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait for the messages being handled (at shutdown; tests use it too)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def close(self) -> None:
        await self.idle()
        for task in list(self._tasks):
            task.cancel()


__all__ = ["CALLBACK_PATH", "WeCom", "org_robot_keys"]
