"""File the half-monthly report 半月报 and name the quarter's observation project 季观摩 (seed 002)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core import events as ev
from core.errors import Refusal
from core.halfmonthly import ENTRY_ACTIONS, OBSERVATION_KINDS, Submission, parse_period, parse_quarter, reporting_units
from core.ports import UnitOfWork
from core.projects import require_write
from core.records import Member


@dataclass(frozen=True)
class Entry:
    """One tracked project in a report: what was done to it (empty = 无变化) and the events written."""

    project_id: int
    actions: tuple[str, ...] = ()
    seqs: tuple[int, ...] = ()


@dataclass(frozen=True)
class SubmitReport:
    unit: str
    period: str
    deadline: datetime           # computed by the caller from the working-day calendar (core/workdays.py)
    entries: Sequence[Entry] = ()


@dataclass(frozen=True)
class NameObservation:
    unit: str
    quarter: str
    name: str = ""
    project_id: int | None = None  # a tracked project: its name is taken


async def submit_report(uow: UnitOfWork, actor: Member, cmd: SubmitReport) -> Submission:
    """File the unit's report for a period, once; on time when now is not after the deadline."""
    unit, period, entries = cmd.unit, cmd.period, cmd.entries
    cfg = await uow.org.config()
    if cfg is None or not cfg.has_unit(unit):
        raise Refusal("unknown_unit", unit=unit)
    require_write(actor, unit)
    if unit not in reporting_units(cfg, await uow.org.members(unit=unit)):
        raise Refusal("report_not_required", unit=cfg.unit(unit).name)
    if parse_period(period, cfg.calendar.half_monthly_days) is None:
        raise Refusal("report_period_unknown", period=period)
    if await uow.reports.submission(unit, period) is not None:
        raise Refusal("report_already_submitted", period=period)
    for e in entries:
        if any(a not in ENTRY_ACTIONS for a in e.actions):
            raise Refusal("report_entry_unknown", project_id=e.project_id)
    on_time = uow.clock.now() <= cmd.deadline
    payload = ev.ReportSubmitted(
        unit=unit, period=period, deadline=cmd.deadline.isoformat(), on_time=on_time,
        entries=tuple(ev.ReportEntry(e.project_id, tuple(e.actions), tuple(e.seqs)) for e in entries),
        counts=ev.ReportTotals(projects=len(entries), unchanged=sum(1 for e in entries if not e.actions),
                               updated=sum(1 for e in entries if e.actions)))
    await uow.record(payload.TYPE, payload.to_dict(), actor=actor.id, unit=unit)
    found = await uow.reports.submission(unit, period)
    assert found is not None
    return found


async def name_observation(uow: UnitOfWork, actor: Member, cmd: NameObservation) -> None:
    """A district or zone names its observation project for a quarter (a later naming replaces it)."""
    unit, name = cmd.unit, cmd.name
    cfg = await uow.org.config()
    if cfg is None or not cfg.has_unit(unit):
        raise Refusal("unknown_unit", unit=unit)
    require_write(actor, unit)
    if cfg.unit(unit).kind not in OBSERVATION_KINDS:
        raise Refusal("observation_not_county", unit=cfg.unit(unit).name)
    if parse_quarter(cmd.quarter) is None:
        raise Refusal("observation_quarter_unknown", quarter=cmd.quarter)
    if cmd.project_id is not None:
        project = await uow.projects.get(cmd.project_id)
        if project is None:
            raise Refusal("project_unknown", project_id=cmd.project_id)
        name = project.name
    if not name.strip():
        raise Refusal("name_missing")
    payload = ev.ObservationNamed(unit=unit, quarter=cmd.quarter, project_id=cmd.project_id, name=name.strip()[:200])
    await uow.record(payload.TYPE, payload.to_dict(), actor=actor.id, unit=unit, project_id=cmd.project_id)
