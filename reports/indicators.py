"""Indicator values per unit: the office's rules applied to the month's aggregates. Pure and exact.

Amounts are Fractions of 万元 (a 70% coefficient on 35万 is 24.5万, kept exact until shown);
counts are integers; rates are percentages. Conventions, each a choice the office can read:
- funds, industrial funds and central-SOE contract amounts are shared between the owner and the
  host by the credit rule (core/credit_sharing.py); funds also get the category's counting coefficient;
- a project counts once for every unit credited with a share of it (a city unit and the county it
  lands in both count the signing, as seed 000 says their figures overlap);
- rates (资金到位率, 开工率, 投产率, 履约率) belong to the host, the unit that works the project;
- leader trips are the trips of the unit's quota holders; the on-time rate comes from the
  half-monthly reports;
- funds are what the units reported, or only what verifiers confirmed (at their amount) when the org
  file says `count_funds = "verified"`; either way `funds_figures` gives each unit's three figures
  (上报 / 已核实 / 待核实) under the same credit and coefficient rules, so both can be shown.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from core.figures import MonthFacts
from core.org import OrgConfig
from reports.tally import Host, Unit, tally


@dataclass(frozen=True)
class FundsFigures:
    """A unit's funds in place this year, credited and weighted as the ranking counts them: reported, verified
    and waiting for verification (a returned report is in `reported` only). `counted` is the one that ranks."""

    reported: Fraction
    verified: Fraction
    pending: Fraction
    basis: str                       # the org file's count_funds: "reported" or "verified"

    @property
    def counted(self) -> Fraction:
        return self.verified if self.basis == "verified" else self.reported


Values = dict[str, dict[str, Fraction | None]]


def indicator_values(cfg: OrgConfig, facts: MonthFacts) -> Values:
    """unit code → indicator code → value (None: nothing to measure, e.g. a rate with no signed project)."""
    sums = tally(cfg, facts)
    units, hosts = sums.units, sums.hosts
    trips: dict[str, int] = defaultdict(int)
    for holder in facts.quota_holders:
        trips[holder.unit] += facts.trips.get(holder.member_id, 0)

    out: Values = {}
    for unit in cfg.units:
        if unit.peer_group is None:
            continue
        u, h = units.get(unit.code) or Unit(), hosts.get(unit.code) or Host()
        row: dict[str, Fraction | None] = {}
        for ind in cfg.indicators:
            row[ind.code] = _value(ind.kind, ind.stage.value if ind.stage else None, ind.flag, u, h,
                                   trips[unit.code], facts, unit.code)
        out[unit.code] = row
    return out


def funds_figures(cfg: OrgConfig, facts: MonthFacts) -> dict[str, FundsFigures]:
    """unit code → its funds this year reported / verified / waiting, for every unit credited with any."""
    units = tally(cfg, facts).units
    basis = cfg.verification.count_funds
    return {code: FundsFigures(Fraction(u.reported, 10_000), Fraction(u.verified, 10_000),
                               Fraction(u.pending, 10_000), basis)
            for code, u in units.items() if u.reported or u.verified or u.pending}


def _value(kind: str, stage: str | None, flag: str | None, u: Unit, h: Host, trips: int, facts: MonthFacts,
           unit: str) -> Fraction | None:
    if kind == "funds_in_place":
        return Fraction(u.funds, 10_000)
    if kind == "industrial_funds":
        return Fraction(u.industrial, 10_000)
    if kind == "projects_reached":
        return Fraction(u.reached.get(stage or "signed", 0))
    if kind == "flagged_projects":
        return Fraction(u.flagged.get(flag or "", 0))
    if kind == "central_soe_contract":
        return Fraction(u.soe_contract, 100)
    if kind == "leader_trips":
        return Fraction(trips)
    if kind == "report_on_time_rate":
        counts = (facts.reports or {}).get(unit)
        return _pct(counts.on_time, counts.due) if counts else None
    numerators = {"funds_rate": (h.funds_all, h.contract), "start_rate": (h.started, h.signed),
                  "production_rate": (h.producing, h.signed), "performance_rate": (h.landed, h.signed)}
    top, bottom = numerators[kind]
    return _pct(top, bottom)


def _pct(top: int, bottom: int) -> Fraction | None:
    return None if bottom == 0 else Fraction(top * 100, bottom)
