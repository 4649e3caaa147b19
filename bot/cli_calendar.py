"""`zsbot schedule`, `zsbot tick --at`, `zsbot outbox`: the calendar for operators and tests."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from bot.cli import Fail, run, settings

if TYPE_CHECKING:
    from storage.database import Database

WEEKDAYS = "一二三四五六日"
STATUS_ZH = {"queued": "已排队", "undeliverable": "无可用聊天", "skipped": "已跳过", "pending": "待发送",
             "sent": "已发送", "failed": "发送失败"}


def _local(at: datetime | None, tz: ZoneInfo) -> str:
    if at is None:
        return "—"
    local = at.astimezone(tz)
    return f"{local:%Y-%m-%d}（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Fail(f"{option} 应为日期，如 2026-12-01（收到 {value!r}）") from None


def parse_at(value: str, tz: ZoneInfo) -> datetime:
    """2026-07-09T09:00 (local time) or with an offset (2026-07-09T09:00+08:00)."""
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Fail(f"--at 应为时间，如 2026-07-09T09:00（本地时间）或 2026-07-09T01:00+00:00（收到 {value!r}）") from None
    return at.replace(tzinfo=tz) if at.tzinfo is None else at


def _who(members: dict[int, Any], member_id: int, cfg: Any) -> str:
    m = members.get(member_id)
    if m is None:
        return f"#{member_id}"
    try:
        unit = cfg.unit(m.unit).name
    except KeyError:
        unit = m.unit
    return f"{m.name}（{unit}）"


def _text(action: str) -> str:
    import json

    try:
        body = json.loads(action)
    except ValueError:
        return action
    text = body.get("text") or body.get("caption") or f"[{body.get('kind', '?')}]"
    buttons = [b["label"] for row in body.get("buttons", ()) for b in row]
    return text + ("".join(f"  [{label}]" for label in buttons) if buttons else "")


def register(cli: click.Group) -> None:
    @cli.command("schedule")
    @click.option("--from", "start", metavar="DATE", help="起始日期，如 2026-12-01（默认今天）。")
    @click.option("--to", "end", metavar="DATE", help="结束日期（含当天；默认起始日后 31 天）。")
    def schedule(start: str | None, end: str | None) -> None:
        """列出日历推送的到期时间：半月报提醒与逾期、月调度、季观摩等（到期时再判断是否仍需发送）。"""
        from core.clock import SystemClock
        from core.workdays import day_start
        from reminders.calendar import workdays
        from reminders.planner import PlanContext, plan
        from reminders.ticker import fallback_years
        from texts import t

        conf = settings()
        tz = conf.tz
        first = _date(start, "--from") or SystemClock().now().astimezone(tz).date()
        last = _date(end, "--to") or first + timedelta(days=31)
        if last < first:
            raise Fail("--to 早于 --from")

        async def go(db: "Database") -> None:
            async with db.uow(readonly=True) as uow:
                cfg = await uow.org.config()
                if cfg is None:
                    raise Fail(t("org_config.missing"))
                members = await uow.org.members()
                ctx = PlanContext(cfg, tuple(members), tz, workdays(cfg.calendar))
                pushes = plan(ctx, day_start(first, tz), day_start(last + timedelta(days=1), tz) - timedelta(seconds=1))
                decided = await uow.calendar.statuses([p.key for p in pushes])
            by_id = {m.id: m for m in members}
            click.echo(f"{first} 至 {last} 到期的推送（{tz.key}）：")
            for p in pushes:
                status = STATUS_ZH.get(decided.get(p.key, ""), "")
                click.echo(f"{_local(p.due, tz)}  {p.kind:<24} {_who(by_id, p.member_id, cfg)}  {p.key}"
                           + (f"  [{status}]" if status else ""))
            click.echo(f"共 {len(pushes)} 条。到期时再检查：已报送的单位不再提醒，没有内容的推送不发送。")
            for year in fallback_years(first, last):
                click.echo(f"注意：chinesecalendar 没有 {year} 年的节假日数据，{year} 年按周末加组织配置中的"
                           "节假日/调休计算工作日。")

        run(go)

    @cli.command("tick")
    @click.option("--at", "at", required=True, metavar="TIME",
                  help="时刻，如 2026-07-09T09:00（无时区时按 ZSBOT_TIMEZONE 本地时间）。")
    def tick(at: str) -> None:
        """像调度器一样运行该时刻到期的全部推送并列出新排队的推送；重复运行不会重复排队。"""
        from core.clock import FixedClock
        from reminders.ticker import Ticker
        from texts import t

        conf = settings()
        tz = conf.tz
        when = parse_at(at, tz)

        async def go(db: "Database") -> None:
            await db.migrate()
            decisions = await Ticker(db.uow, tz=tz).tick()
            async with db.uow(readonly=True) as uow:
                cfg = await uow.org.config()
                if cfg is None:
                    raise Fail(t("org_config.missing"))
                by_id = {m.id: m for m in await uow.org.members()}
            sent = [d for d in decisions if d.status != "skipped"]
            skipped = [d for d in decisions if d.status == "skipped"]
            if not sent:
                click.echo(f"{_local(when, tz)}：没有新的推送。")
            else:
                click.echo(f"{_local(when, tz)}：新排队 {len(sent)} 条推送：")
                for d in sent:
                    note = "" if d.status == "queued" else f"  [{STATUS_ZH[d.status]}]"
                    click.echo(f"  {d.push.kind:<24} {_who(by_id, d.push.member_id, cfg)}  {d.push.key}{note}")
            if skipped:
                click.echo(f"另有 {len(skipped)} 条到期推送已不需要（如已报送），不发送。")

        run(go, clock=FixedClock(when))

    @cli.command("outbox")
    @click.option("--pending", is_flag=True, help="只显示待发送的推送。")
    @click.option("--limit", type=click.IntRange(1, 10000), default=200, show_default=True, help="最多显示多少条（最新的）。")
    @click.option("--kind", default=None, help="只显示这一类推送，如 report.overdue_list。")
    @click.option("--text", "show_text", is_flag=True, help="同时显示推送的文字内容。")
    def outbox(pending: bool, limit: int, kind: str | None, show_text: bool) -> None:
        """显示推送队列：类别、键、接收人、状态、排队与发送时间。"""
        from storage.queries_calendar import outbox_lines

        tz = settings().tz

        async def go(db: "Database") -> list[Any]:
            async with db.uow(readonly=True) as uow:
                return await outbox_lines(uow.session, pending_only=pending, limit=limit, kind=kind)

        lines = run(go)
        if not lines:
            click.echo("推送队列为空。" if not pending else "没有待发送的推送。")
            return
        for r in lines:
            who = r.member or f"{r.channel}:{r.chat_id}"
            where = f"{r.channel}:{r.chat_id}" if r.channel else "未绑定聊天"
            sent = f"  发送 {_local(r.sent_at, tz)}" if r.sent_at else ""
            error = f"  （{r.last_error}）" if r.last_error and r.status != "sent" else ""
            click.echo(f"#{r.id} [{STATUS_ZH.get(r.status, r.status)}] {r.kind}  {who} → {where}  {r.key}  "
                       f"排队 {_local(r.created_at, tz)}{sent}{error}")
            if show_text:
                click.echo("    " + _text(r.action).replace("\n", "\n    "))
        click.echo(f"共 {len(lines)} 条。")
