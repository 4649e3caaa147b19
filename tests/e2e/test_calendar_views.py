"""`zsbot schedule`, `zsbot tick` and `zsbot outbox` as an operator reads them, through the installed
console script: push kinds, recipients, units, decisions and reasons in Chinese, and a month's
schedule folded to one line per kind and recipient.

The mini organisation (plus a dispatching leader) is built here, every member bound to a console
chat except 长沙小周, so the tests do not depend on what `zsbot init --demo` loads.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from core.usecases.org import BindIdentity, bind_identity
from core.workdays import day_start
from reminders.calendar import workdays
from reminders.planner import PlanContext, plan
from storage.database import Database
from storage.tables.operational import OutboxRow
from tests.calendar_support import TZ, file_report, local, setup_calendar_org
from tests.e2e.cli_runner import Cli, cli  # noqa: F401  (cli is a fixture)
from tests.helpers import member

pytestmark = pytest.mark.asyncio

UNBOUND = "长沙小周"
CODE = re.compile(r"[a-z_]+\.[a-z_]+")   # a push kind's code, such as report.reminder
DECEMBER = ("schedule", "--from", "2026-12-01", "--to", "2026-12-31")


async def build(db: Database) -> tuple[int, int, int]:
    """The organisation with bound chats; (pushes planned in December, kind × recipient pairs, working days)."""
    org = await setup_calendar_org(db, bind=False)
    async with db.uow() as uow:
        members = await uow.org.members()
        for m in members:
            if m.name != UNBOUND:
                await bind_identity(uow, m, BindIdentity(channel="console", external_id=f"c{m.id}", chat_id=f"c{m.id}"))
        await uow.commit()
    days = workdays(org.calendar)
    ctx = PlanContext(org, tuple(members), TZ, days)
    pushes = plan(ctx, day_start(date(2026, 12, 1), TZ), day_start(date(2027, 1, 1), TZ) - timedelta(seconds=1))
    december = [date(2026, 12, 1) + timedelta(days=i) for i in range(31)]
    return len(pushes), len({(p.kind, p.member_id) for p in pushes}), sum(map(days.is_workday, december))


def line(out: str, *parts: str) -> str:
    found = [row for row in out.splitlines() if all(p in row for p in parts)]
    assert len(found) == 1, (parts, out)
    return found[0]


def rows(schedule: str) -> list[str]:
    """The schedule's lines between its title and its footer."""
    lines = schedule.splitlines()
    assert lines[0].startswith("2026-12-01 至 2026-12-31 到期的推送") and lines[-1].startswith("共 "), schedule
    return lines[1:-1]


async def test_a_month_of_schedule_folds_to_a_line_per_kind_and_recipient_with_its_decision(
        db: Database, cli: Cli) -> None:  # noqa: F811
    pushes, pairs, working_days = await build(db)
    before = cli(*DECEMBER).ok().out
    assert len(rows(before)) == pairs and pairs * 3 < pushes, before
    assert f"共 {pairs} 行，{pushes} 次推送。" in before
    assert not CODE.search(before), CODE.search(before)
    assert all(row.endswith("  未决定") for row in rows(before)), before
    head = f"12-01 至 12-31 每个工作日 09:00（{working_days} 次）  流转待办提醒（单位负责人）  东区长（东区）"
    assert line(before, "东区长（东区）", "流转待办提醒") == head + "  未决定"
    reminders = "12-07、12-09、12-10、12-22、12-24、12-25 09:00（6 次）  半月报提醒"
    assert line(before, "东小李（东区）", "半月报提醒") == f"{reminders}  东小李（东区）  未决定"
    assert line(before, "月调度汇总", "钱副市长") == "2026-12-28（周一）09:00  月调度汇总  钱副市长（市领导）  未决定"

    cli("tick", "--at", "2026-12-07T09:00").ok()
    after = cli(*DECEMBER).ok().out
    assert len(rows(after)) == pairs
    assert line(after, "东小李（东区）", "半月报提醒") == f"{reminders}  东小李（东区）  已排入 1、未决定 5"
    assert line(after, f"{UNBOUND}（", "半月报提醒").endswith("  无可用聊天 1、未决定 5")
    # Checks due before the calendar first ran (1–4 December) are never sent; the 7th's found nothing to say.
    assert line(after, "东区长（东区）", "流转待办提醒") == \
        head + f"  已跳过 1、已错过（不再发送） 4、未决定 {working_days - 5}"
    assert line(after, "月调度汇总", "钱副市长").endswith("  未决定")


