"""Operational state — conversations, processed deliveries, the outbox: not facts, so not projections of the ledger."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables.base import Base, UTCDateTime


class ConversationRow(Base):
    """One open flow per member, whatever the channel: the row is the whole conversation."""

    __tablename__ = "conversations"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    flow: Mapped[str] = mapped_column(String(30))
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))


class ProcessedUpdateRow(Base):
    """A handled delivery, and its replies until the channel sent them (a crash between the commit and
    the reply leaves them here: handlers/stored_replies.py sends them later, once)."""

    __tablename__ = "processed_updates"
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # {"chat": ..., "actions": [Outbound...]} while unsent; NULL once sent (or when there was nothing to say).
    replies: Mapped[str | None] = mapped_column(Text)
    # When the replies were stored: the sender that stored them owns them for the lease (bot/config.py).
    replies_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxRow(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


Index("ix_outbox_due", OutboxRow.status, OutboxRow.not_before)
