"""Unregistered senders: `/start CODE` binds them to a unit; everything else explains how to join."""
from __future__ import annotations

from core.errors import Refusal
from core.messages import ChatType
from core.usecases.org import RedeemInvite, redeem_invite
from core.projects import NAME_MAX  # a member's name fits where a company's does
from texts import formatting as fmt
from texts import t
from handlers.context import Ctx

_JOIN_WORDS = ("/start", "开始", "加入")


async def unregistered(ctx: Ctx, text: str, bot_username: str | None) -> None:
    head, _, code = text.partition(" ")
    name, _, target = head.partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return
    if name in _JOIN_WORDS and code.strip():
        await register(ctx, code.strip())
        return
    # In a group, people talk to each other: only a command addressed to the bot gets the explanation.
    if ctx.in_group and not text.startswith("/"):
        return
    if ctx.inbound.payload or text or ctx.inbound.chat_type is ChatType.PRIVATE:
        ctx.say(t("start.how_to_join"))


async def register(ctx: Ctx, code: str) -> None:
    inbound = ctx.inbound
    chat_id = inbound.chat_id if inbound.chat_type is ChatType.PRIVATE else inbound.sender_id
    try:
        member = await redeem_invite(ctx.uow, RedeemInvite(code=code, channel=inbound.channel, external_id=inbound.sender_id, chat_id=chat_id, display_name=inbound.sender_name.strip()[:NAME_MAX]))
    except Refusal as refusal:
        # One message: the reason already says what to do (retype it, or ask for another code).
        ctx.refuse(refusal)
        return
    ctx.member = member
    ctx.say(t("start.welcome", name=member.name, unit=ctx.unit_name(member.unit), role=fmt.role(member.role)))
