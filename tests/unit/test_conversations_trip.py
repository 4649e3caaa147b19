"""/trip 外出 through `Conversations.handle`: who (the sender or a leader with a trip quota), where,
when, companies met (each can become a lead), outcome, next steps."""
from __future__ import annotations

from datetime import date

import pytest

from core import events as ev
from storage.database import Database
from tests.conversation import (  # noqa: F401  (org_db, org_template are fixtures)
    Person,
    conversations,
    event_count,
    events,
    org_db,
    org_template,
    registered,
    state_of,
)
from tests.helpers import member


@pytest.fixture
async def east(org_db: Database) -> Person:
    return await registered(org_db, conversations(org_db), "东小李")


async def trips(db: Database) -> list:
    async with db.uow(readonly=True) as uow:
        return await uow.trips.of_unit("east")


async def test_a_trip_step_by_step(org_db: Database, east: Person) -> None:
    await east.say("/trip")
    assert east.text == "谁外出招商？"
    # The sender, leaders with a quota, and quota holders of the sender's own unit; not 西区长 (no quota).
    assert east.labels == ["本人", "赵市长（市长）", "东区长（单位负责人）"]
    await east.press("本人")
    assert east.texts[-1] == "去了哪里（城市或地区）？"
    await east.say("深圳")
    assert east.texts[-1] == "日期？如“11月3日”“11.3-11.5”“昨天”："
    await east.say("10.28-10.30")
    assert east.texts[-1] == "拜访了哪些企业？多个用顿号或逗号隔开：" and east.labels == ["未拜访企业"]
    await east.say("比亚迪、华为技术有限公司，腾讯")
    assert east.texts[-1] == "取得了什么成果？" and east.labels == ["跳过"]
    await east.say("比亚迪有意在东区设电池厂")
    assert east.texts[-1] == "下一步计划？"
    await east.say("11月中旬邀请企业来考察")
    assert east.texts[-1] == ("请核对外出招商记录：\n外出人员：东小李\n地点：深圳\n"
                              "日期：2026-10-28（周三） 至 2026-10-30（周五）\n拜访企业：比亚迪、华为技术有限公司、腾讯\n"
                              "成果：比亚迪有意在东区设电池厂\n下一步：11月中旬邀请企业来考察")
    before = await event_count(org_db)
    await east.press("确认")
    [trip] = await trips(org_db)
    assert east.texts[-1] == (f"已登记外出招商 #{trip.id}：东小李 赴深圳。\n拜访的企业可以直接登记为线索：")
    assert east.labels == ["登记“比亚迪”为线索", "登记“华为技术有限公司”为线索", "登记“腾讯”为线索"]
    assert await event_count(org_db) == before + 1
    assert (trip.traveller, trip.destination, trip.start_date, trip.end_date, trip.companies, trip.outcome,
            trip.next_steps, trip.leader_member_id) == (
        "东小李", "深圳", date(2026, 10, 28), date(2026, 10, 30), ("比亚迪", "华为技术有限公司", "腾讯"),
        "比亚迪有意在东区设电池厂", "11月中旬邀请企业来考察", None)
    [logged] = await events(org_db, ev.TRIP_LOGGED)
    assert logged.actor == (await member(org_db, "东小李")).id and logged.unit == "east"


async def test_a_leaders_trip_counts_against_the_leaders_quota(org_db: Database, east: Person) -> None:
    await east.say("/trip")
    await east.press("赵市长（市长）")
    await east.say("长沙")
    await east.say("昨天")
    await east.press("未拜访企业")
    await east.press("跳过")
    await east.press("跳过")
    assert "外出人员：赵市长" in east.text and "日期：2026-11-01（周日）" in east.text
    assert "拜访企业：无" in east.text
    await east.press("确认")
    assert east.texts[-1].endswith("赵市长 赴长沙。") and east.labels == []
    [trip] = await trips(org_db)
    mayor = await member(org_db, "赵市长")
    assert (trip.traveller, trip.leader_member_id, trip.companies, trip.outcome) == ("赵市长", mayor.id, (), None)


async def test_a_unit_head_with_a_quota_going_himself_counts_for_his_quota(org_db: Database) -> None:
    head = await registered(org_db, conversations(org_db), "东区长")
    await head.say("外出")
    assert head.labels == ["本人", "赵市长（市长）"]
    await head.say("本人")
    await head.say("苏州")
    await head.say("10月30日")  # was 11月3日, tomorrow by the clock: now refused as a future trip
    await head.say("1")
    await head.say("1")
    await head.say("1")
    await head.say("确认")
    [trip] = await trips(org_db)
    assert (trip.traveller, trip.leader_member_id) == ("东区长", (await member(org_db, "东区长")).id)


