"""Project exports: JSON, CSV and xlsx with exact 万元 integers and the org file's unit names."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from core.org import FLAGS, OrgConfig
from core.records import Project

COLUMNS = [
    "id", "name", "credit_code", "industry", "stage", "owner_unit", "responsible_unit", "responsible_person",
    "intended_amount_wan", "contract_amount_wan", "funds_in_place_wan", "foreign_amount_wan", "foreign_currency",
    "flags", "source", "category", "duplicate_of", "created_at", "updated_at",
]


def project_rows(projects: list[Project], cfg: OrgConfig | None) -> list[dict[str, Any]]:
    names = {u.code: u.name for u in cfg.units} if cfg else {}
    return [
        {
            "id": p.id, "name": p.name, "credit_code": p.credit_code, "industry": p.industry,
            "stage": p.stage.value, "owner_unit": names.get(p.owner_unit, p.owner_unit),
            "responsible_unit": names.get(p.responsible_unit, p.responsible_unit),
            "responsible_person": p.responsible_person, "intended_amount_wan": p.intended_wan,
            "contract_amount_wan": p.contract_wan, "funds_in_place_wan": p.funds_wan,
            "foreign_amount_wan": p.foreign_wan, "foreign_currency": p.foreign_currency,
            "flags": [f for f in FLAGS if f in p.flags], "source": p.source, "category": p.category,
            "duplicate_of": p.duplicate_of, "created_at": p.created_at.isoformat(),
            "updated_at": p.updated_at.isoformat(),
        }
        for p in projects
    ]


def to_json(rows: list[dict[str, Any]]) -> bytes:
    return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "flags": ";".join(row["flags"])})
    # A BOM so Excel on a Chinese Windows opens the UTF-8 file with the right characters.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "projects"
    ws.append(COLUMNS)
    for row in rows:
        ws.append([";".join(row[c]) if c == "flags" else row[c] for c in COLUMNS])
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
