"""/bindgroup 绑定本群 and /unbindgroup 解绑本群: a unit's group chat receives the unit's pushes."""
from __future__ import annotations

from core.errors import Refusal
from core.usecases.groups import BindGroup, UnbindGroup, bind_group, unbind_group
from handlers.catalog import t
from handlers.context import Ctx
from handlers.registry import Command, Feature


async def bind_command(ctx: Ctx, args: str) -> None:
    if not ctx.in_group:
        ctx.say(t("groups.only_in_group"))
        return
    try:
        await bind_group(ctx.uow, ctx.me, BindGroup(channel=ctx.inbound.channel, chat_id=ctx.inbound.chat_id))
    except Refusal as refusal:
        ctx.refuse(refusal)
        return
    ctx.say(t("groups.bound", unit=ctx.unit_name(ctx.me.unit)))


async def unbind_command(ctx: Ctx, args: str) -> None:
    if not ctx.in_group:
        ctx.say(t("groups.only_in_group"))
        return
    try:
        await unbind_group(ctx.uow, ctx.me, UnbindGroup(channel=ctx.inbound.channel, chat_id=ctx.inbound.chat_id))
    except Refusal as refusal:
        ctx.refuse(refusal)
        return
    ctx.say(t("groups.unbound"))


FEATURE = Feature(commands=(
    Command("bindgroup", ("绑定本群",), run=bind_command, order=800),
    Command("unbindgroup", ("解绑本群",), run=unbind_command, order=810),
))
