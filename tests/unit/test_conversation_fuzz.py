"""Fuzz: thousands of random texts and button payloads from several senders through the real core.

A seeded generator (the seed is printed on failure) mixes what people really send — commands with
random arguments, half-right answers, numbers, labels of the buttons just shown, stale and forged
button payloads (with numbers past BIGINT: `s:status:9999…`), huge and odd numbers where ids go
(`接收 99999999999999999999999`, `²`), lone surrogates and control characters, random Unicode, very
long texts — on both engines (PostgreSQL refuses NUL and numbers SQLite stores) — with the clock jumping (idle flows get paused)
and the scheduler pausing flows. Whatever arrives: no unhandled error (the router's internal-error
reply never appears), every message from a registered private chat gets an answer, and the ledger
still verifies.

`ZSBOT_FUZZ_MESSAGES` (default below) and `ZSBOT_FUZZ_SEED` size and pick a run. The default, 1,000 messages
per engine, keeps CI's run short (3,000 took 65 s on PostgreSQL alone); the soaks are runs of their own:
`ZSBOT_FUZZ_MESSAGES=100000 pytest -n 0 tests/unit/test_conversation_fuzz.py` (docs/OPERATIONS.md records the
100,000-message runs on each engine), with `ZSBOT_FUZZ_SEED=7` for another stream.
"""
from __future__ import annotations

import logging
import os
import random
import time
from dataclasses import dataclass, field

import pytest

from core.messages import ChatType, SendText
from handlers.registry import registry
from storage.database import Database
from tests.conversation import INTERNAL_ERROR, Person, conversations, ledger_ok, registered
from tests.helpers import setup_org

MESSAGES = int(os.environ.get("ZSBOT_FUZZ_MESSAGES", "1000"))
SEED = int(os.environ.get("ZSBOT_FUZZ_SEED", "20261102"))

COMPANIES = ["比亚迪股份有限公司", "比亚迪", "宁德时代", "宁德时代新能源科技股份有限公司", "华为技术有限公司",
             "万华化学", "腾讯", "小米", "ＡＢＣ科技（深圳）有限公司", "Tesla Inc.", "贵州茅台", "浪潮"]
WORDS = ["新能源汽车零部件", "新能源", "电子", "现代", "化工", "数字经济", "驻点", "来源驻点", "来源:以商招商",
         "以商招商", "委托", "联系人张三", "13800138000", "0755-83888888", "91440300192175701G",
         "91440300192175701H", "9144030019217570", "投资", "约", "意向投资"]
AMOUNTS = ["3.5亿", "3.5 亿元", "5000万", "5000万元", "1,200万", "八千万", "3亿5千万", "两亿", "投资额约3.5亿元人民币",
           "0.8亿美元", "500万美元", "12.5万", "5000", "-3亿", "0万", "99999999999999999999亿", "1e9亿", "亿", "万万",
           "三点五亿", "１２亿"]
DATES = ["昨天", "今天", "明天", "11.3", "10.28-10.30", "11.5-11.3", "2月30日", "2026-07-10", "下周三", "月底",
         "本月25日", "7月10日到12日", "13.45", "2026-13-01", "前天到昨天"]
ANSWERS = ["确认", "修改", "取消", "跳过", "完成", "是", "否", "好", "不", "对", "不对", "仍然登记", "停止", "查看",
           "本人", "我", "阶段变更", "到位资金", "进展情况", "问题（提请调度）", "签约", "在谈", "终止", "线索", "投产",
           "继续填写", "确认超出签约额", "企业改投外省", "进展顺利", "暂不确定", "暂不清楚", "未拜访企业"]
SLASH_EXTRA = ["foo", "start", "lead@zsbot", "help@zsbot", "status@otherbot", "LEAD", ""]
PAYLOAD_KINDS = ["f", "s", "x", ""]
HUGE = ["99999999999999999999999", str(2**63), str(2**63 - 1), str(2**64), "9" * 49, "-9223372036854775809",
        "00000000000000000000000000001", "²", "١٢", "１２", "1e30", "0x10", "1_000"]
ODD = ["\udd26", "\ud83d", "a\x00b", "\x00", "\x1b[31m", "\u202e", "\x7f", "\x85", "\r\n", "\ufffe", "\U0010ffff"]


