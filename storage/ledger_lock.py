"""The ledger lock on PostgreSQL, taken by a writer just before the first statement that needs it.

Every writing unit of work holds a transaction-scoped advisory lock before it reads or writes
anything a use case decides on, so the checks a use case makes before it appends (is this transfer
still pending? is this the ledger's head?) cannot be raced by another writer
(docs/ARCHITECTURE.md, "The ledger"). It used to be taken when the unit of work began, which made
every message wait for every other, though most messages append nothing. Now the beginning of a
writer's transaction marks the lock as owed, and it is taken just before the first statement
that is not marked LOCK_FREE. Lock-free are only a message's own bookkeeping, each safe without it:

- the update record (`uow.updates.seen`): the primary key decides; a concurrent second delivery
  waits for the first's commit and then finds its row;
- the opening read (`uow.opening`): on PostgreSQL it locks the sender's conversation row
  (FOR UPDATE), so two messages of one person still run one after the other and the second reads
  what the first saved — a double-pressed 确认 logs one lead;
- saving or clearing that conversation row (held by the opening read when it existed);
- the project name scan behind the "similar name?" hint (`uow.projects.names`): a hint shown
  before the person confirms, never what an append relies on (logging re-checks under the lock).

The configuration a message uses is the one its opening read found, before the lock: a file loaded
at that very moment applies from the next message on.

Any other statement — every read of a use case, every append — runs with the lock held, however
the transaction began (the unit of work, the ORM session after a commit). SQLite needs none of
this: a writer's BEGIN IMMEDIATE takes the database's write lock, and one process's units of work
run one at a time on its event loop anyway.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session, SessionTransaction

# Any constant works; it only has to be the same in every process that appends.
LEDGER_LOCK_KEY = 0x7A73626F74  # "zsbot"
WRITER = "zsbot_writer"  # Session.info: this session belongs to a writing unit of work
LOCK_FREE = "zsbot_lock_free"  # execution option: this statement does not need the ledger lock (above)
_OWED = "zsbot_lock_owed"  # Connection.info: the transaction whose lock is not taken yet
LOCK = text("SELECT pg_advisory_xact_lock(:k)")
LOCK_SQL = "SELECT pg_advisory_xact_lock($1)"  # the same on asyncpg's own connection
FREE = {LOCK_FREE: True}


class LedgerSession(Session):
    """The ORM session of PostgreSQL units of work: a writer's transaction owes the ledger lock."""


@event.listens_for(LedgerSession, "after_begin")
def _owe_lock(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    if session.info.get(WRITER) and connection.dialect.name == "postgresql":
        # Keyed by the transaction: the DBAPI connection's info outlives it (it goes back to the pool).
        connection.info[_OWED] = connection.get_transaction()


def held(connection: Connection) -> bool:
    """Whether this connection's transaction holds the ledger lock (a writer's, once it needed it)."""
    pending = connection.info.get(_OWED)
    return pending is None or pending is not connection.get_transaction()


def owed(connection: Connection) -> bool:
    """Whether this transaction owes the lock, which the caller takes now: the listener below, or a statement
    run on the driver's connection, which fires no SQLAlchemy event (storage/direct.py)."""
    pending = connection.info.pop(_OWED, None)
    return pending is not None and pending is connection.get_transaction()


def install(engine: AsyncEngine) -> None:
    """Take an owed lock before the first statement that is not lock-free."""

    @event.listens_for(engine.sync_engine, "before_execute")
    def _take(conn: Connection, _statement: Any, _multi: Any, _params: Any, options: Any) -> None:
        if not options.get(LOCK_FREE) and owed(conn):
            conn.execute(LOCK, {"k": LEDGER_LOCK_KEY})
