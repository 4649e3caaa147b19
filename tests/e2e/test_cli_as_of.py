"""Issue 16's Done-when as the office runs it: a December correction of an October funds entry changes
`zsbot report ranking --month 2026-10`, while `--as-of 2026-11-03` prints exactly what was printed that day;
the ledger still verifies. A subprocess on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.clock import FixedClock
from core.usecases import corrections as fix
from storage.database import Database
from tests.conftest import local
from tests.e2e.test_cli_reports import ok, zsbot_many
from tests.integration.test_ranking import act, october

pytestmark = pytest.mark.asyncio


def east_funds(doc: dict) -> int:
    group = next(g for g in doc["groups"] if g["code"] == "districts")
    return next(u for u in group["units"] if u["unit"] == "east")["indicators"][0]["value"]


async def test_a_december_correction_changes_october_and_as_of_gives_the_day_it_was_published(
        db: Database, db_url: str, clock: FixedClock, tmp_path: Path) -> None:
    ids = await october(db, clock)
    ranking = ("report", "ranking", "--month", "2026-10")
    published_text, published_json = zsbot_many(db_url, tmp_path, ranking, (*ranking, "--format", "json"))
    assert east_funds(json.loads(ok(published_json).stdout)) == 30_000

    clock.set(local(2026, 12, 5, 10))
    async with db.uow(readonly=True) as uow:
        entry = (await uow.projects.timeline(ids["east"])).funds[0]   # the 20 000 of 10 October
    await act(db, "东小李", fix.correct_funds, fix.CorrectFunds(ids["east"], entry.seq, 2_000, "多填了一个零"))

    now, now_json, then, then_json, verify = zsbot_many(
        db_url, tmp_path, ranking, (*ranking, "--format", "json"), (*ranking, "--as-of", "2026-11-03"),
        (*ranking, "--as-of", "2026-11-03", "--format", "json"), ("ledger", "verify"))
    assert east_funds(json.loads(ok(now_json).stdout)) == 12_000
    assert ok(now).stdout != published_text.stdout
    assert ok(then).stdout == published_text.stdout
    assert json.loads(ok(then_json).stdout) == json.loads(published_json.stdout)
    assert "按账本在 2026-11-04 00:00 之前记录的事件计算" in then.stderr
    assert ok(verify).stdout.startswith("账本完好")

    bad = zsbot_many(db_url, tmp_path, (*ranking, "--as-of", "11月3日"))[0]
    assert bad.returncode != 0 and "--as-of" in bad.stderr and "Traceback" not in bad.stderr
