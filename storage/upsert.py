"""INSERT … ON CONFLICT for the rows every message writes, built once per dialect.

SQLite (≥ 3.24) and PostgreSQL share the syntax, but SQLAlchemy keeps the construct per dialect.
The statements carry no values: they run with a parameter dict, so nothing is rebuilt per message.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import String, any_, bindparam, delete, func, null, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.direct import direct
from storage.tables.operational import ConversationRow, ProcessedUpdateRow

_U = ProcessedUpdateRow.__table__
# An update's replies, stored with its record: every message that answers runs it.
KEEP_REPLIES = direct(update(_U).where(_U.c.channel == bindparam("k_channel"), _U.c.update_id == bindparam("k_update")) \
    .values(replies=bindparam("k_replies"), replies_at=bindparam("k_at")))


def _insert(dialect: str, table: Any) -> Any:
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


@cache
def save_conversation(dialect: str) -> Any:
    """Insert the member's conversation row, or overwrite it. Parameters: every column."""
    table = ConversationRow.__table__
    stmt = _insert(dialect, table)
    return direct(stmt.on_conflict_do_update(index_elements=["key"],
                                             set_={c.name: stmt.excluded[c.name] for c in table.c if c.name != "key"}))


@cache
def record_update(dialect: str) -> Any:
    """Record a handled update; an older record of the same id (reused by the channel after
    `cutoff`) is refreshed. Parameters: channel, update_id, at, cutoff. Rowcount 0 = seen recently."""
    table = ProcessedUpdateRow.__table__
    stmt = _insert(dialect, table)
    return direct(stmt.on_conflict_do_update(index_elements=["channel", "update_id"], set_={"at": stmt.excluded.at},
                                             where=table.c.at <= bindparam("cutoff", type_=table.c.at.type)))



@cache
def sent_and_recorded() -> tuple[Any, Any]:
    """PostgreSQL, as CTEs: forget the replies of the channel's updates sent since (`sent`, not the update
    recorded: one statement would touch its row twice), then `record_update` returning a row when recorded.
    Parameters: sent_channel, sent (the update ids), record_update, record_at, cutoff."""
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
    return forget, recorded


@cache
def record_update_after_sent() -> Any:
    """PostgreSQL: `record_update`, which first forgets the replies of the channel's updates sent since (one
    round trip where there were two, every message while others arrive: handlers/stored_replies.py SentMarks).
    Parameters: `sent_and_recorded`'s. One row: how many updates were recorded (0 = seen recently)."""
    forget, recorded = sent_and_recorded()
    return direct(select(func.count()).select_from(recorded).add_cte(forget))


@cache
def keep_after_conversation(kind: str) -> Any:
    """PostgreSQL: KEEP_REPLIES with the message's conversation write before it in one statement, `kind` "save"
    (`save_conversation`'s, each parameter named c_<column>) or "clear" (c_key)."""
    table = ConversationRow.__table__
    if kind == "save":
        stmt = postgresql.insert(table).values({c.name: bindparam(f"c_{c.name}", type_=c.type) for c in table.c})
        write = stmt.on_conflict_do_update(index_elements=["key"], set_={
            c.name: stmt.excluded[c.name] for c in table.c if c.name != "key"}).cte("conversation")
    else:
        write = delete(table).where(table.c.key == bindparam("c_key")).cte("conversation")
    return direct(KEEP_REPLIES.add_cte(write))
