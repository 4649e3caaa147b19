"""Sending to a chat: the channel port, and the failures the outbox treats differently."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.messages import Delivery, EditText, SendFile, SendPhoto, SendText

Action = SendText | EditText | SendPhoto | SendFile


@dataclass(frozen=True)
class Pending:
    """An outbox row that is due: what to send where, and how often it was tried."""

    id: int
    key: str
    delivery: Delivery
    attempts: int
    kind: str = ""                 # what the push is (reminders/staleness.py reads when it goes stale)
    member_id: int | None = None   # whom it is for, when it was sent to a person

    @property
    def chat(self) -> tuple[str, str]:
        return (self.delivery.channel, self.delivery.chat_id)


class SendError(Exception):
    """A send that did not go through."""


class RetryAfter(SendError):
    """The platform asked us to wait (Telegram 429, WeCom 45009): wait for this chat, not for all."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Transient(SendError):
    """The request never reached the platform (connection refused, DNS, 5xx before processing): safe to retry."""


class Ambiguous(SendError):
    """The platform may have sent it (a read timeout): retrying could duplicate, so never retry."""


class Permanent(SendError):
    """Retrying cannot help (chat not found, bot blocked, bad request)."""


class ChannelSender(Protocol):
    channel: str

    def is_group(self, chat_id: str) -> bool:
        """Group chats have their own, slower limit."""

    async def deliver(self, chat_id: str, action: Action) -> None:
        """Send one action; raise a SendError subclass when it does not go through."""


def split_text(text: str, limit: int) -> list[str]:
    """Cut a long message at line breaks (at a hard limit only when one line is longer than `limit`)."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


# What one message may hold, per channel (Telegram: 4096 characters of text). WeCom counts 2048
# UTF-8 bytes: 600 characters of Chinese (3 bytes each) leave room for the numbered choices.
TEXT_LIMITS: dict[str, int] = {"telegram": 4096, "console": 1_000_000, "wecom": 600}
# Channels whose pictures and files carry no caption: the caption is a message of its own after them.
SEPARATE_CAPTIONS = frozenset({"wecom"})


def split_action(channel: str, action: Action) -> list[Action]:
    """A long text becomes several messages cut at line breaks; buttons stay on the last one."""
    if channel in SEPARATE_CAPTIONS and isinstance(action, (SendPhoto, SendFile)) and action.caption:
        return [action.model_copy(update={"caption": ""}), *split_action(channel, SendText(text=action.caption))]
    limit = TEXT_LIMITS.get(channel)
    if limit is None or not isinstance(action, SendText) or len(action.text) <= limit:
        return [action]
    parts = split_text(action.text, limit)
    out: list[Action] = [SendText(text=p) for p in parts[:-1]]
    return [*out, SendText(text=parts[-1], buttons=action.buttons)]
