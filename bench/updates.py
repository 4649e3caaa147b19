"""Update handling end to end: the real bot (log a lead in one line, press 确认 — two updates, each
with its database writes) against the local fake Bot API server over real HTTP, next to the same
framework running a bare echo handler against the same fake, in the same run.

K users each send the one-line lead at once; when every confirm card is back, each presses 确认.
Throughput = updates handled / wall time of the two waves; latency = injection to first reply,
per update. The fake server runs in the same event loop as the bot for both, so its cost is in
both figures alike.
"""
from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.generate import WORDS
from tests.fakes.telegram import FakeTelegram

LEAD = "/lead {name} 新能源汽车零部件 投资20亿 来源驻点"
IDLE_PAIRS = 20  # idle latency: this many lead lines and 确认s from one person, each waited for


@dataclass
class Result:
    updates: int
    seconds: float
    latencies: list[float]
    idle: list[float] = field(default_factory=list)  # one person, one update at a time (one_at_a_time)
    cpu: float = 0.0  # CPU seconds of this process during the two waves
    server_cpu: float = 0.0  # and of the PostgreSQL backends serving it (same machine), if any

    @property
    def cpu_ms(self) -> float:
        """CPU per update, this process and its database server: what decides the ratio on an idle
        machine, and far steadier than throughput on a busy one."""
        return (self.cpu + self.server_cpu) * 1000 / self.updates

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def as_dict(self) -> dict[str, float]:
        return {"updates": self.updates, "seconds": round(self.seconds, 3), "per_second": round(self.per_second, 1),
                "p50_ms": round(self.pct(0.50), 1), "p99_ms": round(self.pct(0.99), 1),
                "cpu_ms_per_update": round(self.cpu_ms, 2), "server_cpu_ms_per_update":
                    round(self.server_cpu * 1000 / self.updates, 2)}


class Replies:
    """Watches the fake's sent and edited messages once each (not a scan per waiter): first reply
    time per chat. An edit counts: the bot answers 确认 by editing the outcome into the card."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.seen = 0
        self.seen_edits = 0
        self.waiting: dict[int, tuple[float, asyncio.Future[Any]]] = {}

    def expect(self, chat: int) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting[chat] = (time.perf_counter(), future)
        return future

    async def run(self) -> None:
        while True:
            event = self.fake._changed
            sent = self.fake._sent
            while self.seen < len(sent):
                msg = sent[self.seen]
                self.seen += 1
                hit = self.waiting.pop(msg.chat_id, None) if msg.method == "sendMessage" else None
                if hit is not None and not hit[1].done():
                    hit[1].set_result((time.perf_counter() - hit[0], msg))
            edits = self.fake.edits
            while self.seen_edits < len(edits):
                edit = edits[self.seen_edits]
                self.seen_edits += 1
                hit = self.waiting.pop(int(edit.chat_id or 0), None) if "已登记线索" in (edit.text or "") else None
                if hit is not None and not hit[1].done():
                    hit[1].set_result((time.perf_counter() - hit[0], edit))
            assert event is not None
            await event.wait()


async def two_waves(fake: FakeTelegram, users: list[int], replies: Replies, names: list[str]) -> Result:
    """Wave 1: every user sends the lead line; wave 2: every user presses 确认 on the card."""
    latencies: list[float] = []
    start = time.perf_counter()
    cpu = time.process_time()
    futures = []
    for user, name in zip(users, names):
        futures.append(replies.expect(user))
        fake.inject_message(user, user, LEAD.format(name=name))
    cards = await asyncio.wait_for(asyncio.gather(*futures), timeout=600)
    latencies += [lat for lat, _ in cards]
    futures = []
    for user, (_, card) in zip(users, cards):
        index = card.button_texts.index("确认")
        futures.append(replies.expect(user))
        fake.inject_callback(user, user, card.message_id, card.callback_datas[index])
    saved = await asyncio.wait_for(asyncio.gather(*futures), timeout=600)
    latencies += [lat for lat, _ in saved]
    return Result(2 * len(users), time.perf_counter() - start, latencies, cpu=time.process_time() - cpu)


async def one_at_a_time(fake: FakeTelegram, user: int, replies: Replies, names: list[str]) -> list[float]:
    """Idle latency, what one person waits: the lead line, its card, 确认, its answer — nothing else
    in flight. Injection to the reply, per update."""
    latencies: list[float] = []
    for name in names:
        future = replies.expect(user)
        fake.inject_message(user, user, LEAD.format(name=name))
        latency, card = await asyncio.wait_for(future, timeout=60)
        latencies.append(latency)
        future = replies.expect(user)
        fake.inject_callback(user, user, card.message_id, card.callback_datas[card.button_texts.index("确认")])
        latency, _ = await asyncio.wait_for(future, timeout=60)
        latencies.append(latency)
    return latencies


async def backend_cpu(db: Any) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to this database, read from /proc (the
    server runs on this machine); empty for SQLite or a server elsewhere."""
    if not db.url.startswith("postgresql"):
        return {}
    from sqlalchemy import text

    async with db.engine.connect() as conn:
        pids = (await conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                        "AND pid <> pg_backend_pid()"))).scalars().all()
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return out


