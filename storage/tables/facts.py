"""Reporting facts: typed, per-event rows that SQL can aggregate for any past instant.

`project_versions` holds a project's countable attributes after each event that changes
them (logged, corrected, signed, transferred, claim decided); each version is valid from `at`
until the next one's `at` (`valid_to`), so "as of the end of October" is a plain filter and later
corrections never rewrite October. `project_milestones` keeps when a project first reached each
stage — facts that never change once set, because stages only move forward.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, UTCDateTime


class ProjectVersionRow(Base):
    __tablename__ = "project_versions"
    event_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    owner_unit: Mapped[str] = mapped_column(String(40))
    host_unit: Mapped[str] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(40))
    industry: Mapped[str | None] = mapped_column(String(60))
    flag_industrial: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_strong: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_headquarters: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_digital: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_central_soe: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_foreign: Mapped[bool] = mapped_column(Boolean, default=False)
    leader_member_id: Mapped[int | None] = mapped_column(BigInteger)
    countable: Mapped[bool] = mapped_column(Boolean, default=True)
    # The credit split recorded when a transfer was accepted (None: apply the org file's rule).
    credit_owner_pct: Mapped[int | None] = mapped_column(SmallInteger)
    credit_host_pct: Mapped[int | None] = mapped_column(SmallInteger)
    credit_rule: Mapped[str | None] = mapped_column(String(40))
    contract_wan: Mapped[int | None] = mapped_column(BigInteger)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A hash of the attributes the ranking groups by: one narrow key instead of ten wide ones.
    class_key: Mapped[int] = mapped_column(BigInteger)


class MilestoneRow(Base):
    """When a project first reached 签约 / 落地 / 开工 / 投产 (a later stage implies the earlier ones)."""

    __tablename__ = "project_milestones"
    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    landed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    producing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FundFactRow(Base):
    __tablename__ = "fund_facts"
    event_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount_wan: Mapped[int] = mapped_column(BigInteger)


class StageFactRow(Base):
    __tablename__ = "stage_facts"
    event_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    stage: Mapped[str] = mapped_column(String(20))
    stage_rank: Mapped[int] = mapped_column(Integer)   # lifecycle position; 终止 is -1
    contract_wan: Mapped[int | None] = mapped_column(BigInteger)


# Covering: the funds scan finds each fact's valid version without reading the version rows.
Index("ix_project_versions_asof", ProjectVersionRow.project_id, ProjectVersionRow.at, ProjectVersionRow.valid_to,
      ProjectVersionRow.countable, ProjectVersionRow.class_key)
Index("ix_fund_facts_project_at", FundFactRow.project_id, FundFactRow.at)
Index("ix_fund_facts_at", FundFactRow.at)
Index("ix_stage_facts_project_at", StageFactRow.project_id, StageFactRow.at)

PROJECTION_TABLES = (ProjectVersionRow.__table__, MilestoneRow.__table__, FundFactRow.__table__,
                     StageFactRow.__table__)
