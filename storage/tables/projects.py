"""Projects and their notes (progress and problems): the current state the conversations read."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, UTCDateTime


class ProjectRow(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    normalized_name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    industry: Mapped[str | None] = mapped_column(String(60))
    industry_other: Mapped[str | None] = mapped_column(String(60))  # 其他: typed, for the office to map
    stage: Mapped[str] = mapped_column(String(20), index=True)
    category: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str | None] = mapped_column(String(40))
    contact: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str | None] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    intended_wan: Mapped[int | None] = mapped_column(BigInteger)
    contract_wan: Mapped[int | None] = mapped_column(BigInteger)
    planned_wan: Mapped[int | None] = mapped_column(BigInteger)
    funds_wan: Mapped[int] = mapped_column(BigInteger, default=0)
    foreign_wan: Mapped[int | None] = mapped_column(BigInteger)
    foreign_currency: Mapped[str | None] = mapped_column(String(3))
    flag_industrial: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_strong: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_headquarters: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_digital: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_central_soe: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_foreign: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_unit: Mapped[str] = mapped_column(String(40), index=True)
    responsible_unit: Mapped[str] = mapped_column(String(40), index=True)
    responsible_person: Mapped[str | None] = mapped_column(String(100))
    leader_member_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    terminated_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of: Mapped[int | None] = mapped_column(BigInteger)
    # Voided (entered by mistake): every list leaves it out; the card and /history still show it.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)


class NoteRow(Base):
    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_kind_resolved_at", "kind", "resolved_at"),)
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(BigInteger, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    next_steps: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[int | None] = mapped_column(BigInteger)


PROJECTION_TABLES = (ProjectRow.__table__, NoteRow.__table__)
