"""A month's ranking as chat text (also what `zsbot report ranking --format text` prints).

Per peer group: rank, unit, score and the group's key indicators (the heaviest weights) with
亿/万 amounts and completion against time progress 时序进度; units without targets listed apart
as 未设目标; an empty month said in one sentence. Every message ends with the ledger head the
figures were computed from, so the chat history itself anchors them.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from core.figures import FigureExplanation, FigureLine, LedgerEvent
from core.money import format_wan
from texts import has, t
from reports.indicators import FundsFigures
from reports.ranking import GroupRanking, IndicatorScore, Ranking, UnitScore
from reports.event_summaries import EVENT_TYPE_ZH, describe_event

KEY_INDICATORS = 3


# -- numbers --------------------------------------------------------------------------------


def _decimal(x: Fraction, places: int) -> Decimal:
    q = Decimal(x.numerator) / Decimal(x.denominator)
    return q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_amount(wan: Fraction | int) -> str:
    """万元 amounts: whole 万 exactly (3亿元, 5000万元); a fraction of 万 to at most 2 decimals (24.5万元)."""
    x = Fraction(wan)
    if x.denominator == 1:
        return format_wan(int(x))
    d = _decimal(x, 2)
    if abs(d) < 10_000:
        return f"{_strip(d)}万元"
    return f"{_strip(d / 10_000)}亿元"


def _strip(d: Decimal) -> str:
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_pct(ratio: Fraction) -> str:
    """A ratio as a percentage with one decimal: 0.36 → 36.0%."""
    return f"{_decimal(ratio * 100, 1)}%"


def format_value(value: Fraction | None, measure: str) -> str:
    """An indicator's value in its measure: 万元 as 亿/万, counts as 3个 / 2家 / 4次, rates as 85.3%."""
    if value is None:
        return t("ranking.none")
    if measure == "万元":
        return format_amount(value)
    if measure == "%":
        return f"{_decimal(value, 1)}%"
    n = _strip(_decimal(value, 2))
    key = f"ranking.count.{measure}"
    return t(key, n=n) if has(key) else f"{n}{measure}"


def format_score(score: Fraction) -> str:
    return f"{_decimal(score, 2)}"


def month_zh(month: str) -> str:
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


# -- the ranking ----------------------------------------------------------------------------


def head_line(ranking: Ranking) -> str:
    """`账本链头 #<seq> <first 16 hex>`: the ledger head the month's figures were computed from."""
    if ranking.head_hash is None:
        return t("ranking.head_none")
    return t("ranking.head", seq=ranking.head_seq, hash=ranking.head_hash[:16])


def key_indicators(unit: UnitScore, n: int = KEY_INDICATORS) -> list[IndicatorScore]:
    """The group's heaviest indicators (ties in the org file's order)."""
    order = sorted(range(len(unit.indicators)), key=lambda i: (-unit.indicators[i].weight, i))
    return [unit.indicators[i] for i in order[:n]]


def render_indicator(i: IndicatorScore) -> str:
    value = format_value(i.value, i.measure)
    if i.completion is None:
        return t("ranking.indicator", name=i.name, value=value)
    return t("ranking.indicator_completion", name=i.name, value=value, completion=format_pct(i.completion))


def render_unit_line(unit: UnitScore, *, highlight: bool = False, key: int = KEY_INDICATORS) -> str:
    """One ranked unit: rank, name, score and key indicators; `highlight` marks the sender's own unit."""
    indicators = t("ranking.indicator_sep").join(render_indicator(i) for i in key_indicators(unit, key))
    return t("ranking.unit_line_mine" if highlight else "ranking.unit_line", rank=unit.rank, name=unit.name,
             score=format_score(unit.score), indicators=indicators)


def render_funds(f: FundsFigures) -> str:
    """上报 / 已核实 / 待核实 of a unit's funds this year (a returned report is in 上报 only)."""
    return t("ranking.funds", reported=format_amount(f.reported), verified=format_amount(f.verified),
             pending=format_amount(f.pending))


def render_group(group: GroupRanking, *, highlight: str | None = None,
                 funds: Mapping[str, FundsFigures] | None = None) -> str:
    """A peer group: its scoring method, the ranked units in order (each with its funds reported / verified /
    waiting, when it has any), then the units without targets."""
    method = t(f"ranking.method.{group.method}", cap=group.cap_pct)
    lines = [t("ranking.group", name=group.name, method=method)]
    ranked = [u for u in group.units if u.ranked]
    funds = funds or {}
    for u in ranked:
        lines.append(render_unit_line(u, highlight=u.unit == highlight))
        if u.unit in funds:
            lines.append(t("ranking.funds_indent") + render_funds(funds[u.unit]))
    unranked = [u for u in group.units if not u.ranked]
    if unranked:
        lines.append(t("ranking.unranked", units="、".join(u.name for u in unranked)))
        lines += [t("ranking.funds_unranked", name=u.name, funds=render_funds(funds[u.unit]))
                  for u in unranked if u.unit in funds]
    if not group.units:
        lines.append(t("ranking.no_units"))
    return "\n".join(lines)


