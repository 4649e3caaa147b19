"""`zsbot export projects`: exact integer 万元, the issue's fields, unit names from the org file."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from core.clock import FixedClock
from storage.database import Database
from tests.e2e.cli_runner import LOGGED, Cli, cli, log_projects  # noqa: F401  (cli is a fixture)

FIELDS = ["id", "name", "credit_code", "industry", "stage", "owner_unit", "responsible_unit", "responsible_person",
          "intended_amount_wan", "contract_amount_wan", "funds_in_place_wan", "flags", "created_at", "updated_at"]
AMOUNTS = ("intended_amount_wan", "contract_amount_wan", "funds_in_place_wan")


def expected(ids: list[int], clock: FixedClock) -> list[dict[str, Any]]:
    return [{"id": pid, **row, "created_at": clock.now(), "updated_at": clock.now()} for pid, row in zip(ids, LOGGED)]


def typed(row: dict[str, Any]) -> dict[str, Any]:
    """Only the issue's fields, times parsed, so rows from each format compare with `expected`."""
    out = {k: row[k] for k in FIELDS}
    out["created_at"] = datetime.fromisoformat(out["created_at"])
    out["updated_at"] = datetime.fromisoformat(out["updated_at"])
    return out


async def test_json_csv_and_xlsx_hold_the_exact_amounts_fields_and_unit_names(
        db: Database, clock: FixedClock, cli: Cli) -> None:
    ids = await log_projects(db)
    want = expected(ids, clock)
    out = cli.cwd
    to_stdout, json_file, csv_file, xlsx_file = cli.many(
        ("export", "projects"),
        ("export", "projects", "--format", "json", "--out", "p.json"),
        ("export", "projects", "--format", "csv", "--out", "p.csv"),
        ("export", "projects", "--format", "xlsx", "--out", "p.xlsx"))

    rows = json.loads(to_stdout.ok().out)
    assert [typed(r) for r in rows] == want
    for r in rows:
        for key in AMOUNTS:
            assert r[key] is None or type(r[key]) is int, (key, r[key])
    assert json.loads((out / "p.json").read_bytes()) == rows
    assert "已导出 3 个项目" in json_file.ok().err

    csv_file.ok()
    raw = (out / "p.csv").read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert set(FIELDS) <= set(table[0])
    for got, w in zip(table, want, strict=True):
        assert got["id"] == str(w["id"]) and got["name"] == w["name"]
        assert got["owner_unit"] == w["owner_unit"] and got["responsible_unit"] == w["responsible_unit"]
        assert got["flags"] == ";".join(w["flags"])
        for key in AMOUNTS:
            assert got[key] == ("" if w[key] is None else str(w[key])), (key, got[key])
        assert datetime.fromisoformat(got["created_at"]) == w["created_at"]

    xlsx_file.ok()
    sheet = load_workbook(out / "p.xlsx", read_only=True).active
    header, *cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert set(FIELDS) <= set(header)
    book = [dict(zip(header, r)) for r in cells]
    for got, w in zip(book, want, strict=True):
        assert got["id"] == w["id"] and got["name"] == w["name"] and got["stage"] == w["stage"]
        assert got["owner_unit"] == w["owner_unit"] and got["responsible_unit"] == w["responsible_unit"]
        assert (got["flags"] or "") == ";".join(w["flags"])
        for key in AMOUNTS:
            assert got[key] == w[key] and (got[key] is None or type(got[key]) is int), (key, got[key])
    assert len(book) == 3


async def test_export_with_no_projects_and_xlsx_without_out(cli: Cli) -> None:
    empty_json, empty_csv, xlsx, nowhere = cli.many(
        ("export", "projects"), ("export", "projects", "--format", "csv"), ("export", "projects", "--format", "xlsx"),
        ("export", "projects", "--format", "xlsx", "--out", "no/such/dir/p.xlsx"))
    line = nowhere.one_line_error()
    assert "no/such/dir/p.xlsx" in line, line
    assert json.loads(empty_json.ok().out) == []
    header = empty_csv.ok().out.lstrip("\ufeff").splitlines()
    assert len(header) == 1 and header[0].startswith("id,name,credit_code")
    assert xlsx.code != 0 and "--out" in xlsx.err and "Traceback" not in xlsx.err
    assert not list(Path(cli.cwd).iterdir())
