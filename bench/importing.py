"""How long `zsbot import projects` takes on a 5,000-row 台账 (target: under 30 s on SQLite), per engine.

The sheet is made here the way offices keep one (a title row, a 单位 line, 亿元 and 万元 columns, Excel and
text dates, stages by their variants, unit names, some credit codes, a few refused and duplicate rows) over the
bundled organisation with no history (`zsbot init --demo --empty`). Measured: reading the file, the dry run,
the real import (the events through the use cases in one transaction) and the same file again (nothing added).
Printed, and returned for bench/results/.
"""
from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROWS = 5_000
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)
STAGES = ("线索", "在谈", "洽谈中", "已签约", "签约", "已落地", "已开工", "在建", "已投产")
SIGNED = {"已签约", "签约", "已落地", "已开工", "在建", "已投产"}
STARTED = {"已开工", "在建", "已投产"}
WORDS = tuple("华信达通恒源科创瑞泰鑫安博凯远盛德丰嘉宏润隆兴昌和祥泽汇锦辉航宇振骏弘腾豪诚卓峰")
KINDS = ("科技", "电子", "新材料", "精密制造", "数据", "生物医药", "食品", "物流", "能源", "汽车零部件")


def credit_code(n: int) -> str:
    from core.social_credit_code import check_character, org_check_character

    org8 = f"MA{n:06d}"
    first17 = "91520100" + org8 + org_check_character(org8)
    return first17 + check_character(first17)


def make_sheet(path: Path, units: list[str], industries: list[str], rows: int = ROWS, seed: int = 5000) -> Path:
    from openpyxl import Workbook

    rnd = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "2026年项目台账"
    ws.append(["贵阳贵安2026年招商引资项目台账"])
    ws.merge_cells("A1:N1")
    ws.append(["填报单位：市投资促进局", None, None, None, "金额单位：见表头"])
    ws.append(["序号", "项目名称", "统一社会信用代码", "所属产业链", "总投资（亿元）", "签约额（万元）", "到位资金（万元）",
               "项目进度", "责任单位", "签约时间", "开工时间", "联系人及电话", "备注", "录入人"])
    start = date(2026, 1, 5)
    for i in range(rows):
        name = "".join(rnd.sample(WORDS, 4)) + rnd.choice(KINDS) + "有限公司"
        stage = rnd.choice(STAGES)
        total_yi = round(rnd.uniform(0.2, 30), 2)
        contract = int(total_yi * 10_000 * rnd.uniform(0.6, 1.0)) if stage in SIGNED else None
        funds = int(contract * rnd.uniform(0, 0.6)) if contract and stage in STARTED else None
        signed_on = start + timedelta(days=rnd.randrange(0, 200)) if stage in SIGNED else None
        started_on = signed_on + timedelta(days=rnd.randrange(10, 90)) if signed_on and stage in STARTED else None
        signed_cell: Any = None
        if signed_on is not None:   # offices mix Excel dates and text dates in one column
            signed_cell = rnd.choice([datetime.combine(signed_on, datetime.min.time()),
                                      f"{signed_on.year}.{signed_on.month}.{signed_on.day}",
                                      f"{signed_on.year}年{signed_on.month}月{signed_on.day}日"])
        code = credit_code(i) if i % 3 == 0 else None
        if i % 250 == 7:
            code = "91520100MA6DK3P1X9"          # a bad checksum: refused, the row names why
        if i % 400 == 11 and i > 0:
            name = ws.cell(4 + i - 1, 2).value   # the row above again: a duplicate within the file
        ws.append([i + 1, name, code, rnd.choice(industries), total_yi, contract, funds, stage, rnd.choice(units),
                   signed_cell, started_on.isoformat() if started_on else None,
                   f"{rnd.choice('王李张刘陈杨')}经理 0851-8{rnd.randrange(1_000_000, 9_999_999)}", None, "办公室"])
    ws.append(["合计", None, None, None, None, None, None])
    wb.save(path)
    return path


async def measure(urls: dict[str, str], fresh: Any, rows: int = ROWS) -> list[dict[str, Any]]:
    from bot.composition import read_org_file
    from bot.config import BUNDLED_ORG
    from bot.demo_history import initialise_demo
    from bot.importer.run import COUNTED, import_sheet
    from bot.importer.sheet_file import read_sheet
    from core.clock import FixedClock
    from handlers.importing.headers import Synonyms
    from storage.database import Database

    org = read_org_file(BUNDLED_ORG)
    units = [u.name for u in org.units if u.peer_group]
    work = Path(tempfile.mkdtemp())
    path = make_sheet(work / "台账.xlsx", units, list(org.industries), rows)
    size_kb = path.stat().st_size // 1024
    out = []
    for engine, url in urls.items():
        await fresh(engine)
        clock = FixedClock(NOW)
        db = Database(url, clock)
        await initialise_demo(db, clock, org, today=date(2026, 12, 2), now=NOW, tz=TZ, history=False)
        row: dict[str, Any] = {"engine": engine, "rows": rows, "file_kb": size_kb}
        # CPU seconds beside the wall clock: on a shared machine the wall clock says mostly how loaded it was.
        t0, c0 = time.perf_counter(), time.process_time()
        sheet = read_sheet(path)
        row["read_s"], row["read_cpu_s"] = round(time.perf_counter() - t0, 2), round(time.process_time() - c0, 2)
        for phase, dry in (("dry_run", True), ("import", False), ("again", False)):
            clock.set(NOW + timedelta(minutes=len(row)))
            t0, c0 = time.perf_counter(), time.process_time()
            result = await import_sheet(db, clock, sheet, actor_name=None, default_unit=None, synonyms=Synonyms(),
                                        tz=TZ, dry_run=dry)
            row[f"{phase}_s"] = round(time.perf_counter() - t0, 2)
            row[f"{phase}_cpu_s"] = round(time.process_time() - c0, 2)
            row[f"{phase}_counts"] = {s: result.count(s) for s in COUNTED}
            row[f"{phase}_events"] = result.events
        row["whole_s"] = round(row["read_s"] + row["import_s"], 2)
        row["whole_cpu_s"] = round(row["read_cpu_s"] + row["import_cpu_s"], 2)
        row["load_average"] = os.getloadavg()[0]
        await db.dispose()
        print(f"  {engine}: {rows:,} rows ({size_kb} KB): read {row['read_s']} s, dry run {row['dry_run_s']} s, "
              f"import {row['import_s']} s ({row['import_events']:,} events; {row['import_counts']}), "
              f"read + import {row['whole_s']} s (CPU {row['whole_cpu_s']} s), again {row['again_s']} s "
              f"({row['again_events']} events); load average {row['load_average']:.1f}", flush=True)
        out.append(row)
    return out
