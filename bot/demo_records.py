"""What a demo plan is made of: the window of time it covers, the dated actions it emits, and the leads
whose timelines it draws (bot/demo_plan.py plans them; bot/demo_history.py carries the actions out)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from core.stages import Stage


@dataclass(frozen=True)
class Window:
    """The demo's past: the 12 months ending with the last complete month before `today`.

    Twelve months rather than the org year from 1 January: a pipeline needs a past, so leads logged
    in the months before the year are already being signed and funded in January, as in real life,
    while the rankings still count only the year's part (storage/queries/rankings.py).
    """

    start: date
    end: date

    @property
    def year_start(self) -> date:
        return date(self.end.year, 1, 1)

    @property
    def progress(self) -> float:
        """时序进度 at the window's end (as reports/ranking.py computes it)."""
        days = (date(self.end.year + 1, 1, 1) - self.year_start).days
        return ((self.end - self.year_start).days + 1) / days

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def window_for(today: date) -> Window:
    end = date(today.year, today.month, 1) - timedelta(days=1)
    start = date(end.year - 1, end.month % 12 + 1, 1) if end.month < 12 else date(end.year, 1, 1)
    return Window(start, end)


@dataclass(frozen=True)
class Action:
    at: datetime            # local time
    kind: str
    key: int | None = None  # the plan's project key (the executor maps it to the project id)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Lead:
    key: int
    owner: str
    host: str
    industry: str
    logged: date
    steps: list[tuple[date, Stage]] = field(default_factory=list)
    flags: frozenset[str] = frozenset()
    category: str | None = None
    weight: float = 1.0
    funds: list[tuple[date, float]] = field(default_factory=list)
    contract_wan: int = 0
    transfer: tuple[date, date, str, bool] | None = None   # proposed, decided, to unit, accepted

    def reached(self, stage: Stage) -> date | None:
        return next((d for d, s in self.steps if s is stage), None)
