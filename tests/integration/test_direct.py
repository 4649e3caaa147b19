"""Statements run on the driver's own connection (storage/direct.py) read and write what SQLAlchemy would, in the
unit of work's transaction, and fail as SQLAlchemy fails."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from core.clock import FixedClock
from core.conversation_state import ConversationState
from storage.database import Database
from storage.direct import direct, marked
from storage.tables.operational import ConversationRow

_T = ConversationRow.__table__
_READ = select(_T).where(_T.c.key == bindparam("key"))
_READ_DIRECT = direct(select(_T).where(_T.c.key == bindparam("key")))
_INSERT_DIRECT = direct(insert(_T))


def state(key: str, at: datetime) -> ConversationState:
    return ConversationState(key=key, flow="lead", step="confirm", data={"name": "星海新能源", "amount": 200000},
                             version=3, expires_at=at, channel="telegram", chat_id="42")


async def test_a_direct_read_gives_the_rows_sqlalchemy_gives(db: Database, clock: FixedClock) -> None:
    at = datetime(2026, 12, 6, 9, 30, 15, 123456, tzinfo=timezone.utc)
    async with db.uow() as uow:
        await uow.conversations.save(state("telegram:7", at))
        await uow.commit()
    async with db.uow() as uow:
        mine = (await uow.conn.execute(_READ_DIRECT, {"key": "telegram:7"})).first()
        theirs = (await uow.conn.execute(_READ, {"key": "telegram:7"})).first()
        missing = (await uow.conn.execute(_READ_DIRECT, {"key": "telegram:8"})).first()
    assert marked(_READ_DIRECT) is not None and marked(_READ) is None
    assert tuple(mine) == tuple(theirs)
    assert mine.expires_at == theirs.expires_at  # the type's processing of results: a datetime, not a string
    assert mine.data == theirs.data and '"星海新能源"' in mine.data
    assert missing is None


async def test_direct_writes_belong_to_the_unit_of_works_transaction(db: Database, clock: FixedClock) -> None:
    row = {"key": "telegram:9", "flow": "lead", "step": "confirm", "data": "{}", "version": 1,
           "expires_at": clock.now(), "updated_at": clock.now(), "channel": "telegram", "chat_id": "9"}
    async with db.uow() as uow:
        await uow.conn.execute(_INSERT_DIRECT, row)
        # Left without a commit: rolled back with everything else of the unit of work.
    async with db.uow() as uow:
        assert await uow.conversations.load("telegram:9") is None
        await uow.conn.execute(_INSERT_DIRECT, row)
        await uow.commit()
    async with db.uow() as uow:
        found = await uow.conversations.load("telegram:9")
    assert found is not None and found.chat_id == "9" and found.expires_at == clock.now()


async def test_a_direct_statement_fails_as_sqlalchemy_fails(db: Database, clock: FixedClock) -> None:
    row = {"key": "telegram:10", "flow": "lead", "step": "confirm", "data": "{}", "version": 1,
           "expires_at": clock.now(), "updated_at": clock.now(), "channel": "telegram", "chat_id": "10"}
    async with db.uow() as uow:
        await uow.conn.execute(_INSERT_DIRECT, row)
        with pytest.raises(IntegrityError):
            await uow.conn.execute(_INSERT_DIRECT, row)


def test_a_statement_with_an_in_list_cannot_be_direct() -> None:
    from sqlalchemy.dialects import sqlite

    listed = marked(direct(select(_T).where(_T.c.key.in_(bindparam("keys", expanding=True)))))
    assert listed is not None
    with pytest.raises(ValueError, match="IN lists"):
        listed.compiled(sqlite.dialect(), {"keys": ["a"]})
