"""Forms that give way (issue 16): a command typed in the middle of a form runs and the form is kept —
paused where it is, or put aside while another form runs — and `继续` (or the form's command) takes it
up again; an answer that starts with a command word stays an answer where the question takes free
text; an unknown industry does not trap the person; a form from an earlier day is announced."""
from __future__ import annotations

import pytest

from core import events as ev
from core.clock import FixedClock
from storage.database import Database
from tests.conversation import (  # noqa: F401  (org_db, org_template are fixtures)
    org_db,
    org_template,
    Person,
    conversations,
    event_count,
    events,
    logged_lead,
    project_named,
    registered,
    state_of,
)
from tests.helpers import member

AMOUNT_QUESTION = "请输入意向投资额，如“3.5亿”或“5000万”（外资请写币种，如“500万美元”）："
LEAD_PAUSED_HERE = "（“登记线索”已暂停并保留，发“继续”或 /lead 回到刚才的问题。）"
LEAD_SHELVED = "（“登记线索”已暂停并保留；这一项完成或取消后，发“继续”回到它。）"


@pytest.fixture
async def east(org_db: Database) -> Person:
    return await registered(org_db, conversations(org_db), "东小李")


async def lead_at_amount(p: Person, name: str = "宁德时代") -> None:
    await p.say("线索")
    await p.say(name)
    await p.press("新能源汽车零部件")
    assert p.texts[-1] == AMOUNT_QUESTION


async def lead_card(p: Person) -> None:
    await p.say("线索 比亚迪 新能源汽车零部件 投资20亿 来源驻点")
    assert p.labels == ["确认", "修改", "取消"]


# -- a command in the middle of a form runs --------------------------------------------------------

async def test_my_projects_at_the_amount_question_runs_and_keeps_the_form(org_db: Database, east: Person) -> None:
    await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    await lead_at_amount(east)
    before = await event_count(org_db)
    await east.say("我的项目")  # was: 没看懂金额“我的项目”
    assert east.texts[0].startswith("东区的项目") and "万华化学" in east.texts[0]
    assert east.texts[-1] == LEAD_PAUSED_HERE
    assert await event_count(org_db) == before
    await east.say("继续")
    assert east.texts == [AMOUNT_QUESTION]
    await east.say("5亿")
    await east.press("驻点招商")
    await east.press("跳过")
    await east.press("确认")
    [_, logged] = await events(org_db, ev.LEAD_LOGGED)
    assert (logged.payload["name"], logged.payload["intended_wan"]) == ("宁德时代", 50_000)


async def test_a_whole_lead_line_at_the_amount_question_is_a_new_lead_not_an_amount(
        org_db: Database, east: Person) -> None:
    await lead_at_amount(east, "测试三公司")
    await east.say("线索 宁德时代 新能源汽车零部件 投资5亿 来源驻点")  # was read as an amount
    assert east.texts[0] == LEAD_SHELVED
    assert east.texts[-1].startswith("请核对线索：\n企业名称：宁德时代")
    await east.press("确认")
    assert east.texts[1].startswith("已登记线索")  # after the pressed card's edit
    assert east.texts[-1].startswith("您还有暂停的“登记线索”，已保留：企业名称 测试三公司；产业链 新能源汽车零部件。")
    await east.say("继续")
    assert east.texts == [AMOUNT_QUESTION]
    state = await state_of(org_db, await member(org_db, "东小李"))
    assert state.data["name"] == "测试三公司" and state.control.shelved is None


async def test_progress_typed_on_a_confirm_card_opens_the_update_and_the_card_waits(
        org_db: Database, east: Person) -> None:
    await logged_lead(east, "华为技术有限公司 电子信息制造 投资5亿 来源驻点")
    await lead_card(east)
    await east.say("进展 华为")  # was: 请点选下面的一个选项
    assert east.texts[0] == LEAD_SHELVED
    assert east.texts[-1] == "“华为技术有限公司”（当前：线索）要更新什么？"
    await east.press("进展情况")
    await east.say("已完成厂房选址")
    await east.press("跳过")
    assert east.texts[1] == "已记录“华为技术有限公司”的进展。"
    assert east.texts[-1].startswith("您还有暂停的“登记线索”，已保留：企业名称 比亚迪")
    assert east.labels == ["继续填写", "取消"]
    await east.press("继续填写")
    assert east.texts[-1].startswith("请核对线索：\n企业名称：比亚迪")
    await east.press("确认")
    assert "已登记线索" in east.text
    assert [e.payload["name"] for e in await events(org_db, ev.LEAD_LOGGED)] == ["华为技术有限公司", "比亚迪"]
    assert len(await events(org_db, ev.NOTE_ADDED)) == 1


