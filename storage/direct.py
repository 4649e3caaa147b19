"""The statements every message runs, on the driver's own connection.

SQLAlchemy compiles a statement once and caches it, but each execution still builds an execution context, a
result and its rows, fires the connection's events and, on asyncpg, hops into a greenlet and back: an indexed
SELECT cost this process 199 µs of CPU on PostgreSQL against 81 µs on asyncpg alone, 41 µs against 12 µs on
sqlite3 (docs/BENCHMARKS.md, section 1). A message runs five to ten of them, so a `Direct` statement is compiled by
SQLAlchemy once per dialect and set of parameters (its SQL, the order of its parameters, the types' processing of
values and of results) and then run on the DBAPI connection of the unit of work's SQLAlchemy connection, in its
transaction. Only statements built once go this way, marked by `direct` where they are built (the same object runs
through SQLAlchemy anywhere else), when storage/session_connection.py or the SQLite session runs them. A failure
is raised as SQLAlchemy raises it (its DBAPIError over the driver's exception), and a connection found lost is
invalidated, so the pool forgets it and the retried unit of work takes a fresh one.

This leans on a few of SQLAlchemy's own attributes (the compiled statement's result columns and bind processors, the
asyncpg adaptation's transaction), stable within the pinned SQLAlchemy < 2.2; tests/integration/test_direct.py and
every test of a message fail if they change.
"""
from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from storage.ledger_lock import LEDGER_LOCK_KEY, LOCK_SQL

_COUNT = re.compile(r"(?:UPDATE|DELETE|INSERT \d+) (\d+)")


@dataclass(frozen=True)
class Compiled:
    compiled: Any  # SQLAlchemy's compiled form: construct_params fills in the statement's own values
    sql: str
    names: tuple[str, ...]  # parameter names in the order the SQL takes them
    binds: dict[str, Callable[[Any], Any]]  # the types' processing of parameter values, where they have one
    row: Any  # a namedtuple of the result's columns, None for a statement returning no rows
    results: tuple[Callable[[Any], Any] | None, ...]

    def args(self, parameters: dict[str, Any] | None) -> list[Any]:
        values = self.compiled.construct_params(parameters or {})
        out = []
        for name in self.names:
            value = values[name]
            process = self.binds.get(name)
            out.append(value if process is None or value is None else process(value))
        return out

    def rows(self, raw: Sequence[Sequence[Any]]) -> list[Any]:
        make, results = self.row._make, self.results
        if not any(results):
            return [make(r) for r in raw]
        return [make([v if p is None or v is None else p(v) for p, v in zip(results, r)]) for r in raw]


_MARKED: dict[int, "Direct"] = {}  # id of a statement built once (kept alive here) → how it runs directly
_S = TypeVar("_S")


def direct(statement: _S) -> _S:
    """Mark a statement built once to run on the driver's connection when the unit of work's connection runs it."""
    _MARKED[id(statement)] = Direct(statement)
    return statement


def marked(statement: Any) -> "Direct | None":
    return _MARKED.get(id(statement))


class Direct:
    """A Core statement built once, to run on the driver's connection (storage/session_connection.py)."""

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, frozenset[str]], Compiled] = {}

    def compiled(self, dialect: Dialect, parameters: dict[str, Any] | None) -> Compiled:
        # An INSERT without values takes its columns from the parameters, as SQLAlchemy's own cache does.
        key = (dialect.name, frozenset(parameters or ()))
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _compile(self.statement, dialect, key[1])
        return found


def _compile(statement: Any, dialect: Dialect, keys: frozenset[str]) -> Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=sorted(keys))
    if compiled.post_compile_params:
        raise ValueError("a Direct statement cannot expand parameters (IN lists): it is compiled once")
    columns = compiled._result_columns  # SQLAlchemy's own list of the result's keys and types
    row = namedtuple("Row", [c.keyname for c in columns], rename=True) if columns else None
    results = tuple(c.type._cached_result_processor(dialect, None) for c in columns)
    return Compiled(compiled=compiled, sql=compiled.string, names=tuple(compiled.positiontup or ()),
                    binds=dict(compiled._bind_processors), row=row, results=results)


class Result:
    """The part of SQLAlchemy's result the callers use."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, found {len(self._rows)}")
        return self._rows[0]

    def all(self) -> list[Any]:
        return self._rows

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


async def run_asyncpg(adapted: Any, dialect: Dialect, compiled: Compiled, parameters: dict[str, Any] | None, *,
                      lock: bool = False) -> Result:
    """On SQLAlchemy's asyncpg adaptation of the connection: its transaction begun as SQLAlchemy begins it (lazily,
    at the first statement), so SQLAlchemy's COMMIT or ROLLBACK ends what ran here. `lock`: the ledger lock first
    (storage/ledger_lock.py)."""
    try:
        if adapted._transaction is None:
            await adapted._start_transaction()
        driver = adapted._connection
        if lock:
            await driver.execute(LOCK_SQL, LEDGER_LOCK_KEY)
        args = compiled.args(parameters)
        if compiled.row is not None:
            return Result(compiled.rows(await driver.fetch(compiled.sql, *args)), -1)
        status = await driver.execute(compiled.sql, *args)
    except Exception as error:
        try:
            adapted._handle_exception(error)  # SQLAlchemy's translation into its asyncpg DBAPI's errors
        except Exception as translated:
            error = translated
        if not isinstance(error, dialect.loaded_dbapi.Error):
            raise
        # As SQLAlchemy's own check on asyncpg: a closed connection is a lost one (storage/session_connection.py
        # invalidates it).
        raise DBAPIError.instance(compiled.sql, None, error, dialect.loaded_dbapi.Error, dialect=dialect,
                                  connection_invalidated=adapted._connection.is_closed()) from error
    found = _COUNT.match(status or "")
    return Result([], int(found.group(1)) if found else -1)


def run_sqlite(dbapi: Any, dialect: Dialect, compiled: Compiled, parameters: dict[str, Any] | None) -> Result:
    try:
        cursor = dbapi.execute(compiled.sql, compiled.args(parameters))
        try:
            if compiled.row is not None:
                return Result(compiled.rows(cursor.fetchall()), -1)
            return Result([], cursor.rowcount)
        finally:
            cursor.close()
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(compiled.sql, None, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
