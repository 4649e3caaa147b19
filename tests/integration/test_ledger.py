"""The ledger: a hash chain that detects any edit, deletion or reordering, and never forks."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from storage import ledger
from storage.database import Database
from storage.tables.ledger import EventRow

pytestmark = pytest.mark.asyncio


async def append_n(db: Database, n: int, label: str = "x") -> None:
    for i in range(n):
        async with db.uow() as uow:
            await uow.record("test.marker", {"text": f"{label}{i}", "amount_wan": 10**12 + i}, actor=i, unit="u")
            await uow.commit()


async def verify(db: Database) -> ledger.Verification:
    async with db.uow(readonly=True) as uow:
        return await ledger.verify(uow.session)


async def drop_guards(db: Database) -> None:
    """What a DBA with direct access could do: remove the append-only triggers first."""
    async with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("DROP TRIGGER events_append_only ON events"))
        else:
            await conn.execute(text("DROP TRIGGER events_no_update"))
            await conn.execute(text("DROP TRIGGER events_no_delete"))


async def test_intact_chain_verifies_with_count_and_head(db: Database) -> None:
    await append_n(db, 5)
    result = await verify(db)
    assert result.ok and result.count == 5
    async with db.uow(readonly=True) as uow:
        assert (await ledger.head(uow.session)) == (5, result.head)


async def test_empty_ledger_verifies(db: Database) -> None:
    result = await verify(db)
    assert result.ok and result.count == 0 and result.head == ledger.GENESIS


async def test_database_refuses_update_and_delete_of_events(db: Database) -> None:
    await append_n(db, 2)
    for sql in ("UPDATE events SET payload = '{}' WHERE seq = 1", "DELETE FROM events WHERE seq = 2"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.engine.begin() as conn:
                await conn.execute(text(sql))
    assert (await verify(db)).count == 2


@pytest.mark.parametrize("target", [1, 4, 7])
async def test_editing_any_event_fails_at_that_event(db: Database, target: int) -> None:
    await append_n(db, 7)
    await drop_guards(db)
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE events SET payload = :p WHERE seq = :s"),
                           {"p": '{"amount_wan":1,"text":"forged"}', "s": target})
    result = await verify(db)
    assert not result.ok and result.bad_seq == target


@pytest.mark.parametrize("column,value", [("actor", 999), ("unit", "other"), ("type", "project.funds_added")])
async def test_editing_envelope_fields_is_detected(db: Database, column: str, value: object) -> None:
    await append_n(db, 3)
    await drop_guards(db)
    async with db.engine.begin() as conn:
        await conn.execute(text(f"UPDATE events SET {column} = :v WHERE seq = 2"), {"v": value})
    result = await verify(db)
    assert not result.ok and result.bad_seq == 2


async def test_editing_an_event_and_its_hash_is_caught_at_the_next(db: Database) -> None:
    await append_n(db, 4)
    await drop_guards(db)
    async with db.uow(readonly=True) as uow:
        row = (await uow.session.execute(select(EventRow).where(EventRow.seq == 2))).scalar_one()
        payload = '{"amount_wan":1,"text":"forged"}'
        forged = ledger.event_hash(seq=2, at=row.at, actor=row.actor, unit=row.unit, project_id=row.project_id,
                                   type=row.type, payload=payload, prev_hash=row.prev_hash)
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE events SET payload = :p, hash = :h WHERE seq = 2"), {"p": payload, "h": forged})
    result = await verify(db)
    assert not result.ok and result.bad_seq == 3


@pytest.mark.parametrize("target", [1, 3, 4])
async def test_deleting_any_event_is_detected_at_the_gap(db: Database, target: int) -> None:
    await append_n(db, 5)
    await drop_guards(db)
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM events WHERE seq = :s"), {"s": target})
    result = await verify(db)
    assert not result.ok and result.bad_seq == target + 1


async def test_deleting_the_last_event_changes_the_published_head(db: Database) -> None:
    # A shorter chain is still a chain: what catches this is the head hash pushed to the chats.
    await append_n(db, 5)
    published = (await verify(db)).head
    await drop_guards(db)
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM events WHERE seq = 5"))
    result = await verify(db)
    assert result.count == 4 and result.head != published


@pytest.mark.parametrize("a,b", [(1, 2), (3, 4), (2, 5)])
async def test_reordering_two_events_is_detected(db: Database, a: int, b: int) -> None:
    await append_n(db, 5)
    await drop_guards(db)
    # Swap the contents of two rows (keeping each row's seq): the order of facts changes.
    async with db.engine.begin() as conn:
        rows = {r.seq: r for r in (await conn.execute(text("SELECT * FROM events WHERE seq IN (:a, :b)"),
                                                     {"a": a, "b": b})).all()}
        for dst, src in ((a, b), (b, a)):
            await conn.execute(text("UPDATE events SET payload = :p, actor = :ac, hash = :h, prev_hash = :ph "
                                    "WHERE seq = :s"),
                               {"p": rows[src].payload, "ac": rows[src].actor, "h": f"tmp{dst}",
                                "ph": f"tmpp{dst}", "s": dst})
        for dst, src in ((a, b), (b, a)):
            await conn.execute(text("UPDATE events SET hash = :h, prev_hash = :ph WHERE seq = :s"),
                               {"h": rows[src].hash, "ph": rows[src].prev_hash, "s": dst})
    result = await verify(db)
    assert not result.ok and result.bad_seq == a


async def test_money_survives_the_round_trip_exactly(db: Database) -> None:
    amounts = [0, 1, 9_999, 10_000, 35_000, 2**31 + 7, 9_007_199_254_740_993]  # > 2**53: a float would round
    for amount in amounts:
        async with db.uow() as uow:
            await uow.record("test.marker", {"text": "m", "amount_wan": amount})
            await uow.commit()
    async with db.uow(readonly=True) as uow:
        events = [ledger.row_to_event(r) async for r in ledger.stream(uow.session)]
    assert [e.payload["amount_wan"] for e in events] == amounts
    assert (await verify(db)).ok


async def test_rolled_back_unit_of_work_leaves_no_event(db: Database) -> None:
    async with db.uow() as uow:
        await uow.record("test.marker", {"text": "not committed"})
    assert (await verify(db)).count == 0