async def test_a_query_on_a_confirm_card_answers_and_the_card_still_takes_its_answer(
        org_db: Database, east: Person) -> None:
    await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    await lead_card(east)
    card = east.button("确认").payload
    await east.say("查询 万华化学")
    assert east.texts[0].startswith("【#") and "万华化学" in east.texts[0]
    assert east.texts[-1] == LEAD_PAUSED_HERE
    await east.payload(card)  # the card's own button, pressed after the query: the form goes on
    assert "已登记线索" in east.text
    assert [e.payload["name"] for e in await events(org_db, ev.LEAD_LOGGED)] == ["万华化学", "比亚迪"]


async def test_a_label_of_the_paused_question_typed_takes_the_form_up(org_db: Database, east: Person) -> None:
    await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    await lead_card(east)
    await east.say("/my")
    await east.say("确认")  # the card's 确认, typed
    assert "已登记线索" in east.text


async def test_the_forms_own_command_takes_it_up_from_where_it_was_put_aside(
        org_db: Database, east: Person) -> None:
    await lead_at_amount(east)
    await east.say("外出")
    assert east.texts == [LEAD_SHELVED, "谁外出招商？"]
    await east.say("线索")  # the lead again: the trip is put aside in its place
    assert east.texts == ["（“登记外出招商”已暂停并保留；这一项完成或取消后，发“继续”回到它。）", AMOUNT_QUESTION]
    await east.say("5亿")
    assert east.texts == ["请选择线索来源："]


async def test_the_open_forms_own_command_asks_its_question_again(org_db: Database, east: Person) -> None:
    await lead_at_amount(east)
    await east.say("线索")
    assert east.texts == ["您正在填写“登记线索”，回答下面的问题即可（发“取消”放弃）：", AMOUNT_QUESTION]


# -- where the question takes free text, a command word leads an answer ---------------------------

async def test_a_note_that_starts_with_a_command_word_is_the_note(org_db: Database, east: Person) -> None:
    await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say("进展 宁德时代")
    await east.press("进展情况")
    await east.say("进展 顺利，已签框架协议")  # free text: the whole line is the note
    await east.press("跳过")
    [note] = await events(org_db, ev.NOTE_ADDED)
    assert note.payload["text"] == "进展 顺利，已签框架协议"


async def test_a_trip_outcome_that_starts_with_a_command_word_is_the_outcome(
        org_db: Database, east: Person) -> None:
    await east.say("外出")
    await east.press("本人")
    await east.say("深圳")
    await east.say("昨天")
    await east.say("比亚迪、腾讯")
    await east.say("线索 两条：比亚迪扩产、腾讯云数据中心")  # 线索 is /lead's word; here it starts the outcome
    assert east.texts == ["下一步计划？"]
    state = await state_of(org_db, await member(org_db, "东小李"))
    assert state.data["outcome"] == "线索 两条：比亚迪扩产、腾讯云数据中心"


async def test_a_command_word_alone_at_a_free_text_question_runs(org_db: Database, east: Person) -> None:
    await east.say("线索")
    await east.say("我的项目")  # alone it is never a company name
    assert east.texts[-1] == LEAD_PAUSED_HERE
    await east.say("继续")
    assert east.texts == ["请输入企业名称（可附统一社会信用代码）："]


async def test_the_stage_lead_at_the_stage_question_is_a_stage_not_the_lead_command(
        org_db: Database, east: Person) -> None:
    await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.say("线索")
    assert east.texts[0] == "“线索”不是可选的阶段：项目只能向前推进（当前：线索），或终止。"


# -- an unknown industry chain ---------------------------------------------------------------------

