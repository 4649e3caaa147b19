"""The benchmark's generated ledger: a valid chain, and bulk projections equal to a real rebuild."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate import Size, generate
from storage import ledger
from storage.database import Database
from storage.schema import schema
from tests.helpers import dump

pytestmark = pytest.mark.asyncio
SMALL = Size(units=20, projects=100, events=1_500)


async def test_bulk_projections_equal_the_projectors(db_url: str, tmp_path: Path) -> None:
    replay_url = f"sqlite:///{tmp_path / 'replayed.db'}"
    await generate(db_url, SMALL, seed=7, bulk=True)
    await generate(replay_url, SMALL, seed=7, bulk=False)
    bulk, replayed = Database(db_url), Database(replay_url)
    try:
        async with bulk.uow(readonly=True) as uow:
            check = await ledger.verify(uow.session)
        assert check.ok and check.count == SMALL.events
        tables = schema().projection_tables
        got, want = await dump(bulk, tables), await dump(replayed, tables)
        assert sum(len(rows) for rows in want.values()) > SMALL.events // 2  # the ledger really projected
        for table in tables:
            assert got[table.name] == want[table.name], table.name
    finally:
        await bulk.dispose()
        await replayed.dispose()
