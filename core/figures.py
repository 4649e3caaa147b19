"""What the rankings are computed from: aggregates read from the ledger's facts as of an instant."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class ProjectGroup:
    """Sums over the countable projects that share the same credit and counting attributes."""

    owner_unit: str
    host_unit: str
    credit_owner_pct: int | None
    credit_host_pct: int | None
    category: str | None
    flag_industrial: bool
    flag_strong: bool
    flag_headquarters: bool
    flag_digital: bool
    flag_central_soe: bool
    funds_year_wan: int          # funds in place added this year
    funds_all_wan: int           # funds in place ever (for 资金到位率)
    signed_year: int             # projects first reaching 签约 this year
    started_year: int
    producing_year: int
    signed_ever: int             # projects that reached 签约 by the instant
    landed_ever: int
    started_ever: int
    producing_ever: int
    contract_signed_ever_wan: int    # contract amounts of the projects signed by the instant
    contract_signed_year_wan: int    # contract amounts of the projects first signed this year
    # 核查 (storage/tables/evidence.py funds_decision_facts): funds_*_wan above are what the units reported;
    # these are what verifiers confirmed (at their corrected amounts) and what still waits for them.
    verified_year_wan: int = 0
    verified_all_wan: int = 0
    pending_year_wan: int = 0
    # How many countable projects the group holds: a group whose sums are all zero still exists while it holds
    # one, so a month brought forward event by event (storage/queries/running_facts.py) keeps the same groups.
    projects: int = 0

    def flag(self, name: str) -> bool:
        return bool(getattr(self, f"flag_{name}", False))

    def counted_funds(self, basis: str) -> tuple[int, int]:
        """(this year, ever) of the funds the rankings count: `basis` is the org file's count_funds."""
        if basis == "verified":
            return self.verified_year_wan, self.verified_all_wan
        return self.funds_year_wan, self.funds_all_wan


@dataclass(frozen=True)
class QuotaHolder:
    member_id: int
    unit: str
    quota: int


@dataclass(frozen=True)
class ReportCounts:
    """Half-monthly reports of a unit in the period: how many were due, how many came on time."""

    due: int
    on_time: int


@dataclass(frozen=True)
class MonthFacts:
    """Everything the ranking of one month needs, read in one go."""

    month: str                       # "2026-10"
    year_start: date
    month_end: date                  # last day of the month
    until: datetime                  # the instant the month ends (UTC)
    head_seq: int
    head_hash: str | None
    groups: tuple[ProjectGroup, ...]
    trips: dict[int, int] = field(default_factory=dict)              # member id → trips this year
    quota_holders: tuple[QuotaHolder, ...] = ()
    reports: dict[str, ReportCounts] | None = None                   # unit → counts; None: not tracked
    as_of: datetime | None = None    # read as the ledger stood at this instant; None: as known now


# -- months, the monthly 台账 and the explanation of a figure (reports/workbook.py, bot/cli_reports.py) --


def parse_month(text: str) -> str:
    """"2026-10" (or "2026-1") → "2026-10"; anything else raises ValueError."""
    year, sep, mon = text.strip().partition("-")
    if not sep or not year.isdigit() or not mon.isdigit() or len(year) != 4 or not 1 <= int(mon) <= 12:
        raise ValueError(text)
    return f"{int(year):04d}-{int(mon):02d}"


def month_days(month: str) -> tuple[date, date]:
    """The first day of `month` and the first day of the next one (local calendar days)."""
    year, mon = (int(x) for x in month.split("-"))
    return date(year, mon, 1), date(year + (mon == 12), mon % 12 + 1, 1)


def last_complete_month(today: date) -> str:
    """The month before the one `today` (a local date) falls in: the default month of a report."""
    prev = date(today.year, today.month, 1).toordinal() - 1
    d = date.fromordinal(prev)
    return f"{d.year:04d}-{d.month:02d}"


@dataclass(frozen=True)
class LedgerRow:
    """One tracked project in the monthly 台账, as it stood at the month's end."""

    project_id: int
    name: str
    content: str | None
    host_unit: str                   # 责任单位 (where the project is worked)
    host_unit_name: str
    responsible_person: str | None
    progress: str | None             # the latest progress note before the end
    next_steps: str | None
    stage: str                       # core.stages.Stage value
    owner_unit: str                  # 首报单位
    owner_unit_name: str
    industry: str | None
    intended_wan: int | None
    contract_wan: int | None
    funds_wan: int                   # funds in place reported, cumulative at the end
    problems: tuple[str, ...]        # problems open at the end
    last_update: datetime | None     # local time of the project's latest event before the end
    funds_verified_wan: int = 0      # of which verified (at the verifiers' amounts), as known now
    funds_pending_wan: int = 0       # reported and waiting for a verifier (neither verified nor returned)


@dataclass(frozen=True)
class LedgerEvent:
    """One ledger event of the month, with names resolved as they stood at the month's end."""

    seq: int
    at: datetime                     # local time
    actor: str | None                # member name; None: the system
    unit: str | None
    unit_name: str | None
    type: str
    project_id: int | None
    project: str | None
    payload: dict[str, Any] = field(hash=False, compare=False)


@dataclass(frozen=True)
class FigureLine:
    """One ledger event behind a figure and what it adds: counted = amount × coefficient × share."""

    seq: int
    at: datetime                     # local time of the event
    project_id: int | None
    project: str
    part: str                        # "value", or "numerator" / "denominator" of a rate
    amount_wan: int | None           # the raw amount of the event (funds, contract); None for counts
    coefficient_pct: int | None      # seed 004's counting coefficient applied, if any
    share_pct: int | None            # the unit's credit share, if any
    counted: Fraction
    note: str = ""
    # Funds only: the report's verification as known now — "pending", "verified", "returned" — or "verification"
    # for the 核实 event itself (what counts when the org file counts verified funds); "" for anything else.
    status: str = ""
    report_seq: int | None = None    # a 核实 line: the funds report it verified


@dataclass(frozen=True)
class FigureExplanation:
    month: str
    unit: str
    indicator: str
    kind: str
    measure: str
    lines: tuple[FigureLine, ...]
    value: Fraction | None           # the figure the lines add up to (as the ranking computes it)
    numerator: Fraction | None = None
    denominator: Fraction | None = None
    supported: bool = True           # False: the figure is not built from ledger events line by line
    count_funds: str | None = None   # funds figures: what counts, "reported" or "verified" (the org file's)
