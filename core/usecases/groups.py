"""Bind a unit's group chat, by the unit's head (or the office) from inside the group."""
from __future__ import annotations

from dataclasses import dataclass

from core import events as ev
from core.errors import Refusal
from core.ports import UnitOfWork
from core.records import Member
from core.roles import Role
from core.usecases.lookups import append


@dataclass(frozen=True)
class BindGroup:
    channel: str
    chat_id: str
    title: str = ""


@dataclass(frozen=True)
class UnbindGroup:
    channel: str
    chat_id: str


def _require_head(actor: Member) -> None:
    if actor.role not in (Role.UNIT_HEAD, Role.OFFICE_ADMIN):
        raise Refusal("group_bind_not_head")


async def bind_group(uow: UnitOfWork, actor: Member, cmd: BindGroup) -> None:
    _require_head(actor)
    await append(uow, ev.GroupBound(channel=cmd.channel, chat_id=cmd.chat_id, unit=actor.unit, title=cmd.title),
                 actor=actor.id, unit=actor.unit)


async def unbind_group(uow: UnitOfWork, actor: Member, cmd: UnbindGroup) -> None:
    _require_head(actor)
    await append(uow, ev.GroupUnbound(channel=cmd.channel, chat_id=cmd.chat_id), actor=actor.id, unit=actor.unit)
