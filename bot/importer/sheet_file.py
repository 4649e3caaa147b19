"""Read a sheet into a grid of cell values: xlsx through openpyxl (merged cells filled with their first cell's
value), CSV as UTF-8 (with or without a BOM) or GB18030, as Excel on a Chinese Windows writes it."""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SheetError(Exception):
    """The file cannot be read as a sheet; str() is one Chinese sentence."""


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Any]]
    sha256: str


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SheetError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    return sheet_of(data, path.name, sheet)


def sheet_of(data: bytes, filename: str, sheet: str | None = None) -> Sheet:
    """A file's bytes as a sheet, by its name's suffix (the command line's file or the console's upload)."""
    digest = hashlib.sha256(data).hexdigest()
    name = Path(filename)
    if name.suffix.lower() == ".csv":
        if sheet:
            raise SheetError("CSV 文件只有一张表，不能用 --sheet")
        return Sheet(name.stem, _csv_rows(data), digest)
    if name.suffix.lower() not in (".xlsx", ".xlsm"):
        raise SheetError(f"只能导入 .xlsx 或 .csv 文件，{name.name} 不是")
    return Sheet(*_xlsx_rows(data, sheet), digest)


def _csv_rows(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [list(r) for r in csv.reader(io.StringIO(text))]
    raise SheetError("CSV 文件的编码无法识别（请另存为 UTF-8）")


def _xlsx_rows(data: bytes, sheet: str | None) -> tuple[str, list[list[Any]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise SheetError(f"不是有效的 xlsx 文件（{type(exc).__name__}）") from None
    if sheet is not None and sheet not in wb.sheetnames:
        raise SheetError(f"没有名为“{sheet}”的工作表；工作表有：{'、'.join(wb.sheetnames)}")
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:
        first = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(rows) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
            for c in range(rng.min_col - 1, rng.max_col):
                if c < len(rows[r]):
                    rows[r][c] = first
    return ws.title, rows
