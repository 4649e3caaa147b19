"""INSERT … ON CONFLICT for the rows every message writes, built once per dialect.

SQLite (≥ 3.24) and PostgreSQL share the syntax, but SQLAlchemy keeps the construct per dialect.
The statements carry no values: they run with a parameter dict, so nothing is rebuilt per message.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import String, any_, bindparam, func, null, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.tables.operational import ConversationRow, ProcessedUpdateRow


def _insert(dialect: str, table: Any) -> Any:
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


@cache
def save_conversation(dialect: str) -> Any:
    """Insert the member's conversation row, or overwrite it. Parameters: every column."""
    table = ConversationRow.__table__
    stmt = _insert(dialect, table)
    return stmt.on_conflict_do_update(index_elements=["key"],
                                      set_={c.name: stmt.excluded[c.name] for c in table.c if c.name != "key"})


@cache
def record_update(dialect: str) -> Any:
    """Record a handled update; an older record of the same id (reused by the channel after
    `cutoff`) is refreshed. Parameters: channel, update_id, at, cutoff. Rowcount 0 = seen recently."""
    table = ProcessedUpdateRow.__table__
    stmt = _insert(dialect, table)
    return stmt.on_conflict_do_update(index_elements=["channel", "update_id"], set_={"at": stmt.excluded.at},
                                      where=table.c.at <= bindparam("cutoff", type_=table.c.at.type))



@cache
def record_update_after_sent() -> Any:
    """PostgreSQL: `record_update`, which first forgets the replies of the channel's updates sent since (one
    round trip where there were two, every message while others arrive: handlers/stored_replies.py SentMarks).
    Parameters: `record_update`'s and `sent` (the update ids, not the one recorded). One row: how many
    updates were recorded (0 = seen recently)."""
    table = ProcessedUpdateRow.__table__
    forget = (update(table).where(table.c.channel == bindparam("sent_channel"),
                                  table.c.update_id == any_(bindparam("sent", type_=postgresql.ARRAY(String))),
                                  table.c.replies.is_not(None))
              .values(replies=null(), replies_at=null()).cte("sent"))
    stmt = postgresql.insert(table).values(channel=bindparam("sent_channel"), update_id=bindparam("record_update"),
                                           at=bindparam("record_at", type_=table.c.at.type))
    recorded = (stmt.on_conflict_do_update(index_elements=["channel", "update_id"], set_={"at": stmt.excluded.at},
                                           where=table.c.at <= bindparam("cutoff", type_=table.c.at.type))
                .returning(table.c.update_id).cte("recorded"))
    return select(func.count()).select_from(recorded).add_cte(forget)