async def test_tick_names_kinds_recipients_and_why_a_push_was_not_sent(db: Database, cli: Cli) -> None:  # noqa: F811
    await build(db)
    first = cli("tick", "--at", "2026-12-07T09:00").ok().out
    assert first.startswith("2026-12-07（周一）09:00：新排队 "), first
    assert "  半月报提醒  东小李（东区）\n" in first
    assert f"  半月报提醒  {UNBOUND}（驻长沙办事处）  [无可用聊天：该成员没有在启用的渠道上绑定聊天]\n" in first
    assert "另有 5 条到期推送已不需要，不发送：" in first
    assert "  到位资金逾期未核实通报（大招商办）：王办公（市投资促进局） — 没有逾期未核实的到位资金" in first
    assert "  流转待办提醒（单位负责人）：深圳主任（驻深圳办事处）、东区长（东区）、西区长（西区） — 没有到期的待办流转" in first
    assert not CODE.search(first), first

    assert await file_report(db, "东小李", date(2026, 12, 10), local(2026, 12, 8, 10, 0)) is True
    second = cli("tick", "--at", "2026-12-09T09:00").ok().out
    assert "  半月报提醒：东小李（东区） — 该单位本期已报送" in second
    assert "  半月报提醒  东小李（东区）" not in second and "  半月报提醒  西小张（西区）\n" in second
    assert "没有新的推送" in cli("tick", "--at", "2026-12-09T09:00").ok().out


async def test_outbox_shows_kinds_recipients_units_and_reasons_in_chinese(db: Database, cli: Cli) -> None:  # noqa: F811
    await build(db)
    cli("tick", "--at", "2026-12-07T09:00").ok()
    east, west = await member(db, "东小李"), await member(db, "西小张")
    at = local(2026, 12, 7, 10, 0)
    async with db.uow() as uow:  # rows written before the outbox recorded its reasons in Chinese
        for key, kind, status, error, channel, chat, who in (
                ("old:1", "report.overdue", "failed", "refused: Forbidden: bot was blocked by the user",
                 "console", f"c{west.id}", west.id),
                ("old:2", "transfer_proposed", "undeliverable", "member has no chat bound on an active channel",
                 "", "", west.id),
                ("old:3", "ranking.group", "pending", "429: retry after 3s", "wecom", "robot:east", None)):
            uow.session.add(OutboxRow(key=key, kind=kind, channel=channel, chat_id=chat, member_id=who,
                                      action='{"kind":"text","text":"旧推送"}', status=status, attempts=1,
                                      created_at=at, not_before=at, last_error=error))
        await uow.commit()

    out = cli("outbox").ok().out
    assert line(out, "东小李（东区）", "半月报提醒").split("  排队 ")[0].split("] ", 1)[1] == (
        f"半月报提醒  东小李（东区） → console:c{east.id}  report.reminder:2026-12-10@2026-12-07:m{east.id}@console")
    assert line(out, "东小李（东区）", "半月报提醒").startswith("#") and "[待发送]" in line(out, "东小李（东区）")
    unbound = line(out, f"{UNBOUND}（驻长沙办事处）")
    assert "[无可用聊天] 半月报提醒" in unbound and "→ 未绑定聊天" in unbound
    assert unbound.endswith("（该成员没有在启用的渠道上绑定聊天）")
    assert line(out, "old:1").endswith("（平台拒绝发送（Forbidden: bot was blocked by the user））")
    assert "[发送失败] 半月报逾期通知  西小张（西区）" in line(out, "old:1")
    assert "[无可用聊天] 流转申请通知  西小张（西区） → 未绑定聊天" in line(out, "old:2")
    assert line(out, "old:2").endswith("（该成员没有在启用的渠道上绑定聊天）")
    assert "[待发送] 排名推送（单位群）  东区（单位群） → wecom:robot:east" in line(out, "old:3")
    assert line(out, "old:3").endswith("（平台限流（429），3 秒后重试）")
    assert "refused" not in out and "member has" not in out and "retry after" not in out

    overdue = cli("outbox", "--kind", "半月报逾期通知").ok().out
    assert overdue.splitlines()[-1] == "共 1 条。" and "old:1" in overdue
    assert cli("outbox", "--kind", "report.overdue").ok().out == overdue
