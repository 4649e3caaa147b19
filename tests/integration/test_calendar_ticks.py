"""The ticker over a whole year, across downtime and into 2027: every push once, at the right time.

The mini organisation (tests/data/mini_org.toml) plus a dispatching leader 钱副市长. Reporting
units: east, west, hitech, gongxin, keji, zhu_sz, zhu_cs; reporters 东小李 (east), 西小张 (west),
高新小陈 (hitech), 工信小刘 (gongxin), 李驻深 (zhu_sz), 长沙小周 (zhu_cs); 市科技局 (keji) has no
members at all. Heads: 东区长, 西区长, 深圳主任. Office: 王办公. Leaders: 赵市长, 钱副市长.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from core.halfmonthly import periods_between
from core.workdays import reminder_instants
from reminders.calendar import workdays
from storage.database import Database
from tests.calendar_support import (
    TZ,
    due_instants,
    file_report,
    kinds,
    local,
    name_project,
    outbox,
    recipients,
    setup_calendar_org,
    texts,
    tick_at,
)

pytestmark = pytest.mark.asyncio

REPORTERS_BUT_EAST = ["工信小刘", "李驻深", "西小张", "长沙小周", "高新小陈"]


async def test_a_year_of_ticks_queues_exactly_the_expected_pushes(sqlite_db: Database) -> None:
    db = sqlite_db
    org = await setup_calendar_org(db)
    w = workdays(org.calendar)
    # East files every period right after its first reminder; hitech names a Q2 observation project.
    filings: dict[datetime, date] = {}
    for period in periods_between(date(2026, 1, 1), date(2026, 12, 31), org.calendar.half_monthly_days):
        first = reminder_instants(period, org.calendar, TZ, w)[0]
        filings[first.at + timedelta(hours=3)] = period
    naming = local(2026, 4, 2, 12, 0)
    instants = await due_instants(db, local(2026, 1, 1), local(2026, 12, 31, 23, 59))
    # A scheduler also ticks when nothing is due, and again just after something was.
    extra = [local(2026, 1, 4, 12, 0) + timedelta(weeks=w) for w in range(0, 52, 4)]
    extra += [at + timedelta(minutes=1) for at in instants[::20]]
    timeline = sorted(set(instants) | set(extra) | set(filings) | {naming, local(2026, 1, 1)})
    for at in timeline:
        if at in filings:
            assert await file_report(db, "东小李", filings[at], at) is True
        if at == naming:
            await name_project(db, "高新小陈", "2026Q2", "大数据产业园项目", at)
        await tick_at(db, at)

    counts = await kinds(db)
    R = 64  # reminder days of the 24 periods of 2026 (see tests/unit/test_calendar.py for the rules)
    assert {k: v for k, v in counts.items()} == {
        "report.reminder": 24 + 5 * R,      # east: only the first of each period (then it filed)
        "report.overdue": 24 * 7,           # 5 late reporters + the heads 西区长, 深圳主任
        "report.overdue_list": 24,          # 王办公
        "dispatch.digest": 12 * 2,          # 钱副市长 and 王办公
        "observation.reminder": 4 * 3,      # east, west, hitech reporters
        "observation.zero_report": 3,       # Oct: east and west named none in Q1–Q3 → 王办公, 赵市长, 钱副市长
        "calendar.fallback": 1,             # December: 2027 has no holiday data
    }
    rows = await outbox(db)
    assert len({r.key for r in rows}) == len(rows)
    for r in rows:
        day = r.created_at.astimezone(TZ)
        assert w.is_workday(day.date()), (r.key, day)      # never on a weekend or a holiday
        assert day.hour == 9 and day.minute == 0, r.key
    assert await recipients(db, "dispatch.digest") == ["王办公"] * 12 + ["钱副市长"] * 12
    zero = texts(await outbox(db, "observation.zero_report"))
    assert all("东区、西区" in z and "高新区" not in z for z in zero)
    assert Counter(r.created_at.astimezone(TZ).date() for r in await outbox(db, "observation.reminder")) == {
        date(2026, 1, 4): 3, date(2026, 4, 1): 3, date(2026, 7, 1): 3, date(2026, 10, 8): 3}

    # Ticking the whole year again changes nothing.
    before = len(rows)
    for at in timeline[::7]:
        assert await tick_at(db, at) == []
    assert len(await outbox(db)) == before


async def test_reminders_for_the_10_december_deadline_then_the_overdue_list(db: Database) -> None:
    await setup_calendar_org(db)
    await tick_at(db, local(2026, 12, 7, 9, 0))
    assert await recipients(db, "report.reminder") == sorted(["东小李", *REPORTERS_BUT_EAST])
    [text] = texts([r for r in await outbox(db, "report.reminder") if r.key.endswith(f"m{(await _id(db, '东小李'))}@console")])
    assert "东区12月10日期半月报请于12月10日（周四）当天结束前报送（还有 3 天）" in text
    # East and west file before the deadline (west in its last minute); the others do not.
    assert await file_report(db, "东小李", date(2026, 12, 10), local(2026, 12, 8, 15, 0))
    await tick_at(db, local(2026, 12, 9, 9, 0))
    await tick_at(db, local(2026, 12, 10, 9, 0))
    assert await file_report(db, "西小张", date(2026, 12, 10), local(2026, 12, 10, 23, 59, 59))
    reminded = Counter(await recipients(db, "report.reminder"))
    assert reminded == {"东小李": 1, "西小张": 3, "工信小刘": 3, "李驻深": 3, "长沙小周": 3, "高新小陈": 3}
    # The first working day after: each late unit's reporter and head.
    decisions = await tick_at(db, local(2026, 12, 11, 9, 0))
    assert sorted(d.push.kind for d in decisions if d.status != "skipped") == ["report.overdue"] * 5
    assert await recipients(db, "report.overdue") == ["工信小刘", "李驻深", "深圳主任", "长沙小周", "高新小陈"]
    # Hitech files late on Friday; the office list on Monday names exactly who never filed.
    assert await file_report(db, "高新小陈", date(2026, 12, 10), local(2026, 12, 11, 16, 0)) is False
    await tick_at(db, local(2026, 12, 14, 9, 0))
    [office] = texts(await outbox(db, "report.overdue_list"))
    assert "应报 7 个单位：按时 2 个，逾期补报 1 个，未报 4 个；按时报送率 28%。" in office
    assert "未报送：市工信局、市科技局、驻深圳办事处、驻长沙办事处" in office
    assert "逾期补报：高新区" in office


async def test_six_hours_of_downtime_across_the_morning_of_a_deadline(db: Database) -> None:
    """Down from 06:00 to 12:00 on 10 Dec: the 09:00 reminder still matters (the deadline is at
    midnight), so it goes out once at 12:00; everything else once, at its time."""
    await setup_calendar_org(db)
    up = [local(2026, 12, 9, 0, 0) + timedelta(minutes=30 * i) for i in range(2 * 30)]   # to 10 Dec 06:00
    up += [local(2026, 12, 10, 12, 0) + timedelta(minutes=30 * i) for i in range(2 * 24)]  # 10 Dec 12:00 → 11 Dec 12:00
    up += [local(2026, 12, 11, 12, 0) + timedelta(hours=2 * i) for i in range(37)]         # to 14 Dec 12:00
    queued: list[tuple[str, datetime]] = []
    for at in up:
        queued += [(d.push.key, at) for d in await tick_at(db, at) if d.status != "skipped"]
    keys = [k for k, _ in queued]
    assert len(keys) == len(set(keys))
    same_day = [at for k, at in queued if k.startswith("report.reminder:2026-12-10@2026-12-10")]
    assert same_day == [local(2026, 12, 10, 12, 0)] * 6
    assert Counter(k.split(":")[0] for k in keys) == {"report.reminder": 12, "report.overdue": 9,
                                                       "report.overdue_list": 1, "calendar.fallback": 1}


async def test_a_reminder_whose_deadline_passed_during_downtime_is_replaced_by_the_overdue_notice(db: Database) -> None:
    await setup_calendar_org(db)
    await tick_at(db, local(2026, 12, 9, 9, 0))
    # Down from 08:00 on 10 Dec until 10:00 on 11 Dec: the same-day reminder is never sent late.
    decisions = await tick_at(db, local(2026, 12, 11, 10, 0))
    sent = Counter(d.push.kind for d in decisions if d.status != "skipped")
    assert sent == {"report.overdue": 9}
    assert not [r for r in await outbox(db, "report.reminder") if "@2026-12-10" in r.key]
    # Several missed reminders of one period: only the latest that still matters goes out.
    await tick_at(db, local(2026, 12, 25, 8, 0))   # 22 and 24 Dec missed; 25 Dec not yet due
    late = [r.key for r in await outbox(db, "report.reminder") if "2026-12-25@" in r.key]
    assert {k.split(":")[1] for k in late} == {"2026-12-25@2026-12-24"}


async def test_after_a_unit_files_it_gets_no_further_reminders(db: Database) -> None:
    await setup_calendar_org(db)
    await tick_at(db, local(2026, 12, 7, 9, 0))
    await file_report(db, "李驻深", date(2026, 12, 10), local(2026, 12, 7, 10, 0))
    for at in (local(2026, 12, 9, 9, 0), local(2026, 12, 10, 9, 0), local(2026, 12, 11, 9, 0), local(2026, 12, 14, 9, 0)):
        decisions = await tick_at(db, at)
        assert not [d for d in decisions if d.push.data.get("unit") == "zhu_sz" and d.status != "skipped"]
    assert Counter(await recipients(db, "report.reminder"))["李驻深"] == 1
    assert "深圳主任" not in await recipients(db, "report.overdue")


async def test_nothing_due_before_the_calendar_first_ran_is_sent(db: Database) -> None:
    await setup_calendar_org(db)
    decisions = await tick_at(db, local(2026, 12, 9, 9, 0))
    # Not the 7 Dec reminders, not November's overdue notices or the October observation reminder.
    assert {d.push.kind for d in decisions if d.status != "skipped"} == {"report.reminder", "calendar.fallback"}
    assert {d.push.period for d in decisions if d.push.kind == "report.reminder"} == {"2026-12-10@2026-12-09"}


async def test_2027_works_on_the_fallback_and_the_office_is_warned_once(db: Database) -> None:
    await setup_calendar_org(db)
    start = local(2027, 1, 4, 0, 0)
    instants = await due_instants(db, start, local(2027, 2, 28, 23, 59))
    for at in [start, *instants, *(i + timedelta(hours=1) for i in instants)]:
        await tick_at(db, at)
    counts = await kinds(db)
    assert counts["calendar.fallback"] == 1
    [warning] = texts(await outbox(db, "calendar.fallback"))
    assert "还没有 2027 年的安排" in warning and "提醒照常发送" in warning
    # Reminders went out on weekdays: 10 Jan 2027 is a Sunday, so it is due Monday 11 Jan.
    jan = sorted({r.created_at.astimezone(TZ).date() for r in await outbox(db, "report.reminder") if "2027-01-10@" in r.key})
    assert jan == [date(2027, 1, 8), date(2027, 1, 11)]
    assert all(r.created_at.astimezone(TZ).weekday() < 5 for r in await outbox(db))


async def test_the_dispatch_digest_lists_big_and_leader_led_projects_problems_and_stale_ones(db: Database) -> None:
    from core.stages import Stage
    from core.usecases.leads import LeadDraft, LogLead, log_lead
    from core.usecases.projects import ChangeStage, RaiseProblem, change_stage, raise_problem
    from tests.helpers import member

    await setup_calendar_org(db)
    me = await member(db, "东小李")
    leader = await member(db, "赵市长")
    db.clock.set(local(2026, 10, 1, 10, 0))
    async with db.uow() as uow:
        big = await log_lead(uow, me, LogLead(LeadDraft(name="宁德时代", normalized_name="宁德时代", owner_unit="east",
                                                intended_wan=200_000)))
        led = await log_lead(uow, me, LogLead(LeadDraft(name="华为云", normalized_name="华为云", owner_unit="east",
                                                intended_wan=5_000, leader_member_id=leader.id)))
        await log_lead(uow, me, LogLead(LeadDraft(name="小作坊", normalized_name="小作坊", owner_unit="east", intended_wan=100)))
        await uow.commit()
    db.clock.set(local(2026, 12, 3, 10, 0))
    async with db.uow() as uow:
        await change_stage(uow, me, ChangeStage(big.id, Stage.SIGNED, contract_wan=180_000))
        await raise_problem(uow, me, RaiseProblem(led.id, "用地指标需市里协调"))
        await uow.commit()
    await tick_at(db, local(2026, 12, 28, 9, 0))
    [digest, again] = texts(await outbox(db, "dispatch.digest"))
    assert digest == again
    assert "【月调度】2026年12月重大招商项目调度材料（12月28日（周一））" in digest
    assert "一、1亿元以上及领导带头招商项目（2 个）" in digest
    assert "宁德时代（签约，18亿元，东区）；本月 在谈→签约" not in digest  # from 线索, not 在谈
    assert "宁德时代（签约，18亿元，东区）；本月 线索→签约" in digest
    assert "华为云（线索，5000万元，东区，赵市长领办）" in digest
    assert "二、需市级协调的问题（1 个）" in digest and "用地指标需市里协调" in digest
    assert "三、超过 30 天未更新的项目（1 个）" in digest and "小作坊" in digest


async def _id(db: Database, name: str) -> int:
    from tests.helpers import member

    return (await member(db, name)).id
