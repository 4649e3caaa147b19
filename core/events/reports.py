"""The half-monthly report and the quarter's observation project (core/halfmonthly.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Self

from core.payload import Payload

__all__ = [
    "REPORT_SUBMITTED", "OBSERVATION_NAMED", "ReportEntry", "ReportTotals", "ReportSubmitted",
    "ObservationNamed",
]

REPORT_SUBMITTED: Final = "report.submitted"
OBSERVATION_NAMED: Final = "observation.named"


@dataclass(frozen=True)
class ReportEntry(Payload):
    TYPE = "entry"               # not an event: one tracked project of ReportSubmitted
    project_id: int
    actions: tuple[str, ...] = ()
    seqs: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReportTotals(Payload):
    TYPE = "counts"              # not an event: ReportSubmitted's totals
    projects: int = 0
    unchanged: int = 0
    updated: int = 0


@dataclass(frozen=True)
class ReportSubmitted(Payload):
    TYPE = REPORT_SUBMITTED
    unit: str
    period: str
    deadline: str                # ISO 8601, aware
    on_time: bool
    entries: tuple[ReportEntry, ...] = ()
    counts: ReportTotals = ReportTotals()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Self:
        return super().from_dict({**raw, "entries": [ReportEntry.from_dict(x) for x in raw.get("entries", ())],
                                  "counts": ReportTotals.from_dict(raw.get("counts", {}))})


@dataclass(frozen=True)
class ObservationNamed(Payload):
    TYPE = OBSERVATION_NAMED
    unit: str
    quarter: str
    name: str
    project_id: int | None = None
