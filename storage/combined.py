"""On PostgreSQL an event and the rows its projectors insert reach the server in one statement.

Every round trip costs this process a socket write and SQLAlchemy's and asyncpg's work for the statement
(docs/BENCHMARKS.md section 1), and the ones of an append are all made under the ledger lock: a lead was
the event and four projection rows, five statements. Now the event's INSERT and the projectors' plain
INSERTs (statements built by `plain_insert` and run with one parameter dict) wait while the projectors run,
and go as one statement of data-modifying CTEs when they are done, or just before any other statement a
projector runs (a read or an update sees them written, as before).

The event's INSERT is conditional: it is written only if the ledger's head is still the event its
`prev_hash` names, and every row with it only if it was. So the unit of work may start from the head it
kept from its own last commit (another process may have appended since): a stale head writes nothing and
raises `StaleHead`, and the unit of work reads the head and applies the event again (storage/uow.py).
SQLite runs each statement as it comes: a statement there costs microseconds, not a round trip.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import Insert

from storage.direct import direct
from storage.ledger import GENESIS
from storage.session_connection import SessionConnection
from storage.tables.ledger import EventRow

_E = EventRow.__table__
_EVENT_COLUMNS = ("seq", "at", "actor", "unit", "project_id", "type", "payload", "prev_hash", "hash")
_HEAD_HASH = func.coalesce(select(_E.c.hash).order_by(_E.c.seq.desc()).limit(1).scalar_subquery(), GENESIS)
_PLAIN: dict[int, Table] = {}  # id of a plain INSERT → its table
_STATEMENTS: dict[tuple[tuple[str, tuple[str, ...]], ...], Select[Any]] = {}  # per shape, built once


class StaleHead(Exception):
    """The head the event was drafted after is no longer the ledger's: nothing of it was written."""


def plain_insert(table: Any) -> Insert:
    """`insert(table)`, to be run with one parameter dict; a projector's may wait to go with its event (on SQLite it
    runs on the driver's connection, storage/direct.py)."""
    stmt = direct(insert(table))
    _PLAIN[id(stmt)] = table
    return stmt


def _statement(shape: tuple[tuple[str, tuple[str, ...]], ...], tables: Sequence[Table]) -> Select[Any]:
    """The event's conditional INSERT returning its seq, and each row's INSERT only if the event was written."""
    stmt = _STATEMENTS.get(shape)
    if stmt is not None:
        return stmt
    event = (insert(_E).from_select(
        list(_EVENT_COLUMNS), select(*[bindparam(f"e_{c}", type_=_E.c[c].type) for c in _EVENT_COLUMNS])
        .where(_HEAD_HASH == bindparam("e_prev_hash")))
        .returning(_E.c.seq).cte("ev"))
    written = exists(select(event.c.seq))
    rows = []
    for i, ((_, keys), table) in enumerate(zip(shape, tables)):
        values = select(*[bindparam(f"r{i}_{k}", type_=table.c[k].type) for k in keys]).where(written)
        rows.append(insert(table).from_select(list(keys), values).cte(f"r{i}"))
    stmt = _STATEMENTS[shape] = direct(select(event.c.seq).add_cte(*rows))
    return stmt


class Appending:
    """What the projectors of one event see for a session on PostgreSQL: their plain INSERTs wait (above)."""

    def __init__(self, session: AsyncSession, conn: SessionConnection, event_row: dict[str, Any]) -> None:
        self._session = session
        self._conn = conn
        self._event: dict[str, Any] | None = event_row
        self._rows: list[tuple[Table, dict[str, Any]]] = []

    @property
    def sync_session(self) -> Any:  # storage/projectors/records.py entities_loaded
        return self._session.sync_session

    async def execute(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        table = _PLAIN.get(id(statement))
        if table is not None and isinstance(params, dict) and not kw and self._event is not None:
            self._rows.append((table, params))
            return None  # a projector reads nothing from an INSERT's result
        await self.flush()
        return await self._session.execute(statement, params, **kw)

    async def flush(self) -> None:
        """Write the event and the rows waiting with it; StaleHead if the head moved (nothing written)."""
        if self._event is None:
            return
        event, rows, self._event, self._rows = self._event, self._rows, None, []
        shape = tuple((t.name, tuple(sorted(p))) for t, p in rows)
        params = {f"e_{k}": v for k, v in event.items()}
        for i, (_, row) in enumerate(rows):
            params.update({f"r{i}_{k}": v for k, v in row.items()})
        found = (await self._conn.execute(_statement(shape, [t for t, _ in rows]), params)).first()
        if found is None:
            raise StaleHead(f"the ledger's head is no longer {event['prev_hash'][:16]}")
