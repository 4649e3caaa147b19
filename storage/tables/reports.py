"""Tables of the half-monthly report and the quarterly observation: projections of core/halfmonthly.py events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, UTCDateTime


class ReportSubmissionRow(Base):
    """One unit's 半月报 for one period (the nominal deadline date, e.g. 2026-12-10); at most one each."""

    __tablename__ = "report_submissions"
    __table_args__ = (UniqueConstraint("unit", "period"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    unit: Mapped[str] = mapped_column(String(40), index=True)
    period: Mapped[str] = mapped_column(String(10), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    on_time: Mapped[bool] = mapped_column(Boolean)
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    projects: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)


class ObservationRow(Base):
    """A district's or zone's naming of its observation project 观摩项目 for a quarter (latest counts)."""

    __tablename__ = "observation_projects"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    unit: Mapped[str] = mapped_column(String(40), index=True)
    quarter: Mapped[str] = mapped_column(String(6), index=True)
    project_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    named_at: Mapped[datetime] = mapped_column(UTCDateTime)


PROJECTION_TABLES = (ReportSubmissionRow.__table__, ObservationRow.__table__)