def empty_text(ranking: Ranking) -> str | None:
    """The sentence every format of an empty month carries (None when the month has figures)."""
    return t("ranking.empty", month=month_zh(ranking.month)) if ranking.empty else None


def render_ranking(ranking: Ranking, *, group: str | None = None, highlight: str | None = None) -> str:
    """The whole message: title, time progress, each group (or only `group`), the ledger head last."""
    groups = [g for g in ranking.groups if group is None or g.code == group]
    month = month_zh(ranking.month)
    if group is not None and groups:
        title = t("ranking.title_group", month=month, group=groups[0].name)
    else:
        title = t("ranking.title", month=month)
    parts = [title]
    if ranking.empty:
        parts.append(empty_text(ranking) or "")
    else:
        day = f"{ranking.month_end.month}月{ranking.month_end.day}日"
        parts.append(t("ranking.progress", progress=format_pct(ranking.time_progress), day=day))
        parts.append(t(f"ranking.counts.{ranking.count_funds}"))
        parts += ["", "\n\n".join(render_group(g, highlight=highlight, funds=ranking.funds) for g in groups)]
    parts += ["", head_line(ranking)]
    return "\n".join(parts)


# -- where a figure comes from --------------------------------------------------------------

_RULES = {"funds_in_place": "funds", "industrial_funds": "funds", "projects_reached": "count",
          "flagged_projects": "count", "central_soe_contract": "soe", "funds_rate": "rate", "start_rate": "rate",
          "production_rate": "rate", "performance_rate": "rate", "leader_trips": "trips"}


def render_explanation(x: FigureExplanation, *, unit_name: str, indicator_name: str,
                       ranked_value: Fraction | None = None, compare: bool = False) -> str:
    """The events behind one figure, one per line, with what each adds; then whether it matches the ranking."""
    month = month_zh(x.month)
    if not x.supported:
        return t("explain.unsupported", indicator=indicator_name)
    lines = [t("explain.title", month=month, unit=unit_name, indicator=indicator_name,
               value=format_value(x.value, x.measure))]
    lines.append(t(f"explain.rule.{_RULES.get(x.kind, 'count')}"))
    if x.count_funds is not None:
        lines.append(t(f"explain.counts.{x.count_funds}"))
    if x.numerator is not None and x.denominator is not None:
        for part in ("numerator", "denominator"):
            part_lines = [line for line in x.lines if line.part == part]
            total = x.numerator if part == "numerator" else x.denominator
            lines.append(t(f"explain.{part}", value=_part_value(x, part, total)))
            lines += ["  " + _line(x, line) for line in part_lines]
    else:
        lines += [_line(x, line) for line in x.lines]
    if not x.lines:
        lines.append(t("explain.none"))
    if compare:
        if ranked_value == x.value:
            lines.append(t("explain.matches"))
        else:
            lines.append(t("explain.differs", ranked=format_value(ranked_value, x.measure)))
    return "\n".join(lines)


def _part_value(x: FigureExplanation, part: str, total: Fraction) -> str:
    if x.kind == "funds_rate":
        return format_amount(total)
    return format_value(total, "个")


def _line(x: FigureExplanation, line: FigureLine) -> str:
    day = f"{line.at.month}月{line.at.day}日"
    status = t(f"explain.status.{line.status}", seq=line.report_seq) if line.status else ""
    said = [part for part in (line.note, status) if part]
    note = f"（{'，'.join(said)}）" if said else ""
    if line.amount_wan is not None and line.share_pct is not None:
        return t("explain.line_amount", seq=line.seq, day=day, project=line.project,
                 amount=format_wan(line.amount_wan), coef=line.coefficient_pct if line.coefficient_pct is not None
                 else 100, share=line.share_pct, counted=format_amount(line.counted), note=note)
    if line.amount_wan is not None:
        return t("explain.line_amount_plain", seq=line.seq, day=day, project=line.project,
                 amount=format_wan(line.amount_wan), note=note)
    share = t("explain.line_share", share=line.share_pct) if line.share_pct not in (None, 100) else ""
    unit = "次" if x.kind == "leader_trips" else "个"
    return t("explain.line_count", seq=line.seq, day=day, project=line.project,
             counted=format_value(line.counted, unit), share=share, note=note)


# -- the 台账's event sheet in the catalog's words ------------------------------------------


def ledger_event_describer(unit_names: Mapping[str, str]) -> Callable[[LedgerEvent], tuple[str, str]]:
    """(type, summary) of a ledger event: the catalog's `event.<type>` line where one exists (the sharing
    feature's transfers and claims), otherwise reports.event_summaries' own summary."""

    def describe(e: LedgerEvent) -> tuple[str, str]:
        key = f"event.{e.type}"
        if has(key):
            params: dict[str, Any] = {k: unit_names.get(v, v) if k.endswith("unit") and isinstance(v, str) else v
                                      for k, v in e.payload.items() if isinstance(v, (str, int, dict))}
            try:
                return EVENT_TYPE_ZH.get(e.type, e.type), t(key, **params)
            except (KeyError, IndexError, TypeError):
                pass
        return describe_event(e, unit_names)

    return describe
