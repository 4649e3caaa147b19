"""The python-telegram-bot (v22) backend: PTB objects in, core Inbound out, and back.

PTB's Application only dispatches here: no ConversationHandler, no persistence, no Updater —
the core owns conversation state, and bot/channels/telegram/polling.py and webhook.py own how updates arrive.
"""
from __future__ import annotations

import warnings
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

import httpx
from telegram import BotCommand, Message, Update, User
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter as PtbRetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, TypeHandler
from telegram.request import RequestData
# PTB's own parameter class (JSON-encodes a value as its Bot methods do); public only through RequestData.
from telegram.request._requestparameter import RequestParameter
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram.contract import (ALLOWED_UPDATES, FileTooBig, OnIncoming, TelegramStartError,
                                           dispatching, report_unkept)
from bot.channels.telegram.inbound import inbound_from_update
from core.delivery import Action, Ambiguous, Permanent, RetryAfter, SendError, Transient
from core.messages import Button, EditText, SendFile, SendPhoto, SendText


class PtbBackend:
    name = "ptb"

    def __init__(self, token: str, api_url: str, on_incoming: OnIncoming, *,
                 timeout: float = 20.0) -> None:
        base = api_url.rstrip("/")
        # The builder's type parameters name the Application's bot, context and data types.
        self.app = (ApplicationBuilder().token(token).base_url(f"{base}/bot")
                    .base_file_url(f"{base}/file/bot").updater(None).concurrent_updates(False)
                    .read_timeout(timeout).write_timeout(timeout).connect_timeout(timeout)
                    .get_updates_read_timeout(timeout).build())
        self.app.add_handler(TypeHandler(Update, self._on_update))
        self.on_incoming = on_incoming
        self.username: str | None = None

    async def open(self) -> None:
        try:
            await self.app.initialize()
        except InvalidToken:
            raise TelegramStartError("Telegram 拒绝了这个令牌：请检查 ZSBOT_TELEGRAM_TOKEN（在 BotFather 里核对）") from None
        except (NetworkError, httpx.HTTPError) as exc:
            raise TelegramStartError(f"连不上 Telegram Bot API（{exc}）：请检查 ZSBOT_TELEGRAM_API_URL 和网络") from None
        self.username = self.app.bot.username

    async def close(self) -> None:
        await self.app.shutdown()

    async def _on_update(self, update: Update, _context: Any) -> None:
        incoming = inbound_from_update(read(update))
        if incoming is not None:
            await report_unkept(self.on_incoming(incoming))

    def parse(self, data: dict[str, Any]) -> Update:
        update = Update.de_json(data, self.app.bot)
        if update is None:
            raise ValueError("empty update")
        return update

    def sender_of(self, update: Update) -> str:
        user = update.effective_user
        return str(user.id) if user is not None else ""

    async def dispatch(self, update: Update) -> None:
        await dispatching(self.app.process_update(update))

    async def get_updates(self, offset: int | None, timeout: int) -> list[tuple[int, Update]]:
        updates = await _mapped(self.app.bot.get_updates(offset=offset, timeout=timeout,
                                                         allowed_updates=ALLOWED_UPDATES))
        return [(u.update_id, u) for u in updates]

    async def send(self, chat_id: str, action: Action) -> None:
        bot = self.app.bot
        if isinstance(action, SendText):
            await _mapped(self._call("sendMessage", {"chat_id": chat_id, "text": action.text,
                                                     "reply_markup": _keyboard(action.buttons)}))
        elif isinstance(action, EditText):
            await _mapped(self._call("editMessageText", {"chat_id": chat_id, "message_id": int(action.message_id),
                                                         "text": action.text, "reply_markup": _keyboard(action.buttons)}))
        elif isinstance(action, SendPhoto):
            await _mapped(bot.send_photo(chat_id, action.data, caption=action.caption or None,
                                         filename=action.filename))
        elif isinstance(action, SendFile):
            await _mapped(bot.send_document(chat_id, action.data, filename=action.filename,
                                            caption=action.caption or None))

    async def _call(self, endpoint: str, params: dict[str, Any]) -> Any:
        """A text reply through PTB's request object (its HTTP client, timeouts and error classes), without
        the Message PTB would build from Telegram's answer: nothing reads it, and building it (the card's
        keyboard too) was a sixth of a reply's cost in this process (docs/BENCHMARKS.md, section 1)."""
        bot = self.app.bot
        data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items() if v is not None])
        return await bot.request.post(f"{bot.base_url}/{endpoint}", request_data=data)

    async def answer_callback(self, callback_query_id: str) -> None:
        await _mapped(self.app.bot.answer_callback_query(callback_query_id))

    async def download(self, file_id: str, max_bytes: int) -> bytes:
        try:
            file = await self.app.bot.get_file(file_id)
        except BadRequest as exc:
            if "too big" in str(exc).lower():
                raise FileTooBig(str(exc)) from None
            raise Permanent(str(exc)) from None
        if file.file_size is not None and file.file_size > max_bytes:
            raise FileTooBig(f"{file.file_size} bytes")
        data = bytes(await _mapped(file.download_as_bytearray()))
        if len(data) > max_bytes:
            raise FileTooBig(f"{len(data)} bytes")
        return data

    async def set_commands(self, commands: list[tuple[str, str]]) -> None:
        await _mapped(self.app.bot.set_my_commands([BotCommand(c, d) for c, d in commands]))

    async def set_webhook(self, url: str, secret: str) -> None:
        await _mapped(self.app.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES))

    async def delete_webhook(self) -> None:
        await _mapped(self.app.bot.delete_webhook())


