"""The official Chinese working-day calendar (chinesecalendar: public holidays and 调休 make-up days)
bound to the pure calendar rules of core/workdays.py."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

import chinese_calendar

from core.org import Calendar
from core.workdays import Workdays


@lru_cache(maxsize=8192)
def published(d: date) -> bool | None:
    """chinesecalendar's answer, or None for a year it does not know."""
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


def knows(year: int) -> bool:
    """Whether chinesecalendar has this year's holidays (else the fallback is used)."""
    return published(date(year, 6, 1)) is not None


def workdays(cal: Calendar) -> Workdays:
    """The org's working days: chinesecalendar plus the org file's extras."""
    return Workdays(cal, published)
