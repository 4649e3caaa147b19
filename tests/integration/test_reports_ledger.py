"""The monthly 台账 and the detail behind a figure, as of a month's end, on SQLite and PostgreSQL.

The scripted October of tests/integration/test_ranking.py (same projects, same amounts, same hand
calculation for the districts) plus what a 台账 shows: progress notes and next steps, problems
raised and resolved, a project still 在谈, a lead that is not tracked, a terminated project, a
central-SOE signing, a leader's trip, and a note in the last minutes of 31 October local time.
"""
from __future__ import annotations

import io
from datetime import date
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from core.clock import FixedClock
from core.names import normalize_company_name
from core.org import OrgConfig
from core.org_file import load_org
from core.stages import Stage
from core.usecases import projects as uc
from core.usecases.trips import TripDraft, log_trip
from core.usecases import leads as leads_uc
from reports.indicators import indicator_values
from reports.ranking import rank_month
from reports.workbook import ledger_xlsx
from reports.workbook_ranking import ranking_xlsx
from storage.database import Database
from storage.queries.figure_explanation import explain_figure
from storage.queries.monthly_ledger import ledger_rows, month_events, unit_names_of
from storage.queries.rankings import month_facts
from tests.conftest import local
from tests.helpers import MINI_ORG, member, setup_org
from tests.integration.test_ranking import act, lead, october

pytestmark = pytest.mark.asyncio
TZ = ZoneInfo("Asia/Shanghai")

# Every kind of indicator, so the detail of each can be checked against the ranking's own figures.
EXTRA_INDICATORS = """
[[indicators]]
code = "industrial_funds"
name = "工业项目到位资金"
kind = "industrial_funds"
unit = "万元"

[[indicators]]
code = "started_projects"
name = "新开工项目"
kind = "projects_reached"
stage = "started"
unit = "个"

[[indicators]]
code = "strong_enterprises"
name = "优强企业"
kind = "flagged_projects"
flag = "strong"
unit = "家"

[[indicators]]
code = "central_soe_contract"
name = "央企签约额"
kind = "central_soe_contract"
unit = "万元"

[[indicators]]
code = "funds_rate"
name = "资金到位率"
kind = "funds_rate"
unit = "%"

[[indicators]]
code = "start_rate"
name = "开工率"
kind = "start_rate"
unit = "%"

[[indicators]]
code = "performance_rate"
name = "履约率"
kind = "performance_rate"
unit = "%"

[[indicators]]
code = "leader_trips"
name = "领导外出招商"
kind = "leader_trips"
unit = "次"
"""


def every_kind_org() -> OrgConfig:
    return load_org(MINI_ORG.read_text(encoding="utf-8") + EXTRA_INDICATORS, "every_kind")


async def call(db: Database, who: str, fn, *args, **kwargs) -> Any:  # noqa: ANN001
    actor = await member(db, who)
    async with db.uow() as uow:
        result = await fn(uow, actor, *args, **kwargs)
        await uow.commit()
    return result


async def log(db: Database, who: str, name: str, **fields: Any) -> int:
    actor = await member(db, who)
    async with db.uow() as uow:
        p = await leads_uc.log_lead(uow, actor, leads_uc.LogLead(leads_uc.LeadDraft(name=name, normalized_name=normalize_company_name(name),
                                                        owner_unit=actor.unit, **fields)))
        await uow.commit()
    return p.id


