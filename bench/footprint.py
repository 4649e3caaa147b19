"""Footprint: `zsbot --help` start time, and the resident memory of `zsbot run` (a separate process,
python-telegram-bot against the fake Bot API server in this one) idle and while it handles
updates — sampled every 1,000 updates to show whether memory grows."""
from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.fakes.telegram import FakeTelegram

ZSBOT = str(Path(sys.executable).with_name("zsbot"))
USERS = 10
BATCH = 50
TEXTS = ("/status 东方电子", "/my", "/stale 30")


def help_time(runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([ZSBOT, "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def run_memory(updates: int, every: int = 1000) -> dict[str, Any]:
    from core.roles import Role
    from core.usecases.org import CreateInvite, create_invite
    from storage.database import Database
    from tests.helpers import setup_org

    workdir = Path(tempfile.mkdtemp())
    url = f"sqlite:///{workdir}/footprint.db"
    db = Database(url)
    await db.migrate()
    await setup_org(db)
    async with db.uow() as uow:
        codes = [await create_invite(uow, CreateInvite(unit="east", role=Role.MEMBER)) for _ in range(USERS)]
        await uow.commit()
    await db.dispose()
    async with FakeTelegram() as fake:
        env = dict(os.environ, ZSBOT_DATABASE_URL=url, ZSBOT_CHANNEL="telegram", ZSBOT_TELEGRAM_TOKEN=fake.token,
                   ZSBOT_TELEGRAM_API_URL=fake.base_url, ZSBOT_CALENDAR="false")
        proc = await asyncio.create_subprocess_exec(ZSBOT, "run", env=env, cwd=workdir,
                                                    stdout=asyncio.subprocess.DEVNULL,
                                                    stderr=asyncio.subprocess.DEVNULL)
        try:
            await fake.wait_request("setMyCommands", timeout=60)
            users = [800_100 + i for i in range(USERS)]
            for user, code in zip(users, codes):
                fake.inject_message(user, user, f"/start {code}")
            await _drain(fake, USERS)
            await asyncio.sleep(5)
            idle = rss_mb(proc.pid)
            samples = [(0, round(idle, 1))]
            t0 = time.perf_counter()
            for i in range(updates):
                # Users take turns; each of these texts gets exactly one reply.
                fake.inject_message(users[i % USERS], users[i % USERS], TEXTS[i % len(TEXTS)])
                if (i + 1) % BATCH == 0:
                    await _drain(fake, USERS + i + 1)
                if (i + 1) % every == 0:
                    samples.append((i + 1, round(rss_mb(proc.pid), 1)))
            elapsed = time.perf_counter() - t0
        finally:
            proc.terminate()
            await proc.wait()
    peak = max(mb for _, mb in samples)
    first_half = [mb for n, mb in samples if 0 < n <= updates // 2]
    second_half = [mb for n, mb in samples if n > updates // 2]
    growth = (statistics.mean(second_half) - statistics.mean(first_half)) if first_half and second_half else 0.0
    row = {"idle_mb": round(idle, 1), "peak_mb": round(peak, 1), "updates": updates,
           "updates_per_s": round(updates / elapsed, 1),
           "growth_second_half_mb": round(growth, 1), "samples": samples, "seconds": round(elapsed, 1)}
    print(f"  memory: idle {row['idle_mb']} MB, peak {row['peak_mb']} MB over {updates} updates, "
          f"second half vs first half {row['growth_second_half_mb']:+} MB; samples {samples}", flush=True)
    return row


async def _drain(fake: FakeTelegram, expected_replies: int) -> None:
    """Wait until the bot has answered every update injected so far."""
    await fake.wait_for(lambda: len(fake._sent) >= expected_replies, timeout=300)


def measure(updates: int) -> dict[str, Any]:
    seconds = help_time()
    print(f"  zsbot --help: {seconds * 1000:.0f} ms (median of 7)", flush=True)
    row = asyncio.run(run_memory(updates))
    row["help_s"] = round(seconds, 3)
    return row
