"""A prompt with choices as a WeCom template card (button_interaction), and the ids a pressed card carries.

Pure: no I/O. A card is built only when it shows the prompt faithfully — 1..6 buttons with distinct keys
and short labels; otherwise `button_card` answers None and the channel sends today's numbered list. The
keys are the payloads a Telegram button carries (`f:<version>:<index>`, `s:<action>:<arg>`): the core
checks them against the sender's own conversation, so a key proves nothing about who may do what.
"""
from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from bot.channels.wecom.contract import (
    CARD_BUTTON_TEXT_MAX_CHARS,
    CARD_HORIZONTAL_MAX_ITEMS,
    CARD_KEY_MAX_BYTES,
    CARD_KEYNAME_MAX_CHARS,
    CARD_MAX_BUTTONS,
    CARD_SUB_TITLE_MAX_CHARS,
    CARD_TASK_ID_MAX_BYTES,
    CARD_TITLE_MAX_CHARS,
    CARD_VALUE_MAX_CHARS,
)
from core.messages import SendText, buttons_in
from texts import t

__all__ = ["CardPlan", "TASK_ID", "button_card", "card_message_id", "new_task_id", "replace_name",
           "response_code_of"]

TASK_ID = re.compile(r"[0-9A-Za-z_@-]{1,%d}" % CARD_TASK_ID_MAX_BYTES)
_CARD_PREFIX = "card:"
# "名称：比亚迪" — a short key and its value: one line of the card's horizontal list.
_KEY_VALUE = re.compile(r"([^：:\s][^：:]{0,%d})[：:]\s*(\S.{0,%d})" % (CARD_KEYNAME_MAX_CHARS - 1,
                                                                       CARD_VALUE_MAX_CHARS - 1))


@dataclass(frozen=True)
class CardPlan:
    """What goes to WeCom for one prompt: the card, and the whole text before it when the card is too
    small to hold it (WeCom cuts long card texts)."""

    card: dict[str, Any]
    text_before: str | None = None


def new_task_id() -> str:
    """Unique per application (WeCom refuses a task id used before): milliseconds and 64 random bits."""
    return f"zs{time.time_ns() // 1_000_000}_{secrets.token_hex(8)}"


def button_card(action: SendText, task_id: str) -> CardPlan | None:
    """The prompt as a button_interaction card, or None when its buttons do not fit one."""
    buttons = buttons_in(action)
    if not 1 <= len(buttons) <= CARD_MAX_BUTTONS:
        return None
    keys = [b.payload for b in buttons]
    if len(set(keys)) != len(keys) or any(not k or len(k.encode("utf-8")) > CARD_KEY_MAX_BYTES for k in keys):
        return None
    if any(not b.label.strip() or len(b.label) > CARD_BUTTON_TEXT_MAX_CHARS for b in buttons):
        return None  # a cut label could read as another choice: the numbered list shows it whole
    if not TASK_ID.fullmatch(task_id):
        raise ValueError("task_id must be 1..128 of [0-9A-Za-z_-@]")
    card: dict[str, Any] = {"card_type": "button_interaction", "task_id": task_id}
    laid_out = _layout(action.text)
    text_before = None
    if laid_out is None:
        card["main_title"] = {"title": t("wecom.card_title")}
        text_before = action.text
    else:
        card.update(laid_out)
    card["button_list"] = [{"text": b.label, "key": b.payload} for b in buttons]
    return CardPlan(card=card, text_before=text_before)


def _layout(text: str) -> dict[str, Any] | None:
    """The first line as the title, the other lines as the sub-title, and a closing run of short
    "键：值" lines (WeCom shows them after the sub-title) as the horizontal list; None when any part is
    longer than WeCom shows."""
    lines = [line.strip() for line in text.split("\n")]
    title, rest = lines[0], [line for line in lines[1:] if line]
    if not title or len(title) > CARD_TITLE_MAX_CHARS:
        return None
    horizontal: list[dict[str, str]] = []
    while rest and len(horizontal) < CARD_HORIZONTAL_MAX_ITEMS and (match := _KEY_VALUE.fullmatch(rest[-1])):
        horizontal.insert(0, {"keyname": match.group(1).strip(), "value": match.group(2).strip()})
        rest.pop()
    sub_title = "\n".join(rest)
    if len(sub_title) > CARD_SUB_TITLE_MAX_CHARS:
        return None
    out: dict[str, Any] = {"main_title": {"title": title}}
    if sub_title:
        out["sub_title_text"] = sub_title
    if horizontal:
        out["horizontal_content_list"] = horizontal
    return out


def card_message_id(task_id: str, response_code: str) -> str:
    """The Inbound's message_id for a press: the card, and the one-use code that may update it."""
    return f"{_CARD_PREFIX}{task_id}:{response_code}"


def response_code_of(message_id: str) -> str | None:
    """The response code inside a pressed card's message_id; None for anything else."""
    if not message_id.startswith(_CARD_PREFIX):
        return None
    task_id, sep, code = message_id.removeprefix(_CARD_PREFIX).partition(":")
    return code if sep and TASK_ID.fullmatch(task_id) and code else None


def replace_name(chosen: str) -> str:
    """What the pressed card's greyed-out button says afterwards: ✓ 确认."""
    return t("wecom.card_chosen", label=chosen) if chosen else t("wecom.card_done")
