"""kill -9 of the real `zsbot run` while its outbox drains, then a restart: nothing lost, and
duplicates at most the sender's in-flight bound (`Limits.max_inflight`). A ranking-day push left
in flight is not sent twice: it is marked failed for the office to check."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.messages import Delivery, SendText
from reminders.outbox import Limits
from storage.database import Database
from storage.tables.operational import OutboxRow
from tests.fakes.telegram import FakeTelegram
from tests.helpers import setup_org
from tests.e2e.cli_runner import SOURCE, stop

pytestmark = pytest.mark.asyncio
ZSBOT = Path(sys.executable).parent / "zsbot"
PUSHES = 29
BOUND = Limits().max_inflight


def spawn(db_url: str, fake: FakeTelegram, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {**SOURCE, "PATH": os.environ.get("PATH", ""), "ZSBOT_DATABASE_URL": db_url, "ZSBOT_CHANNEL": "telegram",
           "ZSBOT_TELEGRAM_TOKEN": fake.token, "ZSBOT_TELEGRAM_API_URL": fake.base_url, "ZSBOT_CALENDAR": "false",
           "ZSBOT_OUTBOX_PER_SECOND": "20"}
    log = (tmp_path / "run.log").open("ab")
    return subprocess.Popen([str(ZSBOT), "run"], cwd=tmp_path, env=env, stdout=log, stderr=log,
                            stdin=subprocess.DEVNULL)


async def statuses(db: Database) -> dict[str, int]:
    async with db.uow(readonly=True) as uow:
        rows = await uow.session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))
        return {status: n for status, n in rows}


async def wait(predicate, timeout: float) -> None:  # noqa: ANN001
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("kind", ["report.reminder", "ranking.text"])
async def test_kill_9_while_draining_loses_nothing_and_repeats_at_most_the_bound(
        db_url: str, tmp_path: Path, kind: str) -> None:
    db = Database(db_url)
    await db.migrate()
    await setup_org(db)
    async with db.uow() as uow:
        for i in range(PUSHES):
            await uow.outbox.enqueue(f"crash:{i}", kind, Delivery(channel="telegram", chat_id=str(9000 + i),
                                                                  action=SendText(text=f"推送 {i}")))
        await uow.commit()
    async with FakeTelegram() as fake:
        fake.delay_next("sendMessage", 0.25, times=PUSHES * 2)  # calls take a while: several in flight
        proc = spawn(db_url, fake, tmp_path)
        try:
            async def halfway() -> bool:
                return len(fake.calls("sendMessage")) >= PUSHES // 2
            await wait(halfway, 60)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            left = await statuses(db)
            assert left.get("sending", 0) <= BOUND, left
            proc = spawn(db_url, fake, tmp_path)

            async def settled() -> bool:
                s = await statuses(db)
                return s.get("pending", 0) == 0 and s.get("sending", 0) == 0
            await wait(settled, 60)
        finally:
            stop(proc)
        received = Counter(int(m.chat_id) for m in fake.sent())
    final = await statuses(db)
    await db.dispose()
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    missing = [i for i in range(PUSHES) if received[9000 + i] == 0]
    print(f"{kind}: {sum(received.values())} sends for {PUSHES} rows, {duplicates} duplicates, "
          f"{len(missing)} missing, {left.get('sending', 0)} in flight at the kill, final {final}")
    assert duplicates <= BOUND
    if kind.startswith("ranking."):
        # Held, not resent: what the crash interrupted may or may not have arrived (here the fake
        # finished the calls), never twice; the office sees them as failed with the reason.
        assert duplicates == 0 and len(missing) <= final.get("failed", 0) <= BOUND
    else:
        assert missing == [] and final == {"sent": PUSHES}
