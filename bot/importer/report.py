"""The import's answer for the office: counts, the mapping used, and a copy of the sheet with a 导入结果
column saying per row what happened or why not."""
from __future__ import annotations

import io
import sys
from typing import Any

from bot.importer.run import COUNTED, ImportResult
from bot.importer.sheet_file import Sheet
from texts import t


def mapping_lines(result: ImportResult) -> list[str]:
    """One line per column: header → field (and the unit amounts are read in); unmapped columns named."""
    lines = [f"表头在第 {result.header.row + 1} 行，列的对应关系："]
    for c in result.header.columns:
        if not c.header:
            continue
        if c.field is None:
            lines.append(f"  {c.header} → 未识别（内容记入备注）")
            continue
        unit = f"（{t(f'import.unit.{c.unit}')}）" if c.unit else ""
        lines.append(f"  {c.header} → {t(f'import.field_name.{c.field}')}{unit}")
    lines += [f"  注意：{w}" for w in result.header.warnings]
    if result.header.of("contract") is None:
        lines.append("  注意：没有签约额列，签约及以后阶段的签约额按意向（总）投资计")
    return lines


def summary_line(result: ImportResult) -> str:
    counts = "，".join(f"{t(f'import.status.{s}')} {result.count(s):,}" for s in COUNTED)
    head = "试导入（未写入）" if result.dry_run else "已导入"
    line = f"{head}：{counts}；{'将写入' if result.dry_run else '写入'} {result.events:,} 个事件，用时 {result.seconds:.1f} 秒"
    if result.late_dated:
        line += (f"；其中 {result.late_dated:,} 个事件的日期早于账本最后一个事件（或晚于今天），按导入时间记录，"
                 "表中日期记在事件内容里")
    return line


def report_xlsx(sheet: Sheet, result: ImportResult) -> bytes:
    """The sheet's cells as read (merged cells filled), with 导入结果 as the last column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    by_row = {r.number: r for r in result.rows}
    width = max((len(r) for r in sheet.rows), default=0)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = (sheet.name or "导入结果")[:31]
    for i, values in enumerate(sheet.rows, start=1):
        cells: list[Any] = list(values) + [None] * (width - len(values))
        if i == result.header.row + 1:
            cells.append(t("import.column.result"))
        elif (r := by_row.get(i)) is not None:
            cells.append(f"{t(f'import.status.{r.status}')}：{r.message}")
        ws.append(cells)
    for cell in ws[result.header.row + 1]:
        cell.font = Font(bold=True)
    ws.column_dimensions[get_column_letter(width + 1)].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def print_progress(done: int, total: int, seconds: float) -> None:
    """A bar with rows per second, on the terminal only."""
    if not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // max(total, 1)
    rate = done / seconds if seconds > 0 else 0.0
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} 行  {rate:,.0f} 行/秒")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
