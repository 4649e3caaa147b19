"""WeCom template cards, pure parts: which prompts become a card and how, the press → Inbound, the ids."""
from __future__ import annotations

import pytest

from bot.channels.wecom.cards import (
    TASK_ID,
    button_card,
    card_message_id,
    new_task_id,
    replace_name,
    response_code_of,
)
from bot.channels.wecom.inbound import inbound_from_message
from core.messages import Button, SendText
from tests.fakes.wecom_api import card_problem

AGENT = 1000002


def prompt(text: str, *labels: str) -> SendText:
    return SendText(text=text, buttons=tuple((Button(label=label, payload=f"f:3:{i}"),)
                                             for i, label in enumerate(labels)))


def test_a_lead_card_keeps_its_order_title_sub_title_then_the_closing_fields() -> None:
    text = "请核对线索：\n说明：比亚迪在南明区的第二个项目，需与去年已经签约的那个项目区分开来\n企业名称：比亚迪股份有限公司\n意向投资：20亿元"
    plan = button_card(prompt(text, "确认", "修改", "取消"), "zs1_ab")
    assert plan is not None and plan.text_before is None
    assert plan.card == {
        "card_type": "button_interaction", "task_id": "zs1_ab",
        "main_title": {"title": "请核对线索："},
        "sub_title_text": "说明：比亚迪在南明区的第二个项目，需与去年已经签约的那个项目区分开来",  # value over 30 characters
        "horizontal_content_list": [{"keyname": "企业名称", "value": "比亚迪股份有限公司"},
                                    {"keyname": "意向投资", "value": "20亿元"}],
        "button_list": [{"text": "确认", "key": "f:3:0"}, {"text": "修改", "key": "f:3:1"},
                        {"text": "取消", "key": "f:3:2"}]}
    assert card_problem(plan.card) is None


def test_times_and_addresses_are_text_not_fields() -> None:
    plan = button_card(prompt("会议通知\n时间 10:30\nhttps://example.gov.cn/a", "收到"), "t")
    assert plan is not None and plan.card["sub_title_text"] == "时间 10:30\nhttps://example.gov.cn/a"
    assert "horizontal_content_list" not in plan.card


def test_a_text_too_long_for_the_card_goes_before_it() -> None:
    long = "\n".join(["请核对："] + ["这一行没有冒号但是很长很长很长很长很长"] * 10)
    plan = button_card(prompt(long, "确认"), "zs1_ab")
    assert plan is not None and plan.text_before == long
    assert plan.card["main_title"] == {"title": "请选择："} and "sub_title_text" not in plan.card
    long_line = button_card(prompt("标" * 37, "确认"), "t")  # a long first line goes under a plain title
    assert long_line is not None and long_line.text_before is None
    assert (long_line.card["main_title"], long_line.card["sub_title_text"]) == ({"title": "请选择："}, "标" * 37)
    assert card_problem(plan.card) is None


def test_a_reminder_is_a_card_titled_by_its_header() -> None:
    reminder = ("【半月报提醒】东区2026-11上期半月报请于11月10日当天结束前报送（还有2天）。"
                "点“开始填报”逐个确认本单位在库项目，或发“半月报”。")
    plan = button_card(SendText(text=reminder, buttons=((Button(label="开始填报", payload="s:report:2026-11a"),),)), "t")
    assert plan is not None and plan.text_before is None
    assert plan.card["main_title"] == {"title": "半月报提醒"}
    assert plan.card["sub_title_text"] == reminder.removeprefix("【半月报提醒】")
    assert plan.card["button_list"] == [{"text": "开始填报", "key": "s:report:2026-11a"}]


def test_more_or_longer_choices_are_a_single_choice_vote_card() -> None:
    plan = button_card(prompt("选择阶段\n当前：洽谈", *"一二三四五六七"), "zs1_ab")
    assert plan is not None and plan.text_before is None
    assert plan.card == {
        "card_type": "vote_interaction", "task_id": "zs1_ab",
        "main_title": {"title": "选择阶段", "desc": "当前：洽谈"},
        "checkbox": {"question_key": "choice", "mode": 0,
                     "option_list": [{"id": f"f:3:{i}", "text": c} for i, c in enumerate("一二三四五六七")]},
        "submit_button": {"text": "提交", "key": "submit"}}
    assert card_problem(plan.card) is None
    long_label = button_card(prompt("选择项目", "贵州茅台酒股份有限公司", "取消"), "zs1_ab")
    assert long_label is not None and long_label.card["card_type"] == "vote_interaction"
    too_long = button_card(prompt("选择项目\n" + "说明" * 30, "贵州茅台酒股份有限公司", "取消"), "zs1_ab")
    assert too_long is not None and too_long.text_before and too_long.card["main_title"] == {"title": "请选择："}


