"""Projectors of the organisation, projects, notes and trips (storage/tables/org.py, projects.py, trips.py).

A projector may read only the event (never the clock, never randomness), so replaying the
ledger from the start gives back exactly the tables that live writes produced.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.elements import ClauseElement

from core import events as ev
from core.projects import CORRECTABLE
from core.records import Event
from storage.combined import plain_insert
from storage.ledger import canonical_json
from storage.projectors.registry import projects
from storage.tables.org import IdentityRow, InviteRow, MemberRow, OrgConfigRow, UnitRow
from storage.tables.projects import NoteRow, ProjectRow
from storage.tables.trips import TripRow

FLAG_COLUMNS = {
    "industrial": "flag_industrial",
    "strong": "flag_strong",
    "headquarters": "flag_headquarters",
    "digital": "flag_digital",
    "central_soe": "flag_central_soe",
    "foreign": "flag_foreign",
}


_INSERT_PROJECT = plain_insert(ProjectRow.__table__)  # built once: every lead runs it (storage/combined.py)
_P = ProjectRow.__table__
# Built once per set of columns and run with parameters: every stage move, funds entry and note updates the
# project, and building the statement cost more than running it (an import's thousands, docs/BENCHMARKS.md).
_TOUCH: dict[tuple[str, ...], Update] = {}
_ADD_FUNDS = update(_P).where(_P.c.id == bindparam("p_id")).values(
    updated_at=bindparam("p_updated_at"), funds_wan=_P.c.funds_wan + bindparam("p_amount"))


def _flag_values(flags: Iterable[str] | None) -> dict[str, bool]:
    chosen = set(flags or ())
    return {col: name in chosen for name, col in FLAG_COLUMNS.items()}


def entities_loaded(session: AsyncSession | Any) -> bool:
    """Whether the session holds project entities (the calendar's and the pool's reads load them): an update
    must then go through the ORM, which refreshes them; otherwise a plain table update does, much cheaper."""
    sync = getattr(session, "sync", None) or session.sync_session
    return any(key[0] is ProjectRow for key in sync.identity_map.keys())


async def _touch(session: AsyncSession, e: Event, **values: Any) -> None:
    if entities_loaded(session) or any(isinstance(v, ClauseElement) for v in values.values()):
        await session.execute(update(ProjectRow.__table__).where(ProjectRow.id == e.project_id)
                              .values(updated_at=e.at, **values))
        return
    keys = tuple(sorted(values))
    stmt = _TOUCH.get(keys)
    if stmt is None:
        stmt = _TOUCH[keys] = update(_P).where(_P.c.id == bindparam("p_id")).values(
            updated_at=bindparam("p_updated_at"), **{k: bindparam(f"p_{k}") for k in keys})
    await session.execute(stmt, {"p_id": e.project_id, "p_updated_at": e.at, **{f"p_{k}": v for k, v in values.items()}})


@projects(ev.ORG_CONFIGURED)
async def _org(session: AsyncSession, e: Event) -> None:
    p = ev.OrgConfigured.from_dict(e.payload)
    config = p.config
    await session.execute(insert(OrgConfigRow.__table__).values(
        seq=e.seq, at=e.at, digest=p.digest, body=canonical_json(config)))
    existing = set((await session.execute(select(UnitRow.code))).scalars())
    codes = []
    for order, unit in enumerate(config["units"]):
        values = dict(name=unit["name"], kind=unit["kind"], parent=unit.get("parent"),
                      peer_group=unit.get("peer_group"), sort_order=order, active=True)
        codes.append(unit["code"])
        if unit["code"] in existing:
            await session.execute(update(UnitRow.__table__).where(UnitRow.code == unit["code"]).values(**values))
        else:
            await session.execute(insert(UnitRow.__table__).values(code=unit["code"], **values))
    # A unit dropped from the file keeps its history but stops being offered.
    await session.execute(update(UnitRow.__table__).where(UnitRow.code.not_in(codes)).values(active=False))


@projects(ev.MEMBER_ADDED)
async def _member_added(session: AsyncSession, e: Event) -> None:
    p = ev.MemberAdded.from_dict(e.payload)
    await session.execute(insert(MemberRow.__table__).values(
        id=e.seq, name=p.name, unit=p.unit, role=p.role, title=p.title,
        trip_quota=p.trip_quota, reporter=bool(p.reporter), active=True, created_at=e.at))


@projects(ev.MEMBER_CHANGED)
async def _member_changed(session: AsyncSession, e: Event) -> None:
    allowed = {"name", "unit", "role", "title", "trip_quota", "reporter", "active"}
    p = ev.MemberChanged.from_dict(e.payload)
    changes = {k: v for k, v in p.changes.items() if k in allowed}
    await session.execute(update(MemberRow.__table__).where(MemberRow.id == p.member_id).values(**changes))


@projects(ev.IDENTITY_BOUND)
async def _identity(session: AsyncSession, e: Event) -> None:
    p = ev.IdentityBound.from_dict(e.payload)
    await session.execute(delete(IdentityRow.__table__).where(
        IdentityRow.channel == p.channel, IdentityRow.external_id == p.external_id))
    await session.execute(insert(IdentityRow.__table__).values(
        channel=p.channel, external_id=p.external_id, member_id=p.member_id,
        chat_id=p.chat_id, bound_at=e.at))


@projects(ev.INVITE_CREATED)
async def _invite(session: AsyncSession, e: Event) -> None:
    p = ev.InviteCreated.from_dict(e.payload)
    await session.execute(insert(InviteRow.__table__).values(
        id=e.seq, code_hash=p.code_hash, unit=p.unit, role=p.role,
        expires_at=datetime.fromisoformat(p.expires_at), created_by=e.actor,
        member_id=p.member_id))


@projects(ev.INVITE_USED)
async def _invite_used(session: AsyncSession, e: Event) -> None:
    p = ev.InviteUsed.from_dict(e.payload)
    await session.execute(update(InviteRow.__table__).where(InviteRow.id == p.invite_id).values(
        used_at=e.at, used_by=p.member_id))


def lead_row(e: Event) -> dict[str, Any]:
    """The projects row a lead creates: its projector's INSERT, and the project the writer keeps as the
    use case's read after logging (storage/repositories/projects.py `created`)."""
    p = ev.LeadLogged.from_dict(e.payload)
    # A lead is logged without a planned amount; only a correction sets one.
    return dict(
        id=e.project_id, name=p.name, normalized_name=p.normalized_name, credit_code=p.credit_code,
        industry=p.industry, industry_other=p.industry_other, stage=p.stage, category=p.category,
        source=p.source, contact=p.contact, content=p.content,
        intended_wan=p.intended_wan, planned_wan=None, contract_wan=None, funds_wan=0,
        foreign_wan=p.foreign_wan, foreign_currency=p.foreign_currency,
        owner_unit=p.owner_unit, responsible_unit=p.responsible_unit or p.owner_unit,
        responsible_person=p.responsible_person, leader_member_id=p.leader_member_id,
        created_by=e.actor, created_at=e.at, updated_at=e.at, duplicate_of=p.duplicate_of,
        **_flag_values(p.flags))


