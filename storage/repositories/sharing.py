"""Reads of the shared lead ledger, and the credit query the rankings call.

For the rankings (issue 6): `credit_splits(session, project_ids=None) -> dict[int, CreditSnapshot]`
(also `uow.sharing.credits(project_ids)`). Keyed by project id; each value is a
`core.sharing.CreditSnapshot`:

    project_id   the project
    source_seq   the event that froze it: an accepted transfer (or routing), or a claim decision
                 that changed the owner
    owner_unit   首谈/首报 unit (keeps its credit)     owner_pct  percent of the funds credited to it
    host_unit    the unit that took the project over    host_pct   percent of the funds credited to it
    rule_code, rule_name   the org file's credit rule in force at acceptance, or None when no rule
                           applied (then owner_pct = 0, host_pct = 100; owner_pct = 100, host_pct = 0
                           when the project came back to its owner)
    recorded_at  when the transfer was accepted (UTC)

Percents are integers (apply with `core.money.apply_pct`). The snapshot is frozen at acceptance:
a later change of the org file's rules does not change it. A project absent from the dict was
never transferred: the ranking applies the org rule by unit kinds itself
(`OrgConfig.credit_rule_for(owner, responsible)`).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import sharing as sh
from core.records import Event, Project
from core.stages import LIFECYCLE, Stage, rank
from storage.ledger import row_to_event
from storage.repositories.projects import to_project
from storage.tables.ledger import EventRow
from storage.tables.projects import ProjectRow
from storage.tables.sharing import (
    ClaimRow,
    InterestRow,
    ProjectCreditRow,
    SupportingUnitRow,
    TransferRow,
)

# Where similar projects "landed": signed or beyond, the location is decided.
_PLACED = [s.value for s in LIFECYCLE if rank(s) >= rank(Stage.SIGNED)]
# The pool shows leads others might still help with: before signing.
_POOLED = [Stage.LEAD.value, Stage.NEGOTIATING.value]


def to_transfer(r: TransferRow) -> sh.Transfer:
    return sh.Transfer(id=r.id, project_id=r.project_id, kind=r.kind, from_unit=r.from_unit, to_unit=r.to_unit,
                       owner_unit=r.owner_unit, reason=r.reason, proposed_by=r.proposed_by,
                       proposed_at=r.proposed_at, status=r.status, decided_by=r.decided_by,
                       decided_at=r.decided_at, decision_reason=r.decision_reason)


def to_claim(r: ClaimRow) -> sh.Claim:
    return sh.Claim(id=r.id, project_id=r.project_id, other_project_id=r.other_project_id, reason=r.reason,
                    status=r.status, opened_at=r.opened_at, opened_by=r.opened_by,
                    first_contact_unit=r.first_contact_unit, first_contact_project_id=r.first_contact_project_id,
                    decided_by=r.decided_by, decided_at=r.decided_at, note=r.note, resolved_seq=r.resolved_seq)


def to_credit(r: ProjectCreditRow) -> sh.CreditSnapshot:
    return sh.CreditSnapshot(project_id=r.project_id, source_seq=r.source_seq, owner_unit=r.owner_unit,
                             host_unit=r.host_unit, rule_code=r.rule_code, rule_name=r.rule_name,
                             owner_pct=r.owner_pct, host_pct=r.host_pct, recorded_at=r.recorded_at)


async def credit_splits(session: AsyncSession, project_ids: list[int] | None = None) -> dict[int, sh.CreditSnapshot]:
    """The recorded credit split per project (see the module docstring for its shape)."""
    q = select(ProjectCreditRow)
    if project_ids is not None:
        q = q.where(ProjectCreditRow.project_id.in_(project_ids))
    return {r.project_id: to_credit(r) for r in (await session.execute(q)).scalars()}


class SqlSharingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def _scalars(self, q: Any) -> list[Any]:
        return list((await self.s.execute(q)).scalars())

    # -- transfers ------------------------------------------------------------------------------
    async def transfer(self, transfer_id: int) -> sh.Transfer | None:
        row = await self.s.get(TransferRow, transfer_id, populate_existing=True)
        return None if row is None else to_transfer(row)

    async def pending_transfer(self, project_id: int) -> sh.Transfer | None:
        rows = await self._scalars(select(TransferRow).where(
            TransferRow.project_id == project_id, TransferRow.status == sh.PENDING).order_by(TransferRow.id))
        return to_transfer(rows[-1]) if rows else None

    async def transfers(self, project_id: int) -> list[sh.Transfer]:
        rows = await self._scalars(select(TransferRow).where(TransferRow.project_id == project_id)
                                   .order_by(TransferRow.id))
        return [to_transfer(r) for r in rows]

    async def pending_transfers(self, *, to_unit: str | None = None) -> list[sh.Transfer]:
        q = select(TransferRow).where(TransferRow.status == sh.PENDING)
        if to_unit is not None:
            q = q.where(TransferRow.to_unit == to_unit)
        return [to_transfer(r) for r in await self._scalars(q.order_by(TransferRow.id))]

    # -- interest, routing suggestions, supporting units ----------------------------------------
    async def has_interest(self, project_id: int, unit: str) -> bool:
        return await self.s.get(InterestRow, (project_id, unit)) is not None

    async def interests(self, project_id: int) -> list[sh.Interest]:
        rows = await self._scalars(select(InterestRow).where(InterestRow.project_id == project_id)
                                   .order_by(InterestRow.at, InterestRow.unit))
        return [sh.Interest(r.project_id, r.unit, r.member_id, r.at) for r in rows]

    async def interest_counts(self, project_ids: list[int]) -> dict[int, int]:
        rows = await self.s.execute(select(InterestRow.project_id, func.count()).where(
            InterestRow.project_id.in_(project_ids)).group_by(InterestRow.project_id))
        return {pid: n for pid, n in rows}

    async def landed_by_unit(self, industry: str, *, exclude: int | None = None) -> dict[str, int]:
        q = select(ProjectRow.responsible_unit, func.count()).where(
            ProjectRow.industry == industry, ProjectRow.stage.in_(_PLACED), ProjectRow.voided_at.is_(None))
        if exclude is not None:
            q = q.where(ProjectRow.id != exclude)
        return {unit: n for unit, n in await self.s.execute(q.group_by(ProjectRow.responsible_unit))}

    async def supporting_units(self, project_id: int) -> list[str]:
        return await self._scalars(select(SupportingUnitRow.unit).where(SupportingUnitRow.project_id == project_id)
                                   .order_by(SupportingUnitRow.at, SupportingUnitRow.unit))

    # -- claims ---------------------------------------------------------------------------------
    async def claim(self, claim_id: int) -> sh.Claim | None:
        row = await self.s.get(ClaimRow, claim_id, populate_existing=True)
        return None if row is None else to_claim(row)

    async def open_claims(self) -> list[sh.Claim]:
        rows = await self._scalars(select(ClaimRow).where(ClaimRow.status == sh.OPEN).order_by(ClaimRow.id))
        return [to_claim(r) for r in rows]

    async def claims_of(self, project_id: int) -> list[sh.Claim]:
        rows = await self._scalars(select(ClaimRow).where(
            (ClaimRow.project_id == project_id) | (ClaimRow.other_project_id == project_id)).order_by(ClaimRow.id))
        return [to_claim(r) for r in rows]

    # -- credit ---------------------------------------------------------------------------------
    async def credit(self, project_id: int) -> sh.CreditSnapshot | None:
        row = await self.s.get(ProjectCreditRow, project_id, populate_existing=True)
        return None if row is None else to_credit(row)

    async def credits(self, project_ids: list[int] | None = None) -> dict[int, sh.CreditSnapshot]:
        return await credit_splits(self.s, project_ids)

    # -- the pool and history -------------------------------------------------------------------
    async def pool(self, *, industry: str | None = None, limit: int = 10) -> list[Project]:
        q = select(ProjectRow).where(ProjectRow.stage.in_(_POOLED), ProjectRow.voided_at.is_(None))
        if industry is not None:
            q = q.where(ProjectRow.industry == industry)
        rows = await self._scalars(q.order_by(ProjectRow.created_at.desc(), ProjectRow.id.desc()).limit(limit))
        return [to_project(r) for r in rows]

    async def events_by_seq(self, seqs: list[int]) -> list[Event]:
        if not seqs:
            return []
        rows = await self._scalars(select(EventRow).where(EventRow.seq.in_(seqs)).order_by(EventRow.seq))
        return [row_to_event(r) for r in rows]

    async def history(self, project_id: int) -> list[Event]:
        """The project's own events, and the claim events that name it from the other entry."""
        own = await self._scalars(select(EventRow).where(EventRow.project_id == project_id).order_by(EventRow.seq))
        seqs = {r.seq for r in own}
        extra: list[int] = []
        for claim in await self.claims_of(project_id):
            extra += [s for s in (claim.id, claim.resolved_seq) if s is not None and s not in seqs]
        events = [row_to_event(r) for r in own] + await self.events_by_seq(extra)
        return sorted(events, key=lambda e: e.seq)


__all__ = ["SqlSharingRepository", "credit_splits"]
