"""The monthly 台账 as of a month's end: tracked projects and the month's events, reproducibly.

A project is **tracked** in a month's 台账 when, at the instant the month ends (local midnight
of the 1st of the next month):
- it exists and counts (its latest reporting version is countable — a suspected duplicate entry
  does not, so a company appears once, as in the ranking), and
- its latest stage is 在谈 or beyond and it is not 终止.

Every column is read as it stood at that instant: stage (stage_facts), contract (the latest
contract amount), funds in place (the sum of fund_facts), host and owner unit and industry chain
(project_versions), the latest progress note and next steps, the problems still open, and the
descriptive fields (name, content, responsible person, intended amount) folded from the
project's own events. So December's activity never changes October's 台账.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core.clock import local_midnight_utc
from core.figures import LedgerEvent, LedgerRow, month_days
from core.stages import Stage, rank
from storage.tables import EventRow, NoteRow
from storage.tables_facts import FundFactRow, ProjectVersionRow, StageFactRow

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


async def describe_projects(session: AsyncSession, ids: Any, until: datetime) -> dict[int, _Described]:
    """Name, content, responsible person, intended amount as of `until`, folded from the project's events.

    `ids` is a SQL selectable of project ids (so the id list never travels through Python).
    """
    rows = await session.stream(
        select(EventRow.seq, EventRow.project_id, EventRow.type, EventRow.payload)
        .where(EventRow.type.in_(_DESCRIBING), EventRow.at < until, EventRow.project_id.in_(ids))
        .order_by(EventRow.seq).execution_options(yield_per=2000))
    out: dict[int, _Described] = {}
    async for seq, project_id, kind, body in rows:
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


def versions_as_of(until: datetime):  # noqa: ANN202 - a SQLAlchemy subquery
    """Each countable project's reporting version in force at `until`: its latest one recorded before then."""
    latest = (select(ProjectVersionRow.project_id, func.max(ProjectVersionRow.event_seq).label("seq"))
              .where(ProjectVersionRow.at < until).group_by(ProjectVersionRow.project_id).subquery("lv"))
    return (select(ProjectVersionRow).join(latest, ProjectVersionRow.event_seq == latest.c.seq)
            .where(ProjectVersionRow.countable).subquery("v"))


def _tracked(until: datetime):  # noqa: ANN202 - a SQLAlchemy subquery
    """Countable projects whose latest stage at `until` is 在谈 or beyond (终止 ranks -1)."""
    v = versions_as_of(until)
    last = (select(StageFactRow.project_id, func.max(StageFactRow.event_seq).label("seq"))
            .where(StageFactRow.at < until).group_by(StageFactRow.project_id).subquery("ls"))
    current = (select(StageFactRow.project_id, StageFactRow.stage, StageFactRow.stage_rank)
               .join(last, StageFactRow.event_seq == last.c.seq).subquery("cs"))
    return (select(v.c.project_id, v.c.owner_unit, v.c.host_unit, v.c.industry, current.c.stage,
                   current.c.stage_rank)
            .join(current, current.c.project_id == v.c.project_id)
            .where(current.c.stage_rank >= rank(Stage.NEGOTIATING)).subquery("tracked"))


