"""Reading a period's figures through the `Figures` port: the month end before the period and its last."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from zoneinfo import ZoneInfo

from core.figures import MonthFacts
from core.org import OrgConfig
from core.ports import UnitOfWork
from handlers.questions.query import Period
from reports.period_figures import MonthEnd, unit_values
from reports.ranking import Ranking, rank_month, time_progress


_RANKINGS: list[tuple[OrgConfig, MonthFacts, str | None, Ranking]] = []


@dataclass(frozen=True)
class PeriodEnds:
    period: Period
    end: MonthEnd
    before: MonthEnd | None       # the month end before the period, when the period starts after January
    open: bool                    # the period's last month has not ended: figures are as of now
    today: date

    def progress(self) -> Fraction:
        """时序进度 at the period's end — or today, while its last month is still running (the ranking,
        which is only published for closed months, always reads the month's end)."""
        f = self.end.facts
        return time_progress(f.year_start, min(self.today, f.month_end) if self.open else f.month_end)

    def ranking(self, group: str | None = None) -> Ranking:
        """`rank_month` of the period's last month end (kept for the last few month ends: it is pure)."""
        for cfg, facts, g, ranking in _RANKINGS:
            if cfg is self.end.cfg and facts is self.end.facts and g == group:
                return ranking
        ranking = rank_month(self.end.cfg, self.end.facts, group=group)
        _RANKINGS.insert(0, (self.end.cfg, self.end.facts, group, ranking))
        del _RANKINGS[8:]
        return ranking


async def read_period(uow: UnitOfWork, period: Period, tz: ZoneInfo, today: date) -> PeriodEnds | None:
    """None before any configuration was loaded."""
    first, last = period.months
    found = await uow.figures.month(last, tz)
    if found is None:
        return None
    before = None
    if period.first > 1:
        prior = await uow.figures.month(f"{period.year:04d}-{period.first - 1:02d}", tz)
        before = MonthEnd(*prior) if prior is not None else None
    is_open = (period.year, period.last) >= (today.year, today.month)
    return PeriodEnds(period, MonthEnd(*found), before, is_open, today)


async def warm(uow: UnitOfWork, tz: ZoneInfo, today: date) -> list[str]:
    """Read the month ends most questions need — the running month's and the two before it — with their figures,
    so the first questions after a start cost what later ones do. Returns the months read."""
    months = []
    year, month = today.year, today.month
    for _ in range(3):
        found = await uow.figures.month(f"{year:04d}-{month:02d}", tz)
        if found is not None:
            unit_values(MonthEnd(*found))
            months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def this_year(today: date) -> Period:
    return Period(today.year, 1, today.month, "今年以来")


def year_ago(period: Period) -> Period:
    return Period(period.year - 1, period.first, period.last, "")


def previous(period: Period) -> Period | None:
    """The period of the same length just before (环比), when it falls in the same year."""
    length = period.last - period.first + 1
    if period.first - length < 1:
        return None
    return Period(period.year, period.first - length, period.first - 1, "")
