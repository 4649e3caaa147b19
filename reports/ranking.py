"""Scoring and ranking units within their peer group, for one month, reproducibly.

Completion of an amount or count is measured against time progress 时序进度 (annual target ×
elapsed share of the year); a rate against its target directly. The office picks per group:
- capped_completion: points = weight × min(completion, cap);
- relative_to_best: points = weight × value / the best value in the group.
A unit without targets is listed as 未设目标 and not ranked; a unit lacking one indicator's
target scores 0 on it under capped completion (there is nothing to complete).

A month is empty when no unit of any peer group has a counted figure — every indicator its group
weighs is 0 or unmeasured — so every format (text, JSON, xlsx, PNG, /rank, the ranking-day pushes)
says so instead of ranking every unit 1st with 0 points.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from core.figures import MonthFacts
from core.org import Indicator, OrgConfig, Unit
from reports.indicators import FundsFigures, Values, funds_figures, indicator_values


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    name: str
    measure: str                 # 万元, 个, 家, 次, %
    value: Fraction | None
    target: int | None
    time_target: Fraction | None
    completion: Fraction | None
    weight: int
    points: Fraction


@dataclass(frozen=True)
class UnitScore:
    unit: str
    name: str
    rank: int | None             # None: not ranked (未设目标)
    score: Fraction
    indicators: tuple[IndicatorScore, ...]

    @property
    def ranked(self) -> bool:
        return self.rank is not None


@dataclass(frozen=True)
class GroupRanking:
    code: str
    name: str
    method: str
    cap_pct: int
    units: tuple[UnitScore, ...]


@dataclass(frozen=True)
class Ranking:
    month: str
    month_end: date
    head_seq: int
    head_hash: str | None
    time_progress: Fraction      # elapsed share of the year at the month's end
    groups: tuple[GroupRanking, ...]
    empty: bool                  # no unit of any peer group has a counted figure (has_figures)
    # unit → funds this year reported / verified / waiting (only units with any), shown beside the counted figure
    funds: dict[str, FundsFigures] = field(default_factory=dict)
    count_funds: str = "reported"

    def group(self, code: str) -> GroupRanking:
        return next(g for g in self.groups if g.code == code)


def time_progress(year_start: date, month_end: date) -> Fraction:
    days_in_year = (date(year_start.year + 1, 1, 1) - year_start).days
    return Fraction((month_end - year_start).days + 1, days_in_year)


def rank_month(cfg: OrgConfig, facts: MonthFacts, *, group: str | None = None) -> Ranking:
    values = indicator_values(cfg, facts)
    progress = time_progress(facts.year_start, facts.month_end)
    groups = tuple(_rank_group(cfg, g.code, values, progress) for g in cfg.peer_groups
                   if group is None or g.code == group)
    return Ranking(facts.month, facts.month_end, facts.head_seq, facts.head_hash, progress, groups,
                   not has_figures(cfg, values), funds_figures(cfg, facts), cfg.verification.count_funds)


def has_figures(cfg: OrgConfig, values: Values) -> bool:
    """Whether any unit of any peer group (ranked or 未设目标) has a non-zero value on an indicator its group
    weighs. Decided over the whole month, whichever group is shown, so every view of a month agrees."""
    return any(values[u.code].get(code) for g in cfg.peer_groups for u in cfg.group_units(g.code)
               for code in g.weights)


def _rank_group(cfg: OrgConfig, code: str, values: Values, progress: Fraction) -> GroupRanking:
    group = cfg.peer_group(code)
    scoring = cfg.scoring_for(code)
    members = cfg.group_units(code)
    indicators = [cfg.indicator(c) for c in group.weights]
    best = {ind.code: max((values[u.code][ind.code] or Fraction(0) for u in members), default=Fraction(0))
            for ind in indicators}
    scored: list[UnitScore] = []
    for unit in members:
        parts = tuple(_score(ind, group.weights[ind.code], unit, values[unit.code][ind.code], progress,
                             scoring.method, Fraction(scoring.cap_pct, 100), best[ind.code]) for ind in indicators)
        scored.append(UnitScore(unit.code, unit.name, None, sum((p.points for p in parts), Fraction(0)), parts))
    ranked = sorted((s for s, u in zip(scored, members) if u.targets), key=lambda s: (-s.score, s.unit))
    unranked = [s for s, u in zip(scored, members) if not u.targets]
    out: list[UnitScore] = []
    for i, s in enumerate(ranked):
        # Competition ranking: equal scores share a rank (1, 2, 2, 4).
        rank = out[-1].rank if out and out[-1].score == s.score else i + 1
        out.append(UnitScore(s.unit, s.name, rank, s.score, s.indicators))
    return GroupRanking(code, group.name, scoring.method, scoring.cap_pct, tuple(out + unranked))


def _score(ind: Indicator, weight: int, unit: Unit, value: Fraction | None, progress: Fraction, method: str,
           cap: Fraction, best: Fraction) -> IndicatorScore:
    target = unit.targets.get(ind.code) or None
    time_target: Fraction | None = None
    completion: Fraction | None = None
    if target is not None:
        time_target = Fraction(target) if ind.unit == "%" else target * progress
        completion = (value or Fraction(0)) / time_target if time_target else None
    if method == "relative_to_best":
        points = weight * (value or Fraction(0)) / best if best > 0 else Fraction(0)
    else:
        points = weight * min(completion, cap) if completion is not None else Fraction(0)
    return IndicatorScore(ind.code, ind.name, ind.unit, value, target, time_target, completion, weight, points)


def ranking_json(r: Ranking) -> dict[str, object]:
    """The machine-readable ranking: per group, each unit's rank, score and every indicator's parts.
    An empty month is `"empty": true` with no groups, hence no ranks."""
    return {
        "month": r.month,
        "month_end": r.month_end.isoformat(),
        "time_progress_pct": _num(r.time_progress * 100, 2),
        "ledger_head_seq": r.head_seq,
        "ledger_head": r.head_hash,
        "empty": r.empty,
        "count_funds": r.count_funds,
        "groups": [
            {
                "code": g.code, "name": g.name, "method": g.method, "cap_pct": g.cap_pct,
                "units": [
                    {
                        "unit": u.unit, "name": u.name, "rank": u.rank, "score": _num(u.score, 2),
                        "status": "ranked" if u.ranked else "no_targets",
                        "funds": _funds_json(r.funds.get(u.unit)),
                        "indicators": [
                            {"code": i.code, "name": i.name, "measure": i.measure, "value": _num(i.value, 4),
                             "target": i.target, "time_target": _num(i.time_target, 4),
                             "completion": _num(i.completion, 4), "weight": i.weight, "points": _num(i.points, 2)}
                            for i in u.indicators
                        ],
                    }
                    for u in g.units
                ],
            }
            for g in (() if r.empty else r.groups)
        ],
    }


def _funds_json(f: FundsFigures | None) -> dict[str, int | float | None]:
    """上报 / 已核实 / 待核实 this year in 万元, as credited to the unit."""
    zero = Fraction(0)
    return {"reported_wan": _num(f.reported if f else zero, 4), "verified_wan": _num(f.verified if f else zero, 4),
            "pending_wan": _num(f.pending if f else zero, 4)}


def _num(x: Fraction | None, places: int) -> int | float | None:
    """Exact integers stay integers; anything else is rounded half-up for display."""
    if x is None:
        return None
    if x.denominator == 1:
        return int(x)
    q = Decimal(x.numerator) / Decimal(x.denominator)
    return float(q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
