"""What every workbook sheet shares (openpyxl, write-only so a month of 50,000 projects streams): a title row,
a bold frozen header row, widths that fit Chinese text, number formats (#,##0 for 万元, 0.0% for completion and
rates), and the helpers the 台账 (reports/workbook.py) and the ranking's sheets (reports/workbook_ranking.py) use.
"""
from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from reports.ranking import Ranking

WAN = "#,##0"
WAN_FRACTION = "#,##0.00"
PCT = "0.0%"
COUNT = "0"
POINTS = "0.00"
WHEN = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 48
WRAP_WIDTH = 24      # free-text columns wrap at this width at least
SAMPLE_ROWS = 2000   # widths are measured on the first rows (a write-only sheet needs them up front)
# Long free text wraps instead of stretching the column.
WRAP = frozenset({"内容", "进展情况", "推进计划", "问题（提请调度）", "摘要"})


@dataclass(frozen=True)
class Formatted:
    """A value whose number format differs from its column's (24.5万 in a column of whole 万)."""

    value: Any
    number_format: str



def text_width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)



def table(wb: Any, title: str, caption: str, columns: Sequence[tuple[str, str | None]],
           values: Iterable[Sequence[Any]], *, sample: Sequence[Sequence[Any]], freeze: str) -> None:
    """A write-only sheet: caption row, bold frozen header, widths from the header and a sample of rows."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    for i, (header, _) in enumerate(columns):
        width = max([text_width(header)] + [text_width(_shown(row[i])) for row in sample])
        least = WRAP_WIDTH if header in WRAP else 6
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width + 2, least), MAX_WIDTH)
    ws.freeze_panes = freeze
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    title_cell = WriteOnlyCell(ws, value=caption)
    title_cell.font = Font(bold=True, size=13)
    ws.append([title_cell])
    header_cells = []
    for header, _ in columns:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in values:
        out = []
        for (header, fmt), value in zip(columns, row):
            if isinstance(value, Formatted):
                value, fmt = value.value, value.number_format
            if value is None or (fmt is None and header not in WRAP):
                out.append(value)
                continue
            cell = WriteOnlyCell(ws, value=value)
            if fmt is not None:
                cell.number_format = fmt
            cell.alignment = wrap if header in WRAP else top
            out.append(cell)
        ws.append(out)



def save(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_name(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "排名"
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]}({n})"
        n += 1
    used.add(candidate)
    return candidate


def month_title(month: str) -> str:
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


def anchor(ranking: Ranking | None) -> str:
    if ranking is None:
        return ""
    if ranking.head_hash is None:
        return f"；账本链头 #{ranking.head_seq}"
    return f"；账本链头 #{ranking.head_seq} {ranking.head_hash[:16]}"


def rounded(x: Fraction, places: int) -> float:
    q = Decimal(x.numerator) / Decimal(x.denominator)
    return float(q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def naive(at: datetime | None) -> datetime | None:
    """Excel has no time zones: the local wall-clock time the records already carry."""
    return None if at is None else at.replace(tzinfo=None, microsecond=0)



def _shown(value: Any) -> str:
    if isinstance(value, Formatted):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "2026-10-31 23:59"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
