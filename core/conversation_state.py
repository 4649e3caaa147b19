"""A member's open conversation: the flow's own fields, and apart from them what the core keeps to run it.

The row's `data` JSON has always held both in one object, the core's keys marked by a leading
underscore (`_parked`, `_menu`, `_choices`, `_asked`, `_shelved`). It still does: rows written before this
split load, and a bot of the previous version reads what this one writes (`_shelved` stays among its
fields, unused).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Pair = tuple[str, str]


@dataclass
class FlowControl:
    """What the conversation core keeps beside a flow's fields."""

    parked: bool = False             # idle past the timeout; resumes by its command or 继续填写
    menu: list[Pair] = field(default_factory=list)     # stateless buttons (label, `s:` payload) a number picks
    choices: list[Pair] = field(default_factory=list)  # the last question's choices (label, value)
    asked: str | None = None         # the last question, to edit a pressed button's message into the answer
    # A form put aside while another command's form runs (issue 16): {"flow", "step", "data" (its stored
    # object, control keys included), "active" (ISO time of its last answer)}; back when this one ends.
    shelved: dict[str, Any] | None = None


@dataclass
class ConversationState:
    """An open flow: which, at what step, what has been collected. Lives in the database."""

    key: str
    flow: str
    step: str
    data: dict[str, Any]             # the flow's own fields only
    version: int
    expires_at: datetime
    channel: str
    chat_id: str
    control: FlowControl = field(default_factory=FlowControl)


_PARKED, _MENU, _CHOICES, _ASKED, _SHELVED = "_parked", "_menu", "_choices", "_asked", "_shelved"


def stored_data(state: ConversationState) -> dict[str, Any]:
    """The one JSON object the row stores: the fields, and the control under its old keys."""
    out = dict(state.data)
    c = state.control
    if c.parked:
        out[_PARKED] = True
    if c.menu:
        out[_MENU] = [list(p) for p in c.menu]
    if c.choices or c.asked is not None:
        out[_CHOICES] = [list(p) for p in c.choices]
    if c.asked is not None:
        out[_ASKED] = c.asked
    if c.shelved is not None:
        out[_SHELVED] = c.shelved
    return out


def split_stored(data: dict[str, Any]) -> tuple[dict[str, Any], FlowControl]:
    """The stored object back into the flow's fields and the control (absent keys: nothing offered)."""
    fields = dict(data)
    control = FlowControl(
        parked=bool(fields.pop(_PARKED, False)),
        menu=[(str(label), str(payload)) for label, payload in fields.pop(_MENU, None) or []],
        choices=[(str(label), str(value)) for label, value in fields.pop(_CHOICES, None) or []],
        asked=fields.pop(_ASKED, None), shelved=fields.pop(_SHELVED, None) or None)
    return fields, control
