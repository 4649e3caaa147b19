"""`zsbot schedule` as a person reads it: the plan folded into one line per kind and recipient.

A daily check (a transfer reminder per unit head every working day) would otherwise print one
line per day; folded, it reads `12-01 至 12-31 每个工作日 09:00（22 次）`. Pure: pushes, their
decisions and the working days in, lines out.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from texts import t
from reminders.names import status_name
from reminders.planner import Push

WEEKDAYS = "一二三四五六日"
MISSED = "missed"   # never decided and never will be: due before the calendar first ran, or expired
ORDER = ("queued", "undeliverable", "skipped", MISSED, None)   # None: not decided yet


@dataclass(frozen=True)
class Folded:
    kind: str
    member_id: int
    pushes: tuple[Push, ...]
    statuses: tuple[str | None, ...]   # the decision of each push, None when not decided


def fold(pushes: Sequence[Push], decided: Mapping[str, str]) -> list[Folded]:
    """One entry per (kind, recipient), in the order of its first due push."""
    groups: dict[tuple[str, int], list[Push]] = {}
    for p in sorted(pushes, key=lambda p: (p.due, p.key)):
        groups.setdefault((p.kind, p.member_id), []).append(p)
    return [Folded(kind, member, tuple(ps), tuple(decided.get(p.key) for p in ps))
            for (kind, member), ps in groups.items()]


def missed(pushes: Sequence[Push], decided: Mapping[str, str], since: str | None,
           last_tick: str | None) -> dict[str, str]:
    """Undecided pushes the ticker will never send (as the ticker sees them: its first day, its last
    deciding tick), so the schedule does not call them undecided."""
    first = datetime.fromisoformat(since) if since else None
    last = datetime.fromisoformat(last_tick) if last_tick else None
    return {p.key: MISSED for p in pushes if p.key not in decided
            and ((first is not None and p.due < first) or (last is not None and p.expires <= last))}


def when(f: Folded, tz: ZoneInfo, is_workday: Callable[[date], bool]) -> str:
    """2026-12-07（周一）09:00 for one push; a date range with its rhythm or a list of dates for more."""
    local = [p.due.astimezone(tz) for p in f.pushes]
    if len(local) == 1:
        return _full(local[0])
    days = [d.date() for d in local]
    same_year = days[0].year == days[-1].year
    day: Callable[[date], str] = (lambda d: f"{d:%m-%d}") if same_year else (lambda d: f"{d:%Y-%m-%d}")
    times = {d.strftime("%H:%M") for d in local}
    if len(times) > 1:
        return "、".join(f"{day(d)} {d:%H:%M}" for d in local)
    at = times.pop()
    span = [days[0] + timedelta(days=i) for i in range((days[-1] - days[0]).days + 1)]
    if len(days) >= 3 and days == span:
        return t("schedule.every_day", first=day(days[0]), last=day(days[-1]), time=at)
    if len(days) >= 3 and days == [d for d in span if is_workday(d)]:
        return t("schedule.every_workday", first=day(days[0]), last=day(days[-1]), time=at)
    return "、".join(day(d) for d in days) + f" {at}"


def decided(f: Folded) -> str:
    """已排入 / 已跳过 / 未决定 — or, when the pushes differ, how many of each (已排入 3、未决定 19)."""
    counts = Counter(f.statuses)
    if len(counts) == 1:
        return status_name(f.statuses[0])
    return "、".join(f"{status_name(s)} {counts[s]}" for s in ORDER if counts[s])


def _full(at: datetime) -> str:
    return f"{at:%Y-%m-%d}（周{WEEKDAYS[at.weekday()]}）{at:%H:%M}"
