"""The monthly 台账 as of a month's end: tracked projects and the month's events, reproducibly.

A project is **tracked** in a month's 台账 when, at the instant the month ends (local midnight
of the 1st of the next month):
- it exists and counts (its latest reporting version is countable — a suspected duplicate entry
  does not, so a company appears once, as in the ranking), and
- its latest stage is 在谈 or beyond and it is not 终止.

Every column is read as it stood at that instant: stage (stage_facts), contract (the latest
contract amount), funds in place (the sum of fund_facts; of them verified and still waiting, from
funds_decision_facts), host and owner unit and industry chain
(project_versions), the latest progress note and next steps, the problems still open, and the
descriptive fields (name, content, responsible person, intended amount) folded from the
project's own events. So December's activity never changes October's 台账.
"""
from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Subquery, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core.clock import local_midnight_utc
from core.figures import LedgerEvent, LedgerRow, month_days
from core.stages import Stage, rank
from storage.queries.known import in_force
from storage.tables.evidence import FundsDecisionRow
from storage.tables.facts import FundFactRow, ProjectVersionRow, StageFactRow
from storage.tables.ledger import EventRow
from storage.tables.projects import NoteRow

# An accepted transfer (core/sharing.py) names the new responsible person; the literal keeps
# this module independent of the sharing feature.
TRANSFER_ACCEPTED = "transfer.accepted"
_DESCRIBING = (ev.LEAD_LOGGED, ev.PROJECT_CORRECTED, TRANSFER_ACCEPTED)
_FIELDS = ("name", "content", "responsible_person", "intended_wan", "next_steps")


