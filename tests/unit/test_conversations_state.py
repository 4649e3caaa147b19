"""Conversation state: /cancel and /help from any step, stale buttons, edited questions, exactly-once
deliveries, idle flows paused and resumed, and the same flow continued by another process or channel."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from core import events as ev
from core.clock import FixedClock
from core.messages import EditText, SendText
from storage.database import Database
from tests.conversation import (  # noqa: F401  (org_db, org_template are fixtures)
    org_db,
    org_template,
    Person,
    conversations,
    event_count,
    events,
    logged_lead,
    outbox_rows,
    registered,
    state_of,
)
from tests.helpers import member

EXPIRED = "这个按钮已过期（对应的操作已结束或已更新）。请重新发送命令。"
LEAD_PAUSED = ("“登记线索”已超过 30 分钟没有操作，已暂停。已保留：企业名称 宁德时代；产业链 新能源汽车零部件。"
               "点“继续填写”或发 /lead 从中断处继续，发 /cancel 放弃。")
LEAD_REMINDER = ("“登记线索”已暂停，已保留：企业名称 宁德时代；产业链 新能源汽车零部件。"
                 "点“继续填写”或发“继续”（/lead）从中断处接着填，发“取消”放弃。")
LEAD_SHELVED = "（“登记线索”已暂停并保留；这一项完成或取消后，发“继续”回到它。）"
LEAD_PAUSED_HERE = "（“登记线索”已暂停并保留，发“继续”或 /lead 回到刚才的问题。）"
AMOUNT_QUESTION = "请输入意向投资额，如“3.5亿”或“5000万”（外资请写币种，如“500万美元”）："


@pytest.fixture
async def east(org_db: Database) -> Person:
    return await registered(org_db, conversations(org_db), "东小李")


async def lead_at_amount(p: Person) -> None:
    """A lead half filled in: name and industry given, the amount asked."""
    await p.say("/lead")
    await p.say("宁德时代")
    await p.press("新能源汽车零部件")
    assert p.texts[-1] == AMOUNT_QUESTION


# -- /cancel and /help from any step ----------------------------------------------------------------

LEAD_STEPS = ["/lead", "宁德时代", "1", "5亿", "1", "张三", "修改"]
TRIP_STEPS = ["/trip", "1", "深圳", "昨天", "腾讯", "1", "1"]
UPDATE_STEPS = ["/update", "1", "阶段变更", "签约", "3亿"]
STEPS = [("lead", "登记线索", LEAD_STEPS[:n]) for n in range(1, len(LEAD_STEPS) + 1)] \
    + [("trip", "登记外出招商", TRIP_STEPS[:n]) for n in range(1, len(TRIP_STEPS) + 1)] \
    + [("update", "更新项目", UPDATE_STEPS[:n]) for n in range(1, len(UPDATE_STEPS) + 1)] \
    + [("update", "更新项目", ["/update", "1", "阶段变更", "终止"]), ("status", "查询项目", ["/status"])]


def each_step_with(words: list[str]) -> list:
    """Every step of every flow once, the words taking turns (each word is tried at several steps)."""
    return [pytest.param(flow, title, steps, words[i % len(words)], id=f"{flow}-{len(steps)}-{words[i % len(words)]}")
            for i, (flow, title, steps) in enumerate(STEPS)]


@pytest.mark.parametrize("flow,title,steps,word", each_step_with(["/cancel", "取消", "退出"]))
async def test_cancel_leaves_any_step_and_saves_nothing(
        org_db: Database, east: Person, word: str, flow: str, title: str, steps: list[str]) -> None:
    if flow == "update":
        await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    for text in steps:
        await east.say(text)
    me = await member(org_db, "东小李")
    assert (await state_of(org_db, me)).flow == flow
    before = await event_count(org_db)
    await east.say(word)
    assert east.texts == [f"已取消“{title}”，没有保存任何内容。"]
    assert await event_count(org_db) == before
    assert await state_of(org_db, me) is None
    await east.say("1")  # what would have answered the step is no answer any more
    assert east.texts == ["没看懂这条消息。登记线索发“线索 企业名称 金额”，查项目发“查询 名称”，发“帮助”看全部命令。"]


async def test_cancel_with_nothing_open(org_db: Database, east: Person) -> None:
    await east.say("取消")
    assert east.texts == ["当前没有进行中的操作。"]


async def test_the_cancel_button_of_a_paused_flow(org_db: Database, east: Person, clock: FixedClock) -> None:
    await lead_at_amount(east)
    clock.advance(minutes=31)
    await east.say("5亿")
    await east.press("取消")
    assert east.texts == ["已取消“登记线索”，没有保存任何内容。"]
    assert await state_of(org_db, await member(org_db, "东小李")) is None


@pytest.mark.parametrize("flow,title,steps,word", each_step_with(["/help", "帮助", "菜单", "/help@zsbot"]))
async def test_help_always_answers_and_the_flow_stays_where_it_was(
        org_db: Database, east: Person, word: str, flow: str, title: str, steps: list[str]) -> None:
    if flow == "update":
        await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    for text in steps:
        await east.say(text)
    me = await member(org_db, "东小李")
    state = await state_of(org_db, me)
    await east.say(word)
    assert east.text.startswith("招商助手可用命令（斜杠命令或中文关键词均可）：")
    for command in ("/lead（线索）", "/trip（外出）", "/update（进展）", "/status（查询）", "/my（我的项目）",
                    "/stale（久未更新）", "/cancel（取消）"):
        assert command in east.text
    after = await state_of(org_db, me)
    assert (after.flow, after.step, after.version, after.data) == (state.flow, state.step, state.version, state.data)


async def test_help_outside_a_flow(org_db: Database, east: Person) -> None:
    await east.say("帮助")
    assert east.text.startswith("招商助手可用命令") and east.text.endswith("随时发“取消”退出当前操作。")


async def test_after_help_the_flow_continues(org_db: Database, east: Person) -> None:
    await lead_at_amount(east)
    await east.say("帮助")
    await east.say("5亿")
    assert east.texts == ["请选择线索来源："]


async def test_a_keyword_with_words_after_it_inside_a_flow_is_an_answer(org_db: Database, east: Person) -> None:
    await east.say("/lead")
    await east.say("帮助 科技有限公司")  # a company name, not the help command
    assert east.texts == ["请选择产业链："]


async def test_an_unknown_slash_command(org_db: Database, east: Person) -> None:
    await east.say("/foo bar")
    assert east.texts == ["没有“/foo”这个命令。发“帮助”查看可用命令。"]
    await lead_at_amount(east)
    await east.say("/foo")
    assert east.texts == ["没有“/foo”这个命令。发“帮助”查看可用命令。",
                          "（您还有未完成的“登记线索”，可以直接回复继续，或发 /cancel 放弃。）"]
    await east.say("5亿")
    assert east.texts == ["请选择线索来源："]


async def test_text_that_is_nothing_gets_an_explanation(org_db: Database, east: Person) -> None:
    await east.say("你好")
    assert east.texts == ["没看懂这条消息。登记线索发“线索 企业名称 金额”，查项目发“查询 名称”，发“帮助”看全部命令。"]


async def test_a_new_form_puts_the_open_one_aside_and_says_so(org_db: Database, east: Person) -> None:
    await lead_at_amount(east)
    await east.say("/trip")
    assert east.texts == [LEAD_SHELVED, "谁外出招商？"]
    assert (await state_of(org_db, await member(org_db, "东小李"))).flow == "trip"
    await east.say("取消")  # the trip ends: the lead is back, paused, and said so
    assert east.texts == ["已取消“登记外出招商”，没有保存任何内容。",
                          "您还有暂停的“登记线索”，已保留：企业名称 宁德时代；产业链 新能源汽车零部件。"
                          "点“继续填写”或发“继续”（/lead）接着填，发“取消”放弃。"]
    assert east.labels == ["继续填写", "取消"]
    await east.say("继续")
    assert east.texts == [AMOUNT_QUESTION]
    await east.say("5亿")
    assert east.texts == ["请选择线索来源："]


@pytest.mark.parametrize("query", ["/status 万华化学", "查询 万华化学", "查询：万华化学"])
async def test_a_status_query_inside_a_flow_pauses_it(org_db: Database, east: Person, query: str) -> None:
    p = await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    await lead_at_amount(east)
    await east.say(query)
    assert east.texts[0].startswith(f"【#{p.id} 万华化学】")
    assert east.texts[1] == LEAD_PAUSED_HERE
    await east.say("5亿")  # paused: not taken as the answer to the question asked before
    assert east.texts == [LEAD_REMINDER]
    await east.say("继续")
    assert east.texts == [AMOUNT_QUESTION]
    await east.say("5亿")
    assert east.texts == ["请选择线索来源："]


# -- buttons ----------------------------------------------------------------------------------------

async def test_a_pressed_button_edits_the_question_into_the_answer(org_db: Database, east: Person) -> None:
    await east.say("/lead")
    await east.say("宁德时代")
    await east.press("新能源汽车零部件")
    edit, question = east.replies
    assert isinstance(edit, EditText) and edit.message_id == east.last_message_id
    assert edit.text == "请选择产业链：\n→ 已选：新能源汽车零部件" and edit.buttons == ()
    assert isinstance(question, SendText) and question.text == AMOUNT_QUESTION


async def test_a_typed_number_edits_nothing(org_db: Database, east: Person) -> None:
    await east.say("/lead")
    await east.say("宁德时代")
    await east.say("2")
    assert [type(r) for r in east.replies] == [SendText]
    assert east.text == AMOUNT_QUESTION


async def test_a_stale_button_is_refused_and_changes_nothing(org_db: Database, east: Person) -> None:
    await east.say("/lead")
    await east.say("宁德时代")
    old = east.button("现代化工").payload
    await east.press("新能源汽车零部件")
    me = await member(org_db, "东小李")
    state = await state_of(org_db, me)
    await east.payload(old)  # the industry question was answered: its buttons are stale
    assert east.texts == [EXPIRED]
    after = await state_of(org_db, me)
    assert (after.step, after.version, after.data) == (state.step, state.version, state.data)


async def test_a_button_of_a_finished_flow_is_refused(org_db: Database, east: Person) -> None:
    await east.say("线索 宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    confirm = east.button("确认").payload
    await east.press("确认")
    before = await event_count(org_db)
    await east.payload(confirm)  # pressed a second time (a double tap, or a stale message)
    assert east.texts == [EXPIRED]
    assert await event_count(org_db) == before
    assert len(await events(org_db, ev.LEAD_LOGGED)) == 1


async def test_a_button_of_a_cancelled_flow_is_refused(org_db: Database, east: Person) -> None:
    await east.say("线索 宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    confirm = east.button("确认").payload
    await east.say("取消")
    await east.payload(confirm)
    assert east.texts == [EXPIRED]
    assert await events(org_db, ev.LEAD_LOGGED) == []


@pytest.mark.parametrize("payload", ["f:", "f:x:0", "f:1", "f:999:0", "f:3:99", "f:3:-1", "s:", "s:nope:1",
                                     "x:1:2", ":", "garbage"])
async def test_forged_payloads_are_refused(org_db: Database, east: Person, payload: str) -> None:
    await east.say("/lead")
    await east.say("宁德时代")
    me = await member(org_db, "东小李")
    state = await state_of(org_db, me)
    before = await event_count(org_db)
    await east.payload(payload)
    assert east.texts == [EXPIRED]
    assert await event_count(org_db) == before
    after = await state_of(org_db, me)
    assert (after.step, after.data) == (state.step, state.data)


async def test_a_typed_label_with_full_width_brackets_is_a_choice(org_db: Database, east: Person) -> None:
    await logged_lead(east, "比亚迪股份有限公司 新能源汽车零部件 投资20亿 来源驻点")
    wecom = await registered(org_db, east.conv, "西小张", channel="wecom", buttons=False)
    await wecom.say("线索 比亚迪 新能源汽车零部件 投资5亿 来源驻点")
    await wecom.say("仍然登记（标记疑似重复）")
    assert "⚠ 疑似与" in wecom.text


# -- exactly once -----------------------------------------------------------------------------------

async def test_a_repeated_delivery_has_no_second_effect(org_db: Database, east: Person) -> None:
    await east.say("线索 宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    press = east.inbound(payload=east.button("确认").payload, update_id="tg:4242")
    first = await east.send(press)
    assert "已登记线索" in "\n".join(r.text for r in first)
    again = await east.send(press)  # the channel delivered the same update twice
    assert again == []
    assert len(await events(org_db, ev.LEAD_LOGGED)) == 1


async def test_a_repeated_text_delivery_is_answered_once(org_db: Database, east: Person) -> None:
    await lead_at_amount(east)
    message = east.inbound(text="5亿", update_id="tg:77")
    assert [r.text for r in await east.send(message)] == ["请选择线索来源："]
    assert await east.send(message) == []
    state = await state_of(org_db, await member(org_db, "东小李"))
    assert state.step == "source" and state.data["intended_wan"] == 50_000


async def test_the_same_update_id_on_another_channel_is_another_delivery(org_db: Database, east: Person) -> None:
    tg = await registered(org_db, east.conv, "西小张", channel="telegram")
    await east.send(east.inbound(text="/help", update_id="42"))
    assert await tg.send(tg.inbound(text="/help", update_id="42")) != []


# -- idle flows: paused, told what was kept, resumed ----------------------------------------------

async def test_an_idle_flow_is_paused_with_what_was_kept(org_db: Database, east: Person, clock: FixedClock) -> None:
    await lead_at_amount(east)
    clock.advance(minutes=29)
    await east.say("帮助")  # still within the half hour: nothing paused
    assert "已暂停" not in east.text
    clock.advance(minutes=31)
    await east.say("5亿")
    assert east.texts == [LEAD_PAUSED]
    assert east.labels == ["继续填写", "取消"]
    state = await state_of(org_db, await member(org_db, "东小李"))
    assert state.flow == "lead" and state.step == "amount" and "intended_wan" not in state.data
    # Whatever is typed while paused is not taken as an answer: the pause is explained again.
    await east.say("5亿")
    assert east.texts == [LEAD_REMINDER]


@pytest.mark.parametrize("how", ["/lead", "线索", "button", "1", "继续填写"])
async def test_a_paused_flow_resumes_at_the_same_step(
        org_db: Database, east: Person, clock: FixedClock, how: str) -> None:
    await lead_at_amount(east)
    clock.advance(minutes=45)
    await east.say("在吗")
    if how == "button":
        await east.press("继续填写")
        assert east.texts == [AMOUNT_QUESTION]
    else:
        await east.say(how)
        assert east.texts == [AMOUNT_QUESTION]
    await east.say("5亿")
    await east.press("驻点招商")
    await east.press("跳过")
    await east.press("确认")
    [logged] = await events(org_db, ev.LEAD_LOGGED)
    assert (logged.payload["name"], logged.payload["industry"], logged.payload["intended_wan"]) \
        == ("宁德时代", "新能源汽车零部件", 50_000)


async def test_the_resume_button_of_the_pause_push_works(org_db: Database, east: Person, clock: FixedClock) -> None:
    await lead_at_amount(east)
    clock.advance(minutes=31)
    await east.payload("s:resume")  # pressed on the pushed pause message: paused, then resumed
    assert east.texts[0] == LEAD_PAUSED and east.texts[-1] == AMOUNT_QUESTION
    await east.say("5亿")
    assert east.texts == ["请选择线索来源："]


async def test_resume_with_nothing_paused(org_db: Database, east: Person) -> None:
    await east.payload("s:resume")
    assert east.texts == ["没有可以继续的填写。"]
    await lead_at_amount(east)
    await east.payload("s:resume")  # open, not paused: its question again
    assert east.texts == ["您正在填写“登记线索”，回答下面的问题即可（发“取消”放弃）：", AMOUNT_QUESTION]
    await east.say("5亿")
    assert east.texts == ["请选择线索来源："]


async def test_a_command_after_the_pause_runs_and_the_flow_stays_paused(
        org_db: Database, east: Person, clock: FixedClock) -> None:
    await lead_at_amount(east)
    clock.advance(minutes=31)
    await east.say("/my")
    assert east.texts[0] == LEAD_PAUSED and east.texts[1].startswith("东区的项目")
    await east.say("/lead")
    assert east.texts == [AMOUNT_QUESTION]


async def test_a_status_list_while_paused_keeps_the_paused_flow(
        org_db: Database, east: Person, clock: FixedClock) -> None:
    a = await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    await east.say("线索 万华化学集团 现代化工 投资3亿 来源驻点")
    await east.press("仍然登记")
    await east.press("确认")
    await lead_at_amount(east)
    clock.advance(minutes=31)
    await east.say("查询 万华")
    assert east.texts[0] == LEAD_PAUSED and east.texts[1] == "找到 2 个与“万华”相关的项目，请选择："
    await east.say("1")  # numbers now mean the projects listed
    assert east.text.startswith(f"【#{a.id} 万华化学】")
    await east.say("/lead")
    assert east.texts == [AMOUNT_QUESTION]


async def test_another_flow_started_while_paused_puts_the_paused_one_aside(
        org_db: Database, east: Person, clock: FixedClock) -> None:
    await lead_at_amount(east)
    clock.advance(minutes=31)
    await east.say("/trip")
    assert east.texts == [LEAD_PAUSED, LEAD_SHELVED, "谁外出招商？"]
    clock.advance(minutes=31)
    await east.say("/lead")  # the lead's own command takes it up again; the idle trip is put aside instead
    assert east.texts[0].startswith("“登记外出招商”已超过 30 分钟没有操作，已暂停。")
    assert east.texts[1:] == ["（“登记外出招商”已暂停并保留；这一项完成或取消后，发“继续”回到它。）", AMOUNT_QUESTION]
    await east.say("线索 比亚迪 新能源汽车零部件 投资5亿 来源驻点")  # a third form: the oldest one put aside goes
    assert east.texts[:2] == ["已放弃未完成的“登记外出招商”。", LEAD_SHELVED]


async def test_the_timeout_is_configurable(org_db: Database, clock: FixedClock) -> None:
    conv = conversations(org_db, timeout=timedelta(minutes=10))
    p = await registered(org_db, conv, "东小李")
    await lead_at_amount(p)
    clock.advance(minutes=11)
    await p.say("5亿")
    assert p.texts[0].startswith("“登记线索”已超过 10 分钟没有操作，已暂停。")


async def test_expire_idle_pushes_once_per_paused_flow(org_db: Database, east: Person, clock: FixedClock) -> None:
    conv = east.conv
    tg = await registered(org_db, conv, "西小张", channel="telegram", sender_id="tg-501")
    fresh = await registered(org_db, conv, "高新小陈")
    menu_user = await registered(org_db, conv, "工信小刘")
    await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    await lead_at_amount(east)
    await tg.say("/trip")
    await tg.press("本人")
    await tg.say("深圳")
    await menu_user.say("查询 万华")  # one match: a card, no state
    clock.advance(minutes=31)
    await fresh.say("/lead")  # opened just now: not idle
    before = await event_count(org_db)
    assert await conv.expire_idle() == 2
    rows = await outbox_rows(org_db, "flow_paused")
    assert len(rows) == 2
    by_chat = {r.chat_id: r for r in rows}
    assert set(by_chat) == {east.chat_id, "tg-501"}
    assert by_chat["tg-501"].channel == "telegram" and by_chat[east.chat_id].channel == "console"
    action = json.loads(by_chat[east.chat_id].action)
    assert action["text"] == LEAD_PAUSED
    assert [b["label"] for row in action["buttons"] for b in row] == ["继续填写", "取消"]
    assert json.loads(by_chat["tg-501"].action)["text"] == (
        "“登记外出招商”已超过 30 分钟没有操作，已暂停。已保留：西小张；深圳。"
        "点“继续填写”或发 /trip 从中断处继续，发 /cancel 放弃。")
    assert await event_count(org_db) == before  # a pause is not a fact
    # Never twice, however often the scheduler runs.
    clock.advance(minutes=5)
    assert await conv.expire_idle() == 0
    assert len(await outbox_rows(org_db, "flow_paused")) == 2
    # The member answers the push: no second pause message in the chat, the flow resumes.
    await east.payload("s:resume")
    assert east.texts == [AMOUNT_QUESTION]
    # Idle again later: a new pause, pushed once more (and 高新小陈's lead, idle by now too).
    clock.advance(minutes=31)
    assert await conv.expire_idle() == 2
    rows = await outbox_rows(org_db, "flow_paused")
    assert sorted(r.chat_id for r in rows) == sorted([east.chat_id, east.chat_id, "tg-501", fresh.chat_id])


async def test_expire_idle_forgets_old_button_lists(org_db: Database, east: Person, clock: FixedClock) -> None:
    await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    await east.say("线索 万华化学集团 现代化工 投资3亿 来源驻点")
    await east.press("仍然登记")
    await east.press("确认")
    await east.say("查询 万华")
    me = await member(org_db, "东小李")
    assert (await state_of(org_db, me)).flow == "menu"
    clock.advance(minutes=31)
    assert await east.conv.expire_idle() == 0
    assert await state_of(org_db, me) is None
    assert await outbox_rows(org_db, "flow_paused") == []


async def test_a_flow_paused_by_expire_idle_is_not_paused_again_by_the_next_message(
        org_db: Database, east: Person, clock: FixedClock) -> None:
    await lead_at_amount(east)
    clock.advance(minutes=31)
    await east.conv.expire_idle()
    await east.say("/lead")
    assert east.texts == [AMOUNT_QUESTION]


# -- the same conversation from another process or another channel ----------------------------------

async def test_another_process_continues_the_same_flow(org_db: Database, clock: FixedClock) -> None:
    first = await registered(org_db, conversations(org_db), "东小李")
    await lead_at_amount(first)
    # A second bot process: its own engine and conversation core over the same database file.
    other_db = Database(org_db.url, clock)
    try:
        second = Person(other_db, conversations(other_db), sender_id=first.sender_id, name="东小李")
        await second.say("5亿")
        assert second.texts == ["请选择线索来源："]
        await second.say("1")
        await first.say("跳过")  # and back in the first process
        assert first.texts[-1].startswith("请核对线索：\n企业名称：宁德时代")
        await second.say("确认")
    finally:
        await other_db.dispose()
    [logged] = await events(org_db, ev.LEAD_LOGGED)
    assert (logged.payload["intended_wan"], logged.payload["source"]) == (50_000, "驻点招商")


async def test_a_member_on_two_channels_continues_the_flow_from_the_other(
        org_db: Database, east: Person) -> None:
    tg = await registered(org_db, east.conv, "东小李", channel="telegram", sender_id="tg-1001")
    wecom = await registered(org_db, east.conv, "东小李", channel="wecom", sender_id="wx-li", buttons=False)
    await east.say("/lead")
    await east.say("宁德时代")
    industry_button = east.button("新能源汽车零部件").payload
    await tg.payload(industry_button)  # the same question's button, pressed on Telegram
    assert tg.texts[-1] == AMOUNT_QUESTION
    me = await member(org_db, "东小李")
    state = await state_of(org_db, me)
    assert (state.channel, state.chat_id) == ("telegram", "tg-1001")  # pushes go where the member is now
    await wecom.say("5亿")
    await wecom.say("驻点招商")
    await wecom.say("跳过")
    await east.say("1")
    assert "已登记线索" in east.text
    [logged] = await events(org_db, ev.LEAD_LOGGED)
    assert (logged.payload["industry"], logged.payload["intended_wan"], logged.actor) \
        == ("新能源汽车零部件", 50_000, me.id)


def test_a_glued_keyword_is_the_longest_one_that_fits() -> None:
    """查询比亚迪 is /status 比亚迪; when one keyword starts another (线索 / 登记线索, 线索 / 线索池), the longer wins."""
    from handlers.commands import parse_command
    from handlers.registry import registry

    glued = [(alias, c.name) for c in registry().commands.values() for alias in c.glued]
    assert ("查询", "status") in glued and ("线索", "lead") in glued
    for alias, name in glued:
        command, args = parse_command(f"{alias}宁德时代", None, in_flow=False)
        assert (command.name, args) == (name, "宁德时代"), alias


async def test_a_message_without_text_in_a_private_chat_is_answered(org_db: Database, east: Person) -> None:
    await east.send(east.inbound(text=None))  # a sticker or a photo: no text, no button
    assert east.texts == ["没看懂这条消息。登记线索发“线索 企业名称 金额”，查项目发“查询 名称”，发“帮助”看全部命令。"]
    await east.say("   ")
    assert len(east.texts) == 1


async def test_a_command_for_another_bot_in_a_private_chat_is_answered(org_db: Database) -> None:
    conv = conversations(org_db, bot_username="zsbot")
    p = await registered(org_db, conv, "东小李")
    await p.say("/help@zsbot")
    assert p.text.startswith("招商助手可用命令")
    await p.say("/help@otherbot")
    assert p.texts == ["没有“/help@otherbot”这个命令。发“帮助”查看可用命令。"]


async def test_in_a_group_only_commands_for_this_bot_are_answered(org_db: Database) -> None:
    from core.messages import ChatType

    conv = conversations(org_db, bot_username="zsbot")
    bound = await registered(org_db, conv, "东小李", channel="telegram")
    group = Person(org_db, conv, sender_id=bound.sender_id, channel="telegram", chat_id="-100123",
                   chat_type=ChatType.GROUP)
    await group.say("大家好")
    assert group.replies == []
    await group.say("/help@otherbot")
    assert group.replies == []
    await group.say("/help@zsbot")
    assert group.text.startswith("招商助手可用命令")