async def october_ledger(db: Database, clock: FixedClock) -> dict[str, int]:
    """test_ranking's October (same order, same amounts) with a 台账's worth of notes and problems."""
    clock.set(local(2026, 9, 30, 9))
    await setup_org(db)
    clock.set(local(2026, 10, 3, 9))
    ids = {
        "east": await lead(db, "东小李", "东方电子有限公司", flags=frozenset({"industrial"})),
        "west": await lead(db, "西小张", "西部大酒店", category="hotel"),
        "sz": await lead(db, "李驻深", "深圳云计算有限公司", host="hitech"),
        "dept": await lead(db, "工信小刘", "城市管廊项目", category="guaranteed_infra"),
        "cs": await log(db, "长沙小周", "长沙智能装备有限公司", stage=Stage.NEGOTIATING, intended_wan=20_000,
                        industry="新能源汽车零部件", content="新建智能装备生产线"),
        "cs_lead": await log(db, "长沙小周", "长沙只是线索有限公司"),
        "dropped": await log(db, "西小张", "西区放弃项目有限公司", stage=Stage.NEGOTIATING),
        "soe": await log(db, "工信小刘", "中电科数据产业有限公司", flags=frozenset({"central_soe", "strong"}),
                         intended_wan=30_000),
    }
    clock.set(local(2026, 10, 5, 10))
    await act(db, "东小李", uc.change_stage, uc.ChangeStage(ids["east"], Stage.SIGNED, contract_wan=50_000))
    await act(db, "西小张", uc.change_stage, uc.ChangeStage(ids["west"], Stage.SIGNED, contract_wan=10_000))
    await act(db, "高新小陈", uc.change_stage, uc.ChangeStage(ids["sz"], Stage.SIGNED, contract_wan=30_000))
    await act(db, "工信小刘", uc.change_stage, uc.ChangeStage(ids["dept"], Stage.SIGNED, contract_wan=8_000))
    await act(db, "工信小刘", uc.change_stage, uc.ChangeStage(ids["soe"], Stage.SIGNED, contract_wan=20_000))
    clock.set(local(2026, 10, 10, 10))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(ids["east"], 20_000))
    await act(db, "西小张", uc.add_funds, uc.AddFunds(ids["west"], 8_000))
    await act(db, "高新小陈", uc.add_funds, uc.AddFunds(ids["sz"], 10_000))
    await act(db, "工信小刘", uc.add_funds, uc.AddFunds(ids["dept"], 4_000))
    await act(db, "工信小刘", uc.add_funds, uc.AddFunds(ids["soe"], 5_000))
    clock.set(local(2026, 10, 12, 10))
    await act(db, "东小李", uc.add_note, uc.AddNote(ids["east"], "完成厂房选址", next_steps="11月上旬举行开工仪式"))
    trip_leader = await member(db, "东区长")
    await act(db, "东小李", log_trip, TripDraft(traveller="东区长", destination="深圳", start_date=date(2026, 10, 12),
                                             end_date=date(2026, 10, 14), leader_member_id=trip_leader.id))
    clock.set(local(2026, 10, 15, 10))
    await call(db, "西小张", uc.raise_problem, uc.RaiseProblem(ids["west"], "用地指标不足，需市里协调"))
    power = await call(db, "东小李", uc.raise_problem, uc.RaiseProblem(ids["east"], "电力增容"))
    clock.set(local(2026, 10, 18, 10))
    ids["sz_problem"] = await call(db, "高新小陈", uc.raise_problem, uc.RaiseProblem(ids["sz"], "环评审批进度慢"))
    clock.set(local(2026, 10, 20, 10))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(ids["east"], 10_000))
    clock.set(local(2026, 10, 25, 10))
    await act(db, "东小李", uc.change_stage, uc.ChangeStage(ids["east"], Stage.STARTED))
    clock.set(local(2026, 10, 26, 10))
    await act(db, "西小张", uc.change_stage, uc.ChangeStage(ids["dropped"], Stage.TERMINATED, reason="企业战略调整"))
    clock.set(local(2026, 10, 28, 10))
    await act(db, "东小李", uc.resolve_problem, uc.ResolveProblem(ids["east"], power, "供电局已批复"))
    clock.set(local(2026, 10, 31, 23, 30))
    await act(db, "西小张", uc.add_note, uc.AddNote(ids["west"], "主体结构封顶"))
    # After the month (00:01 on 1 November in Shanghai is still 31 October in UTC).
    clock.set(local(2026, 11, 1, 0, 1))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(ids["east"], 5_000))
    await act(db, "西小张", uc.correct_project, uc.CorrectProject(ids["west"], {"category": "manufacturing"}))
    return ids


async def december(db: Database, clock: FixedClock, ids: dict[str, int]) -> None:
    """Later activity that must leave October's 台账 exactly as it was."""
    clock.set(local(2026, 12, 3, 10))
    await act(db, "东小李", uc.correct_project, uc.CorrectProject(ids["east"], {"name": "东方电子集团有限公司", "content": "扩建二期"}))
    await act(db, "东小李", uc.add_note, uc.AddNote(ids["east"], "二期设备进场", next_steps="12月底试生产"))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(ids["east"], 7_000))
    await act(db, "高新小陈", uc.resolve_problem, uc.ResolveProblem(ids["sz"], ids["sz_problem"], "已获批"))
    await act(db, "长沙小周", uc.change_stage, uc.ChangeStage(ids["cs"], Stage.TERMINATED, reason="转投他市"))
    await act(db, "西小张", uc.correct_project, uc.CorrectProject(ids["west"], {"responsible_person": "西区长"}))


