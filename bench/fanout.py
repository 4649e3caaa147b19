"""Push fan-out: 1,000 pushes to 1,000 chats and N to one group through the real outbox and the real
Telegram channel (python-telegram-bot), against the fake Bot API server enforcing Telegram's limits
(30/s overall, 1/s per chat, 20/min per group) with 429s. The bot runs with its default pacing.
"""
from __future__ import annotations

import asyncio
import tempfile
import time
from typing import Any

from tests.fakes.telegram import FakeTelegram

GROUP = -1009000


async def measure(chats: int = 1000, group: int = 200) -> dict[str, Any]:
    from bot.config import load_settings
    from bot.runner import start
    from core.messages import Delivery, SendText
    from storage.database import Database
    from tests.helpers import setup_org

    url = f"sqlite:///{tempfile.mkdtemp()}/fanout.db"
    async with FakeTelegram(enforce_limits=True) as fake:
        db = Database(url)
        await db.migrate()
        await setup_org(db)
        rt = await start(load_settings(database_url=url, channel="telegram", telegram_token=fake.token,
                                       telegram_api_url=fake.base_url, calendar=False), db=db)
        try:
            t0 = time.perf_counter()
            async with db.uow() as uow:
                for i in range(chats):
                    await uow.outbox.enqueue(f"bench:chat:{i}", "bench", Delivery(
                        channel="telegram", chat_id=str(100_000 + i), action=SendText(text=f"推送 {i}")))
                for i in range(group):
                    await uow.outbox.enqueue(f"bench:group:{i}", "bench", Delivery(
                        channel="telegram", chat_id=str(GROUP), action=SendText(text=f"群推送 {i}")))
                await uow.commit()
            assert rt.sender is not None
            rt.sender.notify()
            queued = time.perf_counter() - t0
            t0 = time.perf_counter()  # drain times count from the moment everything is queued
            await fake.wait_for(lambda: sum(1 for m in fake._sent if m.chat_id != GROUP) >= chats,
                                timeout=chats / 10 + 120)
            chats_s = time.perf_counter() - t0
            await fake.wait_for(lambda: len(fake.sent(GROUP)) >= group, timeout=group * 3 + 120)
            group_s = time.perf_counter() - t0
            violations = fake.violations
        finally:
            await rt.shutdown()
    row = {"chats": chats, "chats_drain_s": round(chats_s, 1), "group": group, "group_drain_s": round(group_s, 1),
           "enqueue_s": round(queued, 2), "http_429": violations,
           "chats_floor_s": round(chats / 30, 1), "group_floor_s": round(max(group - 20, 0) * 3, 1)}
    print(f"  fan-out {chats} chats in {row['chats_drain_s']} s (floor {row['chats_floor_s']} s), {group} to one "
          f"group in {row['group_drain_s']} s (floor {row['group_floor_s']} s), 429s received: {violations}", flush=True)
    return row


if __name__ == "__main__":
    asyncio.run(measure(100, 5))
