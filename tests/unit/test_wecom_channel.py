"""The WeCom channel's pure parts: rendering, byte limits, menu keys, callback parsing, error mapping."""
from __future__ import annotations

from typing import Any

import pytest

from bot.channels.wecom.contract import WeComApiError, WeComMaybeSent, WeComNetworkError, WeComRateLimited
from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.endpoint import WeCom
from bot.channels.wecom.sender import _mapped
from bot.channels.wecom.inbound import inbound_from_message, menu_text
from bot.channels.wecom.render import app_text, robot_text, split_bytes
from core.delivery import Ambiguous, Permanent, RetryAfter, Transient, split_action
from core.messages import Button, EditText, SendPhoto, SendText

AGENT = 1000002


def card() -> SendText:
    return SendText(text="请核对线索：\n企业名称：比亚迪", buttons=(
        (Button(label="确认", payload="f:2:0"), Button(label="修改", payload="f:2:1")),
        (Button(label="取消", payload="f:2:2"),)))


def test_buttons_become_a_numbered_list_and_robots_drop_them() -> None:
    assert app_text(card()) == "请核对线索：\n企业名称：比亚迪\n\n回复数字或选项文字选择：\n1. 确认\n2. 修改\n3. 取消"
    assert app_text(SendText(text="好的")) == "好的"
    assert robot_text(card()) == "请核对线索：\n企业名称：比亚迪"


