"""What every message does to the database, after it was cut to a few statements (docs/BENCHMARKS.md):
an update is handled once, a new organisation file is seen by the next message, and on SQLite a
writer waiting for another process's lock leaves the event loop free."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from core.clock import FixedClock
from core.org import OrgConfig
from core.roles import Role
from core.usecases.org import ConfigureOrg, CreateInvite, configure_org, create_invite
from storage import ledger, sqlite_inline
from storage.database import Database
from tests.helpers import setup_org


async def seen(db: Database, update_id: str) -> bool:
    async with db.uow() as uow:
        result = await uow.updates.seen("telegram", update_id)
        await uow.commit()
    return result


async def test_an_update_is_handled_once_and_an_id_reused_after_a_day_is_new_again(db: Database,
                                                                                  clock: FixedClock) -> None:
    assert await seen(db, "7") is False
    assert await seen(db, "7") is True
    assert await seen(db, "8") is False
    clock.advance(hours=23)
    assert await seen(db, "7") is True
    clock.advance(hours=2)  # Telegram reuses update ids after a while: a week-old id is a new update
    assert await seen(db, "7") is False
    assert await seen(db, "7") is True


async def test_a_rolled_back_update_is_not_marked_as_handled(db: Database) -> None:
    async with db.uow() as uow:
        assert await uow.updates.seen("telegram", "9") is False
        await uow.rollback()  # the handler failed: the channel will deliver it again
    assert await seen(db, "9") is False


async def test_a_new_organisation_file_reaches_the_next_message(db: Database) -> None:
    org = await setup_org(db)
    async with db.uow(readonly=True) as uow:
        first = await uow.org.config()
    assert first is not None and first.organisation.name == org.organisation.name
    renamed = OrgConfig.model_validate({**org.model_dump(mode="json"),
                                        "organisation": {**org.organisation.model_dump(), "name": "新名称招商局"}})
    other = Database(db.url, db.clock)  # `zsbot org load` in another process
    try:
        async with other.uow() as uow:
            assert await configure_org(uow, ConfigureOrg(renamed))
            await uow.commit()
    finally:
        await other.dispose()
    async with db.uow(readonly=True) as uow:
        now = await uow.org.config()
    assert now is not None and now.organisation.name == "新名称招商局"
    assert now.units == org.units


def _hold_write_lock(path: str) -> sqlite3.Connection:
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("BEGIN IMMEDIATE")
    return raw


async def test_sqlite_a_writer_waits_for_another_process_without_stopping_the_loop(sqlite_db: Database) -> None:
    await setup_org(sqlite_db)
    other = _hold_write_lock(sqlite_db.url.removeprefix("sqlite:///"))

    async def write() -> bool:
        async with sqlite_db.uow() as uow:
            result = await uow.updates.seen("telegram", "42")
            await uow.commit()
        return result

    writer = asyncio.create_task(write())
    ticks = 0
    for _ in range(30):  # 0.3 s in which the loop must keep running other tasks
        await asyncio.sleep(0.01)
        ticks += 1
    assert ticks == 30 and not writer.done()
    other.rollback()
    other.close()
    assert await asyncio.wait_for(writer, 5) is False
    assert await seen(sqlite_db, "42") is True


async def test_sqlite_a_writer_gives_up_when_the_lock_is_never_released(sqlite_db: Database,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_inline, "LOCK_WAIT", 0.2)
    other = _hold_write_lock(sqlite_db.url.removeprefix("sqlite:///"))
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            async with sqlite_db.uow():
                pass
    finally:
        other.close()
    assert await seen(sqlite_db, "43") is False  # and the next one goes through


async def test_sqlite_a_statement_after_a_commit_also_waits_for_the_lock(sqlite_db: Database) -> None:
    path = sqlite_db.url.removeprefix("sqlite:///")
    async with sqlite_db.uow() as uow:
        assert await uow.updates.seen("telegram", "50") is False
        await uow.commit()
        other = _hold_write_lock(path)  # another process writes between our two transactions
        writer = asyncio.create_task(uow.updates.seen("telegram", "51"))
        await asyncio.sleep(0.1)
        assert not writer.done()
        other.rollback()
        other.close()
        assert await asyncio.wait_for(writer, 5) is False
        await uow.commit()
    assert await seen(sqlite_db, "51") is True


async def test_a_unit_of_work_goes_on_after_a_commit(db: Database) -> None:
    """The statements every message runs use the unit of work's connection: after a commit they
    must use the next transaction's, not the released one."""
    await setup_org(db)
    async with db.uow() as uow:
        assert await uow.updates.seen("telegram", "60") is False
        await uow.commit()
        assert await uow.updates.seen("telegram", "61") is False
        assert await uow.org.config() is not None
        await create_invite(uow, CreateInvite(unit="east", role=Role.MEMBER))  # an event: the ledger lock is taken again
        await uow.commit()
    assert await seen(db, "60") is True and await seen(db, "61") is True
    async with db.uow(readonly=True) as uow:
        assert (await ledger.verify(uow.session)).ok


