"""Projectors for the reporting facts (see storage/tables/facts.py): when each fact happened, and when it was
recorded. Reads go through Core rows, never ORM entities, so a rebuild's one long session never sees a row as it
was before an earlier event of the same replay updated it."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Update

from core import events as ev
from core.records import Event
from core.stages import Stage, rank
from storage.combined import plain_insert
from storage.direct import direct
from storage.ledger import canonical_json
from storage.projectors.records import FLAG_COLUMNS
from storage.projectors.registry import projects
from storage.tables.facts import FundFactRow, LateFactRow, MilestoneRow, ProjectVersionRow, StageFactRow
from storage.tables.projects import ProjectRow

_VERSIONED = ("owner_unit", "host_unit", "category", "industry", "leader_member_id", "countable",
              "credit_owner_pct", "credit_host_pct", "credit_rule", "contract_wan", *FLAG_COLUMNS.values())
# Built once and run with parameters: every lead and stage change writes these rows (on PostgreSQL in the
# event's own statement: storage/combined.py).
V = ProjectVersionRow.__table__
_INSERT_VERSION = plain_insert(V)
_INSERT_MILESTONES = plain_insert(MilestoneRow.__table__)
_INSERT_STAGE = plain_insert(StageFactRow.__table__)
_INSERT_FUNDS = plain_insert(FundFactRow.__table__)
_INSERT_LATE = plain_insert(LateFactRow.__table__)
_OPEN_VERSION = direct(select(V).where(V.c.project_id == bindparam("f_project"), V.c.valid_to.is_(None),
                                       V.c.replaced_at.is_(None)))
_VERSIONS = select(V).where(V.c.project_id == bindparam("f_project"), V.c.replaced_at.is_(None)) \
    .order_by(V.c.at, V.c.event_seq)
_THIS_VERSION = (V.c.event_seq == bindparam("f_event"), V.c.row_seq == bindparam("f_row"))
_CLOSE_VERSION = direct(update(V).where(*_THIS_VERSION).values(valid_to=bindparam("f_at")))
_REPLACE_VERSION = direct(update(V).where(*_THIS_VERSION).values(replaced_at=bindparam("f_at")))
M = MilestoneRow.__table__
_MILESTONE = direct(select(M).where(M.c.project_id == bindparam("f_project")))
_REACHED: dict[tuple[str, ...], Update] = {}     # the milestone update, per set of milestones reached
_MILESTONES = ((Stage.SIGNED, "signed"), (Stage.LANDED, "landed"), (Stage.STARTED, "started"),
               (Stage.PRODUCING, "producing"))


def _version(e: Event, event_seq: int, at: datetime, valid_to: datetime | None, values: dict[str, Any]
             ) -> dict[str, Any]:
    return dict(event_seq=event_seq, row_seq=e.seq, project_id=e.project_id, at=at, valid_to=valid_to,
                recorded_at=e.at, replaced_at=None, **values, class_key=class_key(values))


async def add_version(session: AsyncSession, e: Event, *, first: bool = False, **changes: Any) -> None:
    """A new version of the project's countable attributes from this event's time on: the open one with `changes`
    applied. The version it replaces stops being valid at this event's time. `first`: the event created the
    project, so there is no version to look up (a statement saved on every lead)."""
    latest = None if first else (await session.execute(_OPEN_VERSION, {"f_project": e.project_id})).first()
    values = {k: getattr(latest, k) for k in _VERSIONED} if latest is not None else {}
    values.update(changes)
    if latest is not None:
        await session.execute(_CLOSE_VERSION, {"f_event": latest.event_seq, "f_row": latest.row_seq, "f_at": e.at})
    await session.execute(_INSERT_VERSION, _version(e, e.seq, e.at, None, values))


async def revise(session: AsyncSession, e: Event, since: datetime, **changes: Any) -> None:
    """`changes` hold from `since` on. From this event's time on that is a new version; from earlier, every row it
    touches is marked replaced (kept, for "as of" reads) and written again revised, split at `since`."""
    if since >= e.at:
        await add_version(session, e, **changes)
        return
    rows = (await session.execute(_VERSIONS, {"f_project": e.project_id})).all()
    for r in rows:
        if r.valid_to is not None and r.valid_to <= since:
            continue
        await session.execute(_REPLACE_VERSION, {"f_event": r.event_seq, "f_row": r.row_seq, "f_at": e.at})
        values = {k: getattr(r, k) for k in _VERSIONED}
        if r.at < since:
            await session.execute(_INSERT_VERSION, _version(e, r.event_seq, r.at, since, values))
            await session.execute(_INSERT_VERSION, _version(e, e.seq, since, r.valid_to, {**values, **changes}))
        else:
            await session.execute(_INSERT_VERSION, _version(e, r.event_seq, r.at, r.valid_to, {**values, **changes}))
    await _late(session, e, since)


async def _late(session: AsyncSession, e: Event, since: datetime) -> None:
    await session.execute(_INSERT_LATE, dict(event_seq=e.seq, project_id=e.project_id, at=since, recorded_at=e.at))


async def _start(session: AsyncSession, project_id: int | None) -> datetime:
    """When the project's first version begins (its lead's time)."""
    found = (await session.execute(select(V.c.at).where(V.c.project_id == project_id, V.c.replaced_at.is_(None))
                                   .order_by(V.c.at).limit(1))).scalar()
    assert isinstance(found, datetime), "a project has a version from its lead on"
    return found


CLASS_COLUMNS = ("owner_unit", "host_unit", "credit_owner_pct", "credit_host_pct", "category", "flag_industrial",
                 "flag_strong", "flag_headquarters", "flag_digital", "flag_central_soe")


def class_key(values: dict[str, Any]) -> int:
    """Versions with equal credit and counting attributes share a key (63 bits of a SHA-256)."""
    body = canonical_json([values.get(c) for c in CLASS_COLUMNS])
    return int.from_bytes(hashlib.sha256(body.encode("utf-8")).digest()[:8], "big") >> 1


async def _reach(session: AsyncSession, e: Event, stage: Stage, at: datetime, *, first: bool = False) -> None:
    """Record the first time (`at`, when it happened) the project reached each milestone up to `stage`, and when
    that was recorded (never overwritten). `first`: the event created the project, which has no row yet."""
    names = tuple(name for threshold, name in _MILESTONES
                  if stage is not Stage.TERMINATED and rank(stage) >= rank(threshold))
    if not first and names:
        # One statement where a read and a write were: each milestone column is set only while still empty.
        stmt = _REACHED.get(names)
        if stmt is None:
            stmt = _REACHED[names] = direct(update(M).where(M.c.project_id == bindparam("f_project")).values(
                **{c: case((M.c[f"{n}_at"].is_(None), bindparam(f"f_{s}", type_=M.c[c].type)), else_=M.c[c])
                   for n in names for c, s in ((f"{n}_at", "at"), (f"{n}_recorded", "recorded"))}))
        # An UPDATE's result is a CursorResult, which has the rowcount; Session.execute types it as a Result.
        done = cast(CursorResult[Any], await session.execute(
            stmt, {"f_project": e.project_id, "f_at": at, "f_recorded": e.at}))
        if done.rowcount:
            return
    row = None if first else (await session.execute(_MILESTONE, {"f_project": e.project_id})).first()
    if row is None:
        await session.execute(_INSERT_MILESTONES, dict(project_id=e.project_id, **{
            k: v for n in names for k, v in ((f"{n}_at", at), (f"{n}_recorded", e.at))}))


def _flags(flags: Iterable[str] | None) -> dict[str, bool]:
    chosen = set(flags or ())
    return {col: name in chosen for name, col in FLAG_COLUMNS.items()}


@projects(ev.LEAD_LOGGED)
async def _lead(session: AsyncSession, e: Event) -> None:
    p = ev.LeadLogged.from_dict(e.payload)
    await add_version(session, e, first=True, owner_unit=p.owner_unit,
                      host_unit=p.responsible_unit or p.owner_unit,
                      category=p.category, industry=p.industry,
                      leader_member_id=p.leader_member_id, countable=p.duplicate_of is None,
                      credit_owner_pct=None, credit_host_pct=None, credit_rule=None, contract_wan=None,
                      **_flags(p.flags))
    stage = Stage(p.stage)
    await _reach(session, e, stage, e.at, first=True)
    await session.execute(_INSERT_STAGE, dict(event_seq=e.seq, project_id=e.project_id, at=e.at, stage=stage.value,
                                              stage_rank=rank(stage), contract_wan=None, recorded_at=e.at))


@projects(ev.PROJECT_CORRECTED)
async def _corrected(session: AsyncSession, e: Event) -> None:
    p = ev.ProjectCorrected.from_dict({"changes": {}, **e.payload})
    changes = p.changes
    values: dict[str, Any] = {k: changes[k] for k in ("category", "industry", "leader_member_id") if k in changes}
    if "flags" in changes:
        values.update(_flags(changes["flags"]))
    if values:
        await revise(session, e, ev.effective_at(p.since, e.at), **values)


@projects(ev.STAGE_CHANGED)
async def _stage(session: AsyncSession, e: Event) -> None:
    p = ev.StageChanged.from_dict(e.payload)
    stage, at = Stage(p.to), ev.effective_at(p.on, e.at)
    await session.execute(_INSERT_STAGE, dict(event_seq=e.seq, project_id=e.project_id, at=at, stage=stage.value,
                                              stage_rank=rank(stage), contract_wan=p.contract_wan, recorded_at=e.at))
    await _reach(session, e, stage, at)
    if p.contract_wan is not None:
        await revise(session, e, at, contract_wan=p.contract_wan)   # records the late fact when back-dated
    elif at < e.at:
        await _late(session, e, at)


@projects(ev.CONTRACT_CORRECTED)
async def _contract_corrected(session: AsyncSession, e: Event) -> None:
    p = ev.ContractCorrected.from_dict(e.payload)
    signed = (await session.execute(select(StageFactRow.at).where(StageFactRow.event_seq == p.entry))).scalar()
    await revise(session, e, signed or e.at, contract_wan=p.amount_wan)


@projects(ev.FUNDS_ADDED)
async def _funds(session: AsyncSession, e: Event) -> None:
    p = ev.FundsAdded.from_dict(e.payload)
    at = ev.effective_at(p.on, e.at)
    await session.execute(_INSERT_FUNDS, dict(event_seq=e.seq, project_id=e.project_id, at=at,
                                              amount_wan=p.amount_wan, recorded_at=e.at, entry_seq=e.seq))
    if at < e.at:
        await _late(session, e, at)


@projects(ev.FUNDS_CORRECTED)
async def _funds_corrected(session: AsyncSession, e: Event) -> None:
    """The offset belongs to the corrected entry's date: the month it was reported in is the month that changes."""
    p = ev.FundsCorrected.from_dict(e.payload)
    at = (await session.execute(select(FundFactRow.at).where(FundFactRow.event_seq == p.entry))).scalar() or e.at
    await session.execute(_INSERT_FUNDS, dict(event_seq=e.seq, project_id=e.project_id, at=at,
                                              amount_wan=p.offset_wan, recorded_at=e.at, entry_seq=p.entry))
    await _late(session, e, at)


@projects(ev.PROJECT_VOIDED)
async def _voided(session: AsyncSession, e: Event) -> None:
    """Entered by mistake: it never counted, so every month's figures leave it out (from its lead's start)."""
    await revise(session, e, await _start(session, e.project_id), countable=False)


@projects(ev.PROJECT_RESTORED)
async def _restored(session: AsyncSession, e: Event) -> None:
    duplicate = (await session.execute(select(ProjectRow.duplicate_of).where(ProjectRow.id == e.project_id))).scalar()
    await revise(session, e, await _start(session, e.project_id), countable=duplicate is None)
