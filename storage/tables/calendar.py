"""The calendar's bookkeeping (operational, not facts): which pushes were decided, and small state.

`calendar_pushes` is what makes a push happen at most once whatever restarts or repeated ticks
do: its key is the push's (kind, period, recipient) key, written in the same transaction as the
outbox rows it queued (or as the decision to skip it).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, UTCDateTime


class CalendarPushRow(Base):
    __tablename__ = "calendar_pushes"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    period: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16))      # queued | undeliverable | skipped
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rows: Mapped[int] = mapped_column(Integer, default=0)


class CalendarStateRow(Base):
    """Named values: when the calendar first ran (nothing due before is sent), the last tick."""

    __tablename__ = "calendar_state"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
