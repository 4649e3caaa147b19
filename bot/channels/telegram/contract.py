"""What the Telegram channel and its two backends share: constants, the start error, `Incoming`, `Backend`.

Everything else in bot/channels/telegram/ imports this module and it imports none of them, so the
backends and the channel never import each other.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from core.delivery import Action
from core.errors import Unavailable
from core.messages import Inbound

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class FileTooBig(Exception):
    """A file over the limit: not downloaded (Telegram's getFile answers "file is too big" above 20 MB)."""


class TelegramStartError(Exception):
    """A one-line reason the bot cannot start (missing or rejected token, unreachable API)."""


@dataclass(frozen=True)
class FileRef:
    """A photo or document in a message: what getFile needs, and what the person's phone said about it."""

    file_id: str
    name: str
    mime_type: str
    size: int | None


@dataclass(frozen=True)
class Incoming:
    """What a backend extracted from one update: the Inbound, a callback query to answer, a file to fetch."""

    inbound: Inbound
    callback_query_id: str | None = None
    file: FileRef | None = None


Handle = Callable[[Inbound], Awaitable[list[Action]]]

# The frameworks catch what a handler raises (PTB logs it and carries on), so an update the store
# could not keep would be acknowledged. The backend's handler puts `Unavailable` here instead, and
# `dispatch` raises it to the webhook (5xx) or the poll loop (offset not confirmed).
_UNKEPT: ContextVar[list[Unavailable] | None] = ContextVar("zsbot_unkept", default=None)


async def report_unkept(run: Awaitable[None]) -> None:
    """Run the backend's handler for one update; an `Unavailable` is handed to `dispatching`."""
    try:
        await run
    except Unavailable as exc:
        box = _UNKEPT.get()
        if box is None:
            raise
        box.append(exc)


async def dispatching(run: Awaitable[None]) -> None:
    """Feed one update to the framework; raise `Unavailable` when the store did not keep it."""
    box: list[Unavailable] = []
    token = _UNKEPT.set(box)
    try:
        await run
    finally:
        _UNKEPT.reset(token)
    if box:
        raise box[0]
OnIncoming = Callable[[Incoming], Awaitable[None]]


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
    async def download(self, file_id: str, max_bytes: int) -> bytes:
        """getFile, then the file's bytes; `FileTooBig` when Telegram or the size says it is over `max_bytes`."""
    async def set_commands(self, commands: list[tuple[str, str]]) -> None: ...
    async def set_webhook(self, url: str, secret: str) -> None: ...
    async def delete_webhook(self) -> None: ...
