"""Working days and the instants of the reporting calendar (seed 002), as pure functions.

Which dates are official working days is asked of an `official` function (chinesecalendar in
production, bound in reminders/calendar.py, because core/ imports no third-party calendar); the org
file's `extra_holidays` / `extra_workdays` override it. For a year the official source does not know
(it answers None), the fallback is weekends plus those extras: `Workdays.unknown_years` says which
years fell back, so the ticker can warn the office once. Nothing here reads the clock or the database.

Instants are aware UTC datetimes; dates are local calendar dates in the configured time zone.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from core.org import Calendar
from core.halfmonthly import next_period, periods_between, previous_period, quarter_of, quarter_start, shift_quarter

_MAX_SCAN = 60  # no run of non-working days is longer than this; beyond it, a bad config

Official = Callable[[date], bool | None]
"""Is a date an official working day (holidays and 调休 included)? None: the year is not published."""


class Workdays:
    """Is a local date a working day? chinesecalendar, the org file's extras, or weekends."""

    def __init__(self, cal: Calendar, official: Official) -> None:
        self.official = official
        self.extra_holidays = frozenset(cal.extra_holidays)
        self.extra_workdays = frozenset(cal.extra_workdays)
        self.unknown_years: set[int] = set()

    def is_workday(self, d: date) -> bool:
        if d in self.extra_workdays:
            return True
        if d in self.extra_holidays:
            return False
        known = self.official(d)
        if known is None:
            self.unknown_years.add(d.year)
            return d.weekday() < 5
        return known

    def on_or_after(self, d: date) -> date:
        for i in range(_MAX_SCAN):
            if self.is_workday(d + timedelta(days=i)):
                return d + timedelta(days=i)
        return d

    def on_or_before(self, d: date) -> date:
        for i in range(_MAX_SCAN):
            if self.is_workday(d - timedelta(days=i)):
                return d - timedelta(days=i)
        return d

    def nth_after(self, d: date, n: int) -> date:
        """The n-th working day strictly after d (n ≥ 1)."""
        cur = d
        for _ in range(n):
            cur = self.on_or_after(cur + timedelta(days=1))
        return cur

    def between(self, start: date, end: date) -> int:
        """Working days strictly after `start` up to and including `end` (0 when end ≤ start): how long a
        thing reported on `start` has waited by `end`."""
        if end <= start:
            return 0
        return sum(1 for i in range(1, min((end - start).days, 3660) + 1) if self.is_workday(start + timedelta(days=i)))


def at_local(d: date, t: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local date and wall-clock time."""
    return datetime.combine(d, t, tzinfo=tz).astimezone(timezone.utc)


def day_start(d: date, tz: ZoneInfo) -> datetime:
    return at_local(d, time(0, 0), tz)


# -- the half-monthly report -------------------------------------------------------------------


def due_date(period: date, cal: Calendar, days: Workdays) -> date:
    """The day a period's report is due: the nominal date, or the next working day (节假日顺延)."""
    return days.on_or_after(period) if cal.postpone_on_holiday else period


def deadline(period: date, cal: Calendar, tz: ZoneInfo, days: Workdays) -> datetime:
    """The deadline instant: the end of the due day (reports filed during that day are on time)."""
    return day_start(due_date(period, cal, days) + timedelta(days=1), tz)


@dataclass(frozen=True)
class Reminder:
    offset_days: int
    day: date
    at: datetime


def reminder_instants(period: date, cal: Calendar, tz: ZoneInfo, days: Workdays) -> list[Reminder]:
    """Reminder instants before a deadline: each offset at reminder_time, moved to the previous working
    day when it falls on a non-working day, never two on one day, earliest first."""
    due = due_date(period, cal, days)
    out: dict[date, Reminder] = {}
    for offset in sorted(set(cal.reminder_offsets_days), reverse=True):
        day = days.on_or_before(due - timedelta(days=offset))
        if day not in out:
            out[day] = Reminder(offset, day, at_local(day, cal.reminder_time, tz))
    return sorted(out.values(), key=lambda r: r.day)


def escalation_days(period: date, cal: Calendar, days: Workdays) -> list[date]:
    """Step k of the escalation (unit head, then office…) is on the (k+1)-th working day after the due day."""
    due = due_date(period, cal, days)
    return [days.nth_after(due, k + 1) for k in range(len(cal.escalation))]


def overdue_day(period: date, cal: Calendar, days: Workdays) -> date:
    """The first working day after the due day: the late unit's reporter is told (and step 0 fires)."""
    return days.nth_after(due_date(period, cal, days), 1)


def periods_around(start: date, end: date, cal: Calendar) -> list[date]:
    """Periods whose reminders or escalations may fall in [start, end]: a month either side."""
    return periods_between(start - timedelta(days=40), end + timedelta(days=40), cal.half_monthly_days)


def open_period(now: datetime, cal: Calendar, tz: ZoneInfo, days: Workdays) -> date:
    """The period being collected at `now`: the first whose deadline has not passed."""
    today = now.astimezone(tz).date()
    period = previous_period(today, cal.half_monthly_days)
    while deadline(period, cal, tz, days) <= now:
        period = next_period(period, cal.half_monthly_days)
    return period


def last_closed_period(now: datetime, cal: Calendar, tz: ZoneInfo, days: Workdays) -> date:
    return previous_period(open_period(now, cal, tz, days), cal.half_monthly_days)


# -- the monthly dispatch meeting and the quarter --------------------------------------------


def dispatch_day(year: int, month: int, cal: Calendar, days: Workdays) -> date:
    """The configured weekday of the month's last week (Monday by default: the last Monday),
    moved to the previous working day when it is not one."""
    last = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    day = last - timedelta(days=(last.weekday() - cal.dispatch_weekday) % 7)
    return days.on_or_before(day)


def observation_day(quarter: str, cal: Calendar, days: Workdays) -> date:
    """The quarter's observation reminder: its first month's configured day, or the next working day."""
    return days.on_or_after(quarter_start(quarter).replace(day=cal.observation_reminder_day))


def quarters_between(start: date, end: date) -> list[str]:
    out, q = [], quarter_of(start)
    while quarter_start(q) <= end:
        out.append(q)
        q = shift_quarter(q, 1)
    return out