@pytest.mark.parametrize("text", [
    "\n".join(f"第{i}行：项目进展情况" for i in range(300)),
    "比" * 5000,                                  # one line longer than the limit
    "📈" * 1000 + "\n" + "a" * 3000 + "\n\n尾",     # 4-byte characters, ASCII, an empty line
])
def test_split_bytes_keeps_every_part_under_the_limit(text: str) -> None:
    parts = split_bytes(text, 2048)
    assert all(0 < len(p.encode()) <= 2048 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    if "\n" in text and len(text.split("\n")[0].encode()) <= 2048:
        assert parts[0].split("\n") == text.split("\n")[: len(parts[0].split("\n"))]  # cut at a line break


def test_split_bytes_of_short_or_empty_text() -> None:
    assert split_bytes("你好", 2048) == ["你好"]
    assert split_bytes("", 2048) == []


def test_the_outbox_splits_captions_and_long_texts_for_wecom() -> None:
    photo = SendPhoto(data=b"png", caption="10月排名")
    assert split_action("wecom", photo) == [SendPhoto(data=b"png"), SendText(text="10月排名")]
    assert split_action("telegram", photo) == [photo]
    long = SendText(text="\n".join(["汉" * 100] * 10), buttons=card().buttons)
    parts = split_action("wecom", long)
    assert len(parts) == 2 and parts[-1].buttons == card().buttons and parts[0].buttons == ()


def test_menu_keys() -> None:
    assert menu_text("help") == "/help"
    assert menu_text("lead") == "/lead"
    assert menu_text(" 线索 ") == "线索"
    assert menu_text("/stale 30") == "/stale 30"
    assert menu_text("") is None


def text_xml(**fields: str) -> dict[str, str]:
    msg = {"ToUserName": "ww1", "FromUserName": "zhangsan", "CreateTime": "1790000000", "MsgType": "text",
           "Content": "查询 比亚迪", "MsgId": "7372837283728372837", "AgentID": str(AGENT)}
    msg.update(fields)
    return msg


def test_a_text_message_becomes_an_inbound_keyed_by_msgid() -> None:
    inbound = inbound_from_message(text_xml(), agent_id=AGENT)
    assert inbound is not None
    assert (inbound.channel, inbound.chat_id, inbound.sender_id, inbound.text, inbound.update_id) == (
        "wecom", "zhangsan", "zhangsan", "查询 比亚迪", "7372837283728372837")
    assert inbound.at.timestamp() == 1790000000


def test_a_menu_click_has_a_stable_delivery_id() -> None:
    click = {"FromUserName": "zhangsan", "CreateTime": "1790000000", "MsgType": "event", "Event": "click",
             "EventKey": "status", "AgentID": str(AGENT)}
    first, again = inbound_from_message(click, agent_id=AGENT), inbound_from_message(dict(click), agent_id=AGENT)
    later = inbound_from_message({**click, "CreateTime": "1790000001"}, agent_id=AGENT)
    assert first is not None and again is not None and later is not None
    assert first.text == "/status" and first.update_id == again.update_id != later.update_id
    assert len(first.update_id or "") <= 100


@pytest.mark.parametrize("fields", [
    {"FromUserName": "robot:east"}, {"FromUserName": "a|b"}, {"FromUserName": ""},
    {"FromUserName": "x" * 65}, {"AgentID": "999"}, {"MsgId": ""}, {"MsgId": "12ab"},
    {"MsgType": "image"}, {"MsgType": "event", "Event": "enter_agent"},
    {"MsgType": "event", "Event": "click", "EventKey": ""},
])
def test_what_is_not_for_the_core_is_ignored(fields: dict[str, str]) -> None:
    assert inbound_from_message(text_xml(**fields), agent_id=AGENT) is None


async def _raise(exc: Exception) -> None:
    raise exc


@pytest.mark.parametrize(("error", "visible", "expected"), [
    (WeComRateLimited(45009, "api freq out of limit"), True, RetryAfter),
    (WeComMaybeSent("read timeout"), True, Ambiguous),
    (WeComMaybeSent("read timeout"), False, Transient),   # an upload: nobody saw anything
    (WeComNetworkError("connection refused"), True, Transient),
    (WeComApiError(-1, "system busy"), True, Transient),
    (WeComApiError(81013, "user & party & tag all invalid"), True, Permanent),
    (ValueError("text too long"), True, Permanent),
])
async def test_client_failures_as_the_outbox_understands_them(error: Exception, visible: bool,
                                                              expected: type[Exception]) -> None:
    with pytest.raises(expected) as info:
        await _mapped(_raise(error), 60.0, visible=visible)
    if expected is RetryAfter:
        assert info.value.seconds == 60.0  # type: ignore[attr-defined]


class RecordingClient:
    agent_id = AGENT

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def send_text(self, user: str, content: str) -> None:
        self.calls.append(("text", user))


async def no_robot(unit: str) -> str | None:
    return None


async def nothing(inbound: Any) -> list[Any]:
    return []


async def test_deliver_targets() -> None:
    client = RecordingClient()
    channel = WeCom(client, WeComCrypto("t", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "ww1"),  # type: ignore[arg-type]
                    nothing, robot_key=no_robot)
    assert channel.is_group("robot:east") and not channel.is_group("zhangsan")
    await channel.deliver("zhangsan", EditText(message_id="1", text="→ 已选：确认"))  # a typed choice: no card
    assert client.calls == []
    for chat in ("a|b", "@all", ""):
        with pytest.raises(Permanent):
            await channel.deliver(chat, SendText(text="x"))
    with pytest.raises(Permanent, match="no group robot"):
        await channel.deliver("robot:east", SendText(text="排名"))
    await channel.deliver("zhangsan", SendText(text="你好"))
    assert client.calls == [("text", "zhangsan")]


class CardClient(RecordingClient):
    """Answers cards and card updates as scripted."""

    def __init__(self, card_error: Exception | None = None, update_error: Exception | None = None) -> None:
        super().__init__()
        self.card_error, self.update_error = card_error, update_error

    async def send_template_card(self, user: str, card: dict[str, Any]) -> None:
        self.calls.append(("card", card["card_type"]))
        if self.card_error is not None:
            raise self.card_error

    async def update_template_card(self, user: str, code: str, name: str) -> None:
        self.calls.append(("update", (code, name)))
        if self.update_error is not None:
            raise self.update_error


def card_channel(client: CardClient, cards: Any = "auto") -> WeCom:
    return WeCom(client, WeComCrypto("t", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "ww1"),  # type: ignore[arg-type]
                 nothing, robot_key=no_robot, cards=cards)


async def test_a_card_is_rate_limited_like_any_message_and_a_used_code_is_only_logged() -> None:
    busy = card_channel(CardClient(card_error=WeComRateLimited(45009, "busy")))
    with pytest.raises(RetryAfter):
        await busy.deliver("zhangsan", card())
    assert not busy.cards_unsupported
    used = CardClient(update_error=WeComApiError(40058, "invalid response_code"))
    channel = card_channel(used)
    await channel.deliver("zhangsan", EditText(message_id="card:zs1_ab:rc_1", text="…", chosen="确认"))
    assert used.calls == [("update", ("rc_1", "✓ 确认"))]  # refused, and nothing raised: the choice stands
    await channel.deliver("robot:east", EditText(message_id="card:zs1_ab:rc_2", text="…", chosen="确认"))
    assert len(used.calls) == 1  # robots' messages are no cards


async def test_an_unsupported_card_falls_back_once_under_auto() -> None:
    client = CardClient(card_error=WeComApiError(40008, "invalid message type"))
    channel = card_channel(client)
    await channel.deliver("zhangsan", card())
    await channel.deliver("zhangsan", card())
    assert client.calls == [("card", "button_interaction"), ("text", "zhangsan"), ("text", "zhangsan")]
    assert channel.cards_unsupported
    other = CardClient(card_error=WeComApiError(40058, "invalid template_card"))
    with pytest.raises(Permanent):
        await card_channel(other).deliver("zhangsan", card())   # another refusal is not "no cards"