@dataclass
class Sender:
    person: Person
    registered: bool
    private: bool
    seen_payloads: list[str] = field(default_factory=list)


def random_unicode(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        block = rng.random()
        if block < 0.35:
            c = rng.randint(0x4E00, 0x9FFF)  # CJK
        elif block < 0.55:
            c = rng.randint(0x20, 0x7E)
        elif block < 0.65:
            c = rng.choice([0x3000, 0xFF0C, 0xFF1A, 0xFF08, 0xFF09, 0x3001, 0x200B, 0xFEFF, 0x0A, 0x09, 0x0D])
        elif block < 0.75:
            c = rng.randint(0xFF01, 0xFF5E)  # full-width ASCII
        elif block < 0.85:
            c = rng.randint(0x1F300, 0x1FAFF)  # emoji
        elif block < 0.86:
            c = rng.randint(0x00, 0x9F)  # C0 and C1 control characters, NUL included
        else:
            c = rng.randint(0x00, 0x10FFFF)  # lone surrogates included: a JSON body may carry "\udd26"
        out.append(chr(c))
    return "".join(out)


def random_text(rng: random.Random, sender: Sender) -> str:
    roll = rng.random()
    commands = list(registry().commands.values())
    if roll < 0.22:  # a command with random arguments
        command = rng.choice(commands)
        head = rng.choice(["/" + command.name] + list(command.aliases)) if rng.random() < 0.9 \
            else "/" + rng.choice(SLASH_EXTRA)
        args = " ".join(rng.choice(COMPANIES + WORDS + AMOUNTS + DATES) for _ in range(rng.randint(0, 6)))
        if rng.random() < 0.1:
            args = random_unicode(rng, rng.randint(1, 40))
        return f"{head} {args}".strip() if rng.random() < 0.85 else f"{head}{args}"
    if roll < 0.34 and sender.person.last_buttons:  # a label or number of what was just offered
        i = rng.randrange(len(sender.person.last_buttons))
        return str(i + 1) if rng.random() < 0.6 else sender.person.last_buttons[i].label
    if roll < 0.36:  # a huge or odd number where an id or an amount goes
        command = rng.choice(commands)
        head = rng.choice(["/" + command.name] + list(command.aliases))
        return f"{head} {rng.choice(HUGE)}" + rng.choice(["", "万", "亿", " " + rng.choice(HUGE)])
    if roll < 0.38:  # lone surrogates and control characters inside otherwise ordinary text
        return rng.choice(ANSWERS + COMPANIES + HUGE) + rng.choice(ODD) + rng.choice(["", *AMOUNTS])
    if roll < 0.44:
        return str(rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 99, -1, 10**30])) if rng.random() < 0.7 \
            else rng.choice(HUGE)
    if roll < 0.62:
        return rng.choice(ANSWERS + AMOUNTS + DATES + COMPANIES)
    if roll < 0.75:  # a one-line lead, more or less right
        parts = [rng.choice(COMPANIES)] + rng.sample(WORDS + AMOUNTS, rng.randint(0, 5))
        rng.shuffle(parts)
        return rng.choice(["线索 ", "/lead ", "线索", ""]) + " ".join(parts)
    if roll < 0.97:
        return random_unicode(rng, rng.choice([0, 1, 2, 5, 20, 80]))
    return random_unicode(rng, rng.randint(3000, 12000))  # very long