async def test_an_unknown_chain_offers_the_closest_and_other_kept_for_the_office(
        org_db: Database, east: Person) -> None:
    await east.say("线索")
    await east.say("测试三公司")
    assert len(east.labels) == 6  # the mini org's five chains and 暂不确定, shown once
    await east.say("低空经济")
    assert east.texts == ["没有“低空经济”这条产业链。",
                          "是下面哪一条？都不是就点“其他”，按您写的登记，由大招商办归类："]
    assert east.labels == ["大数据及数字经济", "其他（按“低空经济”登记）", "全部产业链", "暂不确定"]
    await east.say("无人机")  # wrong again: still no long list
    assert east.labels == ["其他（按“无人机”登记）", "全部产业链", "暂不确定"]
    await east.press("其他")
    assert east.texts[1].startswith("产业链按“其他：无人机”登记：大招商办在项目库的“产业链：其他（待归类）”里看到它")
    assert east.texts[-1] == AMOUNT_QUESTION
    await east.say("1亿")
    await east.press("驻点招商")
    await east.press("跳过")
    assert "产业链：其他：无人机（待归类）" in east.texts[-1]
    await east.press("确认")
    [logged] = await events(org_db, ev.LEAD_LOGGED)
    assert (logged.payload["industry"], logged.payload["industry_other"]) == (None, "无人机")
    p = await project_named(org_db, "测试三公司")
    assert (p.industry, p.industry_other) == (None, "无人机")
    await east.say("查询 测试三公司")
    assert "产业链：其他：无人机（待归类）" in east.text


async def test_the_long_list_is_shown_at_most_twice(org_db: Database, east: Person) -> None:
    await east.say("线索")
    await east.say("测试三公司")
    await east.say("/my")
    await east.say("继续")  # once again: the list
    assert len(east.labels) == 6
    await east.say("线索")  # and again: no third time unless asked for
    assert east.texts[-1] == "请输入产业链名称（如“电子信息制造”），或点“全部产业链”再看一遍列表："
    assert east.labels == ["全部产业链", "暂不确定"]
    await east.press("全部产业链")
    assert len(east.labels) == 6
    await east.say("现代化工")
    assert east.texts[-1] == AMOUNT_QUESTION


async def test_a_lead_without_other_keeps_its_exact_event_bytes(org_db: Database, east: Person) -> None:
    await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    [logged] = await events(org_db, ev.LEAD_LOGGED)
    assert "industry_other" not in logged.payload


# -- a form from an earlier day --------------------------------------------------------------------

async def test_a_form_from_an_earlier_day_is_announced_at_the_first_message(
        org_db: Database, east: Person, clock: FixedClock) -> None:
    await lead_at_amount(east)
    clock.advance(hours=23)  # 09:00 the next morning
    await east.say("5亿")
    assert east.texts == ["您11月2日填写的“登记线索”还没有完成，已暂停。已保留：企业名称 宁德时代；产业链 新能源汽车零部件。"
                          "点“继续填写”或发“继续”（/lead）从中断处接着填，发“取消”放弃。"]
    assert east.labels == ["继续填写", "取消"]
    state = await state_of(org_db, await member(org_db, "东小李"))
    assert "intended_wan" not in state.data and state.control.parked
    await east.say("继续")
    assert east.texts == [AMOUNT_QUESTION]
    await east.say("5亿")
    assert east.texts == ["请选择线索来源："]


async def test_a_command_on_the_next_day_runs_after_the_announcement(
        org_db: Database, east: Person, clock: FixedClock) -> None:
    await lead_at_amount(east)
    clock.advance(days=1)
    await east.say("我的项目")
    assert east.texts[0].startswith("您11月2日填写的“登记线索”还没有完成")
    assert east.texts[1].startswith("东区的项目")
    await east.say("帮助")  # announced once, not at every message that day
    assert "还没有完成" not in east.text


async def test_a_paused_form_from_an_earlier_day_is_announced_too(
        org_db: Database, east: Person, clock: FixedClock) -> None:
    await lead_at_amount(east)
    clock.advance(minutes=40)
    assert await east.conv.expire_idle() == 1  # paused (and told) the same day
    clock.advance(days=2)
    await east.payload("s:resume")  # the pause message's button, two days on: announced, then resumed
    assert east.texts[0].startswith("您11月2日填写的“登记线索”还没有完成")
    assert east.texts[-1] == AMOUNT_QUESTION


# -- /claims with a number that is no claim -----------------------------------------------------------

async def test_a_bad_claim_number_gives_a_useful_sentence(org_db: Database) -> None:
    conv = conversations(org_db)
    east = await registered(org_db, conv, "东小李")
    office = await registered(org_db, conv, "王办公")
    p = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await office.say(f"首谈认定 {p.id}")  # the project's number from the push, not the claim's
    assert office.texts == [f"#{p.id} 是项目“宁德时代”的编号，它没有首谈认定。发“首谈认定”查看待处理的认定。"]
    await office.say("首谈认定 99999")
    assert office.texts == ["没有认定 #99999，目前也没有待处理的首谈认定。"]
    await office.say("首谈认定 abc")
    assert office.texts == ["“abc”不是认定号。处理某一项请发“首谈认定 认定号”，如“首谈认定 12”。",
                            "没有待处理的首谈认定。"]
