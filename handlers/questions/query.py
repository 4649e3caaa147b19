"""The typed query a question becomes: what is asked, about whom, over which period, and how."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from core.stages import Stage

Subject = Literal["indicator", "score", "projects", "late_reports", "trips", "transfers"]
How = Literal["total", "top", "bottom", "rank", "target", "list", "count"]
Compare = Literal["yoy", "mom"]


@dataclass(frozen=True)
class Period:
    """Months `first`..`last` of `year` (a month's figure is what the year-to-date figure grew by in it)."""

    year: int
    first: int
    last: int
    label: str                      # how the question named it: 本月, 一季度, 2026年10月…

    @property
    def months(self) -> tuple[str, str]:
        return f"{self.year:04d}-{self.first:02d}", f"{self.year:04d}-{self.last:02d}"

    def code(self) -> str:
        """Compact form for a button payload: 2026-10-12 (October to December 2026)."""
        return f"{self.year:04d}-{self.first:02d}-{self.last:02d}"

    @classmethod
    def from_code(cls, code: str) -> Period | None:
        parts = code.split("-")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            return None
        year, first, last = (int(p) for p in parts)
        if not (2000 <= year <= 2100 and 1 <= first <= last <= 12):
            return None
        return cls(year, first, last, "")


@dataclass(frozen=True)
class Question:
    subject: Subject
    how: How = "total"
    indicator: str | None = None    # an indicator code of the org file (subject "indicator")
    unit: str | None = None         # one unit (我们 resolved to the asker's)
    group: str | None = None        # a peer group
    city: bool = False              # 全市
    person: str | None = None       # a member's name (trips)
    period: Period | None = None    # None: the default of the subject (this year so far)
    n: int = 3
    stage: Stage | None = None
    min_wan: int | None = None
    industry: str | None = None
    source: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)
    compare: Compare | None = None
    understood: tuple[str, ...] = ()  # the words recognised, in the order found (for the reply)


@dataclass(frozen=True)
class NotUnderstood:
    """What was recognised and what was missing; the reply says both and gives two examples."""

    understood: tuple[str, ...]
    missing: str                    # "subject" (no figure named) or "period" (a period it cannot count)
    unknown: str = ""               # a word it could not place, when there is one
