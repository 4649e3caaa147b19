"""What arrives is checked before any of it reaches SQL: valid Unicode, no control characters,
bounded sizes. A message that fails is refused in one Chinese sentence and leaves nothing behind.

Channels already bound their bodies (the webhook, WeCom's 64 KiB); this is the core's own line,
whatever the channel: a JSON body may carry a lone surrogate (`"\\udd26"`), which neither engine
can store, and PostgreSQL refuses NUL in text.
"""
from __future__ import annotations

import re
from typing import Any

from core.messages import Inbound

MAX_TEXT = 16_000        # characters; Telegram's own limit is 4,096, WeCom's 2,048 bytes
MAX_PAYLOAD = 256        # a button's payload; ours are under 64 bytes (Telegram's callback_data limit)
MAX_ID_FIELD = 100       # chat, sender, message and update ids: the columns are String(100)
MAX_NAME = 128
MAX_FILE_NAME = 200       # the attachments table's column
_MIME = re.compile(r"[A-Za-z0-9.+-]{1,60}/[A-Za-z0-9.+*-]{1,60}")

_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Control characters that are whitespace become a space (normalize_input collapses it); the rest
# (NUL, ESC, the C1 block but NEL) cannot be meant and are refused.
_WHITE_CONTROLS = str.maketrans({c: " " for c in "\x0b\x0c\x1c\x1d\x1e\x1f\x85"})
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_ids(inbound: Inbound) -> str | None:
    """The catalog key of the refusal when an id the update record and the routing use is unusable."""
    for value in (inbound.channel, inbound.chat_id, inbound.sender_id, inbound.message_id or "",
                  inbound.update_id or ""):
        if len(value) > MAX_ID_FIELD or _SURROGATE.search(value) or _ANY_CONTROL.search(value):
            return "input.bad_id"
    if not inbound.channel or not inbound.chat_id or not inbound.sender_id:
        return "input.bad_id"
    return None


def check_content(inbound: Inbound) -> tuple[Inbound, str | None]:
    """(the inbound to handle, None), or (inbound, the catalog key of the refusal). Whitespace-like
    control characters become spaces and an unusable display name is cleaned, not refused."""
    changes: dict[str, Any] = {}
    if inbound.attachment is not None:
        # A file's name and type come from the sender's phone: kept printable and bounded, never refused.
        a = inbound.attachment
        mime = a.mime_type if _MIME.fullmatch(a.mime_type) else ""
        file_name = _ANY_CONTROL.sub("", _SURROGATE.sub("", a.name))[:MAX_FILE_NAME]
        if (mime, file_name) != (a.mime_type, a.name):
            changes["attachment"] = a.model_copy(update={"mime_type": mime, "name": file_name})
    name = inbound.sender_name
    if len(name) > MAX_NAME or _SURROGATE.search(name) or _ANY_CONTROL.search(name):
        changes["sender_name"] = _ANY_CONTROL.sub("", _SURROGATE.sub("", name))[:MAX_NAME]
    if inbound.payload is not None:
        payload = inbound.payload
        if len(payload) > MAX_PAYLOAD or _SURROGATE.search(payload) or _ANY_CONTROL.search(payload):
            return inbound, "button.expired"
    if inbound.text is not None:
        text = inbound.text
        if len(text) > MAX_TEXT:
            return inbound, "input.too_long"
        if _SURROGATE.search(text):
            return inbound, "input.bad_unicode"
        cleaned = text.translate(_WHITE_CONTROLS)
        if _CONTROL.search(cleaned):
            return inbound, "input.control"
        if cleaned != text:
            changes["text"] = cleaned
    return (inbound.model_copy(update=changes) if changes else inbound), None
