"""`zsbot report …`: a month's ranking (text, JSON, xlsx, PNG), the monthly 台账 workbook, and the
ledger events behind any figure. A month counts what happened before its end, as the ledger knows it now
(a December correction of an October entry changes October); `--as-of` gives the ranking exactly as it stood
on a day (or at the instant a push recorded in its checkpoint). The default month is the last complete one
(ZSBOT_TIMEZONE).
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli import Fail, run, settings

if TYPE_CHECKING:
    from core.org import OrgConfig
    from core.ports import UnitOfWork
    from storage.database import Database

def _month(value: str | None) -> str:
    from core.figures import last_complete_month, parse_month

    if value is None:
        return last_complete_month(datetime.now(timezone.utc).astimezone(settings().tz).date())
    try:
        return parse_month(value)
    except ValueError:
        raise click.BadParameter(f"月份应写成 YYYY-MM，例如 2026-10，而不是 {value!r}", param_hint="--month") from None


def _warn_if_open(month: str) -> None:
    from core.clock import local_midnight_utc
    from core.figures import month_days

    # The month's end as the figures read it (storage/queries/monthly_ledger.py month_window).
    until = local_midnight_utc(month_days(month)[1], settings().tz)
    if until > datetime.now(timezone.utc):
        click.echo(f"提示：{month} 尚未结束，数字截至目前，月末前还会变化。", err=True)


def _as_of(value: str | None) -> datetime | None:
    """`2026-11-03`: the end of that local day; an ISO instant with its zone (a checkpoint's time): exactly it."""
    if value is None:
        return None
    from datetime import date, timedelta

    from core.clock import local_midnight_utc

    text = value.strip()
    try:
        if len(text) == 10:
            return local_midnight_utc(date.fromisoformat(text) + timedelta(days=1), settings().tz)
        at = datetime.fromisoformat(text)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise click.BadParameter(f"应写成日期如 2026-11-03（当天结束时），或带时区的时刻如 2026-11-03T09:00:00+08:00，"
                                 f"而不是 {value!r}", param_hint="--as-of")
    return at.astimezone(timezone.utc)


async def _config(uow: "UnitOfWork", month: str) -> "OrgConfig":
    from texts import t

    cfg = await uow.figures.rules(month, settings().tz)
    if cfg is None:
        raise Fail(t("org_config.missing"))
    return cfg


def _group_code(cfg: "OrgConfig", ref: str | None) -> str | None:
    if ref is None:
        return None
    found = next((g.code for g in cfg.peer_groups if ref.strip() in (g.code, g.name)), None)
    if found is None:
        choices = "、".join(f"{g.code}（{g.name}）" for g in cfg.peer_groups)
        raise Fail(f"没有“{ref}”这个考核组。可选：{choices}")
    return found


def _unit_code(cfg: "OrgConfig", ref: str | None) -> str | None:
    from bot.views import find_unit

    if ref is None:
        return None
    unit = find_unit(cfg, ref)
    if unit is None:
        raise Fail(f"未知单位 {ref!r}：用 zsbot org show 查看单位代码")
    return unit.code


def _write(data: bytes, out: Path | None, what: str) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise Fail(f"无法写入 {out}：{exc.strerror}") from None
    click.echo(f"已写入{what}：{out}", err=True)


# -- commands -------------------------------------------------------------------------------


@click.command("ranking")
@click.option("--month", "month_text", metavar="YYYY-MM", help="月份，如 2026-10；默认上一个完整月份。")
@click.option("--group", "group_ref", metavar="考核组", help="只看一个考核组（代码或名称，如 districts 或 区县）。")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx", "png"]), default="text", show_default=True,
              help="输出格式：text 文字、json、xlsx 表格、png 排名图。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="输出文件；xlsx、png 必填，其余省略时写到标准输出。")
@click.option("--highlight", "highlight_ref", metavar="单位", help="突出显示一个单位（代码或名称），用于 text 和 png。")
@click.option("--as-of", "as_of_text", metavar="日期",
              help="按账本在那一天（如 2026-11-03，当天结束时）或那一刻（带时区的时刻，如检查点的时间）所知计算，"
                   "复现当时发布的排名；默认按现在所知（含之后的更正）。")
def ranking_command(month_text: str | None, group_ref: str | None, fmt: str, out: Path | None,
                    highlight_ref: str | None, as_of_text: str | None) -> None:
    """某月考核排名：各考核组的名次、得分和各指标完成值、目标、时序目标、完成率、得分。

    数字按事情发生的日期计入月份：12 月更正 10 月的一笔，10 月的数字随之改变；--as-of 给出某天当时的排名。
    png 不带 --group 时把所有考核组画在一张图里，带 --group 时只画该组。
    """
    if fmt in ("xlsx", "png") and out is None:
        raise click.UsageError(f"{fmt} 需要 --out 文件名")
    month = _month(month_text)
    tz = settings().tz
    as_of = _as_of(as_of_text)

    async def go(db: "Database") -> tuple[Any, str | None]:
        from reports.ranking import rank_month

        async with db.uow(readonly=True) as uow:
            cfg = await _config(uow, month)
            group = _group_code(cfg, group_ref)
            highlight = _unit_code(cfg, highlight_ref)
            facts = await uow.figures.facts(month, tz, as_of=as_of)
        return rank_month(cfg, facts, group=group), highlight

    ranking, highlight = run(go)
    if as_of is not None:
        click.echo(f"提示：按账本在 {as_of.astimezone(tz):%Y-%m-%d %H:%M} 之前记录的事件计算。", err=True)
    else:
        _warn_if_open(month)
    from reports.ranking_text import empty_text

    empty = empty_text(ranking)
    if fmt == "text":
        from reports.ranking_text import render_ranking

        text = render_ranking(ranking, group=ranking.groups[0].code if group_ref else None, highlight=highlight)
        _write((text + "\n").encode("utf-8"), out, "排名")
    elif fmt == "json":
        from reports.ranking import ranking_json

        body = ranking_json(ranking) | ({"message": empty} if empty else {})
        _write((json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), out, "排名 JSON")
    elif fmt == "xlsx":
        from reports.workbook_ranking import ranking_xlsx

        _write(ranking_xlsx(ranking, empty_text=empty), out, "排名 Excel")
    else:
        _write(_png(ranking, month, highlight, group=bool(group_ref), empty=empty), out, "排名图")


def _png(ranking: Any, month: str, highlight: str | None, *, group: bool, empty: str | None) -> bytes:
    """The chart, drawn whole before anything is written; a font problem is one line (exit 1)."""
    from reports.chart import ChartFontError, ranking_groups_png, ranking_png
    from reports.fonts import use_font

    use_font(settings().chart_font)
    try:
        if group:
            g = ranking.groups[0]
            year, mon = month.split("-")
            return ranking_png(g, highlight=highlight, title=f"{year}年{int(mon)}月 {g.name} 综合得分", empty_text=empty)
        return ranking_groups_png(ranking, highlight=highlight, empty_text=empty)
    except ChartFontError as exc:
        raise Fail(str(exc)) from None


@click.command("ledger")
@click.option("--month", "month_text", metavar="YYYY-MM", help="月份，如 2026-10；默认上一个完整月份。")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="输出的 .xlsx 文件。")
def ledger_command(month_text: str | None, out: Path) -> None:
    """月度台账（Excel）：在谈及以上项目一项一行（截至月末；到位资金列出计入考核、上报、已核实、待核实），本月账本事件，
    本月排名，各单位到位资金核查。"""
    month = _month(month_text)
    tz = settings().tz

    async def go(db: "Database") -> bytes:
        from texts import use_locale
        from reports.ranking_text import empty_text, ledger_event_describer
        from reports.ranking import rank_month
        from reports.workbook import ledger_xlsx

        use_locale(settings().locale)
        async with db.uow(readonly=True) as uow:
            cfg = await _config(uow, month)
            names = {u.code: u.name for u in cfg.units}  # the org file's order, which the 台账 sorts by
            facts = await uow.figures.facts(month, tz)
            rows, events = await uow.figures.ledger(month, tz, names)
        ranking = rank_month(cfg, facts)
        return ledger_xlsx(rows, events, ranking, month=month, describe=ledger_event_describer(names),
                           empty_text=empty_text(ranking))

    data = run(go)
    _warn_if_open(month)
    _write(data, out, "月度台账")


