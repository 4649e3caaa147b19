"""The hash-chained, append-only event ledger and its verification."""
from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.checkpoints import Checkpoint
from core.records import Event
from storage.direct import direct
from storage.tables.ledger import EventRow

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept, so hashes are reproducible."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *, seq: int, at: datetime, actor: int | None, unit: str | None, project_id: int | None,
    type: str, payload: str, prev_hash: str,
) -> str:
    body = canonical_json(
        {"seq": seq, "at": _iso(at), "actor": actor, "unit": unit, "project_id": project_id,
         "type": type, "payload": payload, "prev": prev_hash}
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# Built once: every message that records something runs these (see docs/BENCHMARKS.md).
_HEAD = direct(select(EventRow.seq, EventRow.hash).order_by(EventRow.seq.desc()).limit(1))
_INSERT = direct(insert(EventRow.__table__))


async def head(session: AsyncSession | Any) -> tuple[int, str]:
    row = (await session.execute(_HEAD)).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


async def last_at(session: AsyncSession | Any) -> datetime | None:
    """When the newest event was recorded (aware UTC), or None for an empty ledger: what a writer that
    replays dated history (the demo, an import) must not go before, since the ledger appends in time order."""
    at: datetime | None = (await session.execute(select(func.max(EventRow.at)))).scalar()
    return at.replace(tzinfo=timezone.utc) if at is not None and at.tzinfo is None else at


async def append(
    session: AsyncSession | Any, *, type: str, payload: dict[str, Any], at: datetime,
    actor: int | None = None, unit: str | None = None, project_id: int | None = None,
    new_project: bool = False, after: tuple[int, str] | None = None,
) -> Event:
    """Append one event after the current head. The caller holds the ledger lock (a writing unit of
    work does: storage/ledger_lock.py on PostgreSQL, BEGIN IMMEDIATE on SQLite).

    `new_project`: the event creates a project whose id is this event's sequence number,
    which keeps ids deterministic when the ledger is replayed.
    `after`: the head as the caller's own last append in this transaction left it (the lock held since, so
    nobody else appended): spares the read of the head, one statement per event of a long import.
    """
    event, row = draft(after if after is not None else await head(session), type=type, payload=payload, at=at,
                       actor=actor, unit=unit, project_id=project_id, new_project=new_project)
    await session.execute(_INSERT, row)
    return event


def draft(
    after: tuple[int, str], *, type: str, payload: dict[str, Any], at: datetime, actor: int | None = None,
    unit: str | None = None, project_id: int | None = None, new_project: bool = False,
) -> tuple[Event, dict[str, Any]]:
    """The event that follows the head `after`, and its row: what `append` writes (storage/combined.py
    writes it with its projection rows)."""
    seq, prev = after
    seq += 1
    if new_project:
        project_id = seq
    body = canonical_json(payload)
    digest = event_hash(seq=seq, at=at, actor=actor, unit=unit, project_id=project_id, type=type,
                        payload=body, prev_hash=prev)
    row = dict(seq=seq, at=at, actor=actor, unit=unit, project_id=project_id, type=type, payload=body,
               prev_hash=prev, hash=digest)
    return Event(seq=seq, at=at, actor=actor, unit=unit, type=type, payload=json.loads(body),
                 prev_hash=prev, hash=digest, project_id=project_id), row


def row_to_event(row: Any) -> Event:
    return Event(seq=row.seq, at=row.at, actor=row.actor, unit=row.unit, type=row.type,
                 payload=json.loads(row.payload), prev_hash=row.prev_hash, hash=row.hash,
                 project_id=row.project_id)


async def stream(session: AsyncSession, *, after: int = 0, batch: int = 2000) -> AsyncIterator[Any]:
    """Raw event rows in order, in batches, without holding the whole ledger in memory."""
    while True:
        rows = (await session.execute(
            select(EventRow).where(EventRow.seq > after).order_by(EventRow.seq).limit(batch))).scalars().all()
        if not rows:
            return
        for row in rows:
            yield row
        after = rows[-1].seq


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int
    head: str
    bad_seq: int | None = None
    reason: str = ""


async def verify(session: AsyncSession) -> Verification:
    """Walk the chain from genesis: seq continuity, links, canonical payloads and hashes."""
    prev, expected_seq, count = GENESIS, 1, 0
    async for row in stream(session):
        if row.seq != expected_seq:
            return Verification(False, count, prev, row.seq, f"序号不连续：应为 {expected_seq}，实为 {row.seq}")
        if row.prev_hash != prev:
            return Verification(False, count, prev, row.seq, "前序哈希与上一事件不符（事件被删除、插入或调换）")
        try:
            canonical = canonical_json(json.loads(row.payload))
        except ValueError:
            return Verification(False, count, prev, row.seq, "内容不是合法 JSON")
        if canonical != row.payload:
            return Verification(False, count, prev, row.seq, "内容不是规范序列化（被改写）")
        digest = event_hash(seq=row.seq, at=row.at, actor=row.actor, unit=row.unit, project_id=row.project_id,
                            type=row.type, payload=row.payload, prev_hash=row.prev_hash)
        if digest != row.hash:
            return Verification(False, count, prev, row.seq, "哈希与内容不符（事件被修改）")
        prev, expected_seq, count = row.hash, expected_seq + 1, count + 1
    return Verification(True, count, prev)


async def check_against(session: AsyncSession | Any, checkpoints: Iterable[Checkpoint]) -> list[str]:
    """One Chinese line per checkpoint the ledger no longer holds: event #seq gone (the ledger
    was cut short) or with another hash (rewritten, even with every later hash recomputed)."""
    points = [c for c in checkpoints if c.seq > 0]
    if not points:
        return []
    seqs = sorted({c.seq for c in points})
    found: dict[int, str] = {}
    for i in range(0, len(seqs), 500):
        rows = await session.execute(select(EventRow.seq, EventRow.hash).where(EventRow.seq.in_(seqs[i:i + 500])))
        found.update({r.seq: r.hash for r in rows})
    last, _ = await head(session)
    failures: list[str] = []
    for c in points:
        now = found.get(c.seq)
        if now is None:
            failures.append(f"检查点 {c.label} 不符：账本只有 {last} 个事件，第 {c.seq} 号事件已不存在（账本被截短）")
        elif not now.startswith(c.hash.lower()):
            failures.append(f"检查点 {c.label} 不符：第 {c.seq} 号事件的哈希现为 {now[:16]}（此前的事件被改写）")
    return failures
