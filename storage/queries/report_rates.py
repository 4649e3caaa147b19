"""The half-monthly report's on-time figures, for rankings (issue 6) and the office.

Two entry points, plain numbers out:

- `on_time_rates(session, periods, units)` → `{unit: OnTimeRate}` for the given periods (ids such
  as "2026-10-10"; list them with `core.halfmonthly.periods_between(first_day, last_day,
  cfg.calendar.half_monthly_days)`). Pass only periods whose deadline has passed, or an upcoming
  period counts as missing. No submission for a period = missing; a submission after the
  deadline = late. `rate_pct` = on time ÷ periods × 100 (0.0 when no periods).
- `report_counter(tz)` → the `ReportCounter` that `storage.queries.rankings.month_facts(…,
  reports=report_counter(tz))` takes: `(session, start, until) → {unit: ReportCounts(due,
  on_time)}` for every unit that files reports (core.halfmonthly.reporting_units under the org
  configuration in force at `until`). A period is due in [start, until) when its nominal date
  (the 10th, the 25th) is, counted from the day the organisation was first configured (periods
  before the bot existed are not held against anyone).
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.figures import ReportCounts
from core.org import OrgConfig
from core.records import Member
from core.halfmonthly import period_id, periods_between, reporting_units
from core.roles import Role
from storage.tables.org import MemberRow, OrgConfigRow
from storage.tables.reports import ReportSubmissionRow


@dataclass(frozen=True)
class OnTimeRate:
    unit: str
    expected: int
    on_time: int
    late: int
    missing: int

    @property
    def rate_pct(self) -> float:
        return self.on_time * 100 / self.expected if self.expected else 0.0


async def on_time_rates(session: AsyncSession, periods: Sequence[str], units: Sequence[str]) -> dict[str, OnTimeRate]:
    wanted = sorted(set(periods))
    found: dict[str, dict[str, bool]] = {u: {} for u in units}
    if wanted and units:
        rows = await session.execute(
            select(ReportSubmissionRow.unit, ReportSubmissionRow.period, ReportSubmissionRow.on_time)
            .where(ReportSubmissionRow.period.in_(wanted), ReportSubmissionRow.unit.in_(list(units))))
        for unit, period, on_time in rows:
            found[unit][period] = bool(on_time)
    out: dict[str, OnTimeRate] = {}
    for unit in units:
        filed = found[unit]
        on_time_count = sum(1 for v in filed.values() if v)
        out[unit] = OnTimeRate(unit=unit, expected=len(wanted), on_time=on_time_count, late=len(filed) - on_time_count,
                               missing=len(wanted) - len(filed))
    return out


ReportCounter = Callable[[AsyncSession, datetime, datetime], Awaitable[dict[str, ReportCounts]]]


def report_counter(tz: ZoneInfo) -> ReportCounter:
    """Counts of due and on-time reports per unit for [start, until), dates read in `tz`."""

    async def count(session: AsyncSession, start: datetime, until: datetime) -> dict[str, ReportCounts]:
        row = (await session.execute(select(OrgConfigRow.body).where(OrgConfigRow.at < until)
                                     .order_by(OrgConfigRow.seq.desc()).limit(1))).scalar()
        first = (await session.execute(select(func.min(OrgConfigRow.at)))).scalar()
        if row is None or first is None:
            return {}
        cfg = OrgConfig.model_validate(json.loads(row))
        members = [Member(id=m.id, name=m.name, unit=m.unit, role=Role(m.role), active=m.active,
                          reporter=m.reporter)
                   for m in (await session.execute(select(MemberRow).where(MemberRow.reporter))).scalars()]
        units = reporting_units(cfg, members)
        begin = max(start, first).astimezone(tz).date()
        end = until.astimezone(tz).date()
        periods = [period_id(d) for d in periods_between(begin, end, cfg.calendar.half_monthly_days)
                   if d < end]
        rates = await on_time_rates(session, periods, units)
        return {u: ReportCounts(due=r.expected, on_time=r.on_time) for u, r in rates.items()}

    return count
