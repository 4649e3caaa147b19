"""A unit's group chats: how a WeCom group robot configured in the org file is named as a chat.

Binding and unbinding a group are use cases (core/usecases/groups.py); their events are in
core/events.py.
"""
from __future__ import annotations

from typing import Final

# A unit given a WeCom group-robot key in the org file has that robot as one of its group chats.
# The chat id names the unit, never the key: the key stays in the org file, out of the outbox.
ROBOT_CHANNEL: Final = "wecom"
ROBOT_PREFIX: Final = "robot:"


def robot_chat_id(unit: str) -> str:
    return f"{ROBOT_PREFIX}{unit}"
