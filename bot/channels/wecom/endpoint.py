"""WeCom (企业微信) / 政务微信 self-built application: the callback listener, replies, and the outbox's sender.

Receiving: WeCom posts each message, encrypted and signed, to the callback URL and retries any
call not answered within 5 seconds. The listener checks and decrypts it, hands the message to the
core in a task (one sender's messages in order) and answers when it is kept (at most ANSWER_WITHIN
seconds later); the core records the MsgId with its effects, so a retry, or a replay, has no second
effect. A message the database could not keep is answered 503, so WeCom calls again.

Sending: chat ids are WeCom account ids (application messages) or `robot:<unit code>` (the unit's
group robot from the org file; the key is looked up when sending, never stored in the outbox).
A prompt with 1..6 short choices is a button_interaction template card whose keys are the core's
button payloads (cards.py); more choices, long labels, cards switched off (`ZSBOT_WECOM_CARDS=off`) or a
deployment that answers template_card with "invalid message type" (learned once under `auto`) get
today's numbered list. `EditText` (the core's "已选：…" after a press) greys out the pressed card's
buttons with "✓ 确认" through message/update_template_card and the press's response code; after a typed
choice there is no card to update and it is skipped.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from aiohttp import web

from bot.channels.files import WantsFile, wanted
from bot.channels.wecom.cards import button_card, new_task_id, replace_name, response_code_of
from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.contract import (
    APP_TEXT_MAX_BYTES,
    CHANNEL,
    ERRCODE_INVALID_MSGTYPE,
    ROBOT_MARKDOWN_MAX_BYTES,
    WeComApiError,
    WeComCryptoError,
    WeComMaybeSent,
    WeComNetworkError,
    WeComRateLimited,
    WeComTooLarge,
)
from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.inbound import Media, inbound_from_message, media_of
from bot.channels.wecom.message_xml import parse_message_xml
from bot.channels.wecom.render import app_text, choices_text, robot_text, split_bytes
from core.errors import Unavailable
from core.delivery import Action, Ambiguous, Permanent, RetryAfter, SendError, Transient, split_action
from core.groups import ROBOT_PREFIX
from core.evidence import FilePolicy, mime_of
from core.messages import Delivery, EditText, Inbound, SendFile, SendPhoto, SendText
from core.ports import UnitOfWork

log = logging.getLogger("zsbot.wecom")
CALLBACK_PATH = "/wecom/callback"
MAX_BODY = 64 * 1024          # real callbacks are a few KiB
ANSWER_WITHIN = 4.0           # seconds the callback waits for the message to be kept (WeCom: 5 s)
MAX_SKEW_SECONDS = 3600       # older signed callbacks are refused: no replay after the update log forgets

Handle = Callable[[Inbound], Awaitable[list[Action]]]
RobotKey = Callable[[str], Awaitable[str | None]]
Sent = SendText | SendPhoto | SendFile  # what reaches WeCom as a message; EditText updates a card
CardsMode = Literal["auto", "on", "off"]


class WeCom:
    """The WeCom channel: callback in, core, replies out; and `deliver` for the outbox."""

    channel = CHANNEL
    rate_limit_backoff = 60.0  # seconds to wait after errcode 45009 (WeCom names no retry time)

    def __init__(self, client: WeComClient, crypto: WeComCrypto, handle: Handle, *, robot_key: RobotKey,
                 enqueue_reply: Callable[[str, Delivery], Awaitable[None]] | None = None,
                 cards: CardsMode = "auto", now: Callable[[], float] = time.time, files: FilePolicy | None = None,
                 wants_file: WantsFile | None = None) -> None:
        self.client = client
        self.files = files or FilePolicy()
        self.wants_file = wants_file  # the core's "would this file be kept?" (Conversations.wants_file)
        self.crypto = crypto
        self.handle = handle
        self.robot_key = robot_key
        self.enqueue_reply = enqueue_reply
        self.now = now
        self.cards = cards
        # Under `auto`: set when this deployment answered a card with "invalid message type"; from then
        # on its prompts are numbered lists (until the bot restarts and tries a card once more).
        self.cards_unsupported = False
        self.received = 0
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._senders: dict[str, tuple[asyncio.Lock, int]] = {}

    # -- the outbox's ChannelSender ---------------------------------------------------------------
    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith(ROBOT_PREFIX)

    async def deliver(self, chat_id: str, action: Action) -> None:
        if isinstance(action, EditText):
            if not chat_id.startswith(ROBOT_PREFIX):
                await self._mark_pressed(chat_id, action)
            return
        if chat_id.startswith(ROBOT_PREFIX):
            await self._to_robot(chat_id.removeprefix(ROBOT_PREFIX), action)
        elif not chat_id or "|" in chat_id or chat_id.startswith("@"):
            raise Permanent("not a single WeCom account id")  # "a|b" or "@all" would reach many
        else:
            await self._to_member(chat_id, action)

    async def _to_member(self, user: str, action: Sent) -> None:
        if isinstance(action, SendText):
            if action.buttons and await self._as_card(user, action):
                return
            await self._texts(user, app_text(action))
            return
        kind: Literal["image", "file"] = "image" if isinstance(action, SendPhoto) else "file"
        media_id = await _mapped(self.client.upload_media(kind, action.filename, action.data),
                                 self.rate_limit_backoff, visible=False)
        send = self.client.send_image if kind == "image" else self.client.send_file
        await _mapped(send(user, media_id), self.rate_limit_backoff)
        await self._caption(action, lambda text: self._to_member(user, SendText(text=text)))

    async def _texts(self, user: str, text: str) -> None:
        for part in split_bytes(text, APP_TEXT_MAX_BYTES):
            await _mapped(self.client.send_text(user, part), self.rate_limit_backoff)

    async def _as_card(self, user: str, action: SendText) -> bool:
        """Send the prompt as a button card; False when it goes as the numbered list instead."""
        if self.cards == "off" or (self.cards == "auto" and self.cards_unsupported):
            return False
        plan = button_card(action, new_task_id())
        if plan is None:
            return False
        if plan.text_before:
            await self._texts(user, plan.text_before)
        if not await _mapped(self._send_card(user, plan.card), self.rate_limit_backoff):
            if self.cards == "auto" and not self.cards_unsupported:
                log.warning("WeCom answered template_card with errcode %s: choices go as numbered lists "
                            "(set ZSBOT_WECOM_CARDS=off to skip the try)", ERRCODE_INVALID_MSGTYPE)
                self.cards_unsupported = True
            # The text went already when it was too long for the card: then only the choices follow.
            await self._texts(user, choices_text(action) if plan.text_before else app_text(action))
        return True

    async def _send_card(self, user: str, card: dict[str, Any]) -> bool:
        """True when sent; False when this deployment has no template cards ("invalid message type")."""
        try:
            await self.client.send_template_card(user, card)
        except WeComApiError as exc:
            if exc.errcode == ERRCODE_INVALID_MSGTYPE:
                return False
            raise
        return True

    async def _mark_pressed(self, user: str, action: EditText) -> None:
        """Grey out the pressed card's buttons with the choice (✓ 确认); a typed choice has no card."""
        code = response_code_of(action.message_id)
        if code is None:
            return
        try:
            await _mapped(self.client.update_template_card(user, code, replace_name(action.chosen)),
                          self.rate_limit_backoff)
        except Permanent as exc:
            # A used or expired (72 h) code: the choice was made all the same; the card stays as it was.
            log.info("pressed card of %s not updated: %s", user, exc)

    async def _to_robot(self, unit: str, action: Sent) -> None:
        key = await self.robot_key(unit)
        if not key:
            raise Permanent(f"unit {unit!r} has no group robot in the org file")
        backoff = self.rate_limit_backoff
        if isinstance(action, SendText):
            for part in split_bytes(robot_text(action), ROBOT_MARKDOWN_MAX_BYTES):
                await _mapped(self.client.robot_send_markdown(key, part), backoff)
            return
        if isinstance(action, SendPhoto):
            await _mapped(self.client.robot_send_image(key, action.data), backoff)
        else:
            media_id = await _mapped(self.client.robot_upload_media(key, action.filename, action.data),
                                     backoff, visible=False)
            await _mapped(self.client.robot_send_file(key, media_id), backoff)
        await self._caption(action, lambda text: self._to_robot(unit, SendText(text=text)))

    @staticmethod
    async def _caption(action: SendPhoto | SendFile, send: Callable[[str], Awaitable[None]]) -> None:
        # The outbox and the replies split captions into messages of their own (core.delivery);
        # one arriving here anyway still reaches the person, after the picture.
        if action.caption:
            await send(action.caption)

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


async def _mapped(call: Awaitable[Any], backoff: float, *, visible: bool = True) -> Any:
    """The client's failures as the outbox understands them. `visible`: the call shows the person
    something, so a request that may have arrived must not be repeated."""
    try:
        return await call
    except WeComRateLimited:
        raise RetryAfter(backoff) from None
    except WeComMaybeSent as exc:
        raise (Ambiguous if visible else Transient)(str(exc)) from None
    except WeComNetworkError as exc:
        raise Transient(str(exc)) from None
    except WeComApiError as exc:
        # -1 is WeCom's "system busy"; every other errcode is an answer retrying will not change.
        raise (Transient if exc.errcode == -1 else Permanent)(str(exc)) from None
    except ValueError as exc:  # too large, empty: refused before any request
        raise Permanent(str(exc)) from None


def org_robot_keys(uow_factory: Callable[..., UnitOfWork]) -> RobotKey:
    """Robot keys from the organisation in force: a key changed with `zsbot init --org` applies at once."""

    async def robot_key(unit: str) -> str | None:
        async with uow_factory(readonly=True) as uow:
            cfg = await uow.org.config()
        if cfg is None or not cfg.has_unit(unit):
            return None
        return cfg.unit(unit).robot_webhook_key

    return robot_key
