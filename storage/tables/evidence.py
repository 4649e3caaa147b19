"""Evidence: the files' bytes (blobs, keyed by SHA-256), the files attached to projects, and the funds
reports' verification state.

`blobs` is not a projection: the ledger holds each file's SHA-256 (file.attached), the bytes live here,
in the same database, so every process and both engines see them and a backup of the database holds them.
A rebuild leaves it alone; `zsbot ledger verify` checks each attached file's bytes against its hash.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, UTCDateTime


class BlobRow(Base):
    """A file's bytes, stored once however often it is attached."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AttachmentRow(Base):
    """file.attached, one row per event (the id is its seq)."""

    __tablename__ = "attachments"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(120))
    actor: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class FundsReportRow(Base):
    """A funds report (project.funds_added, by seq) and its verification: pending, verified or returned."""

    __tablename__ = "funds_reports"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger, index=True)
    unit: Mapped[str] = mapped_column(String(40))
    amount_wan: Mapped[int] = mapped_column(BigInteger)
    reported_by: Mapped[int | None] = mapped_column(BigInteger)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10))
    waiting_since: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_wan: Mapped[int | None] = mapped_column(BigInteger)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    # The queue: what waits, oldest first.
    __table_args__ = (Index("ix_funds_reports_status_waiting", "status", "waiting_since"),)


class FundsDecisionRow(Base):
    """What one decision on a funds report changes in the figures, from when it was recorded (`recorded_at`) for the
    month the funds belong to (`at`, the report's effective time): the verified amount it adds (核实), and the
    reported amount it takes out of 待核实 (核实, 退回) or puts back (重新提交: negative). Offsets, like
    fund_facts, so the sums as of any instant are one scan (storage/queries/rankings.py)."""

    __tablename__ = "funds_decision_facts"
    event_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger)
    entry_seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_wan: Mapped[int] = mapped_column(BigInteger)
    settled_wan: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_funds_decision_facts_project_at", "project_id", "at"),)


PROJECTION_TABLES = (AttachmentRow.__table__, FundsReportRow.__table__, FundsDecisionRow.__table__)