@projects(ev.LEAD_LOGGED)
async def _lead(session: AsyncSession, e: Event) -> None:
    await session.execute(_INSERT_PROJECT, lead_row(e))


@projects(ev.PROJECT_CORRECTED)
async def _corrected(session: AsyncSession, e: Event) -> None:
    # correct_project refuses any other field; one an older writer recorded anyway stays unapplied.
    changes = {k: v for k, v in ev.ProjectCorrected.from_dict(e.payload).changes.items() if k in CORRECTABLE}
    if "flags" in changes:
        changes.update(_flag_values(changes.pop("flags")))
    if changes.get("industry") is not None:
        changes["industry_other"] = None  # mapped to a listed chain: no longer waiting under 其他
    await _touch(session, e, **changes)


@projects(ev.STAGE_CHANGED)
async def _stage(session: AsyncSession, e: Event) -> None:
    p = ev.StageChanged.from_dict(e.payload)
    values: dict[str, Any] = {"stage": p.to}
    if p.contract_wan is not None:
        values["contract_wan"] = p.contract_wan
    if p.to == "terminated":
        values["terminated_reason"] = p.reason
    await _touch(session, e, **values)


@projects(ev.FUNDS_ADDED)
async def _funds(session: AsyncSession, e: Event) -> None:
    amount = ev.FundsAdded.from_dict(e.payload).amount_wan
    if entities_loaded(session):
        await _touch(session, e, funds_wan=ProjectRow.funds_wan + amount)
    else:
        await session.execute(_ADD_FUNDS, {"p_id": e.project_id, "p_updated_at": e.at, "p_amount": amount})


@projects(ev.FUNDS_CORRECTED)
async def _funds_corrected(session: AsyncSession, e: Event) -> None:
    await _touch(session, e, funds_wan=ProjectRow.funds_wan + ev.FundsCorrected.from_dict(e.payload).offset_wan)


@projects(ev.CONTRACT_CORRECTED)
async def _contract_corrected(session: AsyncSession, e: Event) -> None:
    await _touch(session, e, contract_wan=ev.ContractCorrected.from_dict(e.payload).amount_wan)


@projects(ev.PROJECT_VOIDED)
async def _voided(session: AsyncSession, e: Event) -> None:
    await _touch(session, e, voided_at=e.at, void_reason=ev.ProjectVoided.from_dict(e.payload).reason)


@projects(ev.PROJECT_RESTORED)
async def _restored(session: AsyncSession, e: Event) -> None:
    await _touch(session, e, voided_at=None, void_reason=None)


@projects(ev.NOTE_ADDED, ev.PROBLEM_RAISED)
async def _note(session: AsyncSession, e: Event) -> None:
    kind = "problem" if e.type == ev.PROBLEM_RAISED else "note"
    p = ev.ProblemRaised.from_dict(e.payload) if kind == "problem" else ev.NoteAdded.from_dict(e.payload)
    next_steps = p.next_steps if isinstance(p, ev.NoteAdded) else None  # a problem carries none
    await session.execute(insert(NoteRow.__table__).values(
        id=e.seq, project_id=e.project_id, at=e.at, author_id=e.actor, kind=kind, text=p.text,
        next_steps=next_steps))
    extra = {"next_steps": next_steps} if next_steps else {}
    await _touch(session, e, **extra)


@projects(ev.PROBLEM_RESOLVED)
async def _resolved(session: AsyncSession, e: Event) -> None:
    p = ev.ProblemResolved.from_dict(e.payload)
    await session.execute(update(NoteRow.__table__).where(NoteRow.id == p.problem_id).values(
        resolved_at=e.at, resolved_by=e.actor))
    await _touch(session, e)


@projects(ev.TRIP_LOGGED)
async def _trip(session: AsyncSession, e: Event) -> None:
    p = ev.TripLogged.from_dict(e.payload)
    await session.execute(insert(TripRow.__table__).values(
        id=e.seq, unit=e.unit, traveller=p.traveller, leader_member_id=p.leader_member_id,
        destination=p.destination, start_date=date.fromisoformat(p.start_date),
        end_date=date.fromisoformat(p.end_date), companies=json.dumps(list(p.companies), ensure_ascii=False),
        outcome=p.outcome, next_steps=p.next_steps, created_by=e.actor, at=e.at))
