"""`zsbot run` runs the calendar: the real python-telegram-bot / aiogram against the fake Bot API
server, on a fixed clock at a reminder time. The reminder reaches the reporter's chat once, its
[开始填报] button opens the half-monthly report, and a restart does not send it again."""
from __future__ import annotations

import asyncio

import pytest

from bot.config import load_settings
from bot.runner import start
from core.clock import FixedClock
from core.usecases.org import BindIdentity, bind_identity
from storage.database import Database
from tests.calendar_support import local
from tests.e2e.test_telegram import fake, press  # noqa: F401 - the fake server fixture
from tests.fakes.telegram import FakeTelegram
from tests.helpers import member, setup_org

pytestmark = pytest.mark.asyncio
CHAT = 7001


async def run(db_url: str, fake: FakeTelegram, framework: str, at: object):  # noqa: ANN201 - Runtime
    db = Database(db_url, clock=FixedClock(at))  # type: ignore[arg-type]
    settings = load_settings(database_url=db_url, channel="telegram", telegram_framework=framework,
                             telegram_token=fake.token, telegram_api_url=fake.base_url, calendar=True)
    return await start(settings, db=db)


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_the_reminder_goes_out_once_across_a_restart_and_its_button_opens_the_report(
        db_url: str, fake: FakeTelegram, framework: str) -> None:
    db = Database(db_url)
    await db.migrate()
    await setup_org(db)
    reporter = await member(db, "东小李")
    async with db.uow() as uow:
        await bind_identity(uow, reporter, BindIdentity(channel="telegram", external_id=str(CHAT), chat_id=str(CHAT)))
        await uow.commit()
    await db.dispose()

    # Monday 7 December 2026, 09:00: three days before the 10 December deadline.
    rt = await run(db_url, fake, framework, local(2026, 12, 7, 9, 0))
    try:
        [reminder] = await fake.wait_sent(CHAT, 1, timeout=15)
        assert "【半月报提醒】东区12月10日期半月报" in reminder.text and "还有 3 天" in reminder.text
        assert reminder.button_texts == ["开始填报"]
        press(fake, CHAT, CHAT, reminder, "开始填报")
        # East has no tracked project: the walk-through is empty and goes straight to the summary.
        [_, intro, summary] = await fake.wait_sent(CHAT, 3, timeout=10)
        assert "开始填报东区12月10日期半月报" in intro.text
        assert "本单位暂无在库项目，将作零报告" in summary.text and "确认报送吗" in summary.text
    finally:
        await rt.shutdown()

    # Restarted an hour later: the reminder was decided once and is not sent again; the report
    # left open is paused (idle over 30 minutes) with what was kept.
    rt = await run(db_url, fake, framework, local(2026, 12, 7, 10, 0))
    try:
        await rt.calendar.poll()
        await asyncio.sleep(1.5)  # the sender's poll interval: anything queued would be out by now
        later = [m.text for m in fake.sent(CHAT)][3:]
        assert len(later) == 1 and "“填报半月报”已超过 30 分钟没有操作，已暂停" in later[0]
    finally:
        await rt.shutdown()
