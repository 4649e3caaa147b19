"""Which database failures pass by themselves: retry the unit of work on a fresh connection.

A lost connection (the server restarted, an administrator's pg_terminate_backend, a network
cut), a serialization failure, a deadlock, a server that is starting or shutting down, too
many connections, SQLite's lock held past the busy timeout. Anything else is a bug in our code
or our SQL and is not retried.
"""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATE classes and codes: 08 connection exception, 40001 serialization_failure, 40P01
# deadlock_detected, 57P01–57P03 admin/crash shutdown and cannot_connect_now, 53300 too_many_connections.
_CODES = {"40001", "40P01", "57P01", "57P02", "57P03", "53300"}
_ASYNCPG_NAMES = {"ConnectionDoesNotExistError", "ConnectionFailureError", "CannotConnectNowError",
                  "AdminShutdownError", "CrashShutdownError", "TooManyConnectionsError",
                  "SerializationError", "DeadlockDetectedError"}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [e.__cause__, e.__context__, getattr(e, "orig", None)]


def is_transient(exc: BaseException) -> bool:
    for e in _chain(exc):
        if isinstance(e, DBAPIError) and e.connection_invalidated:
            return True
        if isinstance(e, (DisconnectionError, PoolTimeout, ConnectionError)):
            return True
        code = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if isinstance(code, str) and (code in _CODES or code.startswith("08")):
            return True
        name = type(e).__name__
        if name in _ASYNCPG_NAMES:
            return True
        if name == "InterfaceError" and "closed" in str(e).lower():
            return True  # asyncpg: "connection is closed", "cannot call ...: the underlying connection is closed"
        if name == "OperationalError" and ("database is locked" in str(e) or "database is busy" in str(e)):
            return True
    return False
