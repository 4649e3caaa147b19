"""The ledger lock is taken when a writer first needs it (storage/ledger_lock.py), not when it begins:
a message that appends nothing never waits for it, one that appends does, and what a message runs
before the lock — its update record, its sender and conversation, the name scan — still cannot be
raced: a double-pressed 确认 logs one lead, a delivery handled twice at once counts once, an invite
redeemed twice at once binds one person, two heads accepting one transfer accept it once
(tests/integration/test_sharing.py), and writer processes never fork the chain (test_concurrency.py)."""
from __future__ import annotations

import asyncio

import asyncpg
import pytest

from core.roles import Role
from core.usecases.org import CreateInvite, create_invite
from storage import ledger
from storage.database import Database
from storage.ledger_lock import LEDGER_LOCK_KEY
from tests.conversation import Person, conversations, event_count, events, ledger_ok, registered
from tests.helpers import setup_org

pytestmark = pytest.mark.asyncio
SAVED = "已登记线索"
FIRMS = ("东岭", "南山", "西江", "北辰")
EXPIRED = "这个按钮已过期（对应的操作已结束或已更新）。请重新发送命令。"


def twin(person: Person, db: Database) -> Person:
    """The same sender, as a second bot process (its own database pool and conversation core) sees them."""
    return Person(db, conversations(db), sender_id=person.sender_id, channel=person.channel, name=person.name)


async def test_a_confirm_pressed_twice_at_once_logs_one_lead(db: Database) -> None:
    await setup_org(db)
    other_db = Database(db.url, db.clock)
    try:
        me = await registered(db, conversations(db), "东小李")
        again = twin(me, other_db)
        for round_ in range(4):
            # Names that start apart: alike ones in one chain at one amount are asked about as possible duplicates.
            await me.say(f"线索 {FIRMS[round_]}双击测试有限公司 新能源汽车零部件 投资20亿 来源驻点")
            confirm = me.button("确认").payload
            before = len(await events(db, "lead.logged"))
            first, second = await asyncio.gather(me.send(me.inbound(payload=confirm)),
                                                 again.send(again.inbound(payload=confirm)))
            texts = sorted("\n".join(r.text for r in replies if hasattr(r, "text")) for replies in (first, second))
            assert [SAVED in t for t in texts].count(True) == 1, texts
            assert any(t == EXPIRED for t in texts), texts
            assert len(await events(db, "lead.logged")) == before + 1
        assert await ledger_ok(db)
    finally:
        await other_db.dispose()


async def test_one_delivery_handled_twice_at_once_counts_once(db: Database) -> None:
    await setup_org(db)
    other_db = Database(db.url, db.clock)
    try:
        me = await registered(db, conversations(db), "东小李")
        again = twin(me, other_db)
        for round_ in range(4):
            await me.say(f"线索 {FIRMS[round_]}重投测试有限公司 新能源汽车零部件 投资20亿 来源驻点")
            press = me.inbound(payload=me.button("确认").payload)  # one update, delivered to both processes
            before = await event_count(db)
            first, second = await asyncio.gather(me.send(press), again.send(press))
            assert sorted(len(r) for r in (first, second))[0] == 0, (first, second)  # one of them: silence
            assert await event_count(db) == before + 1
        assert await ledger_ok(db)
    finally:
        await other_db.dispose()


async def test_an_invite_redeemed_twice_at_once_binds_one_person(db: Database) -> None:
    await setup_org(db)
    other_db = Database(db.url, db.clock)
    try:
        for round_ in range(4):
            async with db.uow() as uow:
                code = await create_invite(uow, CreateInvite(unit="east", role=Role.MEMBER))
                await uow.commit()
            one = Person(db, conversations(db), sender_id=f"stranger-a{round_}", channel="telegram", name="甲")
            two = Person(other_db, conversations(other_db), sender_id=f"stranger-b{round_}", channel="telegram",
                         name="乙")
            await asyncio.gather(one.say(f"/start {code}"), two.say(f"/start {code}"))
            used = [e for e in await events(db, "invite.used")]
            assert len(used) == round_ + 1
            texts = sorted([one.text, two.text])
            assert any("已经被使用过" in t for t in texts), texts
        assert await ledger_ok(db)
    finally:
        await other_db.dispose()


@pytest.mark.postgres
async def test_postgresql_a_message_that_appends_nothing_does_not_wait_for_the_lock(pg_url: str, clock: object) -> None:
    db = Database(pg_url, clock)  # type: ignore[arg-type]
    holder = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    try:
        await setup_org(db)
        me = await registered(db, conversations(db), "东小李")
        await holder.execute("SELECT pg_advisory_lock($1)", LEDGER_LOCK_KEY)  # another writer, mid-append
        # The lead line reads the sender, the conversation and the names, and saves the card: no wait.
        await asyncio.wait_for(me.say("线索 等锁测试有限公司 新能源汽车零部件 投资20亿 来源驻点"), 5)
        assert "请核对线索" in me.text, me.text
        # 确认 appends: it waits for the other writer, and goes through once that one is done.
        pressed = asyncio.create_task(me.press("确认"))
        await asyncio.sleep(0.5)
        assert not pressed.done()
        await holder.execute("SELECT pg_advisory_unlock($1)", LEDGER_LOCK_KEY)
        await asyncio.wait_for(pressed, 5)
        assert SAVED in me.text, me.text
        async with db.uow(readonly=True) as uow:
            assert (await ledger.verify(uow.session)).ok
    finally:
        await holder.close()
        await db.dispose()