@click.command("explain")
@click.option("--month", "month_text", metavar="YYYY-MM", help="月份，如 2026-10；默认上一个完整月份。")
@click.option("--unit", "unit_ref", required=True, metavar="单位", help="单位代码或名称，如 east 或 东区。")
@click.option("--indicator", "indicator_ref", required=True, metavar="指标", help="指标代码或名称，如 funds_in_place 或 到位资金。")
def explain_command(month_text: str | None, unit_ref: str, indicator_ref: str) -> None:
    """数字溯源：列出构成某单位某月某指标数值的每一个账本事件（序号、日期、项目、金额、系数、成果共享比例）。"""
    month = _month(month_text)
    tz = settings().tz

    async def go(db: "Database") -> str:
        from texts import use_locale
        from reports.ranking_text import render_explanation
        from reports.ranking import rank_month

        use_locale(settings().locale)
        async with db.uow(readonly=True) as uow:
            cfg = await _config(uow, month)
            unit = cfg.unit(_unit_code(cfg, unit_ref) or "")
            ind = next((i for i in cfg.indicators if indicator_ref.strip() in (i.code, i.name)), None)
            if ind is None:
                choices = "、".join(f"{i.code}（{i.name}）" for i in cfg.indicators)
                raise Fail(f"没有“{indicator_ref}”这个指标。可选：{choices}")
            explanation = await uow.figures.explain(cfg, month, tz, unit.code, ind.code)
            facts = await uow.figures.facts(month, tz) if unit.peer_group else None
        ranked = None
        if facts is not None and unit.peer_group is not None:
            group = rank_month(cfg, facts, group=unit.peer_group).group(unit.peer_group)
            scored = next((u for u in group.units if u.unit == unit.code), None)
            found = next((i for i in scored.indicators if i.code == ind.code), None) if scored else None
            ranked = (found.value,) if found is not None else None
        return render_explanation(explanation, unit_name=unit.name, indicator_name=ind.name,
                                  ranked_value=ranked[0] if ranked else None, compare=ranked is not None)

    text = run(go)
    _warn_if_open(month)
    click.echo(text)


def register(cli: click.Group) -> None:
    group = cli.commands.get("report")
    if not isinstance(group, click.Group):
        group = click.Group("report", help="考核排名、月度台账（Excel）、排名图和数字溯源。")
        cli.add_command(group)
    for command in (ranking_command, ledger_command, explain_command):
        group.add_command(command)
