"""The real python-telegram-bot and aiogram, over real HTTP, against a fake Bot API server.

One scenario for both frameworks × both modes (long polling; webhook) on both databases:
register by invite, log a lead through buttons, check status (also in a group), receive a
push through the outbox. Then the guarantees: duplicates have one effect, a 429 storm loses
nothing, the outbox never exceeds the rates the fake enforces.
"""
from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
import pytest
from sqlalchemy import func, select

from bot.config import load_settings
from bot.errors import StartError
from bot.service import Runtime, start
from core.messages import Delivery, SendText
from core.roles import Role
from core.usecases.org import CreateInvite, create_invite
from storage.database import Database
from storage.tables.ledger import EventRow
from storage.tables.operational import OutboxRow
from tests.fakes.telegram import FakeTelegram, SentMessage
from tests.helpers import setup_org

pytestmark = pytest.mark.asyncio
FRAMEWORKS = ["ptb", "aiogram"]
SECRET = "webhook-secret-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def start_bot(db_url: str, fake: FakeTelegram, framework: str, mode: str = "polling",
                    **overrides: object) -> Runtime:
    # The calendar runs on the real clock: off here, so no reminder that happens to be due today
    # interleaves with the replies under test (test_run_calendar.py runs it on a fixed clock).
    settings = dict(database_url=db_url, channel="telegram", telegram_framework=framework,
                    telegram_token=fake.token, telegram_api_url=fake.base_url, calendar=False)
    if mode == "webhook":
        port = free_port()
        settings.update(webhook_url=f"http://127.0.0.1:{port}/tg/hook", webhook_listen=f"127.0.0.1:{port}",
                        webhook_secret=SECRET)
    settings.update(overrides)
    db = Database(db_url)
    await db.migrate()
    await setup_org(db)
    return await start(load_settings(**settings), db=db)


async def invite(db: Database, unit: str, role: Role = Role.MEMBER) -> str:
    async with db.uow() as uow:
        code = await create_invite(uow, CreateInvite(unit=unit, role=role))
        await uow.commit()
    return code


async def next_message(fake: FakeTelegram, chat: int, before: int) -> SentMessage:
    """The first message the bot sends to `chat` after it had sent `before` messages there."""
    sent = await fake.wait_sent(chat, before + 1, timeout=10)
    return sent[before]


def press(fake: FakeTelegram, chat: int, user: int, message: SentMessage, label: str) -> int:
    index = message.button_texts.index(label)
    return fake.inject_callback(chat, user, message.message_id, message.callback_datas[index])


async def count_events(db: Database, type_: str) -> int:
    async with db.uow(readonly=True) as uow:
        return (await uow.session.execute(select(func.count()).select_from(EventRow)
                                          .where(EventRow.type == type_))).scalar_one()