async def test_a_team_name_typed_freely_is_the_traveller_without_a_quota(org_db: Database, east: Person) -> None:
    await east.say("/trip")
    await east.say("东区招商小分队")
    await east.say("杭州")
    await east.say("10.30")  # was 11.3, the day after the clock's today: a future trip is now refused
    await east.press("未拜访企业")
    await east.press("跳过")
    await east.press("跳过")
    await east.press("确认")
    [trip] = await trips(org_db)
    assert (trip.traveller, trip.leader_member_id) == ("东区招商小分队", None)


@pytest.mark.parametrize(
    "typed,reason",
    [
        ("随便", "没看懂日期“随便”，请按“7月10日”“2026-07-10”“7.10”“下周三”或“明天”这样的格式输入。"),
        ("2月30日", "日期“2月30日”不存在，请核对月份和日子后重新输入，例如“7月10日”。"),
        ("11.5-11.3", "结束日期2026-11-03早于开始日期2026-11-05，请按“7月10日-12日”这样的格式输入。"),
        # Today is 2026-11-02, a Monday; the organisation's year is 2026 (issue 16).
        ("下周三", "2026-11-11（周三）还没到（今天是2026-11-02（周一）），外出招商请在回来后登记，例如“昨天”或“11.3-11.5”。"),
        ("明天", "2026-11-03（周二）还没到（今天是2026-11-02（周一）），外出招商请在回来后登记，例如“昨天”或“11.3-11.5”。"),
        ("11.1-11.4", "2026-11-04（周三）还没到（今天是2026-11-02（周一）），外出招商请在回来后登记，例如“昨天”或“11.3-11.5”。"),
        ("2020年1月1日", "2020-01-01（周三）太早了，外出招商只登记2025-01-01（周三）以后的，请核对年份后重新输入，例如“11月3日”。"),
        ("2024.12.31", "2024-12-31（周二）太早了，外出招商只登记2025-01-01（周三）以后的，请核对年份后重新输入，例如“11月3日”。"),
    ],
)
async def test_a_date_that_cannot_be_understood_is_refused_and_asked_again(
        org_db: Database, east: Person, typed: str, reason: str) -> None:
    await east.say("/trip")
    await east.press("本人")
    await east.say("深圳")
    before = await event_count(org_db)
    await east.say(typed)
    assert east.texts == [reason, "日期？如“11月3日”“11.3-11.5”“昨天”："]
    assert await event_count(org_db) == before
    assert (await state_of(org_db, await member(org_db, "东小李"))).step == "dates"


@pytest.mark.parametrize("typed,start,end", [("今天", date(2026, 11, 2), date(2026, 11, 2)),
                                              ("10.31-11.2", date(2026, 10, 31), date(2026, 11, 2)),
                                              ("2025年1月1日", date(2025, 1, 1), date(2025, 1, 1)),
                                              ("上周三", date(2026, 10, 28), date(2026, 10, 28))])
async def test_a_trip_up_to_today_and_back_to_last_year_is_accepted(
        org_db: Database, east: Person, typed: str, start: date, end: date) -> None:
    await east.say("/trip")
    await east.press("本人")
    await east.say("深圳")
    await east.say(typed)
    assert east.texts[-1] == "拜访了哪些企业？多个用顿号或逗号隔开："
    data = (await state_of(org_db, await member(org_db, "东小李"))).data
    assert (data["start"], data["end"]) == (start.isoformat(), end.isoformat())


async def test_an_empty_destination_is_asked_again(org_db: Database, east: Person) -> None:
    await east.say("/trip")
    await east.press("本人")
    await east.say("  ")
    assert east.texts == ["去了哪里（城市或地区）？"]


async def test_cancel_at_the_card_saves_nothing(org_db: Database, east: Person) -> None:
    await east.say("/trip")
    await east.press("本人")
    await east.say("深圳")
    await east.say("昨天")
    await east.say("比亚迪")
    await east.press("跳过")
    await east.press("跳过")
    before = await event_count(org_db)
    await east.press("取消")
    assert east.texts[-1] == "已取消“登记外出招商”，没有保存任何内容。"
    assert await event_count(org_db) == before