def _keyboard(rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any] | None:
    """The inline keyboard as the Bot API takes it."""
    if not rows:
        return None
    return {"inline_keyboard": [[{"text": b.label, "callback_data": b.payload} for b in row] for row in rows]}


def read(update: Update) -> dict[str, Any]:
    """What bot/channels/telegram/inbound.py reads of an update, as the Bot API's JSON has it. `Update.to_dict`
    converted all of it, the pressed card's text and keyboard included, only for most of it to be dropped."""
    data: dict[str, Any] = {"update_id": update.update_id}
    if update.message is not None:
        data["message"] = _message(update.message)
    query = update.callback_query
    if query is not None:
        data["callback_query"] = {"id": query.id, "data": query.data, "from": _user(query.from_user)}
        if query.message is not None:
            data["callback_query"]["message"] = _message(query.message)
    return data


def _user(user: User) -> dict[str, Any]:
    return {"id": user.id, "first_name": user.first_name, "last_name": user.last_name, "username": user.username}


def _message(message: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"message_id": message.message_id, "date": int(message.date.timestamp()),
                            "chat": {"id": message.chat.id, "type": message.chat.type}}
    if not isinstance(message, Message):
        return data  # a pressed message too old to be shown: its chat and id only
    if message.from_user is not None:
        data["from"] = _user(message.from_user)
    data.update(text=message.text, caption=message.caption)
    if message.photo:
        data["photo"] = [{"file_id": p.file_id, "file_unique_id": p.file_unique_id, "file_size": p.file_size,
                          "width": p.width, "height": p.height} for p in message.photo]
    if message.document is not None:
        d = message.document
        data["document"] = {"file_id": d.file_id, "file_name": d.file_name, "mime_type": d.mime_type,
                            "file_size": d.file_size}
    return data


async def _mapped(call: Awaitable[Any]) -> Any:
    """PTB's exceptions as the outbox understands them."""
    try:
        return await call
    except PtbRetryAfter as exc:
        with warnings.catch_warnings():
            # PTB 22 announces retry_after becoming a timedelta; both forms are handled below.
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            wait = exc.retry_after
        raise RetryAfter(wait.total_seconds() if isinstance(wait, timedelta) else float(wait)) from None
    except TimedOut as exc:
        # A connect or pool timeout never reached Telegram; a read or write timeout may have.
        if isinstance(exc.__cause__, (httpx.ConnectTimeout, httpx.PoolTimeout)):
            raise Transient(str(exc)) from None
        raise Ambiguous(str(exc) or "read timeout") from None
    except (BadRequest, Forbidden, ChatMigrated, InvalidToken) as exc:
        raise Permanent(str(exc)) from None
    except NetworkError as exc:
        cause = exc.__cause__
        if cause is None or isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
            raise Transient(str(exc)) from None  # a 5xx answer, or the connection never opened
        raise Ambiguous(str(exc)) from None
    except TelegramError as exc:
        raise SendError(str(exc)) from None
