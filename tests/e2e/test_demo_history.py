"""`zsbot init --demo` seeds a past year, as an operator sees it: one line saying what was written, a
ledger that verifies, last month's ranking filled for every peer group, a figure the explanation
adds up to, the same ledger for the same date, nothing written twice, and `--empty` left bare."""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.cli_runner import Cli, cli  # noqa: F401  (cli is a fixture)
from tests.helpers import DEMO_ORG

TODAY = "2026-12-02"
SEEDED = re.compile(r"^演示历史：([\d,]+) 个项目、([\d,]+) 个事件（2025-12-01 至 2026-11-30）$", re.M)
MEMBERS = len(tomllib.loads(DEMO_ORG.read_text(encoding="utf-8"))["members"])


def seeded(cli: Cli) -> tuple[int, int]:
    result = cli("init", "--demo", "--today", TODAY).ok()
    match = SEEDED.search(result.out)
    assert match, str(result)
    return int(match.group(1).replace(",", "")), int(match.group(2).replace(",", ""))


Seeded = tuple[tuple[int, int], tuple[int, str]]


@pytest.fixture
def twin(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Seeded]:
    """The same date seeded on a fresh SQLite file: ((projects, events), (event count, head hash)).

    Seeding a year takes the better part of a minute, so the twin is seeded once per test run and shared by
    both engines' test, across xdist workers too (the workers' common temporary directory, under a file
    lock). Each engine's own seed is still made fresh by its test and compared with it. Asked for after that
    seed, so two workers seed their own databases at once rather than one waiting on the lock.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # pytest-N/, shared by this run's workers

    def read() -> Seeded:
        done = root / "demo_twin.json"
        with (root / "demo_twin.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not done.exists():
                work = root / "demo_twin"
                work.mkdir(exist_ok=True)
                shutil.copy(sqlite_template, work / "twin.db")
                other = Cli(f"sqlite:///{work / 'twin.db'}", work)
                done.write_text(json.dumps([seeded(other), other.verified()]), encoding="utf-8")
        (projects, events), (count, head) = json.loads(done.read_text(encoding="utf-8"))
        return (projects, events), (count, head)

    return read


def test_demo_history_verifies_ranks_every_group_and_explains_a_figure(cli: Cli, twin: Callable[[], Seeded]) -> None:
    projects, events = seeded(cli)
    assert 250 <= projects <= 400 and events > 5 * projects
    count, head = cli.verified()
    assert count == 1 + MEMBERS + events

    # The same date on another fresh database (SQLite, seeded once per run by `twin`) gives the very same ledger.
    assert twin() == ((projects, events), (count, head))

    ranking = json.loads(cli("report", "ranking", "--month", "2026-11", "--format", "json").ok().out)
    assert ranking["ledger_head"] == head
    for group in ranking["groups"]:
        ranked = [u for u in group["units"] if u["status"] == "ranked"]
        assert ranked and all(u["score"] > 0 for u in ranked), group["code"]
        funds = [i["value"] for u in ranked for i in u["indicators"] if i["code"] == "funds_in_place"]
        assert all(v > 0 for v in funds), group["code"]
    districts = next(g for g in ranking["groups"] if g["code"] == "districts")
    completion = [i["completion"] for u in districts["units"] for i in u["indicators"] if i["code"] == "funds_in_place"]
    assert max(completion) >= 1.0 and min(completion) < 0.8  # some ahead of 时序进度, some behind

    text = cli("report", "ranking", "--month", "2026-11", "--group", "districts").ok().out
    top = next(line for line in text.splitlines() if line.startswith("1. "))
    unit, shown = re.match(r"1\. (\S+) .*?到位资金 (\S+?)（完成", top).groups()
    explained = cli("report", "explain", "--month", "2026-11", "--unit", unit, "--indicator", "funds_in_place").ok()
    lines = explained.out.strip().splitlines()
    assert lines[0] == f"【2026年11月 {unit} · 到位资金】{shown}"
    assert lines[-1] == "与排名中的数值一致。"

    again = cli("init", "--demo", "--today", TODAY).ok()
    assert "演示历史：账本中已有项目，不再写入" in again.out
    assert cli.verified() == (count, head)


def test_demo_empty_keeps_the_bare_organisation_and_history_is_never_written_after_it(cli: Cli) -> None:
    bare = cli("init", "--demo", "--empty").ok()
    assert "演示历史" not in bare.out
    assert cli.verified()[0] == 1 + MEMBERS
    assert json.loads(cli("export", "projects").ok().out) == []

    later = cli("init", "--demo", "--today", TODAY).ok()
    assert "演示历史未写入：账本已有" in later.out and "请用新的数据库" in later.out
    assert cli.verified()[0] == 1 + MEMBERS
