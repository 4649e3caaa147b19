"""The leader digest of a month (pushed on ranking day with the 台账): each group's totals against
time progress, who moved up and down since last month, each unit's funds reported / verified / waiting
for verification (the most waiting first), the month's largest signings, half-monthly reporting gaps,
problems needing city coordination, and leaders' trips against their quotas.
Pure: the month's ranking, last month's, the 台账 rows and events and the facts in; text out.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from core import events as ev
from core.figures import LedgerEvent, LedgerRow, MonthFacts
from core.stages import Stage
from texts import t
from reports.ranking_text import format_pct, format_value, head_line, month_zh, render_funds
from reports.ranking import GroupRanking, Ranking

LIST_LIMIT = 5
FUNDS_LIMIT = 10


def _lead_indicator(group: GroupRanking) -> int | None:
    """The group's heaviest indicator with a time target (its position in each unit's list)."""
    units = [u for u in group.units if u.ranked]
    if not units:
        return None
    candidates = [i for i, x in enumerate(units[0].indicators) if x.time_target is not None]
    return max(candidates, key=lambda i: units[0].indicators[i].weight, default=None)


def totals(group: GroupRanking) -> str:
    at = _lead_indicator(group)
    if at is None:
        return t("digest.group_none", group=group.name)
    scores = [u.indicators[at] for u in group.units if u.ranked]
    value = sum((s.value or Fraction(0) for s in scores), Fraction(0))
    target = sum((s.time_target or Fraction(0) for s in scores), Fraction(0))
    first = scores[0]
    completion = format_pct(value / target) if target else "—"
    if first.measure == "万元":
        target = Fraction(round(target))  # a time target to the 万 is precise enough to read
    return t("digest.group_total", group=group.name, indicator=first.name, value=format_value(value, first.measure),
             target=format_value(target, first.measure), completion=completion)


def movers(group: GroupRanking, before: GroupRanking | None) -> str:
    if before is None:
        return t("digest.movers_none", group=group.name)
    was = {u.unit: u.rank for u in before.units if u.rank is not None}
    moves = [(was[u.unit] - u.rank, u) for u in group.units if u.rank is not None and u.unit in was]
    up = max(moves, key=lambda m: (m[0], -(m[1].rank or 0)), default=None)
    down = min(moves, key=lambda m: (m[0], m[1].rank or 0), default=None)
    parts = []
    if up is not None and up[0] > 0:
        parts.append(t("digest.up", name=up[1].name, was=was[up[1].unit], now=up[1].rank))
    if down is not None and down[0] < 0:
        parts.append(t("digest.down", name=down[1].name, was=was[down[1].unit], now=down[1].rank))
    return t("digest.movers", group=group.name, moves="；".join(parts) if parts else t("digest.no_moves"))


def funds(ranking: Ranking, unit_names: Mapping[str, str]) -> list[str]:
    """上报 / 已核实 / 待核实 per unit with any funds this year: the most waiting first, then the most reported."""
    order = sorted(ranking.funds.items(), key=lambda kv: (-kv[1].pending, -kv[1].reported, kv[0]))
    lines = [t(f"ranking.counts.{ranking.count_funds}")]
    lines += [t("digest.funds_line", unit=unit_names.get(u, u), funds=render_funds(f)) for u, f in order[:FUNDS_LIMIT]]
    if len(order) > FUNDS_LIMIT:
        lines.append(t("common.more", count=len(order) - FUNDS_LIMIT))
    return lines if order else [t("digest.none")]


def signings(events: Sequence[LedgerEvent], unit_names: Mapping[str, str]) -> list[str]:
    signed = [e for e in events if e.type == ev.STAGE_CHANGED and e.payload.get("to") == Stage.SIGNED.value]
    signed.sort(key=lambda e: -(e.payload.get("contract_wan") or 0))
    return [t("digest.signing_line", project=e.project or "—", unit=e.unit_name or "—",
              amount=format_value(Fraction(e.payload.get("contract_wan") or 0), "万元"))
            for e in signed[:LIST_LIMIT]] or [t("digest.none")]


def reporting(facts: MonthFacts, unit_names: Mapping[str, str]) -> str:
    if facts.reports is None:
        return t("digest.none")
    gaps = sorted((unit_names.get(u, u), c) for u, c in facts.reports.items() if c.due and c.on_time < c.due)
    if not gaps:
        return t("digest.reports_all")
    return "、".join(t("digest.report_gap", unit=name, on_time=c.on_time, due=c.due) for name, c in gaps)


def problems(rows: Sequence[LedgerRow]) -> list[str]:
    open_ = [(r, p) for r in rows for p in r.problems]
    lines = [t("digest.problem_line", project=r.name, unit=r.host_unit_name, text=p) for r, p in open_[:LIST_LIMIT]]
    if len(open_) > LIST_LIMIT:
        lines.append(t("common.more", count=len(open_) - LIST_LIMIT))
    return lines or [t("digest.none")]


def trips(facts: MonthFacts, names: Mapping[int, str], progress: Fraction) -> list[str]:
    lines = []
    for holder in facts.quota_holders:
        done = facts.trips.get(holder.member_id, 0)
        due = holder.quota * progress
        lines.append(t("digest.trip_line", name=names.get(holder.member_id, f"#{holder.member_id}"), done=done,
                       quota=holder.quota, mark=t("digest.behind") if done < due else ""))
    return lines or [t("digest.none")]


def render_digest(ranking: Ranking, before: Ranking | None, rows: Sequence[LedgerRow],
                  events: Sequence[LedgerEvent], facts: MonthFacts, *, unit_names: Mapping[str, str],
                  member_names: Mapping[int, str]) -> str:
    previous = {g.code: g for g in before.groups} if before is not None and not before.empty else {}
    lines = [t("digest.title", month=month_zh(ranking.month), progress=format_pct(ranking.time_progress))]
    lines += [t("digest.totals_header")] + [totals(g) for g in ranking.groups]
    lines += [t("digest.movers_header")] + [movers(g, previous.get(g.code)) for g in ranking.groups]
    lines += [t("digest.funds_header")] + funds(ranking, unit_names)
    lines += [t("digest.signings_header")] + signings(events, unit_names)
    lines += [t("digest.reports_header"), reporting(facts, unit_names)]
    lines += [t("digest.problems_header")] + problems(rows)
    lines += [t("digest.trips_header")] + trips(facts, member_names, ranking.time_progress)
    lines += ["", head_line(ranking)]
    return "\n".join(lines)
