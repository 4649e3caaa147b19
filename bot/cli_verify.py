"""`zsbot verify list|show`: the funds reports waiting for verification (核查), and one report with its evidence."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from bot.cli import Fail, run, settings
from texts import t

if TYPE_CHECKING:
    from storage.database import Database


def register(cli: click.Group) -> None:
    cli.add_command(verify)


@click.group()
def verify() -> None:
    """核查：待核实的到位资金上报、它们的凭证和核实人。"""


@verify.command("list")
@click.option("--unit", default=None, metavar="单位", help="只列该单位（代码或名称）的上报。")
@click.option("--status", type=click.Choice(["pending", "returned", "verified"]), default="pending",
              show_default=True, help="pending 待核实、returned 已退回待重新提交、verified 已核实。")
def verify_list(unit: str | None, status: str) -> None:
    """按等待时间列出到位资金上报（最早的在前）：编号、项目、单位、金额、上报日期、已等工作日、核实人、凭证数。"""
    from bot.views import find_unit
    from core.evidence import verifier_of
    from core.usecases.evidence import unit_heads
    from reminders.calendar import workdays
    from texts import formatting as fmt

    tz = settings().tz

    async def go(db: "Database") -> list[str]:
        async with db.uow(readonly=True) as uow:
            cfg = await uow.org.config()
            if cfg is None:
                raise Fail(t("org_config.missing"))
            units = None
            if unit is not None:
                found = find_unit(cfg, unit)
                if found is None:
                    raise Fail(f"未知单位 {unit!r}：用 zsbot org show 查看单位代码")
                units = [found.code]
            reports = await uow.evidence.waiting(units=units, status=status)
            heads = await unit_heads(uow)
            days = workdays(cfg.calendar)
            today = db.clock.now().astimezone(tz).date()
            lines = []
            for r in reports:
                p = await uow.projects.get(r.project_id)
                v = verifier_of(cfg, r.unit, heads)
                who = "大招商办" if v.office else f"{cfg.unit(v.unit).name}负责人" if v.unit else "—"
                files = len(await uow.evidence.files(r.project_id))
                if r.status == "pending":
                    when = f"已等 {days.between(r.waiting_since.astimezone(tz).date(), today)} 个工作日"
                else:
                    decided = r.decided_at.astimezone(tz) if r.decided_at else None
                    when = f"{'核实' if r.status == 'verified' else '退回'}于 {decided:%Y-%m-%d}" if decided else ""
                lines.append(f"#{r.seq}  项目 #{r.project_id} {p.name if p else '—'}  {_unit(cfg, r.unit)}  "
                             f"{fmt.amount(r.amount_wan)}  {r.reported_at.astimezone(tz):%Y-%m-%d}  "
                             f"{when}  核实人：{who}  凭证 {files} 个")
            return lines

    lines = run(go)
    title = {"pending": "待核实", "returned": "已退回", "verified": "已核实"}[status]
    if not lines:
        click.echo(f"没有{title}的到位资金上报")
        return
    click.echo(f"{title}的到位资金上报 {len(lines)} 笔：")
    for line in lines:
        click.echo(line)


@verify.command("show")
@click.argument("seq", type=click.IntRange(1), metavar="上报编号")
def verify_show(seq: int) -> None:
    """显示一笔上报：项目、金额、状态、核实意见，以及凭证的文件名、大小和哈希。"""
    from texts import formatting as fmt

    tz = settings().tz

    async def go(db: "Database") -> list[str]:
        async with db.uow(readonly=True) as uow:
            cfg = await uow.org.config()
            r = await uow.evidence.report(seq)
            if r is None or cfg is None:
                raise Fail(f"没有第 {seq} 号到位资金上报（编号见 zsbot verify list）")
            p = await uow.projects.get(r.project_id)
            names: dict[Any, str] = {}
            for member_id in (r.reported_by, r.decided_by):
                if member_id is not None:
                    m = await uow.org.member(member_id)
                    names[member_id] = m.name if m else f"#{member_id}"
            status = {"pending": "待核实", "returned": "已退回", "verified": f"已核实 {fmt.amount(r.verified_wan)}"}
            lines = [f"到位资金上报 #{r.seq}：项目 #{r.project_id} {p.name if p else '—'}（{_unit(cfg, r.unit)}）",
                     f"上报 {fmt.amount(r.amount_wan)}，{names.get(r.reported_by, '—')}，"
                     f"{r.reported_at.astimezone(tz):%Y-%m-%d %H:%M}",
                     f"状态：{status[r.status]}"]
            if r.decided_by is not None and r.decided_at is not None:
                lines.append(f"核实人：{names.get(r.decided_by, '—')}，{r.decided_at.astimezone(tz):%Y-%m-%d %H:%M}")
            if r.reason:
                lines.append(f"意见：{r.reason}")
            if r.note:
                lines.append(f"重新提交说明：{r.note}")
            files = await uow.evidence.files(r.project_id)
            lines.append(f"凭证 {len(files)} 个：" if files else "凭证：无")
            lines += [f"  {f.name}  {fmt.size(f.size)}  {f.mime_type}  {f.at.astimezone(tz):%Y-%m-%d}  sha256 {f.sha256}"
                      for f in files]
            return lines

    for line in run(go):
        click.echo(line)


def _unit(cfg: Any, code: str) -> str:
    return cfg.unit(code).name if cfg.has_unit(code) else code
