"""A decrypted WeCom callback (text message, menu click or a pressed card button) → core Inbound.

Menu keys: a click on a custom-menu item of the 自建应用 arrives as `Event=click` with the item's
key. A key of lowercase letters is a command name (`help` → `/help`, `lead` → `/lead`, `status`,
`my`, `report`…); any other key is taken as typed text, so a Chinese keyword (`线索`, `帮助`) or a
full command (`/stale 30`) works as it is.

Card presses: `Event=template_card_event` carries the button's key (the payload a Telegram button
carries; for a vote card's 提交, the chosen option's id is the payload), the card's TaskId and a one-use ResponseCode that may update the card; the Inbound's
message_id holds both (cards.card_message_id) so the core's "已选" edit can reach the pressed card,
even from the outbox. WeCom retries carry the same fields, so they give the same update id.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

from dataclasses import dataclass

from bot.channels.wecom.cards import SUBMIT_KEY, TASK_ID, card_message_id
from bot.channels.wecom.contract import CARD_KEY_MAX_BYTES, CHANNEL
from core.evidence import mime_of
from core.messages import Attachment, ChatType, Inbound

# WeCom account ids (userid): letters, digits and _ - . @, at most 64. Refusing anything else keeps
# a forged id such as "robot:east" or "a|b" (two recipients) from ever becoming a chat id.
_USER_ID = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
_MSG_ID = re.compile(r"[0-9]{1,32}")
_COMMAND_KEY = re.compile(r"[a-z_]{1,32}")
# WeCom's response codes are opaque tokens; anything else (spaces, ":", control characters) is refused.
_RESPONSE_CODE = re.compile(r"[A-Za-z0-9_=+/.@-]{1,512}")
_MEDIA_ID = re.compile(r"[A-Za-z0-9_=+/.@-]{1,256}")
MAX_TEXT = 4000


@dataclass(frozen=True)
class Media:
    """A received image or file: the MediaId media/get fetches (valid 3 days) and what the message says of it."""

    media_id: str
    kind: str       # image | file
    name: str


def media_of(msg: dict[str, str]) -> Media | None:
    """The image or file of a message (MsgType image / file), None for anything else."""
    kind, media_id = msg.get("MsgType", ""), msg.get("MediaId", "")
    if kind not in ("image", "file") or not _MEDIA_ID.fullmatch(media_id):
        return None
    name = msg.get("FileName", "").strip() or (f"image_{msg.get('MsgId', '')[-12:]}.jpg" if kind == "image" else "")
    return Media(media_id, kind, name)


def menu_text(event_key: str) -> str | None:
    """What a menu click means, as if the person had typed it."""
    key = event_key.strip()
    if not key:
        return None
    return f"/{key}" if _COMMAND_KEY.fullmatch(key) else key[:MAX_TEXT]


def inbound_from_message(msg: dict[str, str], *, agent_id: int) -> Inbound | None:
    """A text message, an image or file (its bytes fetched later by the endpoint, see `media_of`) or a menu
    click from a valid account of this application; None for anything else (voice, location, entering the
    app, another application's messages)."""
    user = msg.get("FromUserName", "")
    if not _USER_ID.fullmatch(user):
        return None
    agent = msg.get("AgentID", "").strip()
    if agent and agent != str(agent_id):
        return None
    at = _time(msg.get("CreateTime", ""))
    kind = msg.get("MsgType", "")
    if kind == "text":
        msg_id = msg.get("MsgId", "")
        if not _MSG_ID.fullmatch(msg_id):
            return None
        return Inbound(channel=CHANNEL, chat_id=user, chat_type=ChatType.PRIVATE, sender_id=user,
                       text=msg.get("Content", "")[:MAX_TEXT], message_id=msg_id, at=at, update_id=msg_id)
    media = media_of(msg)
    if media is not None:
        msg_id = msg.get("MsgId", "")
        if not _MSG_ID.fullmatch(msg_id):
            return None
        # A file's type is known before the download when the message names it (FileName), else from media/get.
        mime = "image/jpeg" if kind == "image" else mime_of(media.name) if media.name else ""
        attachment = Attachment(name=media.name or media.media_id[-12:], mime_type=mime)
        return Inbound(channel=CHANNEL, chat_id=user, chat_type=ChatType.PRIVATE, sender_id=user, message_id=msg_id,
                       at=at, update_id=msg_id, attachment=attachment)
    if kind == "event" and msg.get("Event", "").lower() == "click":
        text = menu_text(msg.get("EventKey", ""))
        if text is None:
            return None
        # Events have no MsgId: WeCom's retries of one click carry the same account, time and key.
        basis = "\n".join((user, msg.get("CreateTime", ""), msg.get("EventKey", "")))
        update_id = "click:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:40]
        return Inbound(channel=CHANNEL, chat_id=user, chat_type=ChatType.PRIVATE, sender_id=user, text=text,
                       at=at, update_id=update_id)
    if kind == "event" and msg.get("Event", "") == "template_card_event":
        return _card_press(msg, user, at)
    return None


def _card_press(msg: dict[str, str], user: str, at: datetime) -> Inbound | None:
    key, task_id, code = msg.get("EventKey", ""), msg.get("TaskId", ""), msg.get("ResponseCode", "")
    if msg.get("CardType") == "vote_interaction":
        # 提交 on a vote card: the payload is the option chosen (one: the card is single-choice).
        key = msg.get("SelectedItems.SelectedItem.OptionIds.OptionId", "") if key == SUBMIT_KEY else ""
    if not key or len(key.encode("utf-8")) > CARD_KEY_MAX_BYTES or not TASK_ID.fullmatch(task_id):
        return None
    basis = "\n".join((user, msg.get("CreateTime", ""), task_id, key, code))
    update_id = "card:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:40]
    message_id = card_message_id(task_id, code) if _RESPONSE_CODE.fullmatch(code) else None
    return Inbound(channel=CHANNEL, chat_id=user, chat_type=ChatType.PRIVATE, sender_id=user, payload=key,
                   message_id=message_id, at=at, update_id=update_id)


def _time(value: str) -> datetime:
    if value.isdigit() and len(value) <= 12:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    return datetime.now(timezone.utc)
