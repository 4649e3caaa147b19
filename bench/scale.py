"""Rankings and the 台账 at scale: seeded province-size ledgers (bench/generate.py) of 10k, 100k and
1M events on SQLite, the monthly ranking and the 台账 rows timed next to one hand-written SQL
aggregate over the same tables (funds in place per unit, year to date: the floor).

Generated files are cached under bench/results/ by size and seed, so a rerun skips generation.
"""
from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench.generate import Size, generate

TZ = ZoneInfo("Asia/Shanghai")
MONTH = "2026-10"
SEED = 20261122

# The floor: funds in place per host unit for the year to October's end, each fund fact joined to
# the project version in force when it was recorded (counting rules and credit shares left out).
FLOOR_SQL = text("""
    SELECT v.host_unit, SUM(f.amount_wan)
    FROM fund_facts f
    JOIN project_versions v
      ON v.project_id = f.project_id AND v.at <= f.at AND (v.valid_to IS NULL OR v.valid_to > f.at)
    WHERE f.at >= :start AND f.at < :until AND v.countable AND v.replaced_at IS NULL
    GROUP BY v.host_unit
""")


def size_for(events: int) -> Size:
    return Size(units=100, projects=max(100, events // 20), events=events)


async def ensure(results: Path, events: int) -> tuple[Path, dict[str, Any] | None]:
    path = results / f"ledger-{events}-{SEED}.db"
    if path.exists():
        return path, None
    tmp = path.with_suffix(".part")
    tmp.unlink(missing_ok=True)
    timings = await generate(f"sqlite:///{tmp}", size_for(events), seed=SEED)
    tmp.rename(path)
    return path, timings


async def _timed(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = await fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


async def measure_one(path: Path, repeat: int) -> dict[str, Any]:
    from core.clock import local_midnight_utc
    from core.figures import month_days
    from reports.ranking import rank_month
    from storage.database import Database

    db = Database(f"sqlite:///{path}")
    await db.migrate()  # a cached ledger from an older schema gets this code's indexes
    first, first_next = month_days(MONTH)
    start, until = local_midnight_utc(first.replace(month=1), TZ), local_midnight_utc(first_next, TZ)
    try:
        async with db.uow(readonly=True) as uow:
            cfg = await uow.org.config_as_of(until)
            assert cfg is not None
            s = uow.session

            async def floor() -> Any:
                return (await s.execute(FLOOR_SQL, {"start": start, "until": until})).all()

            async def ranking() -> Any:
                return rank_month(cfg, await uow.figures.facts(MONTH, TZ))

            async def ledger() -> Any:
                names = {u.code: u.name for u in cfg.units}
                return await uow.figures.ledger(MONTH, TZ, names)

            await floor()  # warm the page cache for all three alike
            floor_s, totals = await _timed(floor, repeat)
            ranking_s, ranked = await _timed(ranking, repeat)
            ledger_s, (rows, events) = await _timed(ledger, repeat)
            count = (await s.execute(text("SELECT count(*) FROM events"))).scalar_one()
    finally:
        await db.dispose()
    return {"events": count, "floor_s": round(floor_s, 3), "ranking_s": round(ranking_s, 3),
            "ranking_ratio": round(ranking_s / floor_s, 2), "ledger_s": round(ledger_s, 3),
            "ledger_ratio": round(ledger_s / floor_s, 2), "units_with_funds": len(totals),
            "ranked_units": sum(len(g.units) for g in ranked.groups), "ledger_rows": len(rows),
            "month_events": len(events), "db_mb": round(path.stat().st_size / 2**20, 1)}


async def measure(results: Path, sizes: list[int], repeat: int = 3) -> list[dict[str, Any]]:
    rows = []
    for events in sizes:
        path, generated = await ensure(results, events)
        row = await measure_one(path, repeat)
        if generated:
            row["generated_s"] = {k: round(v, 1) for k, v in generated.items() if k != "events"}
        rows.append(row)
        print(f"  scale {events:>9,} events: floor {row['floor_s']:.3f} s | ranking {row['ranking_s']:.3f} s "
              f"(×{row['ranking_ratio']}) | 台账 {row['ledger_s']:.3f} s (×{row['ledger_ratio']}) | "
              f"{row['ledger_rows']} rows, {row['db_mb']} MB", flush=True)
    return rows


if __name__ == "__main__":
    asyncio.run(measure(Path("bench/results"), [10_000]))