async def october_of(db: Database, month: str = "2026-10") -> tuple[Any, Any, Any]:
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        names = unit_names_of(cfg.units)
        rows = await ledger_rows(uow.session, month, TZ, unit_names=names)
        events = await month_events(uow.session, month, TZ, unit_names=names)
        facts = await month_facts(uow.session, month, TZ)
    return rows, events, rank_month(cfg, facts)


def cells(data: bytes) -> dict[str, list[list[Any]]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


# -- the 台账 rows and the month's events ----------------------------------------------------


async def test_ledger_rows_are_the_tracked_projects_as_they_stood_at_the_end_of_october(
        db: Database, clock: FixedClock) -> None:
    ids = await october_ledger(db, clock)
    rows, events, _ = await october_of(db)
    by_id = {r.project_id: r for r in rows}
    # 在谈 or beyond and not 终止: the plain lead and the terminated project are not tracked.
    assert set(by_id) == {ids[k] for k in ("east", "west", "sz", "dept", "cs", "soe")}
    # Ordered by responsible unit in the org file's order (东区, 西区, 高新区, 市工信局, 驻长沙).
    assert [r.host_unit for r in rows] == ["east", "west", "hitech", "gongxin", "gongxin", "zhu_cs"]

    east = by_id[ids["east"]]
    assert (east.name, east.host_unit_name, east.owner_unit_name, east.responsible_person) == \
        ("东方电子有限公司", "东区", "东区", "东小李")
    assert (east.stage, east.contract_wan, east.funds_wan) == ("started", 50_000, 30_000)  # not November's 5000
    assert (east.progress, east.next_steps) == ("完成厂房选址", "11月上旬举行开工仪式")
    assert east.problems == ()  # raised 15 October, resolved 28 October
    assert east.last_update == local(2026, 10, 28, 10)

    west = by_id[ids["west"]]
    assert west.problems == ("用地指标不足，需市里协调",)
    assert west.progress == "主体结构封顶" and west.last_update == local(2026, 10, 31, 23, 30)
    sz = by_id[ids["sz"]]
    assert (sz.host_unit_name, sz.owner_unit_name, sz.responsible_person) == ("高新区", "驻深圳办事处", "李驻深")
    assert sz.problems == ("环评审批进度慢",)
    cs = by_id[ids["cs"]]
    assert (cs.stage, cs.intended_wan, cs.industry, cs.content, cs.contract_wan, cs.funds_wan) == \
        ("negotiating", 20_000, "新能源汽车零部件", "新建智能装备生产线", None, 0)

    # The month's events: 1 October 00:00 to 31 October 24:00 Shanghai time, in ledger order.
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert events[0].at == local(2026, 10, 3, 9) and events[0].type == "lead.logged"
    assert events[-1].at == local(2026, 10, 31, 23, 30) and events[-1].project == "西部大酒店"
    assert events[-1].actor == "西小张" and events[-1].unit_name == "西区"
    assert all(local(2026, 10, 1) <= e.at < local(2026, 11, 1) for e in events)
    assert len(events) == 8 + 5 + 5 + 2 + 3 + 1 + 1 + 1 + 1 + 1  # leads, stages, funds, note+trip, ...
    funds = [e for e in events if e.type == "project.funds_added" and e.project_id == ids["east"]]
    assert [e.payload["amount_wan"] for e in funds] == [20_000, 10_000]


async def test_the_ledger_workbook_has_its_sheets_and_stays_the_same_after_december(
        db: Database, clock: FixedClock) -> None:
    ids = await october_ledger(db, clock)
    rows, events, ranking = await october_of(db)
    first = ledger_xlsx(rows, events, ranking, month="2026-10")
    book = load_workbook(io.BytesIO(first))
    assert book.sheetnames == ["台账", "本月事件", "排名", "到位资金核查"]
    sheet = book["台账"]
    assert sheet.freeze_panes == "C3"
    title = sheet["A1"].value
    assert "2026年10月" in title and f"账本链头 #{ranking.head_seq} {ranking.head_hash[:16]}" in title
    headers = [c.value for c in sheet[2]]
    assert headers[1:7] == ["项目名称", "内容", "责任单位", "责任人", "进展情况", "推进计划"]  # seed 002
    assert headers[7:] == ["阶段", "首报单位", "产业链", "意向投资（万元）", "签约额（万元）", "到位资金（万元）",
                           "上报到位资金（万元）", "已核实到位资金（万元）", "待核实到位资金（万元）",
                           "问题（提请调度）", "最近更新"]
    assert "到位资金按上报计入" in title   # the test organisation leaves count_funds out: reported, as before
    assert all(c.font.bold for c in sheet[2])
    body = {r[0].value: r for r in sheet.iter_rows(min_row=3)}
    assert len(body) == 6
    east = [c.value for c in body[ids["east"]]]
    assert east[1:8] == ["东方电子有限公司", None, "东区", "东小李", "完成厂房选址", "11月上旬举行开工仪式", "开工"]
    # 到位资金 (what counts), then 上报 / 已核实 / 待核实: nothing verified yet, all of it waits.
    assert east[11:17] == [50_000, 30_000, 30_000, 0, 30_000, None]
    assert body[ids["east"]][12].number_format == "#,##0"
    assert [c.value for c in body[ids["west"]]][16] == "用地指标不足，需市里协调"
    # Widths fit the Chinese headers (two columns per character).
    assert sheet.column_dimensions["K"].width >= 2 * len("意向投资（万元）")

    ev_sheet = book["本月事件"]
    assert [c.value for c in ev_sheet[2]] == ["序号", "时间", "操作人", "单位", "类型", "项目", "摘要"]
    ev_rows = [[c.value for c in r] for r in ev_sheet.iter_rows(min_row=3)]
    assert len(ev_rows) == len(events)
    assert ev_rows[-1][2:6] == ["西小张", "西区", "进展", "西部大酒店"]
    assert ev_rows[-1][1].isoformat() == "2026-10-31T23:30:00"
    east_funds = [r for r in ev_rows if r[4] == "资金到位" and r[5] == "东方电子有限公司"]
    assert [r[6] for r in east_funds] == ["+2亿元（累计2亿元）", "+1亿元（累计3亿元）"]

    rank_sheet = book["排名"]
    ranked = {r[2]: r for r in ([c.value for c in row] for row in rank_sheet.iter_rows(min_row=3))}
    # test_ranking's hand calculation for the districts (the extra projects are elsewhere).
    assert (ranked["东区"][1], ranked["东区"][3]) == (1, 26.41)
    assert ranked["东区"][4] == 30_000 and ranked["西区"][4] == 5_600 and ranked["高新区"][4] == 5_000
    assert ranked["市科技局"][1] == "未设目标"
    assert rank_sheet.cell(row=3, column=8).number_format == "0.0%"
    checked = {r[0]: r[1:] for r in ([c.value for c in row] for row in book["到位资金核查"].iter_rows(min_row=3))}
    assert checked["东区"] == [30_000, 30_000, 0, 30_000]   # 计入考核, 上报, 已核实, 待核实

    await december(db, clock, ids)
    again = ledger_xlsx(*(await october_of(db)), month="2026-10")
    assert cells(again) == cells(first)
    december_rows, _, _ = await october_of(db, "2026-12")
    by_id = {r.project_id: r for r in december_rows}
    assert by_id[ids["east"]].name == "东方电子集团有限公司" and by_id[ids["east"]].funds_wan == 42_000
    assert by_id[ids["east"]].next_steps == "12月底试生产"
    assert by_id[ids["sz"]].problems == () and ids["cs"] not in by_id
    assert by_id[ids["west"]].responsible_person == "西区长"


async def test_a_month_without_projects_is_an_empty_ledger(db: Database) -> None:
    await setup_org(db)
    rows, events, ranking = await october_of(db, "2025-03")
    assert rows == [] and events == [] and ranking.empty
    book = cells(ledger_xlsx(rows, events, ranking, month="2025-03", empty_text="2025年3月……本月排名为空。"))
    assert len(book["台账"]) == 2 and "0 个在谈及以上项目" in book["台账"][0][0]
    # The 排名 sheet says the month is empty and ranks nobody.
    assert book["排名"] == [[book["排名"][0][0]], ["2025年3月……本月排名为空。"]]
    assert book["排名"][0][0].startswith("2025年3月 考核排名（账本链头 #")


# -- the ranking workbook ---------------------------------------------------------------------


async def test_the_ranking_workbook_has_one_sheet_per_peer_group(sqlite_db: Database, clock: FixedClock) -> None:
    await october(sqlite_db, clock)
    _, _, ranking = await october_of(sqlite_db)
    book = load_workbook(io.BytesIO(ranking_xlsx(ranking)))
    assert book.sheetnames == ["区县", "市直部门", "驻外办事处"]
    sheet = book["区县"]
    assert sheet.freeze_panes == "D3"
    assert [c.value for c in sheet[2]][:8] == ["名次", "单位", "得分", "到位资金完成值（万元）", "到位资金年度目标（万元）",
                                               "到位资金时序目标（万元）", "到位资金完成率", "到位资金得分"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert [r[:3] for r in rows] == [[1, "东区", 26.41], [2, "西区", 17.67], [3, "高新区", 10.51]]
    # 东区: 3亿 against 10亿 × 304/365 = 83287.67万 → 36.02 %, capped points 60 × 0.3602.
    assert rows[0][3:8] == [30_000, 100_000, 83_287.67, 0.3602, 21.61]
    assert sheet.cell(row=3, column=4).number_format == "#,##0"
    assert sheet.cell(row=3, column=7).number_format == "0.0%"
    dept = [[c.value for c in r] for r in book["市直部门"].iter_rows(min_row=3)]
    assert dept[-1][:2] == ["未设目标", "市科技局"]
    assert "按组内最高值折算" in book["驻外办事处"]["A1"].value


# -- which events produced a figure ---------------------------------------------------------


async def explain(db: Database, unit: str, indicator: str, cfg: OrgConfig | None = None) -> Any:
    async with db.uow(readonly=True) as uow:
        return await explain_figure(uow.session, cfg or await uow.org.config(), "2026-10", TZ, unit, indicator)


async def test_explain_lists_exactly_the_events_behind_a_figure(db: Database, clock: FixedClock) -> None:
    ids = await october_ledger(db, clock)
    east = await explain(db, "east", "funds_in_place")
    # 东区's October funds are the two fund events, 2亿 and 1亿 — not the 5000万 of 1 November.
    assert [(x.project_id, x.amount_wan, x.coefficient_pct, x.share_pct, x.counted) for x in east.lines] == \
        [(ids["east"], 20_000, 100, 100, 20_000), (ids["east"], 10_000, 100, 100, 10_000)]
    assert [x.at for x in east.lines] == [local(2026, 10, 10, 10), local(2026, 10, 20, 10)]
    assert east.value == 30_000
    async with db.uow(readonly=True) as uow:
        seqs = [e.seq for e in await uow.projects.events(ids["east"]) if e.type == "project.funds_added"]
    assert sorted(x.seq for x in east.lines) == sorted(seqs)[:2]

    # 高新区 hosts 驻深圳's project: 50% of its 1亿 (seed 004); 驻深圳 counts the same event fully.
    hitech = await explain(db, "hitech", "funds_in_place")
    assert [(x.project, x.amount_wan, x.share_pct, x.counted) for x in hitech.lines] == \
        [("深圳云计算有限公司", 10_000, 50, 5_000)]
    sz = await explain(db, "zhu_sz", "funds_in_place")
    assert [(x.seq, x.share_pct, x.counted) for x in sz.lines] == [(hitech.lines[0].seq, 100, 10_000)]
    signed = await explain(db, "hitech", "signed_projects")
    assert [(x.project, x.share_pct, x.counted) for x in signed.lines] == [("深圳云计算有限公司", 50, 1)]
    # A hotel counts 70%; guaranteed-return infrastructure is listed but counts nothing.
    west = await explain(db, "west", "funds_in_place")
    assert [(x.amount_wan, x.coefficient_pct, x.counted) for x in west.lines] == [(8_000, 70, 5_600)]
    gongxin = await explain(db, "gongxin", "funds_in_place")
    assert {x.project: x.counted for x in gongxin.lines} == {"城市管廊项目": 0, "中电科数据产业有限公司": 5_000}
    assert next(x.note for x in gongxin.lines if x.project == "城市管廊项目") == "政府保证回报的基础设施"


async def test_every_figure_of_every_unit_adds_up_from_its_events(db: Database, clock: FixedClock) -> None:
    await october_ledger(db, clock)
    cfg = every_kind_org()
    async with db.uow(readonly=True) as uow:
        values = indicator_values(cfg, await month_facts(uow.session, "2026-10", TZ))
    seen_nonzero = set()
    for unit, row in values.items():
        for code, value in row.items():
            x = await explain(db, unit, code, cfg)
            assert x.value == value, (unit, code, x.value, value, x.lines)
            if value:
                seen_nonzero.add(code)
    # Each kind had something to explain in this October (so the comparison above meant something).
    assert seen_nonzero == {ind.code for ind in cfg.indicators}
    trips = await explain(db, "east", "leader_trips", cfg)
    assert [(x.project, x.counted) for x in trips.lines] == [("东区长 赴深圳（2026-10-12）", 1)]
    soe = await explain(db, "gongxin", "central_soe_contract", cfg)
    assert [(x.project, x.amount_wan, x.counted) for x in soe.lines] == [("中电科数据产业有限公司", 20_000, 20_000)]
    rate = await explain(db, "hitech", "funds_rate", cfg)
    assert (rate.numerator, rate.denominator, rate.value) == (10_000, 30_000, Fraction(100, 3))