def random_payload(rng: random.Random, sender: Sender) -> str:
    roll = rng.random()
    if roll < 0.45 and sender.person.last_buttons:
        return rng.choice(sender.person.last_buttons).payload  # a real, current button
    if roll < 0.6 and sender.seen_payloads:
        return rng.choice(sender.seen_payloads)  # a stale one
    if roll < 0.72:
        return f"f:{rng.randint(-2, 60)}:{rng.randint(-1, 12)}"
    if roll < 0.77:  # a forged payload with huge or odd numbers: `s:status:9999…`, `f:9999…:0`
        actions = list(registry().actions) + ["resume", "cancel"]
        return rng.choice([f"s:{rng.choice(actions)}:{rng.choice(HUGE)}",
                           f"s:{rng.choice(actions)}:{rng.choice(HUGE)}:{rng.choice(HUGE)}",
                           f"f:{rng.choice(HUGE)}:{rng.choice(HUGE)}", f"s:{rng.choice(actions)}:{rng.choice(ODD)}",
                           "s:" + "9" * rng.randint(40, 5000)])
    if roll < 0.92:
        actions = list(registry().actions) + ["resume", "cancel", "nope"]
        arg = rng.choice(["", str(rng.randint(0, 200)), f"{rng.randint(0, 200)}:{rng.randint(0, 5)}",
                          "abc", "-1", "1:2:3", random_unicode(rng, 5)])
        return f"s:{rng.choice(actions)}:{arg}"
    return rng.choice(PAYLOAD_KINDS) + ":" + random_unicode(rng, rng.randint(0, 30))


@pytest.fixture
def quiet_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.ERROR, logger="zsbot")
    return caplog


async def test_random_messages_never_break_the_core(
        db: Database, clock, quiet_logs: pytest.LogCaptureFixture) -> None:  # noqa: ANN001
    """On both engines: PostgreSQL refuses what SQLite stores (NUL in text, a number past BIGINT)."""
    await setup_org(db)
    org_db = db
    rng = random.Random(SEED)
    conv = conversations(org_db, bot_username="zsbot")
    senders = [
        Sender(await registered(org_db, conv, "东小李"), True, True),
        Sender(await registered(org_db, conv, "西小张", channel="telegram"), True, True),
        Sender(await registered(org_db, conv, "东区长", channel="wecom", buttons=False), True, True),
        Sender(await registered(org_db, conv, "王办公"), True, True),
        Sender(await registered(org_db, conv, "赵市长", channel="telegram"), True, True),
        Sender(await registered(org_db, conv, "李驻深"), True, True),
        Sender(Person(org_db, conv, sender_id="stranger", channel="telegram", name="路人"), False, True),
    ]
    group_member = await registered(org_db, conv, "高新小陈", channel="telegram")
    senders.append(Sender(Person(org_db, conv, sender_id=group_member.sender_id, channel="telegram",
                                 chat_id="-100777", chat_type=ChatType.GROUP), True, False))
    senders.append(Sender(Person(org_db, conv, sender_id="stranger2", channel="telegram", chat_id="-100777",
                                 chat_type=ChatType.GROUP), False, False))
    started = time.monotonic()
    replied = silent = 0
    for n in range(MESSAGES):
        sender = rng.choices(senders, weights=[6, 6, 4, 3, 2, 2, 1, 1, 1])[0]
        person = sender.person
        if rng.random() < 0.02:
            clock.advance(minutes=rng.choice([1, 10, 29, 31, 45, 120, 60 * 24 * 3]))
        if rng.random() < 0.005:
            await conv.expire_idle()
        if rng.random() < 0.3:
            payload, text = random_payload(rng, sender), None
        else:
            payload, text = None, random_text(rng, sender)
        inbound = person.inbound(text=text, payload=payload)
        replies = await person.send(inbound)
        where = f"seed {SEED}, message {n}: {person.name or person.sender_id} sent {text or payload!r}"
        for r in replies:
            body = getattr(r, "text", "")
            assert INTERNAL_ERROR not in body, f"{where}\n→ {body}\n{quiet_logs.text}"
            if isinstance(r, SendText):
                assert body.strip(), f"{where}: an empty message"
                sender.seen_payloads.extend(b.payload for row in r.buttons for b in row)
        if sender.registered and sender.private:
            assert replies, f"{where}: no answer"
        replied += bool(replies)
        silent += not replies
        if rng.random() < 0.01:  # a channel delivering the same update twice: the second has no effect
            assert await person.send(inbound) == [], where
    elapsed = time.monotonic() - started
    assert not [r for r in quiet_logs.records if r.levelno >= logging.ERROR], quiet_logs.text
    assert await ledger_ok(org_db)
    print(f"fuzz: {MESSAGES} messages in {elapsed:.1f}s ({MESSAGES / elapsed:.0f}/s), seed {SEED}, "
          f"{replied} answered, {silent} silent (groups, strangers in groups)")
