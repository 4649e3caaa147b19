"""`zsbot schedule`, `zsbot tick --at`, `zsbot outbox`: the calendar for operators and tests."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from bot.cli import Fail, run, settings
from handlers.catalog import t

if TYPE_CHECKING:
    from storage.database import Database

WEEKDAYS = "一二三四五六日"
NAMES_SHOWN = 5   # a tick's skipped pushes name this many recipients per kind, then "等 N 人"


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


def _unit(cfg: Any, code: str) -> str:
    try:
        return str(cfg.unit(code).name)
    except (KeyError, AttributeError):
        return code


def _who(members: dict[int, Any], member_id: int, cfg: Any) -> str:
    m = members.get(member_id)
    if m is None:
        return f"#{member_id}"
    return f"{m.name}（{_unit(cfg, m.unit)}）"


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
    @click.option("--from", "start", metavar="日期", help="起始日期，如 2026-12-01（默认今天）。")
    @click.option("--to", "end", metavar="日期", help="结束日期（含当天；默认起始日后 31 天）。")
    def schedule(start: str | None, end: str | None) -> None:
        """列出日历推送的到期时间：每类推送每位接收人一行（日期范围），以及是否已决定。"""
        from core.clock import SystemClock
        from core.workdays import day_start
        from reminders.calendar import workdays
        from reminders.names import kind_name
        from reminders.planner import PlanContext, plan
        from reminders.schedule_view import decided, fold, missed, when
        from reminders.ticker import LAST_TICK, SINCE, fallback_years

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
                    raise Fail("尚未载入组织配置：先运行 zsbot init --demo 或 zsbot init --org FILE")
                members = await uow.org.members()
                ctx = PlanContext(cfg, tuple(members), tz, workdays(cfg.calendar))
                pushes = plan(ctx, day_start(first, tz), day_start(last + timedelta(days=1), tz) - timedelta(seconds=1))
                status = await uow.calendar.statuses([p.key for p in pushes])
                state = await uow.calendar.states((SINCE, LAST_TICK))
            status.update(missed(pushes, status, state.get(SINCE), state.get(LAST_TICK)))
            by_id = {m.id: m for m in members}
            folded = fold(pushes, status)
            click.echo(t("schedule.title", first=first, last=last, tz=tz.key))
            for f in folded:
                times = t("schedule.times", count=len(f.pushes)) if len(f.pushes) > 1 else ""
                click.echo(t("schedule.line", when=when(f, tz, ctx.days.is_workday), times=times,
                             kind=kind_name(f.kind), who=_who(by_id, f.member_id, cfg), decided=decided(f)))
            click.echo(t("schedule.footer", lines=len(folded), count=len(pushes)))
            for year in fallback_years(first, last):
                click.echo(t("schedule.fallback", year=year))

        run(go)

    @cli.command("tick")
    @click.option("--at", "at", required=True, metavar="时刻",
                  help="时刻，如 2026-07-09T09:00（无时区时按 ZSBOT_TIMEZONE 本地时间）。")
    def tick(at: str) -> None:
        """像调度器一样运行该时刻到期的全部推送并列出新排队的推送；重复运行不会重复排队。"""
        from core.clock import FixedClock
        from reminders.names import kind_name, reason, skipped_reason, status_name
        from reminders.ticker import Ticker

        conf = settings()
        tz = conf.tz
        when = parse_at(at, tz)

        async def go(db: "Database") -> None:
            await db.migrate()
            decisions = await Ticker(db.uow, tz=tz).tick()
            async with db.uow(readonly=True) as uow:
                cfg = await uow.org.config()
                if cfg is None:
                    raise Fail("尚未载入组织配置：先运行 zsbot init --demo 或 zsbot init --org FILE")
                by_id = {m.id: m for m in await uow.org.members()}
            sent = [d for d in decisions if d.status != "skipped"]
            skipped: dict[str, list[str]] = {}
            for d in decisions:
                if d.status == "skipped":
                    skipped.setdefault(d.push.kind, []).append(_who(by_id, d.push.member_id, cfg))
            if not sent:
                click.echo(t("tick.none", at=_local(when, tz)))
            else:
                click.echo(t("tick.title", at=_local(when, tz), count=len(sent)))
                for d in sent:
                    note = "" if d.status == "queued" else t("tick.note", status=status_name(d.status),
                                                              reason=reason("no_chat"))
                    click.echo(t("tick.line", kind=kind_name(d.push.kind), who=_who(by_id, d.push.member_id, cfg),
                                 note=note))
            if skipped:
                click.echo(t("tick.skipped_title", count=sum(len(v) for v in skipped.values())))
                for kind, repeated in skipped.items():
                    names = list(dict.fromkeys(repeated))   # a tick after downtime skips several days' checks
                    who = "、".join(names) if len(names) <= NAMES_SHOWN else t(
                        "tick.and_more", names="、".join(names[:NAMES_SHOWN]), count=len(names))
                    click.echo(t("tick.skipped_line", kind=kind_name(kind), who=who, reason=skipped_reason(kind)))

        run(go, clock=FixedClock(when))

    @cli.command("outbox")
    @click.option("--pending", is_flag=True, help="只显示待发送的推送。")
    @click.option("--limit", type=click.IntRange(1, 10000), default=200, show_default=True, help="最多显示多少条（最新的）。")
    @click.option("--kind", default=None, metavar="类别", help="只显示这一类推送：中文名称或代码，如 半月报报送情况通报 或 report.overdue_list。")
    @click.option("--text", "show_text", is_flag=True, help="同时显示推送的文字内容。")
    def outbox(pending: bool, limit: int, kind: str | None, show_text: bool) -> None:
        """显示推送队列：类别、接收人（单位）、状态、排队与发送时间、原因。"""
        from reminders.names import kind_code, kind_name, shown_reason, status_name
        from storage.queries.outbox import outbox_lines

        tz = settings().tz

        async def go(db: "Database") -> tuple[list[Any], Any]:
            async with db.uow(readonly=True) as uow:
                lines = await outbox_lines(uow.session, pending_only=pending, limit=limit,
                                           kind=kind_code(kind.strip()) if kind else None)
                return lines, await uow.org.config()

        lines, cfg = run(go)
        if not lines:
            click.echo(t("outbox.empty") if not pending else t("outbox.none_pending"))
            return
        for r in lines:
            if r.member is not None:
                who = f"{r.member}（{_unit(cfg, r.member_unit)}）"
            elif r.group_unit is not None:
                who = t("outbox.group", unit=_unit(cfg, r.group_unit))
            else:
                who = f"{r.channel}:{r.chat_id}"
            where = f"{r.channel}:{r.chat_id}" if r.channel else t("outbox.unbound")
            sent = t("outbox.sent_at", at=_local(r.sent_at, tz)) if r.sent_at else ""
            why = t("outbox.why", reason=shown_reason(r.last_error)) if r.last_error and r.status != "sent" else ""
            click.echo(t("outbox.line", id=r.id, status=status_name(r.status), kind=kind_name(r.kind), who=who,
                         where=where, push_key=r.key, queued=_local(r.created_at, tz), sent=sent, reason=why))
            if show_text:
                click.echo("    " + _text(r.action).replace("\n", "\n    "))
        click.echo(t("outbox.footer", count=len(lines)))
