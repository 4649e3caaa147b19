"""/report 半月报 and /observe 季观摩 in chat: the walk through a unit's projects, a restart in the
middle, on time and late, the reminder's button, and naming an observation project."""
from __future__ import annotations

import json
from datetime import date, timezone

import pytest

from core import events as ev
from core.events import OBSERVATION_NAMED, REPORT_SUBMITTED
from core.stages import Stage
from core.usecases.leads import LeadDraft, LogLead, log_lead
from storage.database import Database
from tests.calendar_support import file_report, local, outbox, setup_calendar_org, tick_at
from tests.conversation import conversations, events, registered, state_of
from tests.helpers import member

pytestmark = pytest.mark.asyncio


async def east_projects(db: Database) -> list[int]:
    """Three projects of 东区, logged on 1 Nov 2026."""
    me = await member(db, "东小李")
    db.clock.set(local(2026, 11, 1, 10, 0))
    ids = []
    async with db.uow() as uow:
        for name, amount in (("比亚迪电池", 200_000), ("奇瑞零部件", 30_000), ("华为云数据中心", 80_000)):
            p = await log_lead(uow, me, LogLead(LeadDraft(name=name, normalized_name=name, owner_unit="east",
                                                  intended_wan=amount)))
            ids.append(p.id)
        await uow.commit()
    return ids


async def submission(db: Database, unit: str, period: str):  # noqa: ANN201
    async with db.uow(readonly=True) as uow:
        return await uow.reports.submission(unit, period)


async def test_walk_through_every_project_then_confirm(sqlite_db: Database) -> None:
    db = sqlite_db
    await setup_calendar_org(db, bind=False)
    ids = await east_projects(db)
    conv = conversations(db)
    li = await registered(db, conv, "东小李")
    db.clock.set(local(2026, 12, 8, 10, 0))
    await li.say("半月报")
    assert "开始填报东区12月10日期半月报（截止12月10日（周四）），共 3 个在库项目" in li.text
    assert "（1/3）#%d 比亚迪电池" % ids[0] in li.text
    assert li.labels == ["无变化", "更新进展", "阶段变更", "问题"]  # a 线索 has no funds to report
    await li.press("无变化")
    assert "（2/3）#%d 奇瑞零部件" % ids[1] in li.text
    await li.press("更新进展")
    await li.say("已完成厂房选址，下周签约")
    assert "已记录“奇瑞零部件”的更新进展。" in li.text
    assert "本次已记录：更新进展" in li.text and li.labels[0] == "完成，下一个"
    await li.press("完成，下一个")
    assert "（3/3）#%d 华为云数据中心" % ids[2] in li.text
    await li.press("阶段变更")
    await li.press("签约")
    await li.say("6亿")
    assert "已记录“华为云数据中心”的阶段变更。" in li.text
    assert li.labels == ["完成，下一个", "更新进展", "阶段变更", "到位资金", "问题"]  # signed now: funds offered
    await li.press("到位资金")
    await li.say("1.5亿")
    await li.press("问题")
    await li.say("需要协调110千伏变电站接入")
    await li.press("完成，下一个")
    assert "东区12月10日期半月报汇总：" in li.text
    assert f"· #{ids[0]} 比亚迪电池：无变化" in li.text
    assert f"· #{ids[2]} 华为云数据中心：阶段变更、到位资金、问题" in li.text
    assert "共 3 个项目：有更新 2 个，无变化 1 个。" in li.text and "现在报送记为按时" in li.text
    await li.press("确认报送")
    assert "已报送东区12月10日期半月报（按时，3 个项目）" in li.text

    done = await submission(db, "east", "2026-12-10")
    assert done is not None and done.on_time and (done.projects, done.updated, done.unchanged) == (3, 2, 1)
    [e] = await events(db, REPORT_SUBMITTED)
    assert e.payload["entries"][2]["actions"] == ["stage", "funds", "problem"]
    assert len(e.payload["entries"][2]["seqs"]) == 3
    types = [x.type for x in await events(db) if x.project_id in ids and x.type != ev.LEAD_LOGGED]
    assert types == [ev.NOTE_ADDED, ev.STAGE_CHANGED, ev.FUNDS_ADDED, ev.PROBLEM_RAISED]
    async with db.uow(readonly=True) as uow:
        hw = await uow.projects.get(ids[2])
    assert hw is not None and hw.stage is Stage.SIGNED and hw.contract_wan == 60_000 and hw.funds_wan == 15_000
    await li.say("半月报")
    assert "东区12月10日期半月报已于 12-08 10:00 报送（按时），无需重复报送。" in li.text


