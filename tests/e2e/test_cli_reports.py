"""`zsbot report …` as the office runs it: a subprocess on a scripted October, SQLite and PostgreSQL."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from core.clock import FixedClock
from core.figures import last_complete_month
from storage.database import Database
from tests.integration.test_ranking import october, october_json
from tests.e2e.cli_runner import SOURCE

pytestmark = pytest.mark.asyncio
ZSBOT = Path(sys.executable).parent / "zsbot"


def zsbot_many(db_url: str, cwd: Path, *commands: tuple[str, ...],
               extra_env: dict[str, str] | None = None) -> list[subprocess.CompletedProcess[str]]:
    """Several `zsbot` invocations at once (each a full process start), with only ZSBOT_DATABASE_URL set."""
    # HOME is kept so matplotlib reuses its font cache instead of rebuilding it in every process.
    env = {**SOURCE, "ZSBOT_DATABASE_URL": db_url, "HOME": os.environ.get("HOME", str(cwd)), "PATH": "/usr/bin:/bin",
           **(extra_env or {})}
    procs = [subprocess.Popen([str(ZSBOT), *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, encoding="utf-8") for args in commands]
    results = []
    for args, proc in zip(commands, procs, strict=True):
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return results


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0 and "Traceback" not in result.stderr, result
    return result


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0 and "Traceback" not in result.stderr + result.stdout, result
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return lines[-1]


async def test_every_report_format_from_the_command_line(db: Database, db_url: str, clock: FixedClock,
                                                         tmp_path: Path) -> None:
    await october(db, clock)
    expected = await october_json(db)
    run = (
        ("report", "ranking", "--month", "2026-10", "--format", "json"),
        ("report", "ranking", "--month", "2026-10", "--group", "区县", "--highlight", "东区"),
        ("report", "ranking", "--month", "2026-10", "--format", "xlsx", "--out", "r.xlsx"),
        ("report", "ranking", "--month", "2026-10", "--format", "png", "--out", "all.png"),
        ("report", "ledger", "--month", "2026-10", "--out", "tai.xlsx"),
        ("report", "explain", "--month", "2026-10", "--unit", "东区", "--indicator", "funds_in_place"),
        ("report", "ranking", "--format", "json"),
    )
    as_json, text, xlsx, png, ledger, explain_east, default = zsbot_many(db_url, tmp_path, *run)

    # JSON is the hand-checked ranking of tests/integration/test_ranking.py, byte for byte in meaning.
    assert json.loads(ok(as_json).stdout) == expected

    lines = ok(text).stdout.splitlines()
    assert lines[0] == "【2026年10月招商考核排名 · 区县】"
    assert "▶ 1. 东区（本单位）26.41分｜到位资金 3亿元（完成36.0%）｜新签约项目 1个（完成12.0%）" in lines
    assert lines[-1] == f"账本链头 #{expected['ledger_head_seq']} {expected['ledger_head'][:16]}"

    ok(xlsx)
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["区县", "市直部门", "驻外办事处"]
    assert [c.value for c in book["区县"][3]][:3] == [1, "东区", 26.41]

    ok(png)
    assert (tmp_path / "all.png").read_bytes().startswith(b"\x89PNG") and "missing from font" not in png.stderr
    assert "字体" not in png.stderr  # no system font needed: the bundled Noto Sans SC draws it

    ok(ledger)
    tai = load_workbook(io.BytesIO((tmp_path / "tai.xlsx").read_bytes()))
    assert tai.sheetnames == ["台账", "本月事件", "排名", "到位资金核查"]
    names = [r[1].value for r in tai["台账"].iter_rows(min_row=3)]
    assert names == ["东方电子有限公司", "西部大酒店", "深圳云计算有限公司", "城市管廊项目"]

    east = ok(explain_east).stdout.splitlines()
    assert east[0] == "【2026年10月 东区 · 到位资金】3亿元"
    assert [line for line in east if line.startswith("#")] == [
        "#21 10月10日 东方电子有限公司 2亿元 × 100% × 100% = 2亿元（待核实）",   # counted as reported: said
        "#25 10月20日 东方电子有限公司 1亿元 × 100% × 100% = 1亿元（待核实）",
    ]
    assert "到位资金按上报计入；各笔后注明核实情况。" in east
    assert east[-1] == "与排名中的数值一致。"

    today = datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert json.loads(ok(default).stdout)["month"] == last_complete_month(today)


async def test_bad_report_requests_get_one_line_that_says_what_to_do(sqlite_db: Database, sqlite_url: str,
                                                                     clock: FixedClock, tmp_path: Path) -> None:
    await october(sqlite_db, clock)
    png, group, unit, indicator, month, ledger = zsbot_many(
        sqlite_url, tmp_path,
        ("report", "ranking", "--month", "2026-10", "--format", "png"),
        ("report", "ranking", "--month", "2026-10", "--group", "乡镇"),
        ("report", "explain", "--month", "2026-10", "--unit", "北区", "--indicator", "funds_in_place"),
        ("report", "explain", "--month", "2026-10", "--unit", "east", "--indicator", "利润"),
        ("report", "ranking", "--month", "2026-13"),
        ("report", "ledger", "--month", "2026-10"),
    )
    assert "png 需要 --out 文件名" in one_line_error(png)
    assert one_line_error(group) == "错误：没有“乡镇”这个考核组。可选：districts（区县）、departments（市直部门）、" \
                                    "resident_offices（驻外办事处）"
    assert "未知单位 '北区'" in one_line_error(unit)
    assert one_line_error(indicator).startswith("错误：没有“利润”这个指标。可选：funds_in_place（到位资金）")
    assert "月份应写成 YYYY-MM" in one_line_error(month)
    assert "--out" in one_line_error(ledger)
    assert not any(tmp_path.glob("*.png"))


EMPTY_AUGUST = "2026年8月没有任何单位有计入考核的数字（各项指标均为0或无数据），本月排名为空。"


async def test_an_empty_month_gets_one_answer_in_every_format(sqlite_db: Database, sqlite_url: str,
                                                              clock: FixedClock, tmp_path: Path) -> None:
    await october(sqlite_db, clock)  # the ledger has October's figures; August (before them) has none
    text, as_json, xlsx, png, ledger = zsbot_many(
        sqlite_url, tmp_path,
        ("report", "ranking", "--month", "2026-08"),
        ("report", "ranking", "--month", "2026-08", "--format", "json"),
        ("report", "ranking", "--month", "2026-08", "--format", "xlsx", "--out", "r.xlsx"),
        ("report", "ranking", "--month", "2026-08", "--group", "区县", "--format", "png", "--out", "g.png"),
        ("report", "ledger", "--month", "2026-08", "--out", "tai.xlsx"),
    )
    lines = ok(text).stdout.splitlines()
    assert lines[:2] == ["【2026年8月招商考核排名】", EMPTY_AUGUST] and not any(". " in line for line in lines)

    doc = json.loads(ok(as_json).stdout)
    assert doc["empty"] is True and doc["groups"] == [] and doc["message"] == EMPTY_AUGUST
    assert '"rank"' not in as_json.stdout

    ok(xlsx)
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["排名"]
    rows = [[c.value for c in r] for r in book["排名"].iter_rows()]
    assert rows[0][0].startswith("2026年8月 考核排名（账本链头 #") and rows[1] == [EMPTY_AUGUST]

    ok(png)
    from matplotlib.image import imread

    image = imread(io.BytesIO((tmp_path / "g.png").read_bytes()))[..., :3]
    blue = (abs(image[..., 0] - 0x4C / 255) < 0.02) & (abs(image[..., 2] - 0xB0 / 255) < 0.02)
    assert not blue.any() and (image.sum(axis=2) < 1.0).any()  # words, no bars

    ok(ledger)
    tai = load_workbook(tmp_path / "tai.xlsx")
    assert [[c.value for c in r] for r in tai["排名"].iter_rows()][1] == [EMPTY_AUGUST]


async def test_a_chart_font_that_cannot_be_read_is_one_line_and_no_file(sqlite_db: Database, sqlite_url: str,
                                                                         clock: FixedClock, tmp_path: Path) -> None:
    await october(sqlite_db, clock)
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    missing, garbage = (zsbot_many(sqlite_url, tmp_path, ("report", "ranking", "--month", "2026-10", "--format", "png",
                                                           "--out", f"{name}.png"), extra_env={"ZSBOT_CHART_FONT": font})[0]
                        for name, font in (("a", str(tmp_path / "nowhere.otf")), ("b", str(broken))))
    assert one_line_error(missing) == f"错误：无法读取字体文件 {tmp_path / 'nowhere.otf'}，无法生成排名图。" \
                                      "请检查 ZSBOT_CHART_FONT 指向的文件。"
    assert one_line_error(garbage).startswith(f"错误：无法读取字体文件 {broken}，")
    assert len([line for line in garbage.stderr.splitlines() if line.strip()]) == 1
    assert not any(tmp_path.glob("*.png"))
