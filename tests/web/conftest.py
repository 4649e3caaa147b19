"""The console over HTTP: the real aiohttp application on a local port, a client keeping cookies.

Every test here starts from the same small city (tests/web/support.py `seed_city`). It is seeded once per
worker into a template on each engine — a SQLite file copied per test, a PostgreSQL database cloned per test
with `CREATE DATABASE … TEMPLATE` — instead of through the use cases before every test: the `sqlite_url` and
`pg_url` fixtures below replace the migrated, empty ones of tests/conftest.py for this package.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.clock import FixedClock
from storage.database import Database
from tests.conftest import _pg_admin, _pg_url, local
from tests.web.support import City, seed_city, web_config
from web.app import make_app

# Where the `clock` fixture stands (tests/conftest.py); seed_city moves it two days on.
SEEDED_FROM = local(2026, 11, 2, 10, 0)
_copies = itertools.count()


def _seed(url: str) -> City:
    async def seed() -> City:
        clock = FixedClock(SEEDED_FROM)
        db = Database(url, clock)
        try:
            return await seed_city(db, clock)
        finally:
            await db.dispose()

    return asyncio.run(seed())


@pytest.fixture(scope="session")
def city_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, City]:
    path = tmp_path_factory.mktemp("city") / "city.db"
    shutil.copy(sqlite_template, path)
    return path, _seed(f"sqlite:///{path}")


@pytest.fixture(scope="session")
def city_pg(pg_template: str) -> Iterator[tuple[str, City]]:
    name = f"zsbot_city_{os.getpid()}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    city = _seed(_pg_url(name))
    yield name, city
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def sqlite_url(city_sqlite: tuple[Path, City], tmp_path: Path) -> str:
    path = tmp_path / "zsbot.db"
    shutil.copy(city_sqlite[0], path)
    return f"sqlite:///{path}"


@pytest.fixture
def pg_url(city_pg: tuple[str, City]) -> Iterator[str]:
    name = f"zsbot_w_{os.getpid()}_{next(_copies)}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{city_pg[0]}"'))
    yield _pg_url(name)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def city(request: pytest.FixtureRequest, db: Database, clock: FixedClock) -> City:
    """The seeded city in this test's database; the clock where seeding left it (two days on)."""
    engine = "sqlite" if db.url.startswith("sqlite") else "postgres"
    seeded: City = request.getfixturevalue("city_sqlite" if engine == "sqlite" else "city_pg")[1]
    assert clock.now() == SEEDED_FROM, "the city was seeded from the clock fixture's start"
    clock.advance(days=2)
    return seeded


@pytest.fixture
async def client(db: Database, city: City) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(make_app(db, web_config()), host="127.0.0.1")) as c:
        yield c


@pytest.fixture
async def other_client(db: Database, city: City) -> AsyncIterator[TestClient]:
    """A second browser (its own cookie jar) on the same application state."""
    async with TestClient(TestServer(make_app(db, web_config()), host="127.0.0.1")) as c:
        yield c