async def ledger_rows(session: AsyncSession, month: str, tz: ZoneInfo, *,
                      unit_names: Mapping[str, str] | None = None) -> list[LedgerRow]:
    """The 台账 of `month` ("2026-10"): one row per tracked project, as of the month's end.

    Rows are ordered by responsible unit (in `unit_names` order, e.g. the org file's), then stage
    (furthest first), then project id.
    """
    _, until = month_window(month, tz)
    names = dict(unit_names or {})
    tr = _tracked(until)
    ids = select(tr.c.project_id)
    last_contract = (select(StageFactRow.project_id, func.max(StageFactRow.event_seq).label("seq"))
                     .where(StageFactRow.at < until, StageFactRow.contract_wan.is_not(None))
                     .group_by(StageFactRow.project_id).subquery("lc"))
    ct = (select(StageFactRow.project_id, StageFactRow.contract_wan)
          .join(last_contract, StageFactRow.event_seq == last_contract.c.seq).subquery("ct"))
    fs = (select(FundFactRow.project_id, func.sum(FundFactRow.amount_wan).label("funds"))
          .where(FundFactRow.at < until).group_by(FundFactRow.project_id).subquery("fs"))
    notes = and_(NoteRow.kind == "note", NoteRow.at < until)
    ln = (select(NoteRow.project_id, func.max(NoteRow.id).label("id")).where(notes)
          .group_by(NoteRow.project_id).subquery("ln"))
    lns = (select(NoteRow.project_id, func.max(NoteRow.id).label("id"))
           .where(notes, NoteRow.next_steps.is_not(None)).group_by(NoteRow.project_id).subquery("lns"))
    note, steps = NoteRow.__table__.alias("note"), NoteRow.__table__.alias("steps")
    le = (select(EventRow.project_id, func.max(EventRow.at).label("at"))
          .where(EventRow.at < until, EventRow.project_id.in_(ids)).group_by(EventRow.project_id).subquery("le"))
    query = (
        select(tr.c.project_id, tr.c.owner_unit, tr.c.host_unit, tr.c.industry, tr.c.stage, tr.c.stage_rank,
               ct.c.contract_wan, func.coalesce(fs.c.funds, 0), note.c.text, steps.c.id, steps.c.next_steps,
               le.c.at)
        .select_from(tr)
        .outerjoin(ct, ct.c.project_id == tr.c.project_id)
        .outerjoin(fs, fs.c.project_id == tr.c.project_id)
        .outerjoin(ln, ln.c.project_id == tr.c.project_id)
        .outerjoin(note, note.c.id == ln.c.id)
        .outerjoin(lns, lns.c.project_id == tr.c.project_id)
        .outerjoin(steps, steps.c.id == lns.c.id)
        .outerjoin(le, le.c.project_id == tr.c.project_id)
    )
    facts = (await session.execute(query)).all()
    described = await describe_projects(session, ids, until)
    problems = await open_problems(session, ids, until)
    order = {code: i for i, code in enumerate(names)}
    rows: list[tuple[tuple[int, str, int, int], LedgerRow]] = []
    for (pid, owner, host, industry, stage, stage_rank, contract, funds, progress, steps_id, steps_text,
         last_at) in facts:
        d = described.get(pid, _Described())
        next_steps = d.next_steps if d.next_steps_seq > (steps_id or 0) else steps_text
        row = LedgerRow(
            project_id=pid, name=d.name, content=d.content, host_unit=host, host_unit_name=names.get(host, host),
            responsible_person=d.responsible_person, progress=progress, next_steps=next_steps, stage=stage,
            owner_unit=owner, owner_unit_name=names.get(owner, owner), industry=industry,
            intended_wan=d.intended_wan, contract_wan=contract, funds_wan=int(funds),
            problems=tuple(problems.get(pid, ())), last_update=last_at.astimezone(tz) if last_at else None)
        rows.append(((order.get(host, len(order)), host, -stage_rank, pid), row))
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


async def open_problems(session: AsyncSession, ids: Any, until: datetime) -> dict[int, list[str]]:
    """Problems raised before `until` and not resolved by then, per project, oldest first."""
    rows = await session.execute(
        select(NoteRow.project_id, NoteRow.text)
        .where(NoteRow.kind == "problem", NoteRow.at < until,
               or_(NoteRow.resolved_at.is_(None), NoteRow.resolved_at >= until), NoteRow.project_id.in_(ids))
        .order_by(NoteRow.id))
    out: dict[int, list[str]] = {}
    for pid, text in rows.all():
        out.setdefault(pid, []).append(text)
    return out


async def month_events(session: AsyncSession, month: str, tz: ZoneInfo, *,
                       unit_names: Mapping[str, str] | None = None) -> list[LedgerEvent]:
    """The ledger events recorded in `month` (local time), in ledger order, with names as of the month's end."""
    start, until = month_window(month, tz)
    window = and_(EventRow.at >= start, EventRow.at < until)
    names = dict(unit_names or {})
    members = await member_names_as_of(session, until)
    ids = select(EventRow.project_id).where(window, EventRow.project_id.is_not(None))
    projects = await describe_projects(session, ids, until)
    rows = await session.stream(select(EventRow.seq, EventRow.at, EventRow.actor, EventRow.unit, EventRow.type,
                                       EventRow.project_id, EventRow.payload)
                                .where(window).order_by(EventRow.seq).execution_options(yield_per=2000))
    out: list[LedgerEvent] = []
    async for seq, at, actor, unit, kind, pid, body in rows:
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

