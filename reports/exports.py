"""Project exports. JSON is for programs: stable English keys, codes, ISO UTC times. CSV (UTF-8 with a
BOM) and xlsx are for people opening Excel: Chinese headers, stage, flag, unit and category names, local
times to the minute, exact integer 万元 (numeric cells in xlsx).

`SHEET_COLUMNS` is the contract with the Excel importer (export → import round trip): one header per
field, never renamed. `funds_in_place_wan` (到位资金) is what the rankings count — reported, or only verified when
the org file says count_funds = "verified" — and `funds_reported_wan` / `funds_verified_wan` (上报到位资金 /
已核实到位资金) are both figures; the importer reads 到位资金 and leaves the other two out.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from core.money import CURRENCY_ZH
from core.org import FLAGS, OrgConfig
from core.records import Project
from core.stages import STAGE_ZH

COLUMNS = [
    "id", "name", "credit_code", "industry", "stage", "owner_unit", "responsible_unit", "responsible_person",
    "intended_amount_wan", "contract_amount_wan", "funds_in_place_wan", "funds_reported_wan", "funds_verified_wan",
    "foreign_amount_wan", "foreign_currency",
    "flags", "source", "category", "duplicate_of", "created_at", "updated_at",
]

WAN, COUNT, WHEN = "#,##0", "0", "yyyy-mm-dd hh:mm"
TIME_TEXT = "%Y-%m-%d %H:%M"
FLAG_SEP = "、"

# (field — the JSON key where there is one, header, xlsx number format). Keep headers stable: the importer reads them.
SHEET_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("id", "项目编号", COUNT),
    ("name", "项目名称", None),
    ("credit_code", "统一社会信用代码", None),
    ("industry", "产业链", None),
    ("category", "项目类别", None),
    ("stage", "阶段", None),
    ("source", "来源", None),
    ("owner_unit", "首报单位", None),
    ("responsible_unit", "责任单位", None),
    ("responsible_person", "责任人", None),
    ("contact", "联系人", None),
    ("intended_amount_wan", "意向投资（万元）", WAN),
    ("contract_amount_wan", "签约额（万元）", WAN),
    ("funds_in_place_wan", "到位资金（万元）", WAN),
    ("funds_reported_wan", "上报到位资金（万元）", WAN),
    ("funds_verified_wan", "已核实到位资金（万元）", WAN),
    ("foreign_amount_wan", "外资金额（万，外币）", WAN),
    ("foreign_currency", "外资币种", None),
    ("flags", "标记", None),
    ("duplicate_of", "疑似重复项目编号", COUNT),
    ("created_at", "登记时间", WHEN),
    ("updated_at", "最近更新", WHEN),
)
SHEET_HEADERS: tuple[str, ...] = tuple(h for _, h, _ in SHEET_COLUMNS)
SHEET_TITLE = "项目"
MAX_WIDTH = 48
SAMPLE_ROWS = 2000   # widths are measured on the first rows (a write-only sheet needs them up front)


# -- JSON: for programs ---------------------------------------------------------------------


def counted_funds(p: Project, cfg: OrgConfig | None, verified: Mapping[int, int]) -> int:
    """What the rankings count of the project's funds: the reported total, or the verified one (count_funds)."""
    if cfg is not None and cfg.verification.count_funds == "verified":
        return verified.get(p.id, 0)
    return p.funds_wan


def project_rows(projects: list[Project], cfg: OrgConfig | None,
                 verified: Mapping[int, int] | None = None) -> list[dict[str, Any]]:
    """`verified`: project id → funds verified (storage/queries/export.py verified_funds)."""
    names = {u.code: u.name for u in cfg.units} if cfg else {}
    verified = verified or {}
    return [
        {
            "id": p.id, "name": p.name, "credit_code": p.credit_code, "industry": p.industry,
            "stage": p.stage.value, "owner_unit": names.get(p.owner_unit, p.owner_unit),
            "responsible_unit": names.get(p.responsible_unit, p.responsible_unit),
            "responsible_person": p.responsible_person, "intended_amount_wan": p.intended_wan,
            "contract_amount_wan": p.contract_wan, "funds_in_place_wan": counted_funds(p, cfg, verified),
            "funds_reported_wan": p.funds_wan, "funds_verified_wan": verified.get(p.id, 0),
            "foreign_amount_wan": p.foreign_wan, "foreign_currency": p.foreign_currency,
            "flags": [f for f in FLAGS if f in p.flags], "source": p.source, "category": p.category,
            "duplicate_of": p.duplicate_of, "created_at": p.created_at.isoformat(),
            "updated_at": p.updated_at.isoformat(),
        }
        for p in projects
    ]


def to_json(rows: list[dict[str, Any]]) -> bytes:
    return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# -- CSV and xlsx: for people -----------------------------------------------------------------


def sheet_rows(projects: Sequence[Project], cfg: OrgConfig | None, tz: tzinfo,
               flag_names: Mapping[str, str], verified: Mapping[int, int] | None = None) -> list[tuple[Any, ...]]:
    """One tuple per project in `SHEET_COLUMNS` order: names instead of codes, naive local times to the minute."""
    verified = verified or {}
    units = {u.code: u.name for u in cfg.units} if cfg else {}
    categories = {c.code: c.name for c in cfg.categories} if cfg else {}

    def local(at: datetime) -> datetime:
        return at.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)

    return [
        (p.id, p.name, p.credit_code, p.industry,
         categories.get(p.category, p.category) if p.category else None, STAGE_ZH[p.stage], p.source,
         units.get(p.owner_unit, p.owner_unit), units.get(p.responsible_unit, p.responsible_unit),
         p.responsible_person, p.contact, p.intended_wan, p.contract_wan, counted_funds(p, cfg, verified), p.funds_wan,
         verified.get(p.id, 0), p.foreign_wan,
         CURRENCY_ZH.get(p.foreign_currency, p.foreign_currency) if p.foreign_currency else None,
         FLAG_SEP.join(flag_names.get(f, f) for f in FLAGS if f in p.flags) or None, p.duplicate_of,
         local(p.created_at), local(p.updated_at))
        for p in projects
    ]


def to_csv(rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(SHEET_HEADERS)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    # A BOM so Excel on a Chinese Windows opens the UTF-8 file with the right characters.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[Sequence[Any]]) -> bytes:
    """One sheet 项目: bold frozen header with an autofilter, widths that fit Chinese text, numeric 万元 and times."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from reports.workbook_sheets import text_width

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    sample = rows[:SAMPLE_ROWS]
    for i, (_, header, _) in enumerate(SHEET_COLUMNS):
        # The filter's drop-down button sits over the header's right edge: room for it.
        width = max([text_width(header) + 2] + [text_width(_text(r[i], grouped=True)) for r in sample])
        ws.column_dimensions[get_column_letter(i + 1)].width = min(width + 2, MAX_WIDTH)
    ws.freeze_panes = "C2"
    last = get_column_letter(len(SHEET_COLUMNS))
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    bold = Font(bold=True)
    header_cells = []
    for _, header, _ in SHEET_COLUMNS:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        out: list[Any] = []
        for (_, _, fmt), value in zip(SHEET_COLUMNS, row, strict=True):
            if value is None or fmt is None:
                out.append(value)
                continue
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = fmt
            out.append(cell)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(value: Any, *, grouped: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(TIME_TEXT)
    if isinstance(value, int) and grouped:
        return f"{value:,}"
    return str(value)