def company_names(k: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(WORDS) for _ in range(6)) + "科技有限公司" for _ in range(k)]


async def ours(framework: str, db_url: str, k: int, *, seed: int = 1) -> Result:
    from bot.config import load_settings
    from bot.service import start
    from core.roles import Role
    from core.usecases.org import CreateInvite, create_invite
    from storage.database import Database
    from tests.helpers import setup_org

    async with FakeTelegram() as fake:
        db = Database(db_url)
        await db.migrate()
        await setup_org(db)
        async with db.uow() as uow:
            codes = [await create_invite(uow, CreateInvite(unit="east", role=Role.MEMBER)) for _ in range(k)]
            await uow.commit()
        rt = await start(load_settings(database_url=db_url, channel="telegram", telegram_framework=framework,
                                       telegram_token=fake.token, telegram_api_url=fake.base_url, calendar=False),
                         db=db)
        replies = Replies(fake)
        watcher = asyncio.create_task(replies.run())
        try:
            users = [700_000 + i for i in range(k)]
            joined = []
            for user, code in zip(users, codes):  # registration is set-up, not measured
                joined.append(replies.expect(user))
                fake.inject_message(user, user, f"/start {code}", first_name=f"用户{user}")
            await asyncio.wait_for(asyncio.gather(*joined), timeout=600)
            before = await backend_cpu(db)
            result = await two_waves(fake, users, replies, company_names(k, seed))
            after = await backend_cpu(db)
            result.server_cpu = sum(t - before.get(pid, 0.0) for pid, t in after.items())
            saved = [m for m in [*fake._sent, *fake.edits] if m.text and "已登记线索" in m.text]
            if len(saved) != k:
                raise RuntimeError(f"only {len(saved)} of {k} leads were saved")
            result.idle = await one_at_a_time(fake, users[0], replies, company_names(IDLE_PAIRS, seed + 1))
            return result
        finally:
            watcher.cancel()
            await rt.shutdown()


async def echo_ptb(k: int) -> Result:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

    async with FakeTelegram() as fake:
        app = ApplicationBuilder().token(fake.token).base_url(fake.ptb_base_url).build()
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="ok")]])

        async def echo(update: Update, _: Any) -> None:
            assert update.message is not None
            await update.message.reply_text(update.message.text or "", reply_markup=keyboard)

        async def pressed(update: Update, _: Any) -> None:
            assert update.callback_query is not None and update.effective_chat is not None
            await update.callback_query.answer()
            await app.bot.send_message(update.effective_chat.id, "ok")

        app.add_handler(MessageHandler(filters.ALL, echo))
        app.add_handler(CallbackQueryHandler(pressed))
        replies = Replies(fake)
        watcher = asyncio.create_task(replies.run())
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=10)
            try:
                result = await two_waves(fake, [700_000 + i for i in range(k)], replies, company_names(k, 1))
                result.idle = await one_at_a_time(fake, 700_000, replies, company_names(IDLE_PAIRS, 2))
                return result
            finally:
                watcher.cancel()
                await app.updater.stop()
                await app.stop()


