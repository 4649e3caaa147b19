"""`zsbot import projects`' core path on both databases: sheets in real-world shapes made with openpyxl,
every refusal named, duplicates within the file and against the ledger, dry run, idempotent re-import,
an updated file recording only what changed, and the export → import round trip."""
from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from bot.importer.report import report_xlsx
from bot.importer.run import ImportResult, import_sheet
from bot.importer.sheet_file import Sheet, read_sheet
from core.clock import FixedClock
from core.social_credit_code import check_character, org_check_character
from core.stages import Stage
from handlers.importing.headers import Synonyms
from reports.exports import sheet_rows, to_xlsx
from storage import ledger
from storage.database import Database
from storage.queries.export import all_projects
from tests.conftest import TZ, local
from tests.helpers import setup_org

pytestmark = pytest.mark.asyncio


def code(org8: str) -> str:
    first17 = "91520100" + org8 + org_check_character(org8)
    return first17 + check_character(first17)


BYD, HW = code("MA6DK3P1"), code("MA6DK3P2")


def office_sheet(path: Path, *, funds_byd: Any = 2, stage_hw: str = "在谈") -> Path:
    """A 台账 as offices keep it: a merged title, a 单位 line, a two-row merged header, 亿元 and 万元 columns,
    Excel and text dates, blank rows, a 合计 row, and a second sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "2026年台账"
    ws.append(["测试市2026年招商引资重点项目台账"])
    ws.merge_cells("A1:K1")
    ws.append(["单位：亿元"])
    ws.append(["序号", "项目名称", "投资主体", "统一社会信用代码", "投资情况", "投资情况", "投资情况", "项目进度",
               "责任单位", "签约时间", "开工时间", "对接人"])
    ws.merge_cells("E3:G3")
    ws.append([None, None, None, None, "总投资", "签约额（万元）", "到位资金", None, None, None, None, None])
    ws.append([1, "新能源电池", "比亚迪股份有限公司", BYD, 20, 150000, funds_byd, "已开工", "东区",
               datetime(2026, 3, 5), "2026年6月1日", "王经理"])
    ws.append([])
    ws.append([2, "数据中心", "华为技术有限公司", HW, "5000万", None, None, stage_hw, "西区", None, None, "-"])
    ws.append([3, "坏行", "某某公司", "91520100MA6DK3P1X9", "abc", None, None, "火箭", "火星区", "2026.13.5", None,
               None])
    ws.append([4, "重复", "比亚迪（深圳）有限公司", None, 1, None, None, "在谈", "东区", None, None, None])
    ws.append([5, "超额", "贵州磷化集团有限责任公司", None, 1, 5000, 2, "签约", "东区", 46100, None, None])
    ws.append([])
    ws.append(["合计", None, None, None, 26.5, 155000, 4])
    other = wb.create_sheet("说明")
    other.append(["本表由办公室填报"])
    wb.save(path)
    return path


async def run_import(db: Database, clock: FixedClock, path: Path, *, dry_run: bool = False,
                     sheet: str | None = None) -> ImportResult:
    return await import_sheet(db, clock, read_sheet(path, sheet), actor_name=None, default_unit=None,
                              synonyms=Synonyms(), tz=TZ, dry_run=dry_run)


async def count_events(db: Database) -> int:
    async with db.uow(readonly=True) as uow:
        seq, _ = await ledger.head(uow.session)
    return seq


@pytest.fixture
async def org_db(db: Database, clock: FixedClock) -> Database:
    clock.set(local(2026, 1, 2, 9))
    await setup_org(db)
    clock.set(local(2026, 11, 2, 10))
    return db


async def test_an_office_sheet_imports_with_every_row_explained(org_db: Database, clock: FixedClock,
                                                                tmp_path: Path) -> None:
    db = org_db
    path = office_sheet(tmp_path / "台账.xlsx")
    result = await run_import(db, clock, path)
    by_row = {r.number: r for r in result.rows}
    assert (result.count("imported"), result.count("refused"), result.count("duplicate")) == (2, 2, 1)
    assert by_row[12].status == "skipped"                       # 合计
    bad = by_row[8].message
    for reason in ("校验", "火星区", "“总投资”的金额“abc”", "火箭", "2026.13.5"):
        assert reason in bad, (reason, bad)
    assert "第 5 行" in by_row[9].message                       # the same company as row 5
    assert "超过签约额" in by_row[10].message
    async with db.uow(readonly=True) as uow:
        projects = {p.name: p for p in await all_projects(uow.session)}
        byd = projects["比亚迪股份有限公司"]
        assert (byd.stage, byd.intended_wan, byd.contract_wan, byd.funds_wan) == (Stage.STARTED, 200000, 150000,
                                                                                  20000)
        assert (byd.credit_code, byd.responsible_unit, byd.contact) == (BYD, "east", "王经理")
        assert "项目名称：新能源电池" in (byd.content or "")
        hw = projects["华为技术有限公司"]
        assert (hw.stage, hw.intended_wan, hw.responsible_unit, hw.contact) == (Stage.NEGOTIATING, 5000, "west", None)
        events = await uow.projects.events(byd.id)
        verified = await ledger.verify(uow.session)
    assert verified.ok
    dated = {e.type: e.at.astimezone(TZ).date() for e in events}
    assert dated["project.stage_changed"] in (date(2026, 3, 5), date(2026, 6, 1))
    assert dated["lead.logged"] == date(2026, 3, 5)             # on the first date the row gives
    for e in events:
        assert e.payload["imported"]["file_sha256"] == result.sha256
        assert (e.payload["imported"]["sheet"], e.payload["imported"]["row"]) == ("2026年台账", 5)
    report = load_workbook(io.BytesIO(report_xlsx(read_sheet(path), result))).active
    assert report is not None
    assert report.cell(4, 13).value == "导入结果"
    assert str(report.cell(5, 13).value).startswith("导入：") and "未导入：" in str(report.cell(8, 13).value)


async def test_dry_run_writes_nothing_and_re_import_adds_nothing(org_db: Database, clock: FixedClock,
                                                                 tmp_path: Path) -> None:
    db = org_db
    path = office_sheet(tmp_path / "台账.xlsx")
    before = await count_events(db)
    dry = await run_import(db, clock, path, dry_run=True)
    assert await count_events(db) == before and dry.count("imported") == 2 and dry.events > 0
    real = await run_import(db, clock, path)
    assert real.events == dry.events and await count_events(db) == before + real.events
    again = await run_import(db, clock, path)
    assert (again.count("imported"), again.count("unchanged"), again.events) == (0, 2, 0)
    assert await count_events(db) == before + real.events
    updated = office_sheet(tmp_path / "台账2.xlsx", funds_byd=3, stage_hw="已签约")
    third = await run_import(db, clock, updated)
    assert (third.count("updated"), third.count("imported")) == (1, 0)
    # 华为 has no contract amount in the sheet: moving it to 签约 is refused with the reason, nothing else changes.
    hw_row = next(r for r in third.rows if r.number == 7)
    assert hw_row.status == "refused" and "签约额" in hw_row.message
    async with db.uow(readonly=True) as uow:
        byd = next(p for p in await all_projects(uow.session) if p.credit_code == BYD)
        assert byd.funds_wan == 30000
        assert [e.type for e in await uow.projects.events(byd.id)][-1] == "project.funds_added"
        assert (await ledger.verify(uow.session)).ok


async def test_a_ledger_entry_is_a_duplicate_not_a_merge(org_db: Database, clock: FixedClock, tmp_path: Path) -> None:
    from core.names import normalize_company_name
    from core.usecases import leads
    from tests.helpers import member

    db = org_db
    actor = await member(db, "东小李")
    async with db.uow() as uow:
        draft = leads.LeadDraft(name="华为技术有限公司", normalized_name=normalize_company_name("华为技术有限公司"),
                                owner_unit="east")
        chat = await leads.log_lead(uow, actor, leads.LogLead(draft))
        await uow.commit()
    result = await run_import(db, clock, office_sheet(tmp_path / "台账.xlsx"))
    row = next(r for r in result.rows if r.number == 7)
    assert row.status == "duplicate" and f"#{chat.id}" in row.message


async def test_possible_duplicates_are_imported_flagged_with_the_chats_levels(org_db: Database, clock: FixedClock,
                                                                             tmp_path: Path) -> None:
    """A similar name, a related name in the same chain with an amount within 20%, the same phone — against the
    ledger and against an earlier row: imported, recorded as 疑似重复 (duplicate_of), never merged or dropped."""
    from core.names import normalize_company_name
    from core.usecases import leads
    from tests.helpers import member

    db = org_db
    actor = await member(db, "东小李")
    async with db.uow() as uow:
        def draft(name: str, **kw: Any) -> leads.LeadDraft:
            return leads.LeadDraft(name=name, normalized_name=normalize_company_name(name), owner_unit="east", **kw)
        byd = await leads.log_lead(uow, actor, leads.LogLead(draft("比亚迪汽车有限公司", industry="新能源汽车零部件",
                                                                   intended_wan=200000)))
        catl = await leads.log_lead(uow, actor, leads.LogLead(draft("宁德时代", contact="张三 0851-83661761")))
        await uow.commit()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["项目名称", "产业链", "总投资（万元）", "联系人及电话", "责任单位"])
    ws.append(["比亚迪电子有限公司", "新能源汽车零部件", 180000, None, "东区"])         # 2: related, chain, -10%
    ws.append(["比亚迪电子有限公司二期", "电子信息制造", 5000, None, "东区"])           # 3: similar to row 2
    ws.append(["万华化学集团", "现代化工", 3000, "李四 085183661761", "西区"])         # 4: the phone of 宁德时代
    ws.append(["贵州轮胎", "现代化工", 3000, "王五 13800000001", "西区"])             # 5: nothing alike
    ws.append(["茅台酒业", "现代服务业", 800, "赵六 138-0000-0001", "西区"])          # 6: row 5's phone
    ws.append(["比亚迪电子有限公司", "新能源汽车零部件", 1000, None, "东区"])          # 7: row 2 again: a duplicate
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    before = await count_events(db)
    dry = await run_import(db, clock, path, dry_run=True)
    assert await count_events(db) == before
    result = await run_import(db, clock, path)
    for r in (dry, result):
        by = {x.number: x for x in r.rows}
        assert [by[n].status for n in range(2, 8)] == ["possible", "possible", "possible", "imported", "possible",
                                                      "duplicate"]
        assert f"#{byd.id}" in by[2].message and "名称开头相同、产业链相同、意向投资额相差不到20%" in by[2].message
        assert "本表第 2 行" in by[3].message and "名称相近" in by[3].message
        assert f"#{catl.id}" in by[4].message and "联系电话相同" in by[4].message
        assert "本表第 5 行" in by[6].message and "联系电话相同" in by[6].message
        assert r.count("possible") == 4
    async with db.uow(readonly=True) as uow:
        projects = {p.name: p for p in await all_projects(uow.session)}
    assert projects["比亚迪电子有限公司"].duplicate_of == byd.id
    assert projects["万华化学集团"].duplicate_of == catl.id
    assert projects["比亚迪电子有限公司二期"].duplicate_of == projects["比亚迪电子有限公司"].id
    assert projects["茅台酒业"].duplicate_of == projects["贵州轮胎"].id
    assert projects["贵州轮胎"].duplicate_of is None
    again = await run_import(db, clock, path)
    assert again.events == 0 and again.count("unchanged") == 5


async def test_export_then_import_gives_the_same_projects(org_db: Database, clock: FixedClock, tmp_path: Path,
                                                          sqlite_template: Path) -> None:
    import shutil

    shutil.copy(sqlite_template, tmp_path / "empty.db")
    db = org_db
    await run_import(db, clock, office_sheet(tmp_path / "台账.xlsx"))
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        source = await all_projects(uow.session)
    from texts import t
    from core.org import FLAGS
    exported = tmp_path / "导出.xlsx"
    exported.write_bytes(to_xlsx(sheet_rows(source, cfg, TZ, {f: t(f"flag.{f}") for f in FLAGS})))
    other_clock = FixedClock(local(2026, 1, 2, 9))
    other = Database(f"sqlite:///{tmp_path / 'empty.db'}", other_clock)
    try:
        await setup_org(other)
        other_clock.set(local(2026, 11, 3, 10))
        result = await run_import(other, other_clock, exported)
        assert result.count("imported") == len(source), result.rows
        async with other.uow(readonly=True) as uow:
            copied = await all_projects(uow.session)
    finally:
        await other.dispose()

    def shape(ps: list[Any]) -> list[tuple[Any, ...]]:
        return sorted((p.name, p.credit_code, p.stage, p.intended_wan, p.contract_wan, p.funds_wan, p.owner_unit,
                       p.responsible_unit, p.flags, p.industry) for p in ps)

    assert shape(copied) == shape(source)


async def test_csv_and_a_second_sheet(org_db: Database, clock: FixedClock, tmp_path: Path) -> None:
    db = org_db
    csv = tmp_path / "台账.csv"
    csv.write_bytes("项目名称,计划总投资（万元）,阶段,责任单位,登记时间\r\n遵义某某科技有限公司,8000,洽谈中,东区,2026/4/1\r\n"
                    .encode("gb18030"))
    result = await run_import(db, clock, csv)
    assert result.count("imported") == 1
    async with db.uow(readonly=True) as uow:
        p = (await all_projects(uow.session))[0]
    assert (p.intended_wan, p.stage, p.created_at.astimezone(TZ).date()) == (8000, Stage.NEGOTIATING, date(2026, 4, 1))
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.append(["封面"])
    second = wb.create_sheet("项目")
    second.append(["企业名称", "总投资（亿元）", "责任单位"])
    second.append(["六盘水某某材料有限公司", 1.2345, "西区"])
    wb.save(tmp_path / "两表.xlsx")
    result = await run_import(db, clock, tmp_path / "两表.xlsx", sheet="项目")
    assert result.count("imported") == 1 and result.sheet == "项目"



def plain_sheet(path: Path, rows: list[tuple[str, str]]) -> Path:
    """One row per (company, 责任单位), each signed for 800 万元."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["项目名称", "项目进度", "责任单位", "签约额（万元）"])
    for name, unit in rows:
        ws.append([name, "已签约", unit, 800])
    wb.save(path)
    return path