@pytest.mark.parametrize("action", [
    prompt("二十一个选项", *[str(i) for i in range(21)]),
    prompt("长标签", "贵州茅台酒股份有限公司遵义分公司白酒", "取消"),   # over 17 characters
    SendText(text="没有按钮"),
    SendText(text="重复", buttons=((Button(label="是", payload="s:x"), Button(label="否", payload="s:x")),)),
    SendText(text="超长键", buttons=((Button(label="是", payload="s:" + "x" * 1024),),)),
    SendText(text="长键多选", buttons=tuple((Button(label=str(i), payload="s:" + "x" * 127 + str(i)),)
                                        for i in range(7))),
])
def test_prompts_a_card_cannot_show_stay_numbered_lists(action: SendText) -> None:
    assert button_card(action, "zs1_ab") is None


def test_task_ids_are_unique_and_in_wecoms_alphabet() -> None:
    ids = {new_task_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(TASK_ID.fullmatch(i) and len(i) <= 128 for i in ids)
    with pytest.raises(ValueError):
        button_card(prompt("问", "是"), "has space")


def test_the_pressed_cards_message_id_carries_its_response_code() -> None:
    message_id = card_message_id("zs1_ab", "rc_Abc-12=")
    assert response_code_of(message_id) == "rc_Abc-12="
    assert response_code_of("7372837283728372837") is None     # a typed message: no card to update
    assert response_code_of("card:bad id:x") is None and response_code_of("card:zs1:") is None
    assert replace_name("确认") == "✓ 确认" and replace_name("") == "✓ 已选择"


def press(**fields: str) -> dict[str, str]:
    msg = {"ToUserName": "ww1", "FromUserName": "zhangsan", "CreateTime": "1790000000", "MsgType": "event",
           "Event": "template_card_event", "EventKey": "f:3:0", "TaskId": "zs1_ab", "CardType": "button_interaction",
           "ResponseCode": "rc_code1", "AgentID": str(AGENT)}
    msg.update(fields)
    return msg


def test_a_press_becomes_an_inbound_with_the_payload() -> None:
    inbound = inbound_from_message(press(), agent_id=AGENT)
    assert inbound is not None
    assert (inbound.chat_id, inbound.sender_id, inbound.payload, inbound.text) == ("zhangsan", "zhangsan", "f:3:0", None)
    assert inbound.message_id == "card:zs1_ab:rc_code1" and inbound.update_id.startswith("card:")
    # WeCom's retry carries the same fields: the same update id. Another press is another update.
    assert inbound_from_message(press(), agent_id=AGENT).update_id == inbound.update_id  # type: ignore[union-attr]
    again = inbound_from_message(press(CreateTime="1790000009", ResponseCode="rc_code2"), agent_id=AGENT)
    assert again is not None and again.update_id != inbound.update_id


def test_a_vote_cards_submit_carries_the_chosen_option() -> None:
    vote = press(CardType="vote_interaction", EventKey="submit", **{"SelectedItems.SelectedItem.OptionIds.OptionId": "f:3:6"})
    inbound = inbound_from_message(vote, agent_id=AGENT)
    assert inbound is not None and inbound.payload == "f:3:6"
    nothing_chosen = press(CardType="vote_interaction", EventKey="submit")
    assert inbound_from_message(nothing_chosen, agent_id=AGENT) is None
    other_key = press(CardType="vote_interaction", EventKey="f:3:1", **{"SelectedItems.SelectedItem.OptionIds.OptionId": "f:3:6"})
    assert inbound_from_message(other_key, agent_id=AGENT) is None


def test_a_press_without_a_usable_card_or_key_is_ignored_or_not_updated() -> None:
    for bad in (press(EventKey=""), press(TaskId="a b"), press(EventKey="k" * 1025), press(AgentID="999"),
                press(FromUserName="robot:east")):
        assert inbound_from_message(bad, agent_id=AGENT) is None
    odd = inbound_from_message(press(ResponseCode="has space:colon"), agent_id=AGENT)
    assert odd is not None and odd.payload == "f:3:0" and odd.message_id is None  # handled, card not updated


@pytest.mark.parametrize("broken, problem", [
    ({"task_id": ""}, "task_id"),
    ({"main_title": {}}, "main_title.title is required"),
    ({"main_title": {"title": "长" * 37}}, "36"),
    ({"sub_title_text": "长" * 161}, "160"),
    ({"button_list": []}, "1..6"),
    ({"button_list": [{"text": str(i), "key": str(i)} for i in range(7)]}, "1..6"),
    ({"button_list": [{"text": "是", "key": "k"}, {"text": "否", "key": "k"}]}, "unique"),
    ({"button_list": [{"text": "是"}]}, "key is required"),
    ({"button_list": [{"text": "十一个字的按钮文字呀呀", "key": "k"}]}, "10"),
    ({"horizontal_content_list": [{"keyname": "六个字的键名", "value": "v"}]}, "keyname over 5"),
    ({"card_type": "text_notice"}, "not served"),
    ({"card_type": "vote_interaction"}, "vote_interaction has no ['button_list']"),
])
def test_the_fake_refuses_cards_as_wecom_documents(broken: dict[str, object], problem: str) -> None:
    card = {"card_type": "button_interaction", "task_id": "zs1_ab", "main_title": {"title": "问"},
            "button_list": [{"text": "是", "key": "k"}], **broken}
    assert problem in (card_problem(card) or "")
