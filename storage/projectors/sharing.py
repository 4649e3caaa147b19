"""Projectors of the shared lead ledger: each reads only its event, so a rebuild gives the same rows.

An accepted transfer also moves the project's responsible unit (and with it who sees the
contact) and adds a reporting version (storage/tables/facts.py) with the new host and the
recorded credit split; a resolved claim makes the first-contact unit the owner (首谈单位) of the
entry that counts, which is a new version too.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core import sharing as sh
from core.records import Event
from storage.projectors.facts import add_version
from storage.projectors.registry import projects
from storage.tables.projects import ProjectRow
from storage.tables.sharing import (
    ClaimRow,
    InterestRow,
    ProjectCreditRow,
    RouteRow,
    SupportingUnitRow,
    TransferRow,
)

_TRANSFERS = TransferRow.__table__
# The project row is updated through the ORM entity so a copy already loaded in this session
# (the use case read it before appending) is refreshed too.
_PROJECTS = ProjectRow


@projects(sh.INTEREST_MARKED)
async def _interest(session: AsyncSession, e: Event) -> None:
    p = ev.InterestMarked.from_dict(e.payload)
    await session.execute(insert(InterestRow.__table__).values(
        project_id=e.project_id, unit=p.unit, member_id=e.actor, at=e.at))


@projects(sh.TRANSFER_PROPOSED, sh.ROUTED)
async def _proposed(session: AsyncSession, e: Event) -> None:
    p = ev.Routed.from_dict(e.payload) if e.type == sh.ROUTED else ev.TransferProposed.from_dict(e.payload)
    kind = "route" if isinstance(p, ev.Routed) else "transfer"
    await session.execute(insert(_TRANSFERS).values(
        id=e.seq, project_id=e.project_id, kind=kind, from_unit=p.from_unit, to_unit=p.to_unit,
        owner_unit=p.owner_unit, reason=p.reason, proposed_by=e.actor, proposed_at=e.at, status=sh.PENDING))
    if isinstance(p, ev.Routed):
        await session.execute(insert(RouteRow.__table__).values(
            id=e.seq, project_id=e.project_id, from_unit=p.from_unit, to_unit=p.to_unit,
            suggested=json.dumps(list(p.suggested), ensure_ascii=False), routed_by=e.actor, at=e.at))


async def _decide(session: AsyncSession, e: Event, transfer_id: int, status: str, reason: str | None = None) -> None:
    await session.execute(update(_TRANSFERS).where(TransferRow.id == transfer_id).values(
        status=status, decided_by=e.actor, decided_at=e.at, decision_reason=reason))


async def _freeze_credit(session: AsyncSession, e: Event, credit: ev.CreditSplit) -> None:
    """The split recorded by this event replaces any earlier one for the project."""
    await session.execute(delete(ProjectCreditRow.__table__).where(ProjectCreditRow.project_id == e.project_id))
    await session.execute(insert(ProjectCreditRow.__table__).values(
        project_id=e.project_id, source_seq=e.seq, owner_unit=credit.owner_unit, host_unit=credit.host_unit,
        rule_code=credit.rule_code, rule_name=credit.rule_name, owner_pct=credit.owner_pct,
        host_pct=credit.host_pct, recorded_at=e.at))


def _credit_version(credit: ev.CreditSplit) -> dict[str, Any]:
    return {"credit_owner_pct": credit.owner_pct, "credit_host_pct": credit.host_pct,
            "credit_rule": credit.rule_code}


@projects(sh.TRANSFER_ACCEPTED)
async def _accepted(session: AsyncSession, e: Event) -> None:
    p = ev.TransferAccepted.from_dict(e.payload)
    await _decide(session, e, p.transfer_id, sh.ACCEPTED)
    await session.execute(update(_PROJECTS).where(ProjectRow.id == e.project_id).values(
        responsible_unit=p.to_unit, responsible_person=p.responsible_person, updated_at=e.at))
    await _freeze_credit(session, e, p.credit)
    await add_version(session, e, host_unit=p.to_unit, **_credit_version(p.credit))


@projects(sh.TRANSFER_REFUSED)
async def _refused(session: AsyncSession, e: Event) -> None:
    p = ev.TransferRefused.from_dict(e.payload)
    await _decide(session, e, p.transfer_id, sh.REFUSED, p.reason)


@projects(sh.TRANSFER_WITHDRAWN)
async def _withdrawn(session: AsyncSession, e: Event) -> None:
    await _decide(session, e, ev.TransferWithdrawn.from_dict(e.payload).transfer_id, sh.WITHDRAWN)


@projects(sh.SUPPORTING_JOINED)
async def _supporting(session: AsyncSession, e: Event) -> None:
    p = ev.SupportingJoined.from_dict(e.payload)
    await session.execute(insert(SupportingUnitRow.__table__).values(
        project_id=e.project_id, unit=p.unit, member_id=e.actor, at=e.at))


@projects(sh.CLAIM_OPENED)
async def _claim_opened(session: AsyncSession, e: Event) -> None:
    p = ev.ClaimOpened.from_dict(e.payload)
    await session.execute(insert(ClaimRow.__table__).values(
        id=e.seq, project_id=e.project_id, other_project_id=p.other_project_id, reason=p.reason,
        status=sh.OPEN, opened_by=e.actor, opened_at=e.at))


@projects(sh.CLAIM_RESOLVED)
async def _claim_resolved(session: AsyncSession, e: Event) -> None:
    p = ev.ClaimResolved.from_dict(e.payload)
    await session.execute(update(ClaimRow.__table__).where(ClaimRow.id == p.claim_id).values(
        status=sh.RESOLVED, first_contact_unit=p.first_contact_unit,
        first_contact_project_id=p.first_contact_project_id, decided_by=e.actor, decided_at=e.at,
        note=p.note or None, resolved_seq=e.seq))
    owner = p.first_contact_unit
    if owner == p.owner_before:
        return
    assert p.credit is not None, "a claim that changes the owner records the new split"
    await session.execute(update(_PROJECTS).where(ProjectRow.id == e.project_id).values(owner_unit=owner))
    await _freeze_credit(session, e, p.credit)
    await add_version(session, e, owner_unit=owner, **_credit_version(p.credit))
