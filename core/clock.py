"""Time is explicit: code that needs "now" takes a Clock; storage keeps UTC, people see local time."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC datetime."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock tests and `zsbot tick --at` set by hand."""

    def __init__(self, at: datetime) -> None:
        self._at = to_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = to_utc(at)

    def advance(self, **kwargs: float) -> None:
        self._at += timedelta(**kwargs)


def to_utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    return at.astimezone(timezone.utc)


def local_date(at: datetime, tz: ZoneInfo) -> date:
    return at.astimezone(tz).date()


def local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant a local calendar day starts: month and day bounds for figures."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(timezone.utc)
