"""`zsbot init --demo` seeds a past year, as an operator sees it: one line saying what was written, a
ledger that verifies, last month's ranking filled for every peer group, a figure the explanation
adds up to, the same ledger for the same date, nothing written twice, and `--empty` left bare."""
from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

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


def test_demo_history_verifies_ranks_every_group_and_explains_a_figure(cli: Cli, sqlite_template: Path,
                                                                        tmp_path: Path) -> None:
    projects, events = seeded(cli)
    assert 250 <= projects <= 400 and events > 5 * projects
    count, head = cli.verified()
    assert count == 1 + MEMBERS + events

    # The same date on another fresh database (SQLite) gives the very same ledger.
    other = tmp_path / "other.db"
    shutil.copy(sqlite_template, other)
    twin = Cli(f"sqlite:///{other}", cli.cwd)
    assert seeded(twin) == (projects, events)
    assert twin.verified() == (count, head)

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
