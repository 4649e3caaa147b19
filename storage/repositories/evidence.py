"""`uow.evidence` (core.ports.Evidence) over SQL: files' bytes by SHA-256, the files attached to projects,
and the funds reports' verification state."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.records import AttachedFile, FundsReport
from storage.tables.evidence import AttachmentRow, BlobRow, FundsReportRow


def _file(r: AttachmentRow) -> AttachedFile:
    return AttachedFile(seq=r.seq, project_id=r.project_id, sha256=r.sha256, size=r.size, name=r.name,
                        mime_type=r.mime_type, actor=r.actor, unit=r.unit, channel=r.channel, at=r.at)


def _report(r: FundsReportRow) -> FundsReport:
    return FundsReport(seq=r.seq, project_id=r.project_id, unit=r.unit, amount_wan=r.amount_wan,
                       reported_by=r.reported_by, reported_at=r.reported_at, status=r.status,
                       waiting_since=r.waiting_since, verified_wan=r.verified_wan, decided_by=r.decided_by,
                       decided_at=r.decided_at, reason=r.reason, note=r.note)


class SqlEvidence:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def put_blob(self, sha256: str, data: bytes, at: datetime) -> None:
        bind = self.s.bind
        assert bind is not None, "a unit of work's session is bound to its engine"
        dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
        # The same bytes sent twice (or to two projects) are stored once.
        stmt = dialect.insert(BlobRow.__table__).on_conflict_do_nothing(index_elements=["sha256"])
        await self.s.execute(stmt, {"sha256": sha256, "size": len(data), "data": data, "stored_at": at})

    async def blob(self, sha256: str) -> bytes | None:
        data: bytes | None = (await self.s.execute(select(BlobRow.data).where(BlobRow.sha256 == sha256))).scalar()
        return None if data is None else bytes(data)

    async def files(self, project_id: int) -> list[AttachedFile]:
        rows = (await self.s.execute(select(AttachmentRow).where(AttachmentRow.project_id == project_id)
                                     .order_by(AttachmentRow.seq))).scalars().all()
        return [_file(r) for r in rows]

    async def file(self, seq: int) -> AttachedFile | None:
        row = await self.s.get(AttachmentRow, seq)
        return None if row is None else _file(row)

    async def report(self, seq: int) -> FundsReport | None:
        row = await self.s.get(FundsReportRow, seq)
        return None if row is None else _report(row)

    async def reports_of(self, project_id: int) -> list[FundsReport]:
        rows = (await self.s.execute(select(FundsReportRow).where(FundsReportRow.project_id == project_id)
                                     .order_by(FundsReportRow.seq))).scalars().all()
        return [_report(r) for r in rows]

    async def waiting(self, *, units: list[str] | None = None, status: str = "pending") -> list[FundsReport]:
        """Reports waiting for a decision (待核实), oldest first; only `units`' when given; `status="returned"`:
        those waiting for their unit to resubmit."""
        query = select(FundsReportRow).where(FundsReportRow.status == status)
        if units is not None:
            query = query.where(FundsReportRow.unit.in_(units))
        rows = (await self.s.execute(query.order_by(FundsReportRow.waiting_since, FundsReportRow.seq))).scalars().all()
        return [_report(r) for r in rows]

    async def verified_totals(self) -> dict[int, int]:
        """Project id → its funds verified so far (at the verifiers' amounts); a project with none is absent."""
        r = FundsReportRow
        rows = await self.s.execute(select(r.project_id, func.sum(r.verified_wan)).where(r.status == "verified")
                                    .group_by(r.project_id))
        return {pid: int(total or 0) for pid, total in rows.all()}
