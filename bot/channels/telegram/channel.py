"""Telegram, whichever framework: long polling or a webhook, replies, and the outbox's sender.

A backend (python-telegram-bot or aiogram) only converts between its own objects and the
core's Inbound/Outbound and speaks the Bot API; everything that must behave the same for
both — when an update counts as received, the webhook's secret, what a failed reply becomes —
lives here once.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from core.delivery import Action, RetryAfter, SendError, split_action
from core.messages import Delivery, Inbound

log = logging.getLogger("zsbot.telegram")
CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Senders handled at once from one polling batch: enough that one person's slow reply (or, on
# PostgreSQL, slow query) does not hold up the next; few, because the loop is one CPU and more only
# added HTTP connection-pool work in the benchmark (docs/BENCHMARKS.md); below the database pool.
POLL_CONCURRENCY = 4


class TelegramStartError(Exception):
    """A one-line reason the bot cannot start (missing or rejected token, unreachable API)."""


@dataclass(frozen=True)
class Incoming:
    """What a backend extracted from one update: the Inbound, and a callback query to answer."""

    inbound: Inbound
    callback_query_id: str | None = None


Handle = Callable[[Inbound], Awaitable[list[Action]]]


class Backend(Protocol):
    """The framework-specific part. Each method maps the framework's errors onto core.delivery's."""

    name: str
    username: str | None

    async def open(self) -> None:
        """getMe; raise TelegramStartError on a missing or rejected token."""

    async def close(self) -> None: ...
    async def get_updates(self, offset: int | None, timeout: int) -> list[tuple[int, Any]]: ...
    def parse(self, data: dict[str, Any]) -> Any: ...
    def sender_of(self, update: Any) -> str:
        """Who sent the update ("" if nobody): one person's updates are handled in order."""

    async def dispatch(self, update: Any) -> None:
        """Run the update through the framework's dispatcher, which calls `Telegram.on_incoming`."""

    async def send(self, chat_id: str, action: Action) -> None: ...
    async def answer_callback(self, callback_query_id: str) -> None: ...
    async def set_commands(self, commands: list[tuple[str, str]]) -> None: ...
    async def set_webhook(self, url: str, secret: str) -> None: ...
    async def delete_webhook(self) -> None: ...


class Telegram:
    """The Telegram channel over one backend: receive, hand to the core, reply; and send pushes."""

    channel = CHANNEL

    def __init__(self, backend: Backend, handle: Handle, *,
                 enqueue_reply: Callable[[str, Delivery], Awaitable[None]] | None = None) -> None:
        self.backend = backend
        self.handle = handle
        self.enqueue_reply = enqueue_reply
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
        try:
            replies = await self.handle(incoming.inbound)
        finally:
            if incoming.callback_query_id:
                await self._quietly(self.backend.answer_callback(incoming.callback_query_id))
        chat = incoming.inbound.chat_id
        parts = [part for action in replies for part in split_action(CHANNEL, action)]
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

    async def _quietly(self, call: Awaitable[None]) -> None:
        try:
            await call
        except SendError as exc:
            log.info("answerCallbackQuery failed: %s", exc)

    # -- long polling ---------------------------------------------------------------------------
    async def poll(self, stop: asyncio.Event, *, timeout: int = 30) -> None:
        """getUpdates in a loop. An update is confirmed (by the next offset) only after it was
        handled and its id recorded, so a crash means redelivery, and redelivery has no effect."""
        await self.backend.delete_webhook()
        offset: int | None = None
        backoff = 1.0
        while not stop.is_set():
            fetch = asyncio.ensure_future(self.backend.get_updates(offset, timeout))
            stopper = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait({fetch, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if stop.is_set():
                    break  # updates fetched while stopping are not confirmed: Telegram sends them again
                updates = fetch.result()
                backoff = 1.0
            except SendError as exc:
                log.warning("getUpdates failed (%s); retrying in %.0fs", exc, backoff)
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            finally:
                for pending in (fetch, stopper):
                    pending.cancel()
                await asyncio.gather(fetch, stopper, return_exceptions=True)
            await self._dispatch_batch(updates)
            if updates:
                offset = max(offset or 0, max(update_id for update_id, _ in updates) + 1)

    async def _dispatch_batch(self, updates: list[tuple[int, Any]]) -> None:
        """One getUpdates batch: each sender's updates in the order they came, different senders at
        once (at most POLL_CONCURRENCY), as webhooks and WeCom already do. While one person's reply
        or database write waits, the next person is served. The batch is confirmed only when all of
        it is handled; if a dispatch raised, the first error is raised after the rest finished."""
        by_sender: dict[str, list[Any]] = {}
        for _, update in updates:
            by_sender.setdefault(self.backend.sender_of(update), []).append(update)
        gate = asyncio.Semaphore(POLL_CONCURRENCY)

        async def in_order(queue: list[Any]) -> None:
            async with gate:
                for update in queue:
                    await self.backend.dispatch(update)

        results = await asyncio.gather(*(in_order(queue) for queue in by_sender.values()), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    # -- webhooks -------------------------------------------------------------------------------
    def webhook_app(self, secret: str, path: str = "/telegram") -> web.Application:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_post(path, self._make_webhook_handler(secret))
        return app

    def _make_webhook_handler(self, secret: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        expected = secret.encode("utf-8")

        async def handler(request: web.Request) -> web.Response:
            given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
            if not hmac.compare_digest(given, expected):
                return web.Response(status=401, text="unauthorized")
            try:
                data = json.loads(await request.read())
                update = self.backend.parse(data)
            except Exception:
                return web.Response(status=400, text="bad update")
            try:
                # Answered only after the update is handled and recorded: a 200 means "kept".
                await self.backend.dispatch(update)
            except Exception:
                log.exception("webhook update failed; Telegram will deliver it again")
                return web.Response(status=500, text="retry")
            return web.Response(status=200, text="ok")

        return handler


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


def make_backend(framework: str, token: str, api_url: str, on_incoming: Callable[[Incoming], Awaitable[None]],
                 *, timeout: float = 20.0) -> Backend:
    """The configured framework's backend; imported here so the other framework is never loaded."""
    if framework == "aiogram":
        from bot.channels.telegram_aiogram import AiogramBackend

        return AiogramBackend(token, api_url, on_incoming, timeout=timeout)
    from bot.channels.telegram_ptb import PtbBackend

    return PtbBackend(token, api_url, on_incoming, timeout=timeout)
