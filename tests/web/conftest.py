"""The console over HTTP: the real aiohttp application on a local port, a client keeping cookies."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.clock import FixedClock
from storage.database import Database
from tests.web.support import City, seed_city, web_config
from web.app import make_app


@pytest.fixture
async def city(db: Database, clock: FixedClock) -> City:
    return await seed_city(db, clock)


@pytest.fixture
async def client(db: Database, city: City) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(make_app(db, web_config()), host="127.0.0.1")) as c:
        yield c


@pytest.fixture
async def other_client(db: Database, city: City) -> AsyncIterator[TestClient]:
    """A second browser (its own cookie jar) on the same application state."""
    async with TestClient(TestServer(make_app(db, web_config()), host="127.0.0.1")) as c:
        yield c