async def test_the_walk_survives_a_restart_in_the_middle(sqlite_db: Database, sqlite_url: str) -> None:
    db = sqlite_db
    await setup_calendar_org(db, bind=False)
    ids = await east_projects(db)
    li = await registered(db, conversations(db), "东小李")
    db.clock.set(local(2026, 12, 9, 16, 0))
    await li.say("/report")
    await li.press("无变化")
    await li.press("更新进展")
    await li.say("签约仪式定于12月15日")
    pending = li.button("完成，下一个")
    await db.dispose()

    # A new process: new engine, new conversation core, the same database file.
    db2 = Database(sqlite_url, db.clock)
    try:
        li.db, li.conv = db2, conversations(db2)
        state = await state_of(db2, await member(db2, "东小李"))
        assert state.flow == "report" and state.data["i"] == 1
        await li.payload(pending.payload)
        assert "（3/3）#%d 华为云数据中心" % ids[2] in li.text
        await li.press("无变化")
        await li.press("确认报送")
        assert "已报送东区12月10日期半月报（按时，3 个项目）" in li.text
        [e] = await events(db2, REPORT_SUBMITTED)
        assert [x["actions"] for x in e.payload["entries"]] == [[], ["note"], []]
    finally:
        await db2.dispose()


async def test_after_the_deadline_the_report_is_late_and_the_reminder_button_opens_it(sqlite_db: Database) -> None:
    db = sqlite_db
    await setup_calendar_org(db)
    await tick_at(db, local(2026, 12, 11, 9, 0))
    li_id = (await member(db, "李驻深")).id
    [row] = [r for r in await outbox(db, "report.overdue") if r.member_id == li_id]
    button = json.loads(row.action)["buttons"][0][0]
    assert button == {"label": "立即补报", "payload": "s:report:2026-12-10"}
    li = await registered(db, conversations(db), "李驻深", sender_id=f"c{li_id}")
    db.clock.set(local(2026, 12, 11, 10, 0))
    await li.payload(button["payload"])
    assert "开始补报驻深圳办事处12月10日期半月报（已于12月10日（周四）截止，将记为逾期），共 0 个在库项目" in li.text
    assert "本单位暂无在库项目，将作零报告。" in li.text and "已过截止时间，现在报送记为逾期" in li.text
    await li.press("确认报送")
    assert "已报送驻深圳办事处12月10日期半月报（逾期，0 个项目）" in li.text
    done = await submission(db, "zhu_sz", "2026-12-10")
    assert done is not None and not done.on_time
    # The office list the next working day counts it as late, not missing.
    await tick_at(db, local(2026, 12, 14, 9, 0))
    [office] = [json.loads(r.action)["text"] for r in await outbox(db, "report.overdue_list")]
    assert "逾期补报：驻深圳办事处" in office and "驻深圳办事处" not in office.split("未报送：")[1].split("\n")[0]


async def test_report_refusals_a_unit_that_does_not_report_and_a_future_period(sqlite_db: Database) -> None:
    db = sqlite_db
    await setup_calendar_org(db, bind=False)
    conv = conversations(db)
    db.clock.set(local(2026, 12, 8, 10, 0))
    office = await registered(db, conv, "王办公")
    await office.say("半月报")
    assert office.text == "市投资促进局不需要报送半月报。如有疑问请联系大招商办。"
    li = await registered(db, conv, "李驻深")
    await li.payload("s:report:2027-01-10")
    assert "1月10日期还没开始填报，当前是12月10日期" in li.text
    await li.payload("s:report:2026-12-11")
    assert "“2026-12-11”不是半月报期次" in li.text
    # A missed earlier period is mentioned, and can be filed late by naming it.
    await li.say("半月报")
    assert "另：11月25日期半月报尚未报送，填完本期后可发“/report 2026-11-25”补报。" in li.text
    await li.say("/cancel")
    await li.say("/report 2026-11-25")
    await li.press("确认报送")
    assert "已报送驻深圳办事处11月25日期半月报（逾期，0 个项目）" in li.text


async def test_pressing_start_again_mid_walk_continues_instead_of_restarting(sqlite_db: Database) -> None:
    db = sqlite_db
    await setup_calendar_org(db, bind=False)
    await east_projects(db)
    li = await registered(db, conversations(db), "东小李")
    db.clock.set(local(2026, 12, 9, 10, 0))
    await li.say("半月报")
    await li.press("无变化")
    await li.payload("s:report:2026-12-10")
    assert "继续填报12月10日期半月报" in li.text and "（2/3）" in li.text
    # Idle for two hours the walk is paused; the reminder's button picks it up again.
    db.clock.advance(hours=2)  # type: ignore[attr-defined]
    await li.payload("s:report:2026-12-10")
    assert "已暂停" in li.text and "继续填报12月10日期半月报" in li.text and "（2/3）" in li.text
    await li.press("无变化")
    assert "（3/3）" in li.text


