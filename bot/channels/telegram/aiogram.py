"""The aiogram (v3) backend: aiogram objects in, core Inbound out, and back.

aiogram's Dispatcher only dispatches here: no FSM storage, no polling manager — the core owns
conversation state, and bot/channels/telegram/polling.py and webhook.py own how updates arrive.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import aiohttp
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import BotCommand, BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.channels.telegram.contract import (ALLOWED_UPDATES, FileTooBig, OnIncoming, TelegramStartError,
                                           dispatching, report_unkept)
from bot.channels.telegram.inbound import inbound_from_update
from core.delivery import Action, Ambiguous, Permanent, RetryAfter, SendError, Transient
from core.messages import Button, EditText, SendFile, SendPhoto, SendText


class AiogramBackend:
    name = "aiogram"

    def __init__(self, token: str, api_url: str, on_incoming: OnIncoming, *,
                 timeout: float = 20.0) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")), timeout=timeout)
        self.bot = Bot(token, session=session)
        self.dp = Dispatcher()
        # The dispatcher's own update listener routes to these; no filters, no FSM, no middlewares.
        self.dp.message.register(self._on_event)
        self.dp.callback_query.register(self._on_event)
        self.on_incoming = on_incoming
        self.username: str | None = None

    async def open(self) -> None:
        try:
            me = await self.bot.get_me()
        except TelegramUnauthorizedError:
            await self.bot.session.close()
            raise TelegramStartError("Telegram 拒绝了这个令牌：请检查 ZSBOT_TELEGRAM_TOKEN（在 BotFather 里核对）") from None
        except TelegramNetworkError as exc:
            await self.bot.session.close()
            raise TelegramStartError(f"连不上 Telegram Bot API（{exc}）：请检查 ZSBOT_TELEGRAM_API_URL 和网络") from None
        self.username = me.username

    async def close(self) -> None:
        await self.bot.session.close()

    async def _on_event(self, _event: Any, event_update: Update) -> None:
        incoming = inbound_from_update(event_update.model_dump(mode="json", by_alias=True, exclude_none=True,
                                                               include=_READ))
        if incoming is not None:
            await report_unkept(self.on_incoming(incoming))

    def parse(self, data: dict[str, Any]) -> Update:
        return Update.model_validate(data, context={"bot": self.bot})

    def sender_of(self, update: Update) -> str:
        event = update.message or update.callback_query
        user = event.from_user if event is not None else None
        return str(user.id) if user is not None else ""

    async def dispatch(self, update: Update) -> None:
        await dispatching(self.dp.feed_update(self.bot, update))

    async def get_updates(self, offset: int | None, timeout: int) -> list[tuple[int, Update]]:
        updates = await _mapped(self.bot.get_updates(
            offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES,
            request_timeout=int(self.bot.session.timeout + timeout)))
        return [(u.update_id, u) for u in updates]

    async def send(self, chat_id: str, action: Action) -> None:
        bot = self.bot
        if isinstance(action, SendText):
            await _mapped(bot(_SendText(chat_id=chat_id, text=action.text, reply_markup=_markup(action.buttons))))
        elif isinstance(action, EditText):
            await _mapped(bot(_EditText(chat_id=chat_id, message_id=int(action.message_id), text=action.text,
                                        reply_markup=_markup(action.buttons))))
        elif isinstance(action, SendPhoto):
            await _mapped(bot.send_photo(chat_id, BufferedInputFile(action.data, action.filename),
                                         caption=action.caption or None))
        elif isinstance(action, SendFile):
            await _mapped(bot.send_document(chat_id, BufferedInputFile(action.data, action.filename),
                                            caption=action.caption or None))

    async def answer_callback(self, callback_query_id: str) -> None:
        await _mapped(self.bot.answer_callback_query(callback_query_id))

    async def download(self, file_id: str, max_bytes: int) -> bytes:
        try:
            file = await self.bot.get_file(file_id)
        except TelegramBadRequest as exc:
            if "too big" in str(exc).lower():
                raise FileTooBig(str(exc)) from None
            raise Permanent(str(exc)) from None
        if file.file_size is not None and file.file_size > max_bytes:
            raise FileTooBig(f"{file.file_size} bytes")
        if not file.file_path:
            raise Permanent("getFile answered no file_path")
        buffer = await _mapped(self.bot.download_file(file.file_path))
        data = buffer.getvalue() if buffer is not None else b""
        if len(data) > max_bytes:
            raise FileTooBig(f"{len(data)} bytes")
        return bytes(data)

    async def set_commands(self, commands: list[tuple[str, str]]) -> None:
        await _mapped(self.bot.set_my_commands([BotCommand(command=c, description=d) for c, d in commands]))

    async def set_webhook(self, url: str, secret: str) -> None:
        await _mapped(self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES))

    async def delete_webhook(self) -> None:
        await _mapped(self.bot.delete_webhook())


# What bot/channels/telegram/inbound.py reads of an update, by aiogram's field names: the rest of it (the pressed
# card's text and keyboard above all) is not converted back to JSON only to be dropped.
_USER = {"id": True, "first_name": True, "last_name": True, "username": True}
_CHAT = {"id": True, "type": True}
_READ: Any = {
    "update_id": True,
    "message": {"message_id": True, "date": True, "chat": _CHAT, "from_user": _USER, "text": True, "caption": True,
                "photo": {"__all__": {"file_id": True, "file_unique_id": True, "file_size": True, "width": True,
                                      "height": True}},
                "document": {"file_id": True, "file_name": True, "mime_type": True, "file_size": True}},
    "callback_query": {"id": True, "data": True, "from_user": _USER,
                       "message": {"message_id": True, "date": True, "chat": _CHAT}},
}


class _SendText(TelegramMethod[Any]):
    """sendMessage as aiogram's SendMessage sends it, with Telegram's answer left as JSON: nothing reads the
    Message aiogram would validate from it, which was a third of a reply's own cost (docs/BENCHMARKS.md)."""

    __returning__ = Any
    __api_method__ = "sendMessage"

    chat_id: int | str
    text: str
    reply_markup: InlineKeyboardMarkup | None = None


class _EditText(TelegramMethod[Any]):
    """editMessageText likewise."""

    __returning__ = Any
    __api_method__ = "editMessageText"

    chat_id: int | str
    message_id: int
    text: str
    reply_markup: InlineKeyboardMarkup | None = None


def _markup(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=b.label, callback_data=b.payload)
                                                  for b in row] for row in rows])


async def _mapped(call: Awaitable[Any]) -> Any:
    """aiogram's exceptions as the outbox understands them."""
    try:
        return await call
    except TelegramRetryAfter as exc:
        raise RetryAfter(float(exc.retry_after)) from None
    except TelegramNetworkError as exc:
        # The connection never opened: safe to retry. A timeout or a dropped answer may have been sent.
        if isinstance(exc.__cause__, aiohttp.ClientConnectorError):
            raise Transient(str(exc)) from None
        if isinstance(exc.__cause__, asyncio.TimeoutError) or exc.__cause__ is not None:
            raise Ambiguous(str(exc)) from None
        raise Transient(str(exc)) from None
    except TelegramServerError as exc:
        raise Transient(str(exc)) from None
    except (TelegramBadRequest, TelegramForbiddenError, TelegramUnauthorizedError) as exc:
        raise Permanent(str(exc)) from None
    except TelegramAPIError as exc:
        raise SendError(str(exc)) from None