async def test_rows_the_ledger_refuses_leave_none_of_their_events(org_db: Database, clock: FixedClock,
                                                                  tmp_path: Path) -> None:
    """A district's member imports a sheet with other districts' rows: each is logged for the member's unit,
    then its move to 签约 is refused by the use case (the project is another unit's); none of those rows' events
    stay, the others are recorded, and the dry run says the same."""
    db = org_db
    before = await count_events(db)
    rows = [("甲乙科技有限公司", "西区"), ("丙丁电子有限公司", "东区"), ("戊己物流有限公司", "西区"),
            ("庚辛数据有限公司", "西区")]
    sheet = read_sheet(plain_sheet(tmp_path / "台账.xlsx", rows))
    results = [await import_sheet(db, clock, sheet, actor_name="东小李", default_unit=None, synonyms=Synonyms(),
                                  tz=TZ, dry_run=dry) for dry in (True, False)]
    for result in results:
        assert [(r.number, r.status) for r in result.rows] == [
            (2, "refused"), (3, "imported"), (4, "refused"), (5, "refused")]
        assert all("本单位" in r.message for r in result.rows if r.status == "refused")
        assert result.events == 2                          # 丙丁's lead and its move to 签约
    assert await count_events(db) == before + 2
    async with db.uow(readonly=True) as uow:
        assert [(p.name, p.stage) for p in await all_projects(uow.session) if "有限公司" in p.name
                and p.name[:2] in ("甲乙", "丙丁", "戊己", "庚辛")] == [("丙丁电子有限公司", Stage.SIGNED)]
        assert (await ledger.verify(uow.session)).ok
