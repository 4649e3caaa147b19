"""Questions in plain Chinese at scale (issue 21): the time from the text to the answer — parse, read the
figures through the port, compute, render — on the seeded province ledgers of bench/scale.py (cached
under bench/results/), SQLite, one read-only unit of work per question as the chat opens one.

`python -m bench.questions [events ...]` (default 100000). Target: < 200 ms server time per question.
Three medians per question: cold (no month cached: a process just started), after an event (a unit member has
just recorded 到位资金 on a signed project: the usual case in a working day, every recorded fact moves the running
month's head), warm (asked again). The events are recorded on a copy of the cached ledger, which stays as generated.
"""
from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
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


def _forget() -> None:
    """Drop every cached month and figure: a process just started."""
    from reports import period_figures
    from storage.repositories import figures

    figures._FACTS.clear()
    period_figures._VALUES.clear()
    from handlers.questions import figures as question_figures

    question_figures._RANKINGS.clear()


class Reporter:
    """A member of a signed project's unit who records 到位资金 on it: with a fixed clock, a minute after the ledger's
    last event and a second after each other (bench/web.py passes None: the database's own clock)."""

    def __init__(self, db: Any, clock: Any | None) -> None:
        self.db, self.clock, self.count = db, clock, 0

    async def prepare(self) -> None:
        from sqlalchemy import text

        async with self.db.uow(readonly=True) as uow:
            row = (await uow.session.execute(text(
                "SELECT p.id, m.id FROM projects p JOIN project_milestones s ON s.project_id = p.id "
                "JOIN members m ON m.unit = p.responsible_unit AND m.active "
                "WHERE s.signed_at IS NOT NULL AND p.voided_at IS NULL AND p.stage != '终止' LIMIT 1"))).one()
            self.project_id, member_id = row
            self.actor = await uow.org.member(member_id)
            last = (await uow.session.execute(text("SELECT max(at) FROM events"))).scalar()
        if self.clock is None:
            return
        # Read as text, the stored instant is UTC without its zone.
        self.clock.set(datetime.fromisoformat(str(last)).replace(tzinfo=timezone.utc) + timedelta(minutes=1))

    async def record(self) -> None:
        from core.usecases import projects as uc

        if self.clock is not None:
            self.clock.set(self.clock.now() + timedelta(seconds=1))
        async with self.db.uow() as uow:
            await uc.add_funds(uow, self.actor, uc.AddFunds(self.project_id, 100, confirmed_over_contract=True))
            await uow.commit()
        self.count += 1


async def measure_one(path: Path) -> dict[str, Any]:
    from core.clock import FixedClock
    from handlers.questions.reply import Viewer
    from handlers.questions.ask import ask
    from storage.database import Database

    work = path.with_name(f"questions-{path.name}")
    shutil.copyfile(path, work)
    clock = FixedClock(datetime(2026, 11, 21, tzinfo=TZ))
    db = Database(f"sqlite:///{work}", clock)
    await db.migrate()
    rows: list[dict[str, Any]] = []
    try:
        async with db.uow(readonly=True) as uow:
            cfg = await uow.org.config()
            assert cfg is not None
            viewer = Viewer(unit=cfg.office_unit().code, name=None, reads_all=True)
        reporter = Reporter(db, clock)
        await reporter.prepare()
        for q in questions(cfg):
            row: dict[str, Any] = {"question": q}
            for mode in ("cold", "after_event", "warm"):
                times = []
                for _ in range(REPEAT):
                    if mode == "cold":
                        _forget()
                    elif mode == "after_event":
                        await reporter.record()
                    t0 = time.perf_counter()
                    async with db.uow(readonly=True) as uow:
                        reply = await ask(uow, cfg, q, viewer, TZ, TODAY)
                    times.append(time.perf_counter() - t0)
                row[f"{mode}_ms"] = round(statistics.median(times) * 1000, 1)
            row["answer"] = reply.text.split("\n")[0][:60]
            rows.append(row)
    finally:
        await db.dispose()
        work.unlink(missing_ok=True)
    return {"questions": rows, "events_recorded": reporter.count,
            "slowest": {m: max(r[f"{m}_ms"] for r in rows) for m in ("cold", "after_event", "warm")}}


async def measure(results: Path, sizes: list[int]) -> list[dict[str, Any]]:
    out = []
    results.mkdir(parents=True, exist_ok=True)
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
