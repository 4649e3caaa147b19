"""How long `zsbot init --demo` takes to write its year of history (bot/demo_history.py), per engine.

The history goes through the real use cases, one unit of work per simulated day, so this is the
cost of ~3,000 ordinary writes plus the planning; printed, and returned for bench/results/.
"""
from __future__ import annotations

import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

TODAY = date(2026, 12, 2)


async def measure(urls: dict[str, str], fresh: Any) -> list[dict[str, Any]]:
    from bot.composition import read_org_file
    from bot.config import BUNDLED_ORG
    from bot.demo_history import initialise_demo
    from core.clock import FixedClock
    from storage.database import Database

    org = read_org_file(BUNDLED_ORG)
    out = []
    for engine, url in urls.items():
        await fresh(engine)
        now = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)
        clock = FixedClock(now)
        db = Database(url, clock)
        t0 = time.perf_counter()
        done = await initialise_demo(db, clock, org, today=TODAY, now=now, tz=ZoneInfo("Asia/Shanghai"))
        total = time.perf_counter() - t0
        await db.dispose()
        s = done.seeded
        assert s is not None
        row = {"engine": engine, "projects": s.projects, "events": s.events, "seed_s": round(s.seconds, 2),
               "init_total_s": round(total, 2), "events_per_s": round(s.events / s.seconds), "by_stage": s.by_stage}
        print(f"  {engine}: {s.line()} — {s.seconds:.2f} s ({row['events_per_s']} events/s); {s.stages_line()}",
              flush=True)
        out.append(row)
    return out


def sqlite_only() -> tuple[dict[str, str], Any]:
    work = Path(tempfile.mkdtemp())

    async def fresh(engine: str) -> None:
        for f in work.glob("demo.db*"):
            f.unlink()

    return {"sqlite": f"sqlite:///{work}/demo.db"}, fresh
