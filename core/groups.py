"""A unit's group chat: bound by the unit's head (or the office) from inside the group."""
from __future__ import annotations

from typing import Final

from core.errors import Refusal
from core.ports import UnitOfWork
from core.records import Member
from core.roles import Role

GROUP_BOUND: Final = "group.bound"
GROUP_UNBOUND: Final = "group.unbound"

# A unit given a WeCom group-robot key in the org file has that robot as one of its group chats.
# The chat id names the unit, never the key: the key stays in the org file, out of the outbox.
ROBOT_CHANNEL: Final = "wecom"
ROBOT_PREFIX: Final = "robot:"


def robot_chat_id(unit: str) -> str:
    return f"{ROBOT_PREFIX}{unit}"


async def bind_group(uow: UnitOfWork, actor: Member, *, channel: str, chat_id: str, title: str = "") -> None:
    if actor.role not in (Role.UNIT_HEAD, Role.OFFICE_ADMIN):
        raise Refusal("group_bind_not_head")
    await uow.record(GROUP_BOUND, {"channel": channel, "chat_id": chat_id, "unit": actor.unit, "title": title},
                     actor=actor.id, unit=actor.unit)


async def unbind_group(uow: UnitOfWork, actor: Member, *, channel: str, chat_id: str) -> None:
    if actor.role not in (Role.UNIT_HEAD, Role.OFFICE_ADMIN):
        raise Refusal("group_bind_not_head")
    await uow.record(GROUP_UNBOUND, {"channel": channel, "chat_id": chat_id}, actor=actor.id, unit=actor.unit)
