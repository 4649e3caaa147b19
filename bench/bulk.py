"""Projections of the generator's events, written in bulk.

Replaying a million events one projector call at a time takes most of an hour; the
benchmark only needs the tables to be right. This computes the same rows in memory and
inserts them in batches. `tests/integration/test_bench_generator.py` checks, on a small
ledger, that every projection table equals what `storage.projectors.rebuild` produces —
so if a projector changes, that test fails until this file follows.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core.records import Event
from core.stages import Stage, rank
from storage.projectors import apply
from storage.projectors.facts import class_key
from storage.projectors.records import FLAG_COLUMNS
from storage.tables.evidence import FundsReportRow
from storage.tables.facts import FundFactRow, MilestoneRow, ProjectVersionRow, StageFactRow
from storage.tables.projects import NoteRow, ProjectRow
from storage.tables.trips import TripRow

# Rare events go through the real projectors; these four are the bulk.
BULK_TYPES = {ev.LEAD_LOGGED, ev.STAGE_CHANGED, ev.FUNDS_ADDED, ev.NOTE_ADDED, ev.TRIP_LOGGED}


async def project_in_bulk(session: AsyncSession, rows: list[dict[str, Any]], *, batch: int = 20_000) -> None:
    projects: dict[int, dict[str, Any]] = {}
    out: dict[Any, list[dict[str, Any]]] = {t: [] for t in (ProjectVersionRow, FundFactRow, StageFactRow, NoteRow,
                                                              TripRow, FundsReportRow)}
    milestones: dict[int, dict[str, Any]] = {}
    current: dict[int, dict[str, Any]] = {}  # each project's valid version
    for row in rows:
        payload = json.loads(row["payload"])
        if row["type"] not in BULK_TYPES:
            await apply(session, Event(seq=row["seq"], at=row["at"], actor=row["actor"], unit=row["unit"],
                                       type=row["type"], payload=payload, prev_hash=row["prev_hash"],
                                       hash=row["hash"], project_id=row["project_id"]))
            continue
        _one(row, payload, projects, out, milestones, current)
    for table, values in ((ProjectRow, list(projects.values())), (MilestoneRow, list(milestones.values())),
                          *out.items()):
        for i in range(0, len(values), batch):
            await session.execute(insert(table.__table__), values[i:i + batch])


def _reach(milestones: dict[int, dict[str, Any]], pid: int, stage: Stage, at: Any) -> None:
    names = ((Stage.SIGNED, "signed"), (Stage.LANDED, "landed"), (Stage.STARTED, "started"),
             (Stage.PRODUCING, "producing"))
    m = milestones.setdefault(pid, dict(project_id=pid, **{f"{n}_{x}": None for _, n in names
                                                           for x in ("at", "recorded")}))
    for threshold, name in names:
        if stage is not Stage.TERMINATED and rank(stage) >= rank(threshold) and m[f"{name}_at"] is None:
            m[f"{name}_at"] = m[f"{name}_recorded"] = at


def _one(row: dict[str, Any], p: dict[str, Any], projects: dict[int, dict[str, Any]],
         out: dict[Any, list[dict[str, Any]]], milestones: dict[int, dict[str, Any]],
         current: dict[int, dict[str, Any]]) -> None:
    seq, at, pid, t = row["seq"], row["at"], row["project_id"], row["type"]
    if t == ev.LEAD_LOGGED:
        flags = {col: name in set(p.get("flags") or ()) for name, col in FLAG_COLUMNS.items()}
        host = p.get("responsible_unit") or p["owner_unit"]
        projects[pid] = dict(
            id=pid, name=p["name"], normalized_name=p["normalized_name"], credit_code=p.get("credit_code"),
            industry=p.get("industry"), stage=p.get("stage", "lead"), category=p.get("category"),
            source=p.get("source"), contact=p.get("contact"), content=p.get("content"), next_steps=None,
            intended_wan=p.get("intended_wan"), planned_wan=p.get("planned_wan"), contract_wan=None, funds_wan=0,
            foreign_wan=p.get("foreign_wan"), foreign_currency=p.get("foreign_currency"), owner_unit=p["owner_unit"],
            responsible_unit=host, responsible_person=p.get("responsible_person"),
            leader_member_id=p.get("leader_member_id"), created_by=row["actor"], created_at=at, updated_at=at,
            terminated_reason=None, duplicate_of=p.get("duplicate_of"), voided_at=None, void_reason=None, **flags)
        version = dict(
            event_seq=seq, row_seq=seq, recorded_at=at, replaced_at=None, project_id=pid, at=at,
            owner_unit=p["owner_unit"], host_unit=host,
            category=p.get("category"), industry=p.get("industry"), leader_member_id=p.get("leader_member_id"),
            countable=p.get("duplicate_of") is None, credit_owner_pct=None, credit_host_pct=None, credit_rule=None,
            contract_wan=None, valid_to=None, **flags)
        version["class_key"] = class_key(version)
        out[ProjectVersionRow].append(version)
        current[pid] = version
        stage = Stage(p.get("stage", "lead"))
        _reach(milestones, pid, stage, at)
        out[StageFactRow].append(dict(event_seq=seq, project_id=pid, at=at, stage=stage.value,
                                      stage_rank=rank(stage), contract_wan=None, recorded_at=at))
    elif t == ev.STAGE_CHANGED:
        project = projects[pid]
        project.update(stage=p["to"], updated_at=at)
        if p.get("contract_wan") is not None:
            project["contract_wan"] = p["contract_wan"]
        if p["to"] == "terminated":
            project["terminated_reason"] = p.get("reason")
        stage = Stage(p["to"])
        out[StageFactRow].append(dict(event_seq=seq, project_id=pid, at=at, stage=stage.value,
                                      stage_rank=rank(stage), contract_wan=p.get("contract_wan"), recorded_at=at))
        _reach(milestones, pid, stage, at)
        if p.get("contract_wan") is not None:
            current[pid]["valid_to"] = at
            version = {**current[pid], "event_seq": seq, "row_seq": seq, "recorded_at": at, "at": at, "valid_to": None,
                       "contract_wan": p["contract_wan"]}
            out[ProjectVersionRow].append(version)
            current[pid] = version
    elif t == ev.FUNDS_ADDED:
        project = projects[pid]
        project.update(funds_wan=project["funds_wan"] + p["amount_wan"], updated_at=at)
        out[FundFactRow].append(dict(event_seq=seq, project_id=pid, at=at, amount_wan=p["amount_wan"], recorded_at=at,
                                     entry_seq=seq))
        out[FundsReportRow].append(dict(  # storage/projectors/evidence.py: waiting for its verifier
            seq=seq, project_id=pid, unit=project["responsible_unit"], amount_wan=p["amount_wan"],
            reported_by=row["actor"], reported_at=at, status="pending", waiting_since=at, verified_wan=None,
            decided_by=None, decided_at=None, reason=None, note=None))
    elif t == ev.NOTE_ADDED:
        project = projects[pid]
        project["updated_at"] = at
        if p.get("next_steps"):
            project["next_steps"] = p["next_steps"]
        out[NoteRow].append(dict(id=seq, project_id=pid, at=at, author_id=row["actor"], kind="note", text=p["text"],
                                 next_steps=p.get("next_steps"), resolved_at=None, resolved_by=None))
    elif t == ev.TRIP_LOGGED:
        out[TripRow].append(dict(
            id=seq, unit=row["unit"], traveller=p["traveller"], leader_member_id=p.get("leader_member_id"),
            destination=p["destination"], start_date=date.fromisoformat(p["start_date"]),
            end_date=date.fromisoformat(p["end_date"]), companies=json.dumps(p.get("companies", []), ensure_ascii=False),
            outcome=p.get("outcome"), next_steps=p.get("next_steps"), created_by=row["actor"], at=at))
