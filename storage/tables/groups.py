"""Group chats bound to units, so a unit's pushes can go to its group."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, UTCDateTime


class UnitChatRow(Base):
    __tablename__ = "unit_chats"
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    unit: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    bound_by: Mapped[int | None] = mapped_column()
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime)


PROJECTION_TABLES = (UnitChatRow.__table__,)
