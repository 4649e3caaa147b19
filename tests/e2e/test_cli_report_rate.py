"""The half-monthly on-time rate is an indicator of the bundled (Guiyang) organisation: a unit that
filed one of October's two reports on time scores 50%, one that filed none 0% — in
`zsbot report ranking --format json` and in `/rank` alike (the CLI once left it empty)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bot.config import BUNDLED_ORG
from core.clock import FixedClock
from core.org_file import load_org
from reports.ranking import rank_month, ranking_json
from storage.database import Database
from tests.calendar_support import TZ, file_report, local
from tests.e2e.test_cli_reports import ok, zsbot_many
from tests.helpers import setup_org


def rate(doc: dict, unit: str) -> float | None:
    group = next(g for g in doc["groups"] if any(u["unit"] == unit for u in g["units"]))
    scored = next(u for u in group["units"] if u["unit"] == unit)
    return next(i for i in scored["indicators"] if i["code"] == "report_on_time")["value"]


async def test_the_on_time_rate_counts_in_the_cli_and_in_chat(db: Database, db_url: str, clock: FixedClock,
                                                              tmp_path: Path) -> None:
    clock.set(local(2026, 9, 30, 9))
    await setup_org(db, load_org(BUNDLED_ORG.read_text(encoding="utf-8"), str(BUNDLED_ORG)))
    # 南明区 files the 10 October report on time and the 25 October one late; 云岩区 files nothing.
    assert await file_report(db, "杨雪婷", date(2026, 10, 10), local(2026, 10, 9, 10))
    assert not await file_report(db, "杨雪婷", date(2026, 10, 25), local(2026, 10, 27, 10))

    [cli] = zsbot_many(db_url, tmp_path, ("report", "ranking", "--month", "2026-10", "--format", "json"))
    doc = json.loads(ok(cli).stdout)
    assert rate(doc, "nanming") == 50.0 and rate(doc, "yunyan") == 0.0

    async with db.uow(readonly=True) as uow:
        found = await uow.figures.month("2026-10", TZ)
    assert found is not None
    assert ranking_json(rank_month(*found)) == doc  # the chat and the pushes read the month the same way
