"""The ranking's sheets: the ranking workbook (one sheet per peer group: rank, unit, score, then
value / target / 时序目标 / completion / points per indicator) and the 台账's combined 排名 sheet.
An empty month (reports/ranking.py) is one sheet saying so, with no ranks.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from reports.ranking import GroupRanking, IndicatorScore, Ranking
from reports.workbook_sheets import (
    COUNT, PCT, POINTS, WAN, WAN_FRACTION, Formatted, anchor, month_title, rounded, save, sheet_name, table,
)

EMPTY_FALLBACK = "本月排名为空。"


def ranking_xlsx(ranking: Ranking, *, empty_text: str | None = None) -> bytes:
    """One sheet per peer group; an empty month is a single sheet 排名 whose second row is `empty_text`."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    if ranking.empty:
        _empty_sheet(wb, "排名", ranking, empty_text)
        return save(wb)
    used: set[str] = set()
    for group in ranking.groups:
        _group_sheet(wb, ranking, group, sheet_name(group.name, used))
    if not ranking.groups:
        _group_sheet(wb, ranking, None, "排名")
    return save(wb)


def _empty_sheet(wb: Any, title: str, ranking: Ranking, empty_text: str | None) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    ws.column_dimensions["A"].width = 90
    caption = WriteOnlyCell(ws, value=f"{month_title(ranking.month)} 考核排名（{anchor(ranking).lstrip('；')}）")
    caption.font = Font(bold=True, size=13)
    ws.append([caption])
    ws.append([empty_text or EMPTY_FALLBACK])


def indicator_columns(ind: IndicatorScore) -> list[tuple[str, str | None]]:
    measure = ind.measure
    value_fmt = PCT if measure == "%" else (WAN if measure == "万元" else COUNT)
    suffix = "" if measure == "%" else f"（{measure}）"
    return [(f"{ind.name}完成值{suffix}", value_fmt), (f"{ind.name}年度目标{suffix}", value_fmt),
            (f"{ind.name}时序目标{suffix}", value_fmt), (f"{ind.name}完成率", PCT), (f"{ind.name}得分", POINTS)]


def indicator_values(i: IndicatorScore) -> list[Any]:
    def amount(x: Fraction | int | None) -> Any:
        if x is None:
            return None
        if i.measure == "%":
            return float(Fraction(x) / 100)
        if Fraction(x).denominator == 1:
            return int(x)
        return Formatted(rounded(Fraction(x), 2), WAN_FRACTION if i.measure == "万元" else "0.00")

    return [amount(i.value), amount(i.target), amount(i.time_target),
            None if i.completion is None else rounded(i.completion, 4), rounded(i.points, 2)]


def _group_sheet(wb: Any, ranking: Ranking, group: GroupRanking | None, title: str) -> None:
    columns: list[tuple[str, str | None]] = [("名次", COUNT), ("单位", None), ("得分", POINTS)]
    if group is not None and group.units:
        for ind in group.units[0].indicators:
            columns += indicator_columns(ind)
    rows = [] if group is None else [
        [u.rank if u.rank is not None else "未设目标", u.name, rounded(u.score, 2),
         *[v for i in u.indicators for v in indicator_values(i)]] for u in group.units]
    caption = f"{month_title(ranking.month)} {group.name if group else ''}考核排名（{_method_zh(group)}时序进度 " \
              f"{_pct_text(ranking.time_progress)}{anchor(ranking)}）"
    table(wb, title, caption, columns, rows, sample=rows, freeze="D3")


def combined_ranking_sheet(wb: Any, ranking: Ranking, *, empty_text: str | None = None) -> None:
    """All groups on one sheet, one row per unit, indicators as the union of the groups' indicators;
    an empty month's sheet says `empty_text` instead."""
    if ranking.empty:
        _empty_sheet(wb, "排名", ranking, empty_text)
        return
    order: dict[str, IndicatorScore] = {}
    for g in ranking.groups:
        for u in g.units[:1]:
            for i in u.indicators:
                order.setdefault(i.code, i)
    columns: list[tuple[str, str | None]] = [("考核组", None), ("名次", COUNT), ("单位", None), ("得分", POINTS)]
    for ind in order.values():
        columns += indicator_columns(ind)
    rows = []
    for g in ranking.groups:
        for u in g.units:
            by_code = {i.code: i for i in u.indicators}
            cells: list[Any] = [g.name, u.rank if u.rank is not None else "未设目标", u.name, rounded(u.score, 2)]
            for code in order:
                cells += indicator_values(by_code[code]) if code in by_code else [None] * 5
            rows.append(cells)
    caption = f"{month_title(ranking.month)} 考核排名（时序进度 {_pct_text(ranking.time_progress)}{anchor(ranking)}）"
    table(wb, "排名", caption, columns, rows, sample=rows, freeze="E3")


def _method_zh(group: GroupRanking | None) -> str:
    if group is None:
        return ""
    if group.method == "relative_to_best":
        return "按组内最高值折算；"
    return f"完成率封顶 {group.cap_pct}%；"


def _pct_text(x: Fraction) -> str:
    return f"{rounded(x * 100, 1):.1f}%"
