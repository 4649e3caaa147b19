"""`uow.web` (core.ports.WebAccess) over SQL."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.web_access import AuditEntry, WebLink, WebSession
from storage.tables.web import WebAuditRow, WebLinkRow, WebSessionRow


class SqlWebAccess:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add_link(self, token_hash: str, member_id: int, at: datetime, expires_at: datetime) -> None:
        self.s.add(WebLinkRow(token_hash=token_hash, member_id=member_id, created_at=at, expires_at=expires_at))
        await self.s.flush()

    async def link(self, token_hash: str) -> WebLink | None:
        row = await self.s.get(WebLinkRow, token_hash)
        return None if row is None else WebLink(row.member_id, row.expires_at, row.used_at)

    async def use_link(self, token_hash: str, at: datetime) -> None:
        await self.s.execute(update(WebLinkRow).where(WebLinkRow.token_hash == token_hash).values(used_at=at))

    async def add_session(self, id_hash: str, member_id: int, at: datetime) -> None:
        self.s.add(WebSessionRow(id_hash=id_hash, member_id=member_id, created_at=at, last_seen=at))
        await self.s.flush()

    async def session(self, id_hash: str) -> WebSession | None:
        row = (await self.s.execute(select(WebSessionRow).where(WebSessionRow.id_hash == id_hash))).scalar_one_or_none()
        if row is None:
            return None
        return WebSession(row.id_hash, row.member_id, row.created_at, row.last_seen, row.ended_at)

    async def touch_session(self, id_hash: str, at: datetime) -> None:
        await self.s.execute(update(WebSessionRow).where(WebSessionRow.id_hash == id_hash).values(last_seen=at))

    async def end_session(self, id_hash: str, at: datetime) -> None:
        await self.s.execute(update(WebSessionRow).where(WebSessionRow.id_hash == id_hash).values(ended_at=at))

    async def audit(self, at: datetime, member_id: int, action: str, detail: str, address: str) -> None:
        self.s.add(WebAuditRow(at=at, member_id=member_id, action=action, detail=detail[:2000], address=address[:64]))
        await self.s.flush()

    async def audit_log(self, *, limit: int = 200) -> list[AuditEntry]:
        rows = await self.s.execute(select(WebAuditRow).order_by(WebAuditRow.id.desc()).limit(limit))
        return [AuditEntry(r.at, r.member_id, r.action, r.detail, r.address) for r in rows.scalars()]
