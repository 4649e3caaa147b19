"""A unit head binds the unit's group chat; the unit's pushes then go to the group."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.messages import ChatType, Inbound, SendText
from core.usecases.org import BindIdentity, bind_identity
from handlers.router import Conversations
from reminders.calendar import workdays
from storage.database import Database
from storage.tables.operational import OutboxRow
from tests.helpers import member, setup_org

pytestmark = pytest.mark.asyncio
GROUP = "-100777"


async def say(conv: Conversations, clock: FixedClock, sender: str, text: str, *, chat: str = GROUP) -> list[str]:
    out = await conv.handle(Inbound(channel="telegram", chat_id=chat, chat_type=ChatType.GROUP, sender_id=sender,
                                    text=text, at=clock.now()))
    return [getattr(o, "text", "") for o in out]


async def test_binding_a_group_and_pushing_to_it(db: Database, clock: FixedClock) -> None:
    await setup_org(db)
    async with db.uow() as uow:
        for name, ext in (("东区长", "head"), ("东小李", "staff")):
            await bind_identity(uow, await member(db, name), BindIdentity(channel="telegram", external_id=ext, chat_id=ext))
        await uow.commit()
    conv = Conversations(db.uow, tz=ZoneInfo("Asia/Shanghai"), workdays=workdays)
    assert "只有单位负责人" in (await say(conv, clock, "staff", "/bindgroup"))[0]
    assert "请在要绑定的群聊里" in (await conv.handle(Inbound(
        channel="telegram", chat_id="head", sender_id="head", text="/bindgroup", at=clock.now())))[0].text
    assert "已绑定到“东区”" in (await say(conv, clock, "head", "绑定本群"))[0]

    async with db.uow() as uow:
        queued = await uow.outbox.enqueue_unit_groups("ranking:2026-10:east", "ranking", "east",
                                                      SendText(text="10月排名"))
        again = await uow.outbox.enqueue_unit_groups("ranking:2026-10:east", "ranking", "east",
                                                     SendText(text="10月排名"))
        other = await uow.outbox.enqueue_unit_groups("ranking:2026-10:west", "ranking", "west",
                                                     SendText(text="10月排名"))
        await uow.commit()
    assert (queued, again, other) == (1, 0, 0)
    async with db.uow(readonly=True) as uow:
        rows = (await uow.session.execute(select(OutboxRow))).scalars().all()
        assert [(r.channel, r.chat_id) for r in rows] == [("telegram", GROUP)]

    assert "解除绑定" in (await say(conv, clock, "head", "/unbindgroup"))[0]
    async with db.uow() as uow:
        assert await uow.outbox.enqueue_unit_groups("ranking:2026-11:east", "ranking", "east",
                                                    SendText(text="11月排名")) == 0
