"""Issue 19's "done when", in the demo organisation (count_funds = "verified"): a resident office's member signs
a project and reports 到位资金 5000万 with a photo in the chat; the office's 核实 shows it with the photo; the
ranking (`zsbot report ranking`) shows 0 verified / 5000 reported for that unit before the verification and
5000 verified after it (and `--as-of` before it still the former); `zsbot export projects` and the 台账 have
both columns; a changed byte in the stored photo makes `zsbot ledger verify` fail naming the file."""
from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import text

from core.clock import FixedClock
from core.messages import SendPhoto
from core.org_file import load_org
from storage.database import Database
from tests.conftest import local
from tests.conversation import conversations, registered
from tests.e2e.cli_runner import Cli, cli  # noqa: F401  (cli is a fixture)
from tests.helpers import DEMO_ORG, setup_org

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
COMPANY = "深圳鹏程智能装备有限公司"
UNIT = "驻深圳办事处"


def unit_line(ranking_text: str) -> str:
    """The unit's funds line under its ranking line (上报 / 已核实 / 待核实)."""
    lines = ranking_text.splitlines()
    at = next(i for i, line in enumerate(lines) if UNIT in line and "分｜" in line)
    return lines[at + 1]


async def test_a_resident_office_report_counts_once_the_office_verifies_it(db: Database, clock: FixedClock,
                                                                           cli: Cli, tmp_path: Path) -> None:
    clock.set(local(2026, 10, 8, 9))
    cfg = await setup_org(db, load_org(DEMO_ORG.read_text(encoding="utf-8"), str(DEMO_ORG)))
    assert cfg.verification.count_funds == "verified"
    conv = conversations(db)
    li, office = await registered(db, conv, "李驻深"), await registered(db, conv, "王办公")

    await li.say(f"线索 {COMPANY} 先进装备制造 投资5亿 来源驻点")
    await li.press("确认")
    pid = int(li.text.split("#", 1)[1].split()[0].rstrip("，。："))
    clock.set(local(2026, 10, 9, 10))
    await li.say(f"进展 {COMPANY}")
    await li.press("阶段变更")
    await li.press("签约")
    await li.say("3亿")
    await li.press("确认")
    assert "现为【签约】" in li.text, li.text
    await li.say(f"进展 {COMPANY}")
    await li.press("到位资金")
    await li.say("5000万")
    await li.press("确认")
    assert "已记录到位资金" in li.text, li.text
    await li.file("银行进账单.jpg", JPEG, "image/jpeg")
    assert "已附到" in li.text, li.text

    # The office's 核实 shows the report with its photo.
    clock.set(local(2026, 10, 12, 10))
    await office.say("核实")
    assert f"{COMPANY}（{UNIT}）5000万元" in office.text, office.text
    await office.press("1.")
    assert "银行进账单.jpg" in office.text, office.text
    await office.press("取回 1")
    assert [r.data for r in office.replies if isinstance(r, SendPhoto)] == [JPEG]

    before = cli("report", "ranking", "--month", "2026-10").ok().out
    assert "到位资金只计已核实的金额" in before
    assert unit_line(before).strip() == "到位资金 上报 5000万元｜已核实 0万元｜待核实 5000万元"

    clock.set(local(2026, 10, 12, 10, 20))
    await office.press("核实")
    assert f"已核实：“{COMPANY}”5000万元" in office.text, office.text
    after = cli("report", "ranking", "--month", "2026-10").ok().out
    assert unit_line(after).strip() == "到位资金 上报 5000万元｜已核实 5000万元｜待核实 0万元"
    # October as it stood before the verification is still what it was.
    as_of = cli("report", "ranking", "--month", "2026-10", "--as-of", "2026-10-12T10:10:00+08:00").ok().out
    assert unit_line(as_of) == unit_line(before)

    exported = {p["id"]: p for p in json.loads(cli("export", "projects", "--format", "json").ok().out)}[pid]
    assert (exported["funds_in_place_wan"], exported["funds_reported_wan"], exported["funds_verified_wan"]) == \
        (5000, 5000, 5000)
    csv_text = cli("export", "projects", "--format", "csv").ok().out
    assert "上报到位资金（万元）" in csv_text and "已核实到位资金（万元）" in csv_text

    book = tmp_path / "台账.xlsx"
    cli("report", "ledger", "--month", "2026-10", "--out", str(book)).ok()
    sheet = load_workbook(io.BytesIO(book.read_bytes()))["台账"]
    headers = [c.value for c in sheet[2]]
    row = next([c.value for c in r] for r in sheet.iter_rows(min_row=3) if r[0].value == pid)
    shown = {h: row[headers.index(h)] for h in ("到位资金（万元）", "上报到位资金（万元）", "已核实到位资金（万元）",
                                                 "待核实到位资金（万元）")}
    assert shown == {"到位资金（万元）": 5000, "上报到位资金（万元）": 5000, "已核实到位资金（万元）": 5000,
                     "待核实到位资金（万元）": 0}

    cli("ledger", "verify").ok()
    changed = JPEG[:100] + bytes([JPEG[100] ^ 1]) + JPEG[101:]
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE blobs SET data = :d"), {"d": changed})
    failed = cli("ledger", "verify")
    assert f"项目 #{pid} 的附件“银行进账单.jpg”" in failed.one_line_error() and "SHA-256 不符" in failed.err
