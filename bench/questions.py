"""Questions in plain Chinese at scale (issue 21): the time from the text to the answer — parse, read the
figures through the port, compute, render — on the seeded province ledgers of bench/scale.py (cached
under bench/results/), SQLite, one read-only unit of work per question as the chat opens one.

`python -m bench.questions [events ...]` (default 100000). Target: < 200 ms server time per question.
Three medians per question: cold (no month cached: a process just started), after an event (closed
months cached, the running month read again: the usual case in a working day), warm (asked again).
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.scale import ensure

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 20)     # the generated ledger runs January to November 2026
REPEAT = 5


def questions(cfg: Any) -> list[str]:
    """One of each kind the chat answers, over the generated org's own names."""
    unit = next(u for u in cfg.units if u.peer_group)
    group = cfg.peer_groups[0].name
    return [
        f"本月{unit.name}到位资金多少？",            # two month ends (October's and November's so far)
        f"10月{unit.name}到位资金多少？",           # two closed month ends
        f"今年{group}签约额前三是谁？",               # one month end, every unit
        f"{unit.name}排第几？",                      # the composite ranking of last month
        f"{unit.name}到位资金完成时序进度了吗？",
        "全市今年到位资金多少？",
        f"{unit.name}有几个在谈项目？",               # the 项目库's search
        "10亿以上的签约项目有哪些？",
        "上个月哪些单位半月报迟报了？",
        "今天天气怎么样？",                           # not understood: no read at all
    ]


def _forget(running_only: bool) -> None:
    """Drop the cached month facts: all of them (a process just started), or the running month's (an event
    was just recorded: closed months keep theirs, the running month must be read again)."""
    from reports import period_figures
    from storage.repositories import figures

    running = f"{TODAY.year:04d}-{TODAY.month:02d}"
    for key in list(figures._FACTS):
        if not running_only or key[0] == running:
            del figures._FACTS[key]
    period_figures._VALUES.clear()
    from handlers.questions import figures as question_figures

    question_figures._RANKINGS.clear()


async def measure_one(path: Path) -> dict[str, Any]:
    from handlers.questions.reply import Viewer
    from handlers.questions.ask import ask
    from storage.database import Database

    db = Database(f"sqlite:///{path}")
    await db.migrate()
    rows: list[dict[str, Any]] = []
    try:
        async with db.uow(readonly=True) as uow:
            cfg = await uow.org.config()
            assert cfg is not None
            viewer = Viewer(unit=cfg.office_unit().code, name=None, reads_all=True)
        for q in questions(cfg):
            row: dict[str, Any] = {"question": q}
            for mode in ("cold", "after_event", "warm"):
                times = []
                for _ in range(REPEAT):
                    if mode != "warm":
                        _forget(running_only=mode == "after_event")
                    t0 = time.perf_counter()
                    async with db.uow(readonly=True) as uow:
                        reply = await ask(uow, cfg, q, viewer, TZ, TODAY)
                    times.append(time.perf_counter() - t0)
                row[f"{mode}_ms"] = round(statistics.median(times) * 1000, 1)
            row["answer"] = reply.text.split("\n")[0][:60]
            rows.append(row)
    finally:
        await db.dispose()
    return {"questions": rows, "slowest": {m: max(r[f"{m}_ms"] for r in rows) for m in ("cold", "after_event", "warm")}}


async def measure(results: Path, sizes: list[int]) -> list[dict[str, Any]]:
    out = []
    for events in sizes:
        path, _ = await ensure(results, events)
        row = await measure_one(path)
        row["events"] = events
        out.append(row)
        for r in row["questions"]:
            print(f"  {events:>9,} events | cold {r['cold_ms']:>7.1f} | after an event {r['after_event_ms']:>7.1f} | "
                  f"warm {r['warm_ms']:>6.1f} ms | {r['question']} → {r['answer']}", flush=True)
    return out


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [100_000]
    asyncio.run(measure(Path(__file__).resolve().parent / "results", sizes))
