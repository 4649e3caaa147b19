"""Every Alembic migration upgrades and downgrades on both engines, and head matches the models."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.database import Database
from storage.migrate import revisions
from storage.schema import schema

pytestmark = pytest.mark.asyncio


async def tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def current(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


async def test_every_step_upgrades_and_downgrades(db_url: str) -> None:
    db = Database(db_url)
    steps = revisions()
    assert steps, "no migrations found"
    await db.downgrade("base")
    assert await tables(db) <= {"alembic_version"}
    for rev in steps:
        await db.migrate(rev)
        assert await current(db) == rev
    for i in range(len(steps) - 1, -1, -1):
        target = steps[i - 1] if i else "base"
        await db.downgrade(target)
        assert await current(db) == (None if target == "base" else target)
    assert await tables(db) <= {"alembic_version"}
    await db.migrate()
    assert await current(db) == steps[-1]
    await db.dispose()


async def test_head_schema_matches_the_models(db: Database) -> None:
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), schema().metadata))
    assert diff == []


async def test_migrating_twice_is_harmless(db: Database) -> None:
    await db.migrate()
    await db.migrate()
    assert "events" in await tables(db)