async def test_a_new_project_is_what_its_row_reads_back(db: Database) -> None:
    """log_lead reads the project it created: the writer keeps it as the projector wrote it (no statement),
    and it must be the project a later read of its row gives."""
    from core.names import normalize_company_name
    from core.usecases import leads
    from tests.helpers import member

    await setup_org(db)
    actor = await member(db, "东小李")
    draft = leads.LeadDraft(name="庚科技有限公司", normalized_name=normalize_company_name("庚科技有限公司"),
                            owner_unit=actor.unit, industry="电子信息制造", intended_wan=20000, contact="王先生",
                            source="驻点", flags=frozenset({"industrial", "digital"}), content="新能源汽车零部件")
    async with db.uow() as uow:
        kept = await leads.log_lead(uow, actor, leads.LogLead(draft))
        assert uow.projects.recent.get(kept.id) is kept  # type: ignore[attr-defined]
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        assert await uow.projects.get(kept.id) == kept


async def test_the_sent_marks_ride_in_the_next_update_record(db: Database, clock: FixedClock) -> None:
    """`seen(..., sent=...)` forgets the replies of the updates sent since (on PostgreSQL in the same statement)
    and still says whether the update itself was seen; with the update itself among them, it is both."""
    from core.messages import SendText

    async with db.uow() as uow:
        for update_id in ("1", "2", "3"):
            assert await uow.updates.seen("telegram", update_id) is False
            await uow.updates.keep_replies("telegram", update_id, "c1", [SendText(text=f"答复{update_id}")])
        await uow.commit()
    clock.advance(minutes=1)

    async def waiting() -> list[str]:
        async with db.uow(readonly=True) as uow:
            return [r.update_id for r in await uow.updates.unsent("telegram", stored_before=clock.now())]

    assert await waiting() == ["1", "2", "3"]
    async with db.uow() as uow:
        assert await uow.updates.seen("telegram", "4", sent=["1", "2"]) is False
        await uow.commit()
    assert await waiting() == ["3"]
    async with db.uow() as uow:
        assert await uow.updates.seen("telegram", "3", sent=["3"]) is True
        assert await uow.updates.seen("telegram", "2", sent=["9"]) is True
        await uow.commit()
    assert await waiting() == []


async def test_a_conversation_saved_last_goes_with_the_replies_or_the_commit(db: Database, clock: FixedClock) -> None:
    """The router's last write (the conversation row) may wait to go with the replies' statement: it is written
    with them, or by the commit when no replies follow, and not at all when the unit of work rolls back."""
    from datetime import timedelta

    from core.conversation_state import ConversationState
    from core.messages import SendText

    def state(step: str) -> ConversationState:
        return ConversationState(key="conv:1", flow="lead", step=step, data={"name": "辛"}, version=1,
                                 expires_at=clock.now() + timedelta(minutes=30), channel="telegram", chat_id="c1")

    async def step() -> str | None:
        async with db.uow(readonly=True) as uow:
            found = await uow.conversations.load("conv:1")
        return found.step if found else None

    async with db.uow() as uow:
        await uow.conversations.save(state("a"), last=True)
        await uow.commit()
    assert await step() == "a"
    async with db.uow() as uow:
        await uow.conversations.save(state("b"), last=True)
        await uow.rollback()
    assert await step() == "a"
    async with db.uow() as uow:
        assert await uow.updates.seen("telegram", "70") is False
        await uow.conversations.save(state("c"), last=True)
        await uow.updates.keep_replies("telegram", "70", "c1", [SendText(text="好")])
        await uow.commit()
    assert await step() == "c"
    clock.advance(minutes=1)
    async with db.uow(readonly=True) as uow:
        assert [r.update_id for r in await uow.updates.unsent("telegram", stored_before=clock.now())] == ["70"]
    async with db.uow() as uow:
        await uow.conversations.clear("conv:1", last=True)
        assert await uow.updates.seen("telegram", "71") is False  # another statement first: the write goes alone
        await uow.commit()
    assert await step() is None


async def test_the_opening_read_records_the_update(db: Database) -> None:
    """`uow.opening(..., update_id=...)` records the update first (on PostgreSQL in the same statement): a
    repeat is seen and reads nothing else; without a configuration the update is still recorded."""
    async with db.uow() as uow:
        first = await uow.opening("telegram", "u1", "conv:", update_id="80")
        await uow.commit()
    assert not first.seen and first.config is None
    async with db.uow() as uow:
        assert (await uow.opening("telegram", "u1", "conv:", update_id="80")).seen
    await setup_org(db)
    async with db.uow() as uow:
        fresh = await uow.opening("telegram", "u1", "conv:", update_id="81", sent=["80"])
        await uow.commit()
    assert not fresh.seen and fresh.config is not None and fresh.member is None
    assert await seen(db, "81") is True
