"""A prompt with choices as a WeCom template card, and the ids a pressed card carries.

Pure: no I/O. A card is built only when it shows the prompt faithfully: 1..6 choices of at most 10
characters are buttons (`button_interaction`); up to 20 choices of at most 17 characters are a
single-choice list with a 提交 button (`vote_interaction`); anything else answers None and the channel
sends today's numbered list. The keys (button keys, option ids) are the payloads a Telegram button carries (`f:<version>:<index>`, `s:<action>:<arg>`): the core
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
    CARD_TITLE_DESC_MAX_CHARS,
    CARD_TITLE_MAX_CHARS,
    CARD_VALUE_MAX_CHARS,
    VOTE_MAX_OPTIONS,
    VOTE_OPTION_ID_MAX_BYTES,
    VOTE_OPTION_TEXT_MAX_CHARS,
)
from core.messages import SendText, buttons_in
from texts import t

__all__ = ["CardPlan", "SUBMIT_KEY", "TASK_ID", "button_card", "card_message_id", "new_task_id", "replace_name",
           "response_code_of"]

TASK_ID = re.compile(r"[0-9A-Za-z_@-]{1,%d}" % CARD_TASK_ID_MAX_BYTES)
_CARD_PREFIX = "card:"
#: The vote card's question and submit keys: the press's payload is the chosen option's id.
QUESTION_KEY = "choice"
SUBMIT_KEY = "submit"
# "名称：比亚迪" — a short key and its value: one line of the card's horizontal list. Only the full-width
# colon the catalog writes: "10:30" or a URL is text, not a key and a value.
_KEY_VALUE = re.compile(r"([^：\s][^：]{0,%d})：\s*(\S.{0,%d})" % (CARD_KEYNAME_MAX_CHARS - 1,
                                                                 CARD_VALUE_MAX_CHARS - 1))

_HEADER = re.compile(r"【([^】]{1,%d})】\s*(\S.*)" % CARD_TITLE_MAX_CHARS)


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
    """The prompt as a button card or, for more or longer choices, a vote card; None when neither fits."""
    buttons = buttons_in(action)
    keys = [b.payload for b in buttons]
    labels = [b.label for b in buttons]
    if not buttons or len(set(keys)) != len(keys) or any(not label.strip() for label in labels):
        return None
    if not TASK_ID.fullmatch(task_id):
        raise ValueError("task_id must be 1..128 of [0-9A-Za-z_-@]")
    longest_key = max(len(k.encode("utf-8")) for k in keys)
    longest_label = max(len(label) for label in labels)
    if len(buttons) <= CARD_MAX_BUTTONS and longest_label <= CARD_BUTTON_TEXT_MAX_CHARS and longest_key <= CARD_KEY_MAX_BYTES:
        choices: dict[str, Any] = {"button_list": [{"text": b.label, "key": b.payload} for b in buttons]}
        card_type = "button_interaction"
    elif (len(buttons) <= VOTE_MAX_OPTIONS and longest_label <= VOTE_OPTION_TEXT_MAX_CHARS
          and longest_key <= VOTE_OPTION_ID_MAX_BYTES):
        choices = {"checkbox": {"question_key": QUESTION_KEY, "mode": 0,
                                "option_list": [{"id": b.payload, "text": b.label} for b in buttons]},
                   "submit_button": {"text": t("wecom.card_submit"), "key": SUBMIT_KEY}}
        card_type = "vote_interaction"
    else:
        return None  # a cut label could read as another choice: the numbered list shows it whole
    card: dict[str, Any] = {"card_type": card_type, "task_id": task_id}
    laid_out = _layout(action.text) if card_type == "button_interaction" else _vote_layout(action.text)
    text_before = None
    if laid_out is None:
        card["main_title"] = {"title": t("wecom.card_title")}
        text_before = action.text
    else:
        card.update(laid_out)
    card.update(choices)
    return CardPlan(card=card, text_before=text_before)


def _vote_layout(text: str) -> dict[str, Any] | None:
    """A vote card has only a title and its description (desc): the first line and the rest."""
    lines = [line.strip() for line in text.split("\n")]
    title, desc = lines[0], "\n".join(line for line in lines[1:] if line)
    if not title or len(title) > CARD_TITLE_MAX_CHARS or len(desc) > CARD_TITLE_DESC_MAX_CHARS:
        return None
    return {"main_title": {"title": title, "desc": desc} if desc else {"title": title}}


def _layout(text: str) -> dict[str, Any] | None:
    """The first line as the title (its 【header】 when it is too long), the other lines as the sub-title, and a closing run of short
    "键：值" lines (WeCom shows them after the sub-title) as the horizontal list; None when any part is
    longer than WeCom shows."""
    lines = [line.strip() for line in text.split("\n")]
    title, rest = lines[0], [line for line in lines[1:] if line]
    if not title:
        return None
    if len(title) > CARD_TITLE_MAX_CHARS:
        # "【半月报提醒】东区…" titles the card 半月报提醒; another long first line goes under a plain title.
        header = _HEADER.fullmatch(title)
        title, rest = (header.group(1), [header.group(2), *rest]) if header else (t("wecom.card_title"), [title, *rest])
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
