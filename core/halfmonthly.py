"""The half-monthly report 半月报 and the quarterly observation project 季观摩 (seed 002): the rules.

A report belongs to a unit and a period; the period is the nominal deadline date as written in
the org file's calendar ("2026-12-10" for the 10th of December), whatever day it is postponed to.
Submitting is one ledger event, on time or late against the deadline instant the caller computes
from the working-day calendar (core/workdays.py), so the rule lives in one place. The use cases
are in core/usecases/halfmonthly.py.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from core.org import OrgConfig
from core.records import Member
from core.roles import UnitKind

# What a reporter can do with one tracked project during the report walk-through.
ENTRY_ACTIONS: Final = ("note", "stage", "funds", "problem")
OBSERVATION_KINDS: Final = frozenset({UnitKind.DISTRICT, UnitKind.ZONE})
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
# The deadline as people write it: 2026-11-25, 2026年11月25日, 11月25日, 11月25号, 11.25, 11/25 (期 optional).
_MONTH_DAY = re.compile(r"^(?:(?P<y>\d{4})\s?[年./-]\s?)?(?P<m>\d{1,2})\s?[月./-]\s?(?P<d>\d{1,2})\s?[日号]?\s?期?$")
# 11月上半月 / 11月下半月: the deadline in that half of the month.
_HALF = re.compile(r"^(?:(?P<y>\d{4})\s?年\s?)?(?P<m>\d{1,2})\s?月\s?(?P<half>[上下])半月\s?期?$")


# -- periods and quarters (pure: nominal dates, no holidays) ------------------------------------


def parse_period(text: str, days: Sequence[int]) -> date | None:
    """The period an id names ("2026-12-10"), if it is one of the configured deadline days."""
    try:
        d = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return d if d.day in days else None


def read_period(text: str, days: Sequence[int], today: date) -> date | None:
    """The period a person names, if it is one of the configured deadline days; None otherwise.

    "2026-12-10", "2026年12月10日", "12月10日", "12.10", "12月下半月" (the deadline in that half).
    Without a year the occurrence nearest `today` is meant (ties to the earlier).
    """
    t = unicodedata.normalize("NFKC", text).strip()
    if (iso := parse_period(t, days)) is not None:
        return iso
    if m := _MONTH_DAY.match(t):
        day = int(m.group("d"))
    elif m := _HALF.match(t):
        in_half = [x for x in sorted(days) if (x <= 15) == (m.group("half") == "上")]
        if len(in_half) != 1:
            return None
        day = in_half[0]
    else:
        return None
    if day not in days:
        return None
    month = int(m.group("m"))
    years = [int(m.group("y"))] if m.group("y") else [today.year - 1, today.year, today.year + 1]
    found = []
    for year in years:
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    return min(found, key=lambda d: (abs((d - today).days), d)) if found else None


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


# -- what storage reads back ------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A filed report as `uow.reports` reads it back."""

    id: int
    unit: str
    period: str
    submitted_at: datetime
    on_time: bool
    member_id: int | None
    projects: int
    unchanged: int
    updated: int


__all__ = ["ENTRY_ACTIONS", "OBSERVATION_KINDS", "Submission",
           "observation_units", "parse_period", "parse_quarter", "period_id", "periods_between", "previous_period",
           "next_period", "read_period", "quarter_of", "quarter_start", "quarter_zh", "reporting_units", "shift_quarter"]
