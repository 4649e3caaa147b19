"""Tables of the shared lead ledger: transfers and routes, interests, claims, supporting units, credit.

All are projections of the events in core/sharing.py (ids are the seq of the creating event).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, UTCDateTime


class TransferRow(Base):
    """One proposed hand-over (a /transfer, or a /route which is one too) and how it ended."""

    __tablename__ = "sharing_transfers"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(10))
    from_unit: Mapped[str] = mapped_column(String(40))
    to_unit: Mapped[str] = mapped_column(String(40), index=True)
    owner_unit: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[int | None] = mapped_column(BigInteger)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), index=True)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)


class RouteRow(Base):
    """客商分流: who routed an investor where, and which units the bot had suggested then."""

    __tablename__ = "sharing_routes"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger, index=True)
    from_unit: Mapped[str] = mapped_column(String(40))
    to_unit: Mapped[str] = mapped_column(String(40))
    suggested: Mapped[str] = mapped_column(Text, default="[]")
    routed_by: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class InterestRow(Base):
    __tablename__ = "sharing_interests"
    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    unit: Mapped[str] = mapped_column(String(40), primary_key=True)
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClaimRow(Base):
    """Two entries for one company; the office decides who made first contact 首谈."""

    __tablename__ = "sharing_claims"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger, index=True)
    other_project_id: Mapped[int] = mapped_column(BigInteger, index=True)
    reason: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), index=True)
    opened_by: Mapped[int | None] = mapped_column(BigInteger)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_contact_unit: Mapped[str | None] = mapped_column(String(40))
    first_contact_project_id: Mapped[int | None] = mapped_column(BigInteger)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    resolved_seq: Mapped[int | None] = mapped_column(BigInteger)


class SupportingUnitRow(Base):
    """A unit that joined another unit's project as 协助单位 instead of registering it again."""

    __tablename__ = "sharing_supporting_units"
    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    unit: Mapped[str] = mapped_column(String(40), primary_key=True)
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProjectCreditRow(Base):
    """The credit split frozen when a transfer was accepted or a claim changed the owner (seed 004)."""

    __tablename__ = "sharing_project_credits"
    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    source_seq: Mapped[int] = mapped_column(BigInteger)
    owner_unit: Mapped[str] = mapped_column(String(40))
    host_unit: Mapped[str] = mapped_column(String(40))
    rule_code: Mapped[str | None] = mapped_column(String(60))
    rule_name: Mapped[str | None] = mapped_column(String(100))
    owner_pct: Mapped[int] = mapped_column(Integer)
    host_pct: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


PROJECTION_TABLES = (
    TransferRow.__table__,
    RouteRow.__table__,
    InterestRow.__table__,
    ClaimRow.__table__,
    SupportingUnitRow.__table__,
    ProjectCreditRow.__table__,
)
