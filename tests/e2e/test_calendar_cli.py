"""The issue's "Done when", as an operator runs it: `zsbot init --demo`, then `zsbot tick --at` the
instants around the 10 December 2026 deadline, a demo unit filing in the console, `zsbot outbox`.

The console filing runs the real `zsbot chat` with the system clock frozen at a December instant
(the chat has no --at of its own), so the report lands in the 10 December period whatever day
the tests run on.
"""
from __future__ import annotations

import subprocess
import sys
import tomllib
from collections import Counter

from core.org import load_org
from core.records import Member
from core.halfmonthly import reporting_units
from core.roles import Role
from reminders.names import kind_name
from tests.e2e.cli_runner import Cli, Result, cli  # noqa: F401  (cli is a fixture)
from tests.helpers import DEMO_ORG

FILER = "杨雪婷"         # 南明区's reporter in the demo organisation
FILER_UNIT = "南明区"

FROZEN_CHAT = """
import sys
from datetime import datetime
import core.clock
at = datetime.fromisoformat(sys.argv[1])
core.clock.SystemClock.now = lambda self: at
sys.argv = ["zsbot", *sys.argv[2:]]
from bot.cli import main
main()
"""


def demo() -> tuple[dict[str, str], list[str], list[str]]:
    """(reporter → unit name, heads of reporting units, names of reporting units) from the demo file."""
    org = load_org(DEMO_ORG.read_text(encoding="utf-8"), str(DEMO_ORG))
    raw = tomllib.loads(DEMO_ORG.read_text(encoding="utf-8"))["members"]
    members = [Member(id=i, name=m["name"], unit=m["unit"], role=Role(m.get("role", "member")),
                      reporter=m.get("reporter", False)) for i, m in enumerate(raw)]
    units = reporting_units(org, members)
    reporters = {m.name: org.unit(m.unit).name for m in members if m.reporter and m.unit in units}
    heads = [m.name for m in members if m.role is Role.UNIT_HEAD and m.unit in units]
    return reporters, heads, [org.unit(u).name for u in units]


def queued(result: Result, kind: str) -> Counter[str]:
    """Recipient names in `zsbot tick` output lines of one kind (its Chinese name)."""
    names: Counter[str] = Counter()
    for line in result.out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == kind_name(kind):
            names[parts[1].split("（")[0]] += 1
    return names


def chat_at(cli: Cli, at: str, who: str, lines: str) -> Result:
    proc = subprocess.run([sys.executable, "-c", FROZEN_CHAT, at, "chat", "--as", who], cwd=cli.cwd,
                          env={"ZSBOT_DATABASE_URL": cli.db_url}, input=lines, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    return Result(("chat", "--as", who), proc.returncode, proc.stdout, proc.stderr)


def test_init_demo_then_ticks_around_the_10_december_deadline(cli: Cli) -> None:  # noqa: F811
    reporters, heads, units = demo()
    assert FILER in reporters and len(reporters) >= 10
    cli("init", "--demo", "--empty").ok()

    schedule = cli("schedule", "--from", "2026-12-05", "--to", "2026-12-11").ok().out
    mine = [line for line in schedule.splitlines() if "  半月报提醒  " in line and f"{FILER}（" in line]
    assert [line.split("  ")[0] for line in mine] == ["12-07、12-09、12-10 09:00（3 次）"]

    # Sunday: nothing goes out on a weekend.
    assert "没有新的推送" in cli("tick", "--at", "2026-12-06T09:00").ok().out
    first = cli("tick", "--at", "2026-12-07T09:00").ok()
    assert queued(first, "report.reminder") == Counter(list(reporters))  # every reporter, once
    assert "没有新的推送" in cli("tick", "--at", "2026-12-07T09:00").ok().out

    filed = chat_at(cli, "2026-12-08T10:00:00+08:00", FILER, "半月报\n确认报送\n")
    assert filed.code == 0, filed
    assert f"已报送{FILER_UNIT}12月10日期半月报（按时" in filed.out

    for at in ("2026-12-09T09:00", "2026-12-10T09:00"):
        again = cli("tick", "--at", at).ok()
        assert queued(again, "report.reminder") == Counter({n: 1 for n in reporters if n != FILER}), at

    overdue = cli("tick", "--at", "2026-12-11T09:00").ok()
    late = [n for n, unit in reporters.items() if unit != FILER_UNIT]
    got = queued(overdue, "report.overdue")
    assert {n for n in got if n in reporters} == set(late)
    assert FILER not in got and set(got) - set(reporters) <= set(heads)

    cli("tick", "--at", "2026-12-14T09:00").ok()
    listing = cli("outbox", "--kind", "半月报报送情况通报", "--text").ok().out
    missing = next(line for line in listing.splitlines() if "未报送：" in line).split("未报送：")[1].split("、")
    assert sorted(missing) == sorted(u for u in units if u != FILER_UNIT)
    assert f"按时 1 个，逾期补报 0 个，未报 {len(units) - 1} 个" in listing

    everything = cli("outbox").ok().out
    assert everything.count(f"report.reminder:2026-12-10@2026-12-07:") == len(reporters)
    assert "calendar.fallback:2027" in everything
