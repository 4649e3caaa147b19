"""Concurrent writers in separate processes never fork the chain and never lose an append."""
from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from storage import ledger
from storage.database import Database

pytestmark = pytest.mark.asyncio

WRITER = """
import asyncio, sys
from storage.database import Database
async def main(url, label, n):
    db = Database(url)
    for i in range(n):
        async with db.uow() as uow:
            await uow.record("test.marker", {"writer": label, "i": i})
            await uow.commit()
    await db.dispose()
asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def test_writer_processes_never_fork_the_chain(db_url: str) -> None:
    per_writer, writers = 60, 3
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, db_url, f"w{k}", str(per_writer)])
             for k in range(writers)]
    codes = await asyncio.gather(*(asyncio.to_thread(p.wait, 120) for p in procs))
    assert codes == [0] * writers
    db = Database(db_url)
    async with db.uow(readonly=True) as uow:
        result = await ledger.verify(uow.session)
        events = [ledger.row_to_event(r) async for r in ledger.stream(uow.session)]
    await db.dispose()
    assert result.ok and result.count == per_writer * writers
    for k in range(writers):
        mine = [e.payload["i"] for e in events if e.payload["writer"] == f"w{k}"]
        assert mine == list(range(per_writer))


async def test_concurrent_units_of_work_in_one_process(db: Database) -> None:
    other = Database(db.url, db.clock)

    async def write(database: Database, label: str) -> None:
        for i in range(40):
            async with database.uow() as uow:
                await uow.record("test.marker", {"writer": label, "i": i})
                await asyncio.sleep(0)  # yield inside the transaction so the other writer contends
                await uow.commit()

    await asyncio.gather(write(db, "a"), write(other, "b"), write(db, "c"))
    await other.dispose()
    async with db.uow(readonly=True) as uow:
        result = await ledger.verify(uow.session)
    assert result.ok and result.count == 120
