"""PostgreSQL connections terminated while a stream of updates arrives (pg_terminate_backend, as an
administrator or a server restart would): every update's effect exactly once, every person
answered, no internal-error reply, nothing acknowledged lost. The real frameworks against the fake
Bot API over HTTP, webhook (a 503 makes the fake redeliver, as Telegram does) and polling (the
offset is not confirmed)."""
from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select

from core.roles import Role
from storage.database import Database
from storage.tables.ledger import EventRow
from storage.tables.org import IdentityRow
from tests.e2e.test_telegram import invite, start_bot
from tests.fakes.telegram import FakeTelegram

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]
USERS = 40
INTERNAL = "抱歉，系统出了点问题"


@pytest.fixture
async def patient_fake() -> AsyncIterator[FakeTelegram]:
    # Telegram keeps redelivering an unanswered webhook update for a long while; so does this fake.
    async with FakeTelegram(webhook_max_attempts=200, webhook_retry_delay=0.2) as server:
        yield server


async def terminator(url: str, stop: asyncio.Event, kills: list[int], rng: random.Random, storm: bool) -> None:
    """Every 0.2–0.9 s, terminate every other backend connected to the test's database. A storm:
    every 10–40 ms for 2.5 s (longer than the core's retries), then 1.5 s of calm, and again."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"), timeout=5)
    phase_end = time.monotonic() + 2.5
    try:
        while not stop.is_set():
            calm = storm and time.monotonic() > phase_end
            if calm and time.monotonic() > phase_end + 1.5:
                phase_end = time.monotonic() + 2.5
            pause = (1.5 if calm else rng.uniform(0.01, 0.04)) if storm else rng.uniform(0.2, 0.9)
            try:
                await asyncio.wait_for(stop.wait(), timeout=pause)
            except TimeoutError:
                pass
            killed = await conn.fetchval(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            kills.append(int(killed or 0))
    finally:
        await conn.close()


def company(chat: int) -> str:
    """A name no other person's resembles (the duplicate check would ask instead of showing the card)."""
    rng = random.Random(chat)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(4)) + "有限公司"


async def person(fake: FakeTelegram, chat: int, code: str, timeout: float) -> list[str]:
    """Three updates: bind by invite, a one-line lead (its card), 确认 (the lead logged)."""
    fake.inject_message(chat, chat, f"/start {code}", first_name=f"用户{chat}")
    await fake.wait_sent(chat, 1, timeout=timeout)
    fake.inject_message(chat, chat, f"线索 {company(chat)} 新能源汽车零部件 投资20亿 来源驻点")
    card = (await fake.wait_sent(chat, 2, timeout=timeout))[1]
    assert "确认" in card.button_texts, card.text
    fake.inject_callback(chat, chat, card.message_id, card.callback_datas[card.button_texts.index("确认")])
    # The outcome is edited into the card (bot/channels/telegram/channel.py fold_into_edit).
    await fake.wait_for(lambda: saved_edits(fake, chat), timeout=timeout)
    await asyncio.sleep(0.5)  # a duplicate reply would arrive now
    return [m.text for m in fake.sent(chat)] + [e.text for e in saved_edits(fake, chat)]


def saved_edits(fake: FakeTelegram, chat: int) -> list[Any]:
    return [e for e in fake.edits if str(e.chat_id) == str(chat) and "已登记线索" in (e.text or "")]


async def counts(db: Database) -> tuple[int, int]:
    async with db.uow(readonly=True) as uow:
        leads = (await uow.session.execute(select(func.count()).select_from(EventRow)
                                           .where(EventRow.type == "lead.logged"))).scalar_one()
        bound = (await uow.session.execute(select(func.count()).select_from(IdentityRow)
                                           .where(IdentityRow.channel == "telegram"))).scalar_one()
    return leads, bound


@pytest.mark.parametrize(("framework", "mode", "storm"), [
    ("ptb", "webhook", False), ("aiogram", "polling", False), ("ptb", "webhook", True), ("aiogram", "webhook", True),
    ("ptb", "polling", True)])
async def test_terminated_connections_lose_no_update_and_repeat_none(
        pg_url: str, patient_fake: FakeTelegram, framework: str, mode: str, storm: bool) -> None:
    fake = patient_fake
    rt = await start_bot(pg_url, fake, framework, mode)
    stop = asyncio.Event()
    kills: list[int] = []
    try:
        codes = [await invite(rt.db, "east", Role.MEMBER) for _ in range(USERS)]
        started = time.monotonic()
        killer = asyncio.create_task(terminator(pg_url, stop, kills, random.Random(17), storm))
        chats = [7000 + i for i in range(USERS)]
        results: list[Any] = await asyncio.wait_for(
            asyncio.gather(*(person(fake, c, code, 60) for c, code in zip(chats, codes, strict=True)),
                           return_exceptions=True), timeout=150)
        stop.set()
        await killer
        elapsed = time.monotonic() - started
        failures = [(c, r) for c, r in zip(chats, results, strict=True) if isinstance(r, BaseException)]
        assert not failures, (failures[:3], [m.text for m in fake.sent(failures[0][0])])
        for chat, texts in zip(chats, results, strict=True):
            assert not [x for x in texts if INTERNAL in x], (chat, texts)
            assert len(texts) == 3 and "绑定成功" in texts[0] and "已登记线索" in texts[2], (chat, texts)
        assert await counts(rt.db) == (USERS, USERS)
        refused = sum(1 for _, status in fake.webhook_deliveries if status >= 500)
        # In a storm some updates outlast the retries: refused upstream (5xx / offset kept), redelivered.
        print(f"{framework}/{mode}{'/storm' if storm else ''}: {USERS * 3} updates in {elapsed:.1f}s, {len(kills)} terminations "
              f"({sum(kills)} backends), {refused} webhook deliveries answered 5xx and redelivered")
        assert sum(kills) > 0
    finally:
        stop.set()
        await rt.shutdown()