@pytest.mark.parametrize("mode", ["polling", "webhook"])
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_scenario(db_url: str, fake: FakeTelegram, framework: str, mode: str) -> None:
    rt = await start_bot(db_url, fake, framework, mode)
    chat = user = 5001
    try:
        # The command menu is registered with Chinese descriptions.
        menu = {c["command"]: c["description"] for c in fake.commands_for()}
        assert "lead" in menu and "线索" in menu["lead"] and "status" in menu
        if mode == "webhook":
            assert fake.webhook_url and fake.webhook_url.endswith("/tg/hook") and fake.webhook_secret == SECRET

        code = await invite(rt.db, "east")
        fake.inject_message(chat, user, f"/start {code}", first_name="小王")
        assert "绑定成功" in (await next_message(fake, chat, 0)).text

        fake.inject_message(chat, user, "/lead")
        assert "企业名称" in (await next_message(fake, chat, 1)).text
        fake.inject_message(chat, user, "宁德时代新能源科技股份有限公司")
        industry = await next_message(fake, chat, 2)
        assert "新能源汽车零部件" in industry.button_texts
        press(fake, chat, user, industry, "新能源汽车零部件")
        amount = await next_message(fake, chat, 3)
        assert "意向投资" in amount.text
        # The pressed question was edited to show the choice, and the press was answered.
        await fake.wait_for(lambda: any("已选：新能源汽车零部件" in (e.text or "") for e in fake.edits))
        fake.inject_message(chat, user, "5亿")
        source = await next_message(fake, chat, 4)
        press(fake, chat, user, source, "以商招商")
        contact = await next_message(fake, chat, 5)
        press(fake, chat, user, contact, "跳过")
        card = await next_message(fake, chat, 6)
        assert "5亿元" in card.text and card.button_texts == ["确认", "修改", "取消"]
        press(fake, chat, user, card, "确认")
        # The card is edited to show the choice and, under it, the outcome: one message, not two.
        saved = await fake.wait_for(lambda: next((e for e in fake.edits if "已登记线索" in (e.text or "")), None))
        assert saved.message_id == card.message_id and "已选：确认" in saved.text and "5亿元" in saved.text
        await fake.wait_for(lambda: len(fake.callback_answers) >= 4)

        fake.inject_message(chat, user, "/status 宁德")
        status = await next_message(fake, chat, 7)
        assert "宁德时代" in status.text and "5亿元" in status.text and "东区" in status.text

        # In a group the bot answers commands addressed to it, for the sender.
        group = -1005001
        fake.inject_message(group, user, "/status@zsbot_test_bot 宁德", chat_type="group", title="东区招商群")
        assert "宁德时代" in (await next_message(fake, group, 0)).text
        fake.inject_message(group, user, "大家好", chat_type="group", title="东区招商群")
        fake.inject_message(group, user, "/status@other_bot 宁德", chat_type="group", title="东区招商群")
        await asyncio.sleep(0.3)
        assert len(fake.sent(group)) == 1

        # A push goes out through the outbox.
        async with rt.db.uow() as uow:
            member_id = (await uow.org.identity("telegram", str(user))).member_id
            await uow.outbox.enqueue_member("test:push:1", "test", member_id, SendText(text="半月报提醒：请于10日前填报"))
            await uow.commit()
        assert "半月报提醒" in (await next_message(fake, chat, 8)).text
        assert await count_events(rt.db, "lead.logged") == 1
    finally:
        await rt.shutdown()


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_webhook_without_the_right_secret_reaches_no_handler(db_url: str, fake: FakeTelegram,
                                                                   framework: str) -> None:
    rt = await start_bot(db_url, fake, framework, "webhook")
    chat = user = 5002
    try:
        code = await invite(rt.db, "east")
        update = {"update_id": 900001, "message": {
            "message_id": 1, "date": 1_790_000_000, "chat": {"id": chat, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "冒名"}, "text": f"/start {code}",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
        before = await count_events(rt.db, "member.added")
        assert await fake.post_to_webhook(update, secret=None) == 401
        assert await fake.post_to_webhook(update, secret="wrong-secret") == 401
        assert await count_events(rt.db, "member.added") == before and not fake.sent(chat)
        assert await fake.post_to_webhook(update, secret=SECRET) == 200
        assert "绑定成功" in (await next_message(fake, chat, 0)).text
    finally:
        await rt.shutdown()


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_polling_serves_the_next_person_while_one_reply_is_slow(db_url: str, fake: FakeTelegram,
                                                                     framework: str) -> None:
    """Updates fetched together: a slow reply to one person does not hold up another person's
    answer, and one person's own messages are still handled in the order they were sent."""
    rt = await start_bot(db_url, fake, framework)
    slow, quick = 5101, 5102
    try:
        for user in (slow, quick):
            fake.inject_message(user, user, f"/start {await invite(rt.db, 'east')}")
            await next_message(fake, user, 0)
        fake.delay_chat(slow, 1.5)  # Telegram answers this person's next call slowly
        # Queued without yielding: the bot fetches all three in one getUpdates batch.
        fake.inject_message(slow, slow, "/lead")
        fake.inject_message(slow, slow, "宁德时代新能源科技股份有限公司")
        fake.inject_message(quick, quick, "/help")
        await fake.wait_sent(slow, 3, timeout=10)
        replies = [m for m in fake.sent() if m.chat_id in (slow, quick)][2:]
        assert [m.chat_id for m in replies] == [quick, slow, slow]
        assert "企业名称" in replies[1].text
        assert "新能源汽车零部件" in replies[2].button_texts  # the name was taken as the answer
    finally:
        await rt.shutdown()


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_the_same_update_five_times_has_one_effect(db_url: str, fake: FakeTelegram, framework: str) -> None:
    rt = await start_bot(db_url, fake, framework)
    chat = user = 5003
    try:
        code = await invite(rt.db, "east")
        fake.inject_message(chat, user, f"/start {code}")
        await next_message(fake, chat, 0)
        fake.inject_message(chat, user, "线索 比亚迪股份有限公司 新能源汽车零部件 投资20亿 来源驻点")
        card = await next_message(fake, chat, 1)
        update_id = press(fake, chat, user, card, "确认")
        # The outcome is edited into the card (bot/channels/telegram/channel.py fold_into_edit).
        await fake.wait_for(lambda: any("已登记线索" in (e.text or "") for e in fake.edits))
        for _ in range(4):
            fake.redeliver(update_id)
        # Every delivery is dispatched (and its button press answered), but only the first has an effect.
        await fake.wait_for(lambda: len(fake.calls("answerCallbackQuery")) >= 5, timeout=10)
        await asyncio.sleep(0.3)
        assert await count_events(rt.db, "lead.logged") == 1
        assert len([e for e in fake.edits if "已登记线索" in (e.text or "")]) == 1
        assert len(fake.sent(chat)) == 2
    finally:
        await rt.shutdown()


async def _queue(db: Database, pushes: list[tuple[str, str]]) -> None:
    async with db.uow() as uow:
        for key, chat in pushes:
            await uow.outbox.enqueue(key, "test", Delivery(channel="telegram", chat_id=chat,
                                                           action=SendText(text=f"推送 {key}")))
        await uow.commit()


async def _outbox_status(db: Database, expect: dict[str, int] | None = None, timeout: float = 10) -> dict[str, int]:
    """The outbox's rows by status; with `expect`, wait (briefly) for the sender to record them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with db.uow(readonly=True) as uow:
            rows = dict((await uow.session.execute(
                select(OutboxRow.status, func.count()).group_by(OutboxRow.status))).all())
        if expect is None or rows == expect or loop.time() > deadline:
            return rows
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_429_storm_delays_but_loses_nothing(db_url: str, fake: FakeTelegram, framework: str) -> None:
    rt = await start_bot(db_url, fake, framework)
    try:
        fake.fail_next("sendMessage", status=429, retry_after=1, times=5)
        await _queue(rt.db, [(f"storm:{i}", str(7000 + i)) for i in range(3)])
        await fake.wait_for(lambda: sum(len(fake.sent(7000 + i)) for i in range(3)) == 3, timeout=15)
        assert await _outbox_status(rt.db, {"sent": 3}) == {"sent": 3}
        assert sum(1 for r in fake.calls("sendMessage") if r.http_status == 429) == 5
        for i in range(3):
            assert [m.text for m in fake.sent(7000 + i)] == [f"推送 storm:{i}"]
    finally:
        await rt.shutdown()


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_server_error_is_retried_and_a_read_timeout_is_not(db_url: str, fake: FakeTelegram,
                                                                   framework: str) -> None:
    rt = await start_bot(db_url, fake, framework, telegram_timeout_seconds=1)
    try:
        fake.fail_next("sendMessage", status=500, times=1)
        await _queue(rt.db, [("five-hundred", "7101")])
        await fake.wait_for(lambda: len(fake.sent(7101)) == 1, timeout=10)
        assert await _outbox_status(rt.db, {"sent": 1}) == {"sent": 1}
        # A reply slower than the client's timeout may still have been delivered: never sent twice.
        fake.delay_next("sendMessage", 2.5)
        await _queue(rt.db, [("slow", "7102")])
        await fake.wait_for(lambda: len(fake.sent(7102)) == 1, timeout=10)
        await asyncio.sleep(1.5)
        assert len(fake.sent(7102)) == 1
        async with rt.db.uow(readonly=True) as uow:
            slow = (await uow.session.execute(select(OutboxRow).where(OutboxRow.key == "slow"))).scalar_one()
            assert slow.status == "failed" and "可能已经送达，不再重试" in (slow.last_error or "")
    finally:
        await rt.shutdown()


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_thousand_pushes_never_exceed_the_configured_rates(sqlite_url: str, framework: str) -> None:
    # The fake enforces the same limits the bot is configured with (raised tenfold to keep the test short).
    async with FakeTelegram(enforce_limits=True, global_per_second=300, per_chat_per_second=1,
                            group_per_minute=600) as fake:
        rt = await start_bot(sqlite_url, fake, framework, outbox_per_second=300, outbox_per_group_per_minute=600)
        try:
            pushes = [(f"fanout:{i}", str(100_000 + i)) for i in range(1000)]
            pushes += [(f"group:{i}", "-1009000") for i in range(20)]
            await _queue(rt.db, pushes)
            await fake.wait_for(lambda: len(fake.calls("sendMessage")) >= 1020, timeout=60)
            await asyncio.sleep(0.2)
            assert fake.violations == 0
            assert await _outbox_status(rt.db, {"sent": 1020}) == {"sent": 1020}
            assert len(fake.sent(-1009000)) == 20
        finally:
            await rt.shutdown()


async def test_the_fake_does_enforce_the_limits(fake: FakeTelegram) -> None:
    """Control: sending without pacing does trip the fake's limits, so the test above can fail."""
    async with FakeTelegram(enforce_limits=True, per_chat_per_second=1) as strict:
        from telegram import Bot
        from telegram.error import RetryAfter

        async with Bot(strict.token, base_url=strict.ptb_base_url, base_file_url=strict.ptb_base_file_url) as bot:
            await bot.send_message(42, "一")
            with pytest.raises(RetryAfter):
                await bot.send_message(42, "二")
    assert strict.violations == 1


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_missing_or_rejected_token_stops_with_one_line(sqlite_url: str, fake: FakeTelegram,
                                                               framework: str) -> None:
    with pytest.raises(StartError, match="ZSBOT_TELEGRAM_TOKEN"):
        await start_bot(sqlite_url, fake, framework, telegram_token="")
    fake.reject_token()
    with pytest.raises(StartError, match="拒绝了这个令牌"):
        await start_bot(sqlite_url, fake, framework)