def month_window(month: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a local month starts and ends: events with start <= at < until belong to it."""
    first, first_next = month_days(month)
    return local_midnight_utc(first, tz), local_midnight_utc(first_next, tz)


@dataclass
class _Described:
    name: str = ""
    content: str | None = None
    responsible_person: str | None = None
    intended_wan: int | None = None
    next_steps: str | None = None
    next_steps_seq: int = 0


async def describe_projects(session: AsyncSession, ids: Collection[int] | None, until: datetime) -> dict[int, _Described]:
    """Name, content, responsible person, intended amount as of `until`, folded from the project's events.

    `ids`: the projects wanted (None: all). One scan of the describing events, filtered here: an
    `IN (subquery)` over a million-event ledger made SQLite re-plan the subquery per row.
    """
    wanted = None if ids is None else set(ids)
    rows = await session.execute(
        select(EventRow.seq, EventRow.project_id, EventRow.type, EventRow.payload)
        .where(EventRow.type.in_(_DESCRIBING), EventRow.at < until).order_by(EventRow.seq))
    out: dict[int, _Described] = {}
    for seq, project_id, kind, body in rows.all():
        if project_id is None or (wanted is not None and project_id not in wanted):
            continue
        payload = json.loads(body)
        d = out.setdefault(project_id, _Described())
        if kind == ev.LEAD_LOGGED:
            changes = payload
        elif kind == ev.PROJECT_CORRECTED:
            changes = payload.get("changes", {})
        else:
            changes = {"responsible_person": payload.get("responsible_person")}
        for key in _FIELDS:
            if key in changes:
                setattr(d, key, changes[key])
                if key == "next_steps":
                    d.next_steps_seq = seq
    return out


async def member_names_as_of(session: AsyncSession, until: datetime) -> dict[int, str]:
    """Member id → name as recorded by `until` (a later rename does not rewrite a past month)."""
    rows = await session.execute(
        select(EventRow.seq, EventRow.type, EventRow.payload)
        .where(EventRow.type.in_((ev.MEMBER_ADDED, ev.MEMBER_CHANGED)), EventRow.at < until)
        .order_by(EventRow.seq))
    names: dict[int, str] = {}
    for seq, kind, body in rows.all():
        payload = json.loads(body)
        if kind == ev.MEMBER_ADDED:
            names[seq] = payload["name"]
        elif "name" in payload.get("changes", {}):
            names[payload["member_id"]] = payload["changes"]["name"]
    return names


def versions_as_of(until: datetime) -> Subquery:
    """Each countable project's reporting version in force at `until`, as known now."""
    return select(ProjectVersionRow).where(in_force(ProjectVersionRow, until)).subquery("v")


@dataclass
class _Tracked:
    owner: str
    host: str
    industry: str | None
    stage: str = ""
    stage_rank: int = -1
    contract: int | None = None
    funds: int = 0
    verified: int = 0
    settled: int = 0             # reported amounts decided (verified or returned): the rest waits
    progress: str | None = None
    steps_id: int = 0
    steps: str | None = None
    last_at: datetime | None = None


async def _tracked(session: AsyncSession, until: datetime) -> dict[int, _Tracked]:
    """Countable projects whose latest stage at `until` is 在谈 or beyond (终止 ranks -1), with their
    stage, latest contract amount and funds in place as of then.

    Plain scans folded here rather than "latest row per project" subqueries: those grew
    quadratically on SQLite (a minute at 100k events); these grow with the facts read.
    """
    versions = await session.execute(
        select(ProjectVersionRow.project_id, ProjectVersionRow.owner_unit, ProjectVersionRow.host_unit,
               ProjectVersionRow.industry, ProjectVersionRow.contract_wan)
        .where(in_force(ProjectVersionRow, until)))
    # The contract amount is the version's: a corrected signing amount counts from the signing's date.
    found = {pid: _Tracked(owner, host, industry, contract=contract)
             for pid, owner, host, industry, contract in versions.all()}
    stages = await session.execute(
        select(StageFactRow.project_id, StageFactRow.stage, StageFactRow.stage_rank)
        .where(StageFactRow.at < until).order_by(StageFactRow.at, StageFactRow.event_seq))
    for pid, stage, stage_rank in stages.all():
        t = found.get(pid)
        if t is not None:
            t.stage, t.stage_rank = stage, stage_rank
    out = {pid: t for pid, t in found.items() if t.stage_rank >= rank(Stage.NEGOTIATING)}
    funds = await session.execute(
        select(FundFactRow.project_id, func.sum(FundFactRow.amount_wan))
        .where(FundFactRow.at < until).group_by(FundFactRow.project_id))
    for pid, total in funds.all():
        if pid in out:
            out[pid].funds = int(total or 0)
    d = FundsDecisionRow
    decided = await session.execute(
        select(d.project_id, func.sum(d.verified_wan), func.sum(d.settled_wan)).where(d.at < until)
        .group_by(d.project_id))
    for pid, verified, settled in decided.all():
        if pid in out:
            out[pid].verified = int(verified or 0)
            out[pid].settled = int(settled or 0)
    return out


async def ledger_rows(session: AsyncSession, month: str, tz: ZoneInfo, *,
                      unit_names: Mapping[str, str] | None = None) -> list[LedgerRow]:
    """The 台账 of `month` ("2026-10"): one row per tracked project, as of the month's end.

    Rows are ordered by responsible unit (in `unit_names` order, e.g. the org file's), then stage
    (furthest first), then project id.
    """
    _, until = month_window(month, tz)
    names = dict(unit_names or {})
    tracked = await _tracked(session, until)
    notes = await session.execute(
        select(NoteRow.id, NoteRow.project_id, NoteRow.text, NoteRow.next_steps)
        .where(NoteRow.kind == "note", NoteRow.at < until).order_by(NoteRow.id))
    for note_id, pid, text, next_steps in notes.all():
        t = tracked.get(pid)
        if t is not None:
            t.progress = text
            if next_steps is not None:
                t.steps_id, t.steps = note_id, next_steps
    last = await session.execute(
        select(EventRow.project_id, func.max(EventRow.at))
        .where(EventRow.at < until, EventRow.project_id.is_not(None)).group_by(EventRow.project_id))
    for event_pid, at in last.all():
        if event_pid in tracked:
            tracked[event_pid].last_at = at
    described = await describe_projects(session, tracked.keys(), until)
    problems = await open_problems(session, tracked.keys(), until)
    order = {code: i for i, code in enumerate(names)}
    rows: list[tuple[tuple[int, str, int, int], LedgerRow]] = []
    for pid, t in tracked.items():
        d = described.get(pid, _Described())
        next_steps = d.next_steps if d.next_steps_seq > t.steps_id else t.steps
        row = LedgerRow(
            project_id=pid, name=d.name, content=d.content, host_unit=t.host, host_unit_name=names.get(t.host, t.host),
            responsible_person=d.responsible_person, progress=t.progress, next_steps=next_steps, stage=t.stage,
            owner_unit=t.owner, owner_unit_name=names.get(t.owner, t.owner), industry=t.industry,
            intended_wan=d.intended_wan, contract_wan=t.contract, funds_wan=t.funds,
            problems=tuple(problems.get(pid, ())), last_update=t.last_at.astimezone(tz) if t.last_at else None,
            funds_verified_wan=t.verified, funds_pending_wan=t.funds - t.settled)
        rows.append(((order.get(t.host, len(order)), t.host, -t.stage_rank, pid), row))
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


async def open_problems(session: AsyncSession, ids: Collection[int], until: datetime) -> dict[int, list[str]]:
    """Problems raised before `until` and not resolved by then, per project, oldest first."""
    wanted = set(ids)
    rows = await session.execute(
        select(NoteRow.project_id, NoteRow.text)
        .where(NoteRow.kind == "problem", NoteRow.at < until,
               or_(NoteRow.resolved_at.is_(None), NoteRow.resolved_at >= until))
        .order_by(NoteRow.id))
    out: dict[int, list[str]] = {}
    for pid, text in rows.all():
        if pid in wanted:
            out.setdefault(pid, []).append(text)
    return out


async def month_events(session: AsyncSession, month: str, tz: ZoneInfo, *,
                       unit_names: Mapping[str, str] | None = None) -> list[LedgerEvent]:
    """The ledger events recorded in `month` (local time), in ledger order, with names as of the month's end."""
    start, until = month_window(month, tz)
    window = and_(EventRow.at >= start, EventRow.at < until)
    names = dict(unit_names or {})
    members = await member_names_as_of(session, until)
    # EventRow.project_id is nullable; the query keeps only the events of a project.
    ids = cast(Sequence[int], (await session.execute(select(EventRow.project_id).distinct()
                                                     .where(window, EventRow.project_id.is_not(None)))).scalars().all())
    projects = await describe_projects(session, ids, until)
    rows = await session.execute(select(EventRow.seq, EventRow.at, EventRow.actor, EventRow.unit, EventRow.type,
                                        EventRow.project_id, EventRow.payload)
                                 .where(window).order_by(EventRow.seq))
    out: list[LedgerEvent] = []
    for seq, at, actor, unit, kind, pid, body in rows.all():
        project = projects.get(pid) if pid is not None else None
        out.append(LedgerEvent(
            seq=seq, at=at.astimezone(tz), actor=members.get(actor, f"#{actor}") if actor is not None else None,
            unit=unit, unit_name=names.get(unit, unit) if unit else None, type=kind, project_id=pid,
            project=(project.name or f"#{pid}") if project is not None else (f"#{pid}" if pid else None),
            payload=json.loads(body)))
    return out


def unit_names_of(units: Iterable[Any]) -> dict[str, str]:
    """code → name, in the org file's order (what ledger_rows sorts by)."""
    return {u.code: u.name for u in units}