async def test_a_district_names_its_observation_project_from_the_reminder(sqlite_db: Database) -> None:
    db = sqlite_db
    await setup_calendar_org(db)
    await east_projects(db)
    await tick_at(db, local(2026, 10, 8, 9, 0))
    chen = await member(db, "东小李")
    [row] = [r for r in await outbox(db, "observation.reminder") if r.member_id == chen.id]
    reminder = json.loads(row.action)
    assert "请东区申报2026年第四季度观摩项目" in reminder["text"]
    li = await registered(db, conversations(db), "东小李", sender_id=f"c{chen.id}")
    db.clock.set(local(2026, 10, 9, 10, 0))
    await li.payload(reminder["buttons"][0][0]["payload"])
    assert "请选择2026年第四季度观摩项目" in li.text
    await li.press("比亚迪电池")
    assert "确认将“比亚迪电池”报为东区2026年第四季度观摩项目？" in li.text
    await li.press("确认")
    assert "已申报：“比亚迪电池”为东区2026年第四季度观摩项目。" in li.text
    [e] = await events(db, OBSERVATION_NAMED)
    assert e.payload["quarter"] == "2026Q4" and e.payload["unit"] == "east"
    # A department is not asked; a typed name that is not a project is confirmed as such.
    liu = await registered(db, conversations(db), "工信小刘")
    await liu.say("季观摩")
    assert "观摩项目由区（市、县）和开发区申报" in liu.text
    xi = await registered(db, conversations(db), "西小张")
    await xi.say("观摩")
    await xi.say("化工新材料产业园开工仪式")
    assert "不在本单位台账中" in xi.text
    await xi.press("确认")
    async with db.uow(readonly=True) as uow:
        named = await uow.reports.observations(["2026Q4"])
    assert named == {"2026Q4": {"east", "west"}}


async def test_a_second_submission_for_the_same_period_is_refused(sqlite_db: Database) -> None:
    from core.errors import Refusal

    db = sqlite_db
    await setup_calendar_org(db, bind=False)
    assert await file_report(db, "西小张", date(2026, 12, 10), local(2026, 12, 9, 9, 0))
    with pytest.raises(Refusal) as refused:
        await file_report(db, "西区长", date(2026, 12, 10), local(2026, 12, 9, 10, 0))
    assert refused.value.code == "report_already_submitted"


@pytest.mark.parametrize("typed", ["半月报 11月25日", "半月报 11.25", "半月报 11月下半月", "/report 2026年11月25日",
                                   "半月报：11月25号"])
async def test_a_period_named_the_chinese_way_is_back_dated_with_the_projects_of_then(
        sqlite_db: Database, typed: str) -> None:
    db = sqlite_db
    await setup_calendar_org(db, bind=False)
    await east_projects(db)  # 1 Nov
    me = await member(db, "东小李")
    db.clock.set(local(2026, 12, 1, 10, 0))  # after the 11月25日 deadline
    async with db.uow() as uow:
        await log_lead(uow, me, LogLead(LeadDraft(name="宁德时代", normalized_name="宁德时代", owner_unit="east")))
        await uow.commit()
    li = await registered(db, conversations(db), "东小李")
    db.clock.set(local(2026, 12, 8, 10, 0))
    await li.say(typed)
    assert "开始补报东区11月25日期半月报（已于11月25日（周三）截止，将记为逾期），共 3 个在库项目" in li.texts[0]
    assert "宁德时代" not in li.text


async def test_a_day_that_is_no_deadline_is_refused_naming_the_periods(sqlite_db: Database) -> None:
    db = sqlite_db
    await setup_calendar_org(db, bind=False)
    li = await registered(db, conversations(db), "东小李")
    db.clock.set(local(2026, 12, 8, 10, 0))
    await li.say("半月报 11月20日")
    assert li.text == ("“11月20日”不是半月报期次（每月10日、25日各一期），补报请写“11月25日”这样的期次，"
                       "或发“半月报”填报当前一期。")
    await li.say("半月报 12月25日")
    assert li.text.startswith("12月25日期还没开始填报，当前是12月10日期。")


async def test_the_walk_takes_the_day_a_signing_and_funds_happened(sqlite_db: Database) -> None:
    db = sqlite_db
    await setup_calendar_org(db, bind=False)
    ids = await east_projects(db)
    li = await registered(db, conversations(db), "东小李")
    db.clock.set(local(2026, 12, 8, 10, 0))
    await li.say("半月报")
    await li.press("无变化")
    await li.press("无变化")
    await li.press("阶段变更")
    await li.say("签约 日期 12月9日")
    assert "日期不能晚于今天（12月8日），请重新输入。" in li.text
    await li.say("签约 日期 12月3日")
    await li.say("6亿")
    assert "已记录“华为云数据中心”的阶段变更。" in li.text
    await li.press("到位资金")
    await li.say("1.5亿 日期 12月2日")
    assert "到位资金的日期不能早于签约的那天（12月3日）" in li.text
    await li.say("1.5亿 日期 12月4日")
    assert "已记录“华为云数据中心”的到位资金。" in li.text
    stage, funds = [x for x in await events(db) if x.project_id == ids[2] and x.type in (ev.STAGE_CHANGED,
                                                                                        ev.FUNDS_ADDED)]
    assert stage.payload["on"] == local(2026, 12, 3).astimezone(timezone.utc).isoformat()
    assert funds.payload["on"] == local(2026, 12, 4).astimezone(timezone.utc).isoformat()
