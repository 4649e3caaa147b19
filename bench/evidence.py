"""Evidence (issue 19): what keeping a file costs the core — the SHA-256, the blob insert and the
file.attached event in one unit of work, as a photo reaches `Conversations.handle` already downloaded —
for a 20 MB file and a hundred 1 MB ones; the read-only look a channel makes before downloading
(`Conversations.wants_file`); and `zsbot ledger verify`'s check of every attached file's bytes.

`python -m bench --only evidence`; both engines when PostgreSQL answers. Random bytes (no deduplication).
"""
from __future__ import annotations

import os
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.composition import initialise, read_org_file
from core.clock import FixedClock
from core.messages import Attachment, Inbound
from core.names import normalize_company_name
from core.stages import Stage
from core.usecases import leads, projects
from core.usecases.org import BindIdentity, bind_identity
from handlers.router import Conversations
from reminders.calendar import workdays
from storage.blobs import check_files
from storage.database import Database

TZ = ZoneInfo("Asia/Shanghai")
MINI_ORG = Path(__file__).resolve().parents[1] / "tests" / "data" / "mini_org.toml"
SMALL, COUNT = 1024 * 1024, 100


async def _setup(db: Database) -> tuple[Conversations, int]:
    await db.migrate()
    await initialise(db, read_org_file(MINI_ORG), demo_members=True)
    async with db.uow() as uow:
        me = next(m for m in await uow.org.members() if m.name == "东小李")
        p = await leads.log_lead(uow, me, leads.LogLead(leads.LeadDraft(
            name="测量项目", normalized_name=normalize_company_name("测量项目"), owner_unit=me.unit)))
        await projects.change_stage(uow, me, projects.ChangeStage(p.id, Stage.SIGNED, contract_wan=1000))
        await bind_identity(uow, me, BindIdentity(channel="console", external_id="bench", chat_id="bench"))
        await uow.commit()
    return Conversations(db.uow, tz=TZ, workdays=workdays, timeout=timedelta(minutes=30)), p.id


def _inbound(n: int, pid: int, data: bytes | None = None) -> Inbound:
    attachment = Attachment(name=f"f{n}.pdf", mime_type="application/pdf", size=len(data or b""), data=data)
    return Inbound(channel="console", chat_id="bench", sender_id="bench", text=f"附件 #{pid}", message_id=str(n),
                   at=datetime.now(TZ), update_id=f"bench-{n}", attachment=attachment if data is not None else None)


async def _one(url: str) -> dict[str, Any]:
    db = Database(url, FixedClock(datetime(2026, 11, 2, 10, tzinfo=TZ)))
    try:
        conv, pid = await _setup(db)
        started = time.perf_counter()
        out = await conv.handle(_inbound(0, pid, os.urandom(20 * 1024 * 1024)))
        big = time.perf_counter() - started
        assert "已附到" in str(out[0]), out
        small = []
        for n in range(1, COUNT + 1):
            data = os.urandom(SMALL)
            started = time.perf_counter()
            await conv.handle(_inbound(n, pid, data))
            small.append(time.perf_counter() - started)
        looks = []
        for n in range(200):
            started = time.perf_counter()
            assert await conv.wants_file(_inbound(10_000 + n, pid))
            looks.append(time.perf_counter() - started)
        async with db.uow(readonly=True) as uow:
            started = time.perf_counter()
            checked = await check_files(uow.session)
            verify = time.perf_counter() - started
        assert checked.count == COUNT + 1 and not checked.failures
        return {"attach_20mb_ms": round(big * 1000), "attach_1mb_median_ms": round(statistics.median(small) * 1000, 1),
                "attach_1mb_p95_ms": round(sorted(small)[int(COUNT * .95)] * 1000, 1),
                "wants_file_median_ms": round(statistics.median(looks) * 1000, 2),
                "verify_files": checked.count, "verify_mb": 20 + COUNT, "verify_ms": round(verify * 1000)}
    finally:
        await db.dispose()


async def measure(urls: dict[str, str], fresh: Callable[[str], Awaitable[None]]) -> list[dict[str, Any]]:
    rows = []
    for engine, url in urls.items():
        await fresh(engine)
        row = {"engine": engine, **await _one(url)}
        print(f"  {engine}: " + ", ".join(f"{k} {v}" for k, v in row.items() if k != "engine"), flush=True)
        rows.append(row)
    return rows
