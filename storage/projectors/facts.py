"""Projectors for the reporting facts (see storage/tables/facts.py)."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core.records import Event
from core.stages import Stage, rank
from storage.ledger import canonical_json
from storage.projectors.records import FLAG_COLUMNS
from storage.projectors.registry import projects
from storage.tables.facts import FundFactRow, MilestoneRow, ProjectVersionRow, StageFactRow

_VERSIONED = ("owner_unit", "host_unit", "category", "industry", "leader_member_id", "countable",
              "credit_owner_pct", "credit_host_pct", "credit_rule", "contract_wan", *FLAG_COLUMNS.values())
# Built once and run with parameters: every lead and stage change writes these rows.
_INSERT_VERSION = insert(ProjectVersionRow.__table__)
_INSERT_MILESTONES = insert(MilestoneRow.__table__)
_INSERT_STAGE = insert(StageFactRow.__table__)
_MILESTONES = ((Stage.SIGNED, "signed_at"), (Stage.LANDED, "landed_at"), (Stage.STARTED, "started_at"),
               (Stage.PRODUCING, "producing_at"))


async def add_version(session: AsyncSession, e: Event, *, first: bool = False, **changes: Any) -> None:
    """A new version of the project's countable attributes: the latest one with `changes` applied.
    The version it replaces stops being valid at this event's time. `first`: the event created the
    project, so there is no version to look up (a statement saved on every lead)."""
    latest = None if first else (await session.execute(
        select(ProjectVersionRow).where(ProjectVersionRow.project_id == e.project_id,
                                        ProjectVersionRow.valid_to.is_(None)))).scalar()
    values = {k: getattr(latest, k) for k in _VERSIONED} if latest is not None else {}
    values.update(changes)
    values["class_key"] = class_key(values)
    if latest is not None:
        await session.execute(update(ProjectVersionRow.__table__)
                              .where(ProjectVersionRow.event_seq == latest.event_seq).values(valid_to=e.at))
    await session.execute(_INSERT_VERSION, dict(event_seq=e.seq, project_id=e.project_id, at=e.at, valid_to=None,
                                                **values))


CLASS_COLUMNS = ("owner_unit", "host_unit", "credit_owner_pct", "credit_host_pct", "category", "flag_industrial",
                 "flag_strong", "flag_headquarters", "flag_digital", "flag_central_soe")


def class_key(values: dict[str, Any]) -> int:
    """Versions with equal credit and counting attributes share a key (63 bits of a SHA-256)."""
    body = canonical_json([values.get(c) for c in CLASS_COLUMNS])
    return int.from_bytes(hashlib.sha256(body.encode("utf-8")).digest()[:8], "big") >> 1


async def _reach(session: AsyncSession, e: Event, stage: Stage, *, first: bool = False) -> None:
    """Record the first time the project reached each milestone up to `stage` (never overwritten).
    `first`: the event created the project, which has no milestones row yet."""
    row = None if first else await session.get(MilestoneRow, e.project_id)
    values = {col: e.at for threshold, col in _MILESTONES
              if stage is not Stage.TERMINATED and rank(stage) >= rank(threshold)
              and (row is None or getattr(row, col) is None)}
    if row is None:
        await session.execute(_INSERT_MILESTONES, dict(project_id=e.project_id, **values))
    elif values:
        await session.execute(update(MilestoneRow.__table__).where(MilestoneRow.project_id == e.project_id)
                              .values(**values))


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
    await _reach(session, e, stage, first=True)
    await session.execute(_INSERT_STAGE, dict(event_seq=e.seq, project_id=e.project_id, at=e.at, stage=stage.value,
                                              stage_rank=rank(stage), contract_wan=None))


@projects(ev.PROJECT_CORRECTED)
async def _corrected(session: AsyncSession, e: Event) -> None:
    changes = ev.ProjectCorrected.from_dict({"changes": {}, **e.payload}).changes
    values: dict[str, Any] = {k: changes[k] for k in ("category", "industry", "leader_member_id") if k in changes}
    if "flags" in changes:
        values.update(_flags(changes["flags"]))
    if values:
        await add_version(session, e, **values)


@projects(ev.STAGE_CHANGED)
async def _stage(session: AsyncSession, e: Event) -> None:
    p = ev.StageChanged.from_dict(e.payload)
    stage = Stage(p.to)
    await session.execute(_INSERT_STAGE, dict(event_seq=e.seq, project_id=e.project_id, at=e.at, stage=stage.value,
                                              stage_rank=rank(stage), contract_wan=p.contract_wan))
    await _reach(session, e, stage)
    if p.contract_wan is not None:
        await add_version(session, e, contract_wan=p.contract_wan)


@projects(ev.FUNDS_ADDED)
async def _funds(session: AsyncSession, e: Event) -> None:
    await session.execute(insert(FundFactRow.__table__).values(
        event_seq=e.seq, project_id=e.project_id, at=e.at, amount_wan=ev.FundsAdded.from_dict(e.payload).amount_wan))
