"""Reporting facts: typed, per-event rows that SQL can aggregate for any past instant, as known at any instant.

Every fact has two times. `at` is when it happened (the effective time: a signing entered on 11月25日 with
`日期 11月20日` happened on the 20th; a funds correction happened on the corrected entry's date), and
`recorded_at` is when the ledger learnt it (the event's own time). A month's figures read the facts with
`at` before its end; "as of" an instant they also keep only what was recorded before it, so a ranking can be
reproduced exactly as it stood on the day it was published, and without "as of" a December correction of an
October entry changes October.

`project_versions` holds a project's countable attributes over effective time: each row is valid from `at`
until `valid_to`. A change from now on closes the open row (`valid_to` = its time, which is also when that was
learnt) and opens a new one. A change that reaches back (a back-dated signing with its amount, a correction
from the lead's start, a void) never edits the rows it revises: it marks them `replaced_at` and writes their
revised copies (`row_seq` = the revising event), so both what was believed and what is known stay readable.
`project_milestones` keeps when a project first reached each stage and when that was recorded — facts that
never change once set, because stages only move forward and a back-dated stage is never before the one
before it. `late_facts` names every event that changed facts before its own time (the caches' key).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, UTCDateTime


class ProjectVersionRow(Base):
    __tablename__ = "project_versions"
    event_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    row_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
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
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MilestoneRow(Base):
    """When a project first reached 签约 / 落地 / 开工 / 投产 (a later stage implies the earlier ones), and when
    the ledger learnt it."""

    __tablename__ = "project_milestones"
    project_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    landed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    producing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_recorded: Mapped[datetime | None] = mapped_column(UTCDateTime)
    landed_recorded: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_recorded: Mapped[datetime | None] = mapped_column(UTCDateTime)
    producing_recorded: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FundFactRow(Base):
    """A funds entry (`entry_seq` = its own seq) or a correction's offset of one (`entry_seq` = the entry's)."""

    __tablename__ = "fund_facts"
    event_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount_wan: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entry_seq: Mapped[int] = mapped_column(BigInteger)


class StageFactRow(Base):
    __tablename__ = "stage_facts"
    event_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    stage: Mapped[str] = mapped_column(String(20))
    stage_rank: Mapped[int] = mapped_column(Integer)   # lifecycle position; 终止 is -1
    contract_wan: Mapped[int | None] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LateFactRow(Base):
    """An event that changed facts before its own time: from `at` on (a back-dated stage or funds entry, a
    correction, a void or its undo). A month's figures depend on the ledger up to its end and on these."""

    __tablename__ = "late_facts"
    event_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Covering: the funds scan finds each fact's valid version without reading the version rows.
Index("ix_project_versions_asof", ProjectVersionRow.project_id, ProjectVersionRow.at, ProjectVersionRow.valid_to,
      ProjectVersionRow.countable, ProjectVersionRow.replaced_at, ProjectVersionRow.class_key,
      ProjectVersionRow.recorded_at)
Index("ix_fund_facts_project_at", FundFactRow.project_id, FundFactRow.at)
Index("ix_fund_facts_at", FundFactRow.at)
Index("ix_stage_facts_project_at", StageFactRow.project_id, StageFactRow.at)
Index("ix_late_facts_at", LateFactRow.at)

PROJECTION_TABLES = (ProjectVersionRow.__table__, MilestoneRow.__table__, FundFactRow.__table__,
                     StageFactRow.__table__, LateFactRow.__table__)
