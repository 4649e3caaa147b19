"""Shared fixtures: real SQLite files and real PostgreSQL databases, a controllable clock.

PostgreSQL: ZSBOT_TEST_PG names a server admin URL (default: the local trust-auth server).
Each test gets its own database cloned from a migrated template. On a machine without the
server the PostgreSQL half is skipped with a message; with ZSBOT_REQUIRE_POSTGRES=1 (CI)
it fails instead.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.clock import FixedClock
from storage.database import Database

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
PG_ADMIN_URL = os.environ.get("ZSBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("ZSBOT_REQUIRE_POSTGRES") == "1"
_counter = itertools.count()


def local(*args: int) -> datetime:
    """A Shanghai wall-clock time, e.g. local(2026, 11, 2, 10)."""
    return datetime(*args, tzinfo=TZ)


async def _pg_admin(sql: str) -> None:
    import asyncpg

    url = PG_ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(url, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_url(name: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except Exception as exc:  # any failure to reach the server means: no PostgreSQL here
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL} ({type(exc).__name__}: {exc}); set ZSBOT_TEST_PG"
        if REQUIRE_PG:
            pytest.fail(message + " — ZSBOT_REQUIRE_POSTGRES=1 forbids skipping")
        pytest.skip(message)
    name = f"zsbot_tpl_{os.getpid()}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))

    async def migrate() -> None:
        db = Database(_pg_url(name))
        await db.migrate()
        await db.dispose()

    asyncio.run(migrate())
    yield name
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"

    async def migrate() -> None:
        db = Database(f"sqlite:///{path}")
        await db.migrate()
        await db.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    name = f"zsbot_t_{os.getpid()}_{next(_counter)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield _pg_url(name)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "zsbot.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database on each engine."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(local(2026, 11, 2, 10, 0))


@pytest.fixture
async def db(db_url: str, clock: FixedClock) -> AsyncIterator[Database]:
    database = Database(db_url, clock)
    yield database
    await database.dispose()


@pytest.fixture
async def sqlite_db(sqlite_url: str, clock: FixedClock) -> AsyncIterator[Database]:
    """SQLite only: for conversation tests whose subject is the flow, not the engine."""
    database = Database(sqlite_url, clock)
    yield database
    await database.dispose()