async def test_the_trip_card_offers_edit_like_the_lead_card(org_db: Database, east: Person) -> None:
    await east.say("/trip")
    await east.press("本人")
    await east.say("深圳")
    await east.say("昨天")
    await east.say("腾讯")
    await east.press("跳过")
    await east.press("跳过")
    assert east.labels == ["确认", "修改", "取消"]
    await east.press("修改")
    assert east.texts[-1] == "要修改哪一项？"
    assert east.labels == ["外出人员", "地点", "日期", "拜访企业", "成果", "下一步"]
    await east.press("地点")
    await east.say("苏州")  # back to the card, not on through the questions
    assert east.texts[-1].startswith("请核对外出招商记录：") and "地点：苏州" in east.texts[-1]
    await east.say("修改")  # typed
    await east.say("拜访企业")
    await east.say("腾讯、华为")
    assert "拜访企业：腾讯、华为" in east.texts[-1]
    await east.press("确认")
    [trip] = await events(org_db, ev.TRIP_LOGGED)
    assert (trip.payload["destination"], trip.payload["companies"]) == ("苏州", ["腾讯", "华为"])


async def test_an_unclear_answer_at_the_card_shows_it_again(org_db: Database, east: Person) -> None:
    await east.say("/trip")
    await east.press("本人")
    await east.say("深圳")
    await east.say("昨天")
    await east.press("未拜访企业")
    await east.press("跳过")
    await east.press("跳过")
    await east.say("再想想")
    assert east.texts[0] == "请点选下面的一个选项，或回复选项前的数字。"
    assert east.texts[1].startswith("请核对外出招商记录：")


async def test_a_company_met_becomes_a_lead_with_its_name_filled_in(org_db: Database, east: Person) -> None:
    await east.say("/trip")
    await east.press("本人")
    await east.say("深圳")
    await east.say("昨天")
    await east.say("比亚迪股份有限公司、华为技术有限公司")
    await east.press("跳过")
    await east.press("跳过")
    await east.press("确认")
    await east.press("登记“华为技术有限公司”为线索")
    assert east.texts[0] == "已识别：\n企业名称：华为技术有限公司"
    assert east.texts[1] == "请选择产业链："
    await east.press("电子信息制造")
    await east.say("10亿")
    await east.press("驻点招商")
    assert east.texts[-1].startswith("请输入企业联系人和电话")  # asked like any lead
    await east.say("跳过")  # typed, as on the console
    assert east.texts[-1].startswith("请核对线索：\n企业名称：华为技术有限公司")
    await east.press("确认")
    [lead] = await events(org_db, ev.LEAD_LOGGED)
    assert (lead.payload["name"], lead.payload["intended_wan"], lead.payload["owner_unit"]) \
        == ("华为技术有限公司", 100_000, "east")
    # The other company's button still works after the first lead (a stateless button).
    await east.payload(f"s:trip_lead:{(await trips(org_db))[0].id}:0")
    assert "企业名称：比亚迪股份有限公司" in east.text


async def test_companies_become_leads_by_number_on_a_channel_without_buttons(org_db: Database) -> None:
    wecom = await registered(org_db, conversations(org_db), "东小李", channel="wecom", buttons=False)
    for answer in ("外出", "1", "深圳", "昨天", "比亚迪、腾讯", "1", "1", "1"):
        await wecom.say(answer)
    assert wecom.text.endswith("拜访的企业可以直接登记为线索：")
    await wecom.say("2")
    assert "企业名称：腾讯" in wecom.text


async def test_a_forged_trip_lead_button_is_refused(org_db: Database, east: Person) -> None:
    before = await event_count(org_db)
    for payload in ("s:trip_lead:999:0", "s:trip_lead:x:y", "s:trip_lead:", "s:trip_lead:1:99"):
        await east.payload(payload)
        assert east.texts == ["这个按钮已过期（对应的操作已结束或已更新）。请重新发送命令。"], payload
    assert await event_count(org_db) == before


async def test_a_lead_button_pressed_during_another_flow_puts_that_flow_aside(
        org_db: Database, east: Person) -> None:
    await east.say("/trip")
    await east.press("本人")
    await east.say("深圳")
    await east.say("昨天")
    await east.say("腾讯")
    await east.press("跳过")
    await east.press("跳过")
    await east.press("确认")
    lead_button = east.button("登记“腾讯”为线索").payload
    await east.say("/trip")
    await east.payload(lead_button)
    assert east.texts[0] == "（“登记外出招商”已暂停并保留；这一项完成或取消后，发“继续”回到它。）"
    assert "企业名称：腾讯" in east.text
