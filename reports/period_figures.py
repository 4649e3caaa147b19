"""Figures over a period of months, from the year-to-date figures the ranking computes at month ends.

A month's (or quarter's) figure is what the year-to-date figure grew by between the month end before the
period and the period's last month end — both computed by `reports.indicators` exactly as the ranking
does, each with the rules in force then. Rates and the on-time rate are read at the period's end. The
city figure counts each project once (no credit sharing), with the category's counting coefficient.
Pure and exact.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from core.figures import MonthFacts, ReportCounts
from core.org import OrgConfig
from reports.indicators import Values, indicator_values
from reports.tally import tally

CONTRACT = "contract_amount"        # contract amounts of projects first signed this year (万元), credit-shared
ADDITIVE = frozenset({"funds_in_place", "industrial_funds", "projects_reached", "flagged_projects",
                      "central_soe_contract", "leader_trips", CONTRACT})


@dataclass(frozen=True)
class MonthEnd:
    """One month end's rules and facts (from `Figures.month`)."""

    cfg: OrgConfig
    facts: MonthFacts


def kind_of(cfg: OrgConfig, code: str) -> str:
    return CONTRACT if code == CONTRACT else cfg.indicator(code).kind


def measure_of(cfg: OrgConfig, code: str) -> str:
    return "万元" if code == CONTRACT else cfg.indicator(code).unit


# The last few month ends' values, by the identity of their rules and facts (storage keeps one facts
# object per ledger head, so a question asked again, or the next one about the same month, reuses them).
_VALUES: list[tuple[MonthEnd, Values]] = []


def unit_values(end: MonthEnd) -> Values:
    """Every ranked unit's year-to-date value of every indicator, plus the contract amount signed this year.
    The result is shared: callers must not change it."""
    for seen, values in _VALUES:
        if seen.cfg is end.cfg and seen.facts is end.facts:
            return values
    values = _unit_values(end)
    _VALUES.insert(0, (end, values))
    del _VALUES[8:]
    return values


def _unit_values(end: MonthEnd) -> Values:
    values = indicator_values(end.cfg, end.facts)
    units = tally(end.cfg, end.facts).units
    for unit, row in values.items():
        found = units.get(unit)
        row[CONTRACT] = Fraction(found.contract if found is not None else 0, 100)
    return values


def _same_year(end: MonthEnd, before: MonthEnd | None) -> MonthEnd | None:
    return before if before is not None and before.facts.year_start == end.facts.year_start else None


def period_unit_values(end: MonthEnd, before: MonthEnd | None) -> Values:
    """Each unit's value over the period ending at `end`, starting after `before` (None: the year's start)."""
    now = unit_values(end)
    before = _same_year(end, before)
    if before is None:
        return now
    then = unit_values(before)
    out: Values = {}
    for unit, row in now.items():
        out[unit] = {}
        for code, value in row.items():
            if kind_of(end.cfg, code) in ADDITIVE and value is not None:
                out[unit][code] = value - (then.get(unit, {}).get(code) or Fraction(0))
            else:
                out[unit][code] = value
    return out


def city_value(end: MonthEnd, code: str) -> Fraction | None:
    """The city's year-to-date figure: each project once, with its counting coefficient, no credit sharing."""
    cfg, facts = end.cfg, end.facts
    kind = kind_of(cfg, code)
    ind = None if code == CONTRACT else cfg.indicator(code)
    sums = tally(cfg, facts)
    city, host = sums.city, sums.city_host
    if kind == "leader_trips":
        return Fraction(sum(facts.trips.get(h.member_id, 0) for h in facts.quota_holders))
    if kind == "report_on_time_rate":
        counts = list((facts.reports or {}).values())
        due = sum(c.due for c in counts)
        return Fraction(sum(c.on_time for c in counts) * 100, due) if due else None
    rates = {"funds_rate": (host.funds_all, host.contract), "start_rate": (host.started, host.signed),
             "production_rate": (host.producing, host.signed), "performance_rate": (host.landed, host.signed)}
    if kind in rates:
        top, bottom = rates[kind]
        return Fraction(top * 100, bottom) if bottom else None
    totals = {"funds_in_place": Fraction(city.funds, 10_000), "industrial_funds": Fraction(city.industrial, 10_000),
              "central_soe_contract": Fraction(city.soe_contract, 100), CONTRACT: Fraction(city.contract, 100),
              "projects_reached": Fraction(city.reached.get(ind.stage.value if ind and ind.stage else "signed", 0)),
              "flagged_projects": Fraction(city.flagged.get(ind.flag or "", 0) if ind else 0)}
    return totals.get(kind, Fraction(0))


def period_city_value(end: MonthEnd, before: MonthEnd | None, code: str) -> Fraction | None:
    now = city_value(end, code)
    before = _same_year(end, before)
    if before is None or now is None or kind_of(end.cfg, code) not in ADDITIVE:
        return now
    return now - (city_value(before, code) or Fraction(0))


def period_reports(end: MonthEnd, before: MonthEnd | None) -> dict[str, ReportCounts]:
    """Half-monthly reports due and on time in the period, per reporting unit."""
    now = end.facts.reports or {}
    before = _same_year(end, before)
    then = (before.facts.reports or {}) if before is not None else {}
    out: dict[str, ReportCounts] = {}
    for unit, c in now.items():
        b = then.get(unit, ReportCounts(0, 0))
        out[unit] = ReportCounts(c.due - b.due, c.on_time - b.on_time)
    return out


def period_trips(end: MonthEnd, before: MonthEnd | None) -> dict[int, int]:
    """Trips per member in the period (quota holders' trips count from the year's start)."""
    before = _same_year(end, before)
    then = before.facts.trips if before is not None else {}
    return {m: n - then.get(m, 0) for m, n in end.facts.trips.items()}
