"""Bot API update JSON → core Inbound: one conversion for both frameworks (they serialise to it)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bot.channels.telegram.contract import CHANNEL, FileRef, Incoming
from core.messages import ChatType, Inbound


def inbound_from_update(data: dict[str, Any]) -> Incoming | None:
    """A text message, a photo or document (its caption as the text), or a button press; anything else
    (stickers, joins, edits) is not for the core."""
    update_id = str(data["update_id"])
    if "callback_query" in data:
        query = data["callback_query"]
        message = query.get("message") or {}
        chat = message.get("chat") or {}
        sender = query.get("from") or {}
        if not chat or not sender:
            return None
        return Incoming(Inbound(
            channel=CHANNEL, chat_id=str(chat["id"]), chat_type=_chat_type(chat), sender_id=str(sender["id"]),
            sender_name=_name(sender), payload=query.get("data") or "", message_id=str(message.get("message_id")),
            at=_time(message.get("date")), update_id=update_id), callback_query_id=str(query["id"]))
    message = data.get("message")
    if not message or "from" not in message:
        return None
    text = message.get("text") or message.get("caption")
    chat = message["chat"]
    file = _file(message)
    return Incoming(Inbound(
        channel=CHANNEL, chat_id=str(chat["id"]), chat_type=_chat_type(chat), sender_id=str(message["from"]["id"]),
        sender_name=_name(message["from"]), text=text, message_id=str(message["message_id"]),
        at=_time(message.get("date")), update_id=update_id), file=file)


def _file(message: dict[str, Any]) -> FileRef | None:
    """The photo (its largest size: Telegram lists them smallest first) or the document of a message."""
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        best = max(photos, key=lambda p: (p.get("file_size") or 0, p.get("width", 0) * p.get("height", 0)))
        unique = str(best.get("file_unique_id") or best.get("file_id", ""))[-12:]
        return FileRef(str(best["file_id"]), f"photo_{unique}.jpg", "image/jpeg", best.get("file_size"))
    document = message.get("document")
    if isinstance(document, dict) and document.get("file_id"):
        return FileRef(str(document["file_id"]), str(document.get("file_name") or "document"),
                       str(document.get("mime_type") or ""), document.get("file_size"))
    return None


def _chat_type(chat: dict[str, Any]) -> ChatType:
    return ChatType.PRIVATE if chat.get("type") == "private" else ChatType.GROUP


def _name(user: dict[str, Any]) -> str:
    return " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p) or user.get("username") or ""


def _time(value: Any) -> datetime:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    if isinstance(value, str):
        return datetime.fromisoformat(value).astimezone(timezone.utc)
    return datetime.now(timezone.utc)
