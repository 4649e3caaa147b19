"""`zsbot ask` on the demo's year of history, as a leader asks it: every figure equals what
`zsbot report ranking --format json` and `zsbot export projects` print for the same data."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.figures import last_complete_month
from reports.ranking_text import format_value
from tests.e2e.cli_runner import SOURCE

ZSBOT = Path(sys.executable).parent / "zsbot"


class Demo:
    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.env = {**SOURCE, "ZSBOT_DATABASE_URL": f"sqlite:///{cwd / 'demo.db'}",
                    "HOME": os.environ.get("HOME", str(cwd)), "PATH": "/usr/bin:/bin"}

    def run(self, *args: str) -> str:
        done = subprocess.run([str(ZSBOT), *args], cwd=self.cwd, env=self.env, capture_output=True, text=True,
                              encoding="utf-8", timeout=300, stdin=subprocess.DEVNULL)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (args, done.stdout, done.stderr)
        return done.stdout

    def ranking(self, month: str) -> dict[str, Any]:
        doc = json.loads(self.run("report", "ranking", "--month", month, "--format", "json"))
        return {u["unit"]: u | {"group": g["code"], "values": {i["code"]: i["value"] for i in u["indicators"]}}
                for g in doc["groups"] for u in g["units"]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    d = Demo(tmp_path_factory.mktemp("askdemo"))
    d.run("init", "--demo")
    return d


def months() -> tuple[str, str]:
    """The last complete month (the demo's history ends there) and the one before it, in the same year."""
    last = last_complete_month(datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Shanghai")).date())
    year, mon = (int(x) for x in last.split("-"))
    if mon == 1:
        pytest.skip("the month before January is last year's: growth within one year is what is checked")
    return last, f"{year:04d}-{mon - 1:02d}"


def wan(value: float | int) -> str:
    return format_value(Fraction(value).limit_denominator(10_000), "万元")


def test_a_leader_asks_funds_and_gets_the_rankings_figure(demo: Demo) -> None:
    last, _ = months()
    year, mon = (int(x) for x in last.split("-"))
    ranking = demo.ranking(last)
    out = demo.run("ask", f"{year}年1-{mon}月南明区到位资金多少？", "--as", "何振宇", "--why")
    assert f"南明区到位资金为 {wan(ranking['nanming']['values']['funds_in_place'])}。" in out
    assert "与排名中的数值一致。" in out and "账本链头 #" in out


def test_last_months_top_three_is_the_growth_between_two_rankings(demo: Demo) -> None:
    last, before = months()
    now, then = demo.ranking(last), demo.ranking(before)
    districts = [u for u, row in now.items() if row["group"] == "districts"]
    grown = {u: now[u]["values"]["funds_in_place"] - then[u]["values"]["funds_in_place"] for u in districts}
    out = demo.run("ask", "上月区县到位资金前三是谁", "--as", "何振宇")
    lines = out.splitlines()
    shown = [line.split(" ", 2) for line in lines[1:4]]
    names = {u: now[u]["name"] for u in districts}
    expected = sorted(grown, key=lambda u: -grown[u])[:3]
    assert [s[1] for s in shown] == [names[u] for u in expected], out
    assert [s[2] for s in shown] == [wan(grown[u]) for u in expected], out


def test_rank_and_counts_by_stage_equal_the_report_and_the_export(demo: Demo) -> None:
    last, _ = months()
    ranking = demo.ranking(last)
    out = demo.run("ask", "南明区排第几？", "--as", "何振宇")
    assert f"南明区在区（市、县）、开发区综合排名第{ranking['nanming']['rank']}" in out
    rows = json.loads(demo.run("export", "projects", "--format", "json"))
    negotiating = sum(1 for p in rows if p["stage"] == "negotiating" and "贵安新区" in (p["owner_unit"], p["responsible_unit"]))
    assert f"贵安新区在谈项目共 {negotiating} 个。" in demo.run("ask", "贵安新区有几个在谈项目？", "--as", "何振宇")
    big = sum(1 for p in rows if p["stage"] == "signed" and (p["contract_amount_wan"] or p["intended_amount_wan"] or 0) >= 100_000)
    assert f"共 {big} 个" in demo.run("ask", "10亿以上的签约项目有几个")


def test_late_reports_quotas_and_a_question_it_cannot_answer(demo: Demo) -> None:
    last, _ = months()
    assert "半月报" in demo.run("ask", "上个月哪些单位半月报迟报了？", "--as", "何振宇")
    assert "外出招商" in demo.run("ask", "何振宇今年外出招商几次", "--as", "何振宇")
    out = demo.run("ask", "明天会下雨吗？", "--as", "何振宇")
    assert "可以这样问：" in out