async def echo_aiogram(k: int) -> Result:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

    async with FakeTelegram() as fake:
        bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
        dp = Dispatcher()
        keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="确认", callback_data="ok")]])

        @dp.message()
        async def echo(message: Message) -> None:
            await message.answer(message.text or "", reply_markup=keyboard)

        @dp.callback_query()
        async def pressed(query: CallbackQuery) -> None:
            await query.answer()
            assert query.message is not None
            await bot.send_message(query.message.chat.id, "ok")

        replies = Replies(fake)
        watcher = asyncio.create_task(replies.run())
        task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=10,
                                                    close_bot_session=False))
        try:
            result = await two_waves(fake, [700_000 + i for i in range(k)], replies, company_names(k, 1))
            result.idle = await one_at_a_time(fake, 700_000, replies, company_names(IDLE_PAIRS, 2))
            return result
        finally:
            watcher.cancel()
            await dp.stop_polling()
            await asyncio.wait_for(task, 10)
            await bot.session.close()


async def measure(db_urls: dict[str, str], k: int, fresh: Any, *, rounds: int = 3) -> list[dict[str, Any]]:
    """One row per framework × database: ours, the echo beside it, the ratio.

    Each round runs ours and then the echo; the row reports the round with the median ratio (and
    every round's ratio), because one pair of runs on a shared 2-core machine drifts by ±15%.
    """
    rows = []
    for framework, echo in (("ptb", echo_ptb), ("aiogram", echo_aiogram)):
        await echo(min(k, 20))  # warm-up: imports and first connections are not what we measure
        for engine, url in db_urls.items():
            pairs = []
            for _ in range(rounds):
                await fresh(engine)
                mine = await ours(framework, url, k)
                bare = await echo(k)
                pairs.append((mine.per_second / bare.per_second, mine, bare))
            idle_ours = idle_figures([lat for _, m, _ in pairs for lat in m.idle])
            idle_echo = idle_figures([lat for _, _, b in pairs for lat in b.idle])
            rounds_ = [{"ours": m.as_dict(), "echo": b.as_dict(), "ratio": round(r, 2),
                        "cpu_ratio": round(b.cpu_ms / m.cpu_ms, 2)} for r, m, b in pairs]
            pairs.sort(key=lambda pair: pair[0])
            ratio, mine, bare = pairs[len(pairs) // 2]
            rows.append({"framework": framework, "database": engine, "k": k, "ours": mine.as_dict(),
                         "echo": bare.as_dict(), "ratio": round(ratio, 2),
                         "ratios": [round(r, 2) for r, _, _ in pairs], "rounds": rounds_,
                         "idle": {"ours": idle_ours, "echo": idle_echo},
                         "load_average": [round(x, 2) for x in os.getloadavg()]})
            print(f"  updates {framework:8s} {engine:9s} ours {mine.per_second:7.1f}/s "
                  f"p50 {mine.pct(0.5):6.1f} ms p99 {mine.pct(0.99):7.1f} ms | echo {bare.per_second:7.1f}/s "
                  f"p50 {bare.pct(0.5):6.1f} ms p99 {bare.pct(0.99):7.1f} ms | ratio {rows[-1]['ratio']} "
                  f"(rounds {', '.join(f'{r:.2f}' for r, _, _ in pairs)}) | CPU ms/update ours "
                  f"{mine.cpu_ms:.2f} echo {bare.cpu_ms:.2f} (CPU ratio {bare.cpu_ms / mine.cpu_ms:.2f}) | idle p50/p99 ours "
                  f"{idle_ours['p50_ms']}/{idle_ours['p99_ms']} ms echo {idle_echo['p50_ms']}/{idle_echo['p99_ms']} ms",
                  flush=True)
    return rows


def idle_figures(latencies: list[float]) -> dict[str, float]:
    return {"updates": len(latencies), **{k: v for k, v in Result(len(latencies), 1.0, latencies).as_dict().items()
                                         if k in ("p50_ms", "p99_ms")}}
