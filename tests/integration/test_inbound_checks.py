"""Values from a person or a payload are checked before SQL, on both engines: a number past
BIGINT, a forged `s:status:9999…`, a lone surrogate, NUL and other control characters, an
oversized text or id. Each is one Chinese sentence (or silence in a group), never the
internal-error reply, and leaves nothing behind but the update's record."""
from __future__ import annotations

import pytest

from core.clock import FixedClock
from core.messages import ChatType, Inbound
from handlers.parsing.ids import MAX_ID, as_id, as_index
from storage.database import Database
from tests.conversation import INTERNAL_ERROR, Person, conversations, event_count, ledger_ok, registered
from tests.helpers import setup_org

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("text", [
    f"接收 {HUGE}", f"/accept {HUGE}", f"拒绝 {HUGE}", f"/claims {HUGE} {HUGE}", f"/claims {HUGE}",
    f"/stale {HUGE}", "/stale ²", f"/status {HUGE}", f"/history {HUGE}", f"线索 比亚迪 {HUGE}亿",
    f"{HUGE}", "²", "١٢",
])
async def test_huge_and_odd_numbers_are_answered_without_an_internal_error(
        db: Database, clock: FixedClock, text: str) -> None:
    await setup_org(db)
    conv = conversations(db)
    office = await registered(db, conv, "王办公")
    before = await event_count(db)
    replies = await office.say(text)
    assert replies and INTERNAL_ERROR not in office.text, office.text
    assert await event_count(db) == before and await ledger_ok(db)


@pytest.mark.parametrize("payload", [
    "s:status:" + "9" * 40, f"s:history:{HUGE}", f"s:tr_no:{2**63}", f"s:tr_ok:{HUGE}", f"s:interest:{HUGE}",
    f"s:claim:{HUGE}:{HUGE}", f"s:trip_lead:{HUGE}:{HUGE}", f"f:{HUGE}:0", "f:0:²", "f:²:0", "s:" + "9" * 5000,
    "s:status:\udd26", "s:status:1\x00",
])
async def test_forged_payloads_are_refused_as_expired_buttons(db: Database, clock: FixedClock, payload: str) -> None:
    await setup_org(db)
    conv = conversations(db)
    office = await registered(db, conv, "王办公")
    await office.payload(payload)
    assert office.texts and INTERNAL_ERROR not in office.text, office.text


@pytest.mark.parametrize(("text", "answer"), [
    ("比亚迪\udd26", "不是合法的 Unicode"), ("\ud83d", "不是合法的 Unicode"), ("a\x00b", "控制字符"),
    ("\x1b[31m比亚迪", "控制字符"), ("比" * 16_001, "消息太长"),
])
async def test_invalid_text_is_one_sentence_and_a_redelivery_is_silent(
        db: Database, clock: FixedClock, text: str, answer: str) -> None:
    await setup_org(db)
    conv = conversations(db)
    person = await registered(db, conv, "东小李")
    inbound = person.inbound(text=text)
    replies = await person.send(inbound)
    assert len(replies) == 1 and answer in person.text and "\n" not in person.text, person.text
    assert await person.send(inbound) == []  # recorded: the channel's repeat has no second answer
    stranger = Person(db, conv, sender_id="s1", channel="telegram", chat_id="-1001", chat_type=ChatType.GROUP)
    assert await stranger.say(text) == []  # a group hears nothing about what people say to each other


async def test_whitespace_controls_are_read_as_spaces(db: Database, clock: FixedClock) -> None:
    await setup_org(db)
    conv = conversations(db)
    person = await registered(db, conv, "东小李")
    await person.say("/help\x0b")
    assert INTERNAL_ERROR not in person.text and "控制字符" not in person.text


@pytest.mark.parametrize("field", ["chat_id", "sender_id", "update_id", "message_id"])
async def test_an_unusable_id_is_refused_before_the_update_record(db: Database, clock: FixedClock, field: str) -> None:
    await setup_org(db)
    conv = conversations(db)
    person = await registered(db, conv, "东小李")
    good = person.inbound(text="/help")
    for bad in ("x" * 101, "a\x00", "\udd26"):
        replies = await conv.handle(Inbound(**{**good.model_dump(), field: bad}))
        assert [r.text for r in replies] == ["这条消息的来源信息不完整或无法识别，没有处理。"]  # type: ignore[union-attr]


def test_ids_are_ascii_digits_within_bigint() -> None:
    assert as_id("123") == 123 and as_id("#7") == 7 and as_id("＃7") == 7 and as_id(str(MAX_ID)) == MAX_ID
    for bad in (str(MAX_ID + 1), HUGE, "²", "١٢", "-1", "1e3", "", " ", "0x10", "1_000", "+1"):
        assert as_id(bad) is None, bad
    assert as_index("2", 3) == 2 and as_index("3", 3) is None and as_index("9" * 30, 10**9) is None
