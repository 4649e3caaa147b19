"""The half-monthly report 半月报 and the quarterly observation project 季观摩 (seed 002).

A report belongs to a unit and a period; the period is the nominal deadline date as written in
the org file's calendar ("2026-12-10" for the 10th of December), whatever day it is postponed to.
Submitting is one ledger event, on time or late against the deadline instant the caller computes
from the working-day calendar (core/workdays.py), so the rule lives in one place.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Protocol

from core.errors import Refusal
from core.org import OrgConfig
from core.ports import UnitOfWork
from core.records import Member
from core.roles import UnitKind
from core.usecases.projects import require_write

REPORT_SUBMITTED: Final = "report.submitted"
OBSERVATION_NAMED: Final = "observation.named"

# What a reporter can do with one tracked project during the report walk-through.
ENTRY_ACTIONS: Final = ("note", "stage", "funds", "problem")
OBSERVATION_KINDS: Final = frozenset({UnitKind.DISTRICT, UnitKind.ZONE})
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


# -- periods and quarters (pure: nominal dates, no holidays) ------------------------------------


def parse_period(text: str, days: Sequence[int]) -> date | None:
    """The period a string names ("2026-12-10"), if it is one of the configured deadline days."""
    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return d if d.day in days else None


def period_id(d: date) -> str:
    return d.isoformat()


def periods_between(start: date, end: date, days: Sequence[int]) -> list[date]:
    """Every period whose nominal date lies in [start, end], in order."""
    out: list[date] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.extend(d for day in sorted(days) if start <= (d := date(year, month, day)) <= end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def previous_period(period: date, days: Sequence[int]) -> date:
    ordered = sorted(days)
    earlier = [d for d in ordered if d < period.day]
    if earlier:
        return period.replace(day=earlier[-1])
    year, month = (period.year - 1, 12) if period.month == 1 else (period.year, period.month - 1)
    return date(year, month, ordered[-1])


def next_period(period: date, days: Sequence[int]) -> date:
    ordered = sorted(days)
    later = [d for d in ordered if d > period.day]
    if later:
        return period.replace(day=later[0])
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return date(year, month, ordered[0])


def quarter_of(d: date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def parse_quarter(text: str) -> tuple[int, int] | None:
    m = _QUARTER.match(text.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def quarter_start(quarter: str) -> date:
    parsed = parse_quarter(quarter)
    if parsed is None:
        raise ValueError(f"not a quarter: {quarter!r}")
    year, q = parsed
    return date(year, 3 * q - 2, 1)


def shift_quarter(quarter: str, by: int) -> str:
    start = quarter_start(quarter)
    index = start.year * 4 + (start.month - 1) // 3 + by
    return f"{index // 4}Q{index % 4 + 1}"


def quarter_zh(quarter: str) -> str:
    year, q = parse_quarter(quarter) or (0, 0)
    return f"{year}年第{'一二三四'[q - 1]}季度"


# -- who reports ------------------------------------------------------------------------------


def reporting_units(cfg: OrgConfig, members: Sequence[Member] = ()) -> list[str]:
    """Units that file the half-monthly report: every ranked unit, and any unit with a reporter."""
    with_reporter = {m.unit for m in members if m.reporter and m.active}
    return [u.code for u in cfg.units if u.peer_group is not None or u.code in with_reporter]


def observation_units(cfg: OrgConfig) -> list[str]:
    """Districts and zones name a project for the quarterly on-site observation."""
    return [u.code for u in cfg.units if u.kind in OBSERVATION_KINDS]


# -- reads the use cases need ----------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    id: int
    unit: str
    period: str
    submitted_at: datetime
    on_time: bool
    member_id: int | None
    projects: int
    unchanged: int
    updated: int


class ReportRepository(Protocol):
    """`uow.reports` (storage/repositories_reports.py)."""

    async def submission(self, unit: str, period: str) -> Submission | None: ...
    async def submissions(self, period: str) -> dict[str, Submission]: ...
    async def observation(self, unit: str, quarter: str) -> dict[str, Any] | None: ...
    async def observations(self, quarters: Sequence[str]) -> dict[str, set[str]]: ...


def _reports(uow: UnitOfWork) -> ReportRepository:
    return uow.reports  # type: ignore[attr-defined,no-any-return]


# -- use cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One tracked project in a report: what was done to it (empty = 无变化) and the events written."""

    project_id: int
    actions: tuple[str, ...] = ()
    seqs: tuple[int, ...] = ()


async def submit_report(uow: UnitOfWork, actor: Member, *, unit: str, period: str, deadline: datetime,
                        entries: Sequence[Entry]) -> Submission:
    """File the unit's report for a period, once; on time when now is not after the deadline."""
    cfg = await uow.org.config()
    if cfg is None or not cfg.has_unit(unit):
        raise Refusal("unknown_unit", unit=unit)
    require_write(actor, unit)
    if unit not in reporting_units(cfg, await uow.org.members(unit=unit)):
        raise Refusal("report_not_required", unit=cfg.unit(unit).name)
    if parse_period(period, cfg.calendar.half_monthly_days) is None:
        raise Refusal("report_period_unknown", period=period)
    if await _reports(uow).submission(unit, period) is not None:
        raise Refusal("report_already_submitted", period=period)
    for e in entries:
        if any(a not in ENTRY_ACTIONS for a in e.actions):
            raise Refusal("report_entry_unknown", project_id=e.project_id)
    now = uow.clock.now()
    on_time = now <= deadline
    payload = {
        "unit": unit, "period": period, "deadline": deadline.isoformat(), "on_time": on_time,
        "entries": [{"project_id": e.project_id, "actions": list(e.actions), "seqs": list(e.seqs)} for e in entries],
        "counts": {"projects": len(entries), "unchanged": sum(1 for e in entries if not e.actions),
                   "updated": sum(1 for e in entries if e.actions)},
    }
    await uow.record(REPORT_SUBMITTED, payload, actor=actor.id, unit=unit)
    found = await _reports(uow).submission(unit, period)
    assert found is not None
    return found


async def name_observation(uow: UnitOfWork, actor: Member, *, unit: str, quarter: str, name: str,
                           project_id: int | None = None) -> None:
    """A district or zone names its observation project for a quarter (a later naming replaces it)."""
    cfg = await uow.org.config()
    if cfg is None or not cfg.has_unit(unit):
        raise Refusal("unknown_unit", unit=unit)
    require_write(actor, unit)
    if cfg.unit(unit).kind not in OBSERVATION_KINDS:
        raise Refusal("observation_not_county", unit=cfg.unit(unit).name)
    if parse_quarter(quarter) is None:
        raise Refusal("observation_quarter_unknown", quarter=quarter)
    if project_id is not None:
        project = await uow.projects.get(project_id)
        if project is None:
            raise Refusal("project_unknown", project_id=project_id)
        name = project.name
    if not name.strip():
        raise Refusal("name_missing")
    await uow.record(OBSERVATION_NAMED, {"unit": unit, "quarter": quarter, "project_id": project_id,
                                         "name": name.strip()[:200]}, actor=actor.id, unit=unit,
                     project_id=project_id)
