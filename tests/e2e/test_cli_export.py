"""`zsbot export projects`: JSON for programs (English keys, ISO UTC); CSV and xlsx for Excel (Chinese headers
and names, local times, exact integer 万元); the errors an operator can make."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from core.clock import FixedClock
from core.names import normalize_company_name
from core.usecases.leads import LeadDraft, LogLead, log_lead
from storage.database import Database
from tests.e2e.cli_runner import LOGGED, Cli, cli, log_projects  # noqa: F401  (cli is a fixture)
from tests.helpers import member

JSON_KEYS = ["id", "name", "credit_code", "industry", "stage", "owner_unit", "responsible_unit",
             "responsible_person", "intended_amount_wan", "contract_amount_wan", "funds_in_place_wan",
             "funds_reported_wan", "funds_verified_wan", "foreign_amount_wan", "foreign_currency", "flags", "source", "category", "duplicate_of", "created_at",
             "updated_at"]
HEADERS = ["项目编号", "项目名称", "统一社会信用代码", "产业链", "项目类别", "阶段", "来源", "首报单位", "责任单位", "责任人",
           "联系人", "意向投资（万元）", "签约额（万元）", "到位资金（万元）", "上报到位资金（万元）", "已核实到位资金（万元）",
           "外资金额（万，外币）", "外资币种", "标记",
           "疑似重复项目编号", "登记时间", "最近更新"]
AMOUNTS = ("intended_amount_wan", "contract_amount_wan", "funds_in_place_wan", "funds_reported_wan",
           "funds_verified_wan")
# The clock's 2026-11-02 10:00 in Shanghai, as a person reads it (stored as 02:00 UTC).
LOCAL = "2026-11-02 10:00"
FOREIGN = "遵义港资精密制造有限公司"


async def log_all(db: Database) -> list[int]:
    """The three shared projects, and one with foreign capital, source, category and contact."""
    ids = await log_projects(db)
    east = await member(db, "东小李")
    async with db.uow() as uow:
        p = await log_lead(uow, east, LogLead(LeadDraft(
            name=FOREIGN, normalized_name=normalize_company_name(FOREIGN), owner_unit="east", foreign_wan=8000,
            foreign_currency="USD", source="以商招商", category="manufacturing", contact="王经理 13800138000",
            flags=frozenset({"foreign"}))))
        await uow.commit()
    return [*ids, p.id]


async def test_json_keeps_english_keys_codes_and_iso_utc_times(db: Database, clock: FixedClock, cli: Cli) -> None:
    ids = await log_all(db)
    to_stdout, to_file = cli.many(("export", "projects"), ("export", "projects", "--format", "json", "--out", "p.json"))
    rows = json.loads(to_stdout.ok().out)
    assert [list(r) for r in rows] == [JSON_KEYS] * 4
    for r, pid, want in zip(rows, ids, LOGGED):
        assert r["id"] == pid
        assert {k: r[k] for k in want} == want
        for key in AMOUNTS:
            assert r[key] is None or type(r[key]) is int, (key, r[key])
        assert r["created_at"] == r["updated_at"] == "2026-11-02T02:00:00+00:00"
    # The test organisation counts reported funds: 到位资金 is the reported total; nothing verified yet.
    assert (rows[0]["funds_reported_wan"], rows[0]["funds_verified_wan"]) == (35000, 0)
    assert rows[3]["foreign_amount_wan"] == 8000 and rows[3]["foreign_currency"] == "USD"
    assert rows[3]["category"] == "manufacturing" and rows[3]["flags"] == ["foreign"]
    assert json.loads((cli.cwd / "p.json").read_bytes()) == rows
    assert "已导出 4 个项目" in to_file.ok().err


async def test_csv_opens_in_excel_with_chinese_headers_names_and_local_times(db: Database, cli: Cli) -> None:
    ids = await log_all(db)
    to_file, to_stdout = cli.many(
        ("export", "projects", "--format", "csv", "--out", "p.csv"), ("export", "projects", "--format", "csv"))
    in_utc = cli("export", "projects", "--format", "csv", env={"ZSBOT_TIMEZONE": "UTC"})
    assert "已导出 4 个项目到 p.csv" in to_file.ok().err
    raw = (cli.cwd / "p.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert to_stdout.ok().out.encode("utf-8") == raw.replace(b"\r\n", b"\n")
    header, *table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header == HEADERS
    rows = [dict(zip(header, r, strict=True)) for r in table]
    assert [r["项目编号"] for r in rows] == [str(i) for i in ids]
    signed, shenzhen, west, foreign = rows
    assert (signed["项目名称"], signed["阶段"], signed["首报单位"], signed["责任人"]) == (
        "贵州东方电子科技有限公司", "签约", "东区", "东小李")
    assert (signed["意向投资（万元）"], signed["签约额（万元）"], signed["到位资金（万元）"]) == ("35000", "123456789", "35000")
    assert (signed["上报到位资金（万元）"], signed["已核实到位资金（万元）"]) == ("35000", "0")
    assert (shenzhen["阶段"], shenzhen["首报单位"], shenzhen["责任单位"]) == ("线索", "驻深圳办事处", "高新区")
    assert shenzhen["统一社会信用代码"] == "91520900MA6DLXXX1P" and shenzhen["意向投资（万元）"] == "123456789"
    assert shenzhen["标记"] == "工业项目、优强企业" and shenzhen["签约额（万元）"] == ""
    assert (west["阶段"], west["意向投资（万元）"], west["标记"]) == ("在谈", "0", "")
    assert (foreign["外资金额（万，外币）"], foreign["外资币种"], foreign["标记"]) == ("8000", "美元", "外资")
    assert (foreign["来源"], foreign["项目类别"], foreign["联系人"]) == ("以商招商", "加工制造业", "王经理 13800138000")
    assert {r["登记时间"] for r in rows} == {r["最近更新"] for r in rows} == {LOCAL}
    utc = list(csv.DictReader(io.StringIO(in_utc.ok().out.lstrip("\ufeff"))))
    assert {r["登记时间"] for r in utc} == {"2026-11-02 02:00"}


async def test_xlsx_shows_the_same_with_numeric_cells_bold_frozen_filtered_header(db: Database, cli: Cli) -> None:
    ids = await log_all(db)
    (cli.cwd / "p.xlsx").write_bytes(b"last month's export")
    cli("export", "projects", "--format", "xlsx", "--out", "p.xlsx").ok()
    assert sorted(p.name for p in cli.cwd.iterdir()) == ["p.xlsx"]  # replaced, no temporary file left
    sheet = load_workbook(cli.cwd / "p.xlsx").active
    assert sheet.title == "项目"
    header = [c.value for c in sheet[1]]
    assert header == HEADERS
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == "A1:V5"
    assert sheet.column_dimensions["B"].width >= 24  # 项目名称 fits a company name
    cells: list[dict[str, Any]] = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [c["项目编号"].value for c in cells] == ids
    signed, shenzhen, west, foreign = cells
    assert (signed["阶段"].value, signed["责任单位"].value) == ("签约", "东区")
    for key, want in (("意向投资（万元）", 35000), ("签约额（万元）", 123456789), ("到位资金（万元）", 35000),
                      ("上报到位资金（万元）", 35000), ("已核实到位资金（万元）", 0)):
        assert signed[key].value == want and type(signed[key].value) is int, (key, signed[key].value)
        assert signed[key].number_format == "#,##0"
    assert shenzhen["意向投资（万元）"].value == 123456789 and shenzhen["签约额（万元）"].value is None
    assert (shenzhen["首报单位"].value, shenzhen["标记"].value) == ("驻深圳办事处", "工业项目、优强企业")
    assert (west["阶段"].value, west["意向投资（万元）"].value) == ("在谈", 0)
    assert (foreign["外资金额（万，外币）"].value, foreign["外资币种"].value) == (8000, "美元")
    assert (foreign["项目类别"].value, foreign["联系人"].value) == ("加工制造业", "王经理 13800138000")
    for c in cells:
        for key in ("登记时间", "最近更新"):
            assert c[key].value == datetime(2026, 11, 2, 10, 0) and c[key].number_format == "yyyy-mm-dd hh:mm"


async def test_empty_export_still_has_the_headers(cli: Cli) -> None:
    empty_json, empty_csv, empty_xlsx = cli.many(
        ("export", "projects"), ("export", "projects", "--format", "csv"),
        ("export", "projects", "--format", "xlsx", "--out", "p.xlsx"))
    assert json.loads(empty_json.ok().out) == []
    assert empty_csv.ok().out.lstrip("\ufeff").splitlines() == [",".join(HEADERS)]
    assert "已导出 0 个项目到 p.xlsx" in empty_xlsx.ok().err
    sheet = load_workbook(cli.cwd / "p.xlsx").active
    assert [[c.value for c in r] for r in sheet.iter_rows()] == [HEADERS]


async def test_operator_errors_are_one_chinese_line(cli: Cli) -> None:
    no_out, xlsx_nowhere, csv_nowhere, bad_format, helped = cli.many(
        ("export", "projects", "--format", "xlsx"),
        ("export", "projects", "--format", "xlsx", "--out", "no/such/dir/p.xlsx"),
        ("export", "projects", "--format", "csv", "--out", "no/such/dir/p.csv"),
        ("export", "projects", "--format", "pdf"),
        ("export", "projects", "--help"))
    # A missing --out is wrong usage: the usage line, the hint, then the error, exit 2 (as for every usage error).
    assert no_out.code == 2 and no_out.err.splitlines()[-1] == "错误：xlsx 需要 --out 文件名，例如 --out 项目.xlsx", no_out
    assert xlsx_nowhere.one_line_error() == "错误：无法写入 no/such/dir/p.xlsx：文件夹 no/such/dir 不存在"
    assert csv_nowhere.one_line_error() == "错误：无法写入 no/such/dir/p.csv：文件夹 no/such/dir 不存在"
    assert no_out.out == xlsx_nowhere.out == ""
    assert bad_format.code == 2 and "pdf" in bad_format.err and "Traceback" not in bad_format.err
    assert not list(Path(cli.cwd).iterdir())
    text = "".join(helped.ok().out.split())  # help is wrapped to the terminal: compare without line breaks
    assert "json供程序读取：英文键名和代码、ISO8601UTC时间，键名保持不变" in text, text
    assert "xlsx必填，csv、json省略时写到标准输出" in text, text
