"""What the fake Telegram recorded for tests to read: messages sent, edits, answers, requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:  # keep request logs readable
        return f"UploadedFile({self.filename!r}, {len(self.data)} bytes, {self.content_type!r})"


@dataclass
class SentMessage:
    """One message the bot sent (sendMessage / sendPhoto / sendDocument).

    ``text``/``caption`` are exactly what the bot sent; ``message`` is the Message Telegram
    answered with (and :attr:`plain_text` its text), the same since no parse_mode is rendered.
    """

    method: str
    chat_id: int | str
    message_id: int
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    photo: bytes | None = None
    document: bytes | None = None
    filename: str | None = None
    mime_type: str | None = None
    file_id: str | None = None
    time: float = 0.0
    params: dict[str, Any] = field(default_factory=dict, repr=False)
    message: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def plain_text(self) -> str | None:
        """Text (or caption) as Telegram stores it."""
        return self.message.get("text", self.message.get("caption"))

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """Inline keyboard rows (empty if none)."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard")
        return rows if isinstance(rows, list) else []

    @property
    def button_texts(self) -> list[str]:
        return [b.get("text", "") for row in self.buttons for b in row if isinstance(b, dict)]

    @property
    def callback_datas(self) -> list[str]:
        return [
            b["callback_data"]
            for row in self.buttons
            for b in row
            if isinstance(b, dict) and "callback_data" in b
        ]


@dataclass
class EditRecord:
    """One successful editMessageText."""

    method: str
    chat_id: int | str | None
    message_id: int | None
    text: str | None = None
    reply_markup: dict[str, Any] | None = None
    time: float = 0.0
    params: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class CallbackAnswer:
    callback_query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None
    time: float = 0.0


class RequestRecord(NamedTuple):
    """One API call: canonical method name, normalized params, monotonic time, HTTP status."""

    method: str
    params: dict[str, Any]
    time: float
    http_status: int
