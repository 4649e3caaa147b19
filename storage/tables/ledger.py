"""The ledger's table: append-only events, each hash covering the previous one."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, UTCDateTime


class EventRow(Base):
    """The ledger. Rows are only ever inserted; each hash covers the previous one."""

    __tablename__ = "events"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str | None] = mapped_column(String(40))
    project_id: Mapped[int | None] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    # A project's events, and its last event before an instant (the 台账's 最后更新) from the index alone.
    __table_args__ = (Index("ix_events_project_at", "project_id", "at"),)


class CheckpointRow(Base):
    """A ledger head that left the database in a push (`via`: the push kind and period).

    Operational, not a fact: the recipients hold the copy that counts; this list tells a
    verifier which `seq:hash` pairs went out, to check with `zsbot ledger verify --against`.
    """

    __tablename__ = "ledger_checkpoints"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    via: Mapped[str] = mapped_column(String(80), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
