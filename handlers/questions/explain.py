"""怎么算的: the ledger events behind an answer, `zsbot report explain`'s drill-down cut to the period asked."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction
from zoneinfo import ZoneInfo

from core.figures import FigureExplanation, FigureLine
from core.ports import UnitOfWork
from handlers.questions.reply import Reply, Viewer, indicator_name
from handlers.questions.figures import read_period
from handlers.questions.query import Period
from reports.period_figures import ADDITIVE, CONTRACT, period_unit_values
from reports.ranking_text import format_value, render_explanation
from texts import t


def _cut(x: FigureExplanation, period: Period) -> FigureExplanation:
    """Only the events inside the period (a year-to-date figure's growth is the sum of its events since)."""
    if period.first == 1 or x.kind not in ADDITIVE:
        return x
    start = date(period.year, period.first, 1)
    lines = tuple(line for line in x.lines if line.at.date() >= start)
    return replace(x, lines=lines, value=sum((line.counted for line in lines), Fraction(0)))


async def _contract(uow: UnitOfWork, x: FigureExplanation) -> FigureExplanation:
    """The contract amount signed: the signings behind 新签约项目, each with its contract amount × share."""
    projects = {p.id: p for p in await uow.projects.many([line.project_id for line in x.lines if line.project_id])}
    lines = []
    for line in x.lines:
        p = projects.get(line.project_id or 0)
        amount = (p.contract_wan or 0) if p else 0
        share = line.share_pct if line.share_pct is not None else 100
        lines.append(FigureLine(line.seq, line.at, line.project_id, line.project, "value", amount, None, share,
                                Fraction(amount * share, 100)))
    return replace(x, kind="central_soe_contract", measure="万元", lines=tuple(lines),
                   value=sum((line.counted for line in lines), Fraction(0)))


async def explain_answer(uow: UnitOfWork, arg: str, viewer: Viewer, tz: ZoneInfo, today: date) -> Reply:
    """`s:why:2026-10-12 unit indicator` → the events behind that unit's figure over October–December."""
    code_text, _, rest = arg.partition(" ")
    unit, _, code = rest.partition(" ")
    period = Period.from_code(code_text)
    if period is None:
        return Reply(t("button.expired"))
    pe = await read_period(uow, period, tz, today)
    if pe is None:
        return Reply(t("error.no_org"))
    cfg = pe.end.cfg
    if not cfg.has_unit(unit) or (code != CONTRACT and not any(i.code == code for i in cfg.indicators)):
        return Reply(t("button.expired"))
    if not viewer.reads_all and unit != viewer.unit and pe.open:
        return Reply(t("ask.public_only").strip())
    signed = next((i.code for i in cfg.indicators if i.kind == "projects_reached"
                   and (i.stage is None or i.stage.value == "signed")), None)
    if code == CONTRACT and signed is None:
        return Reply(t("button.expired"))
    x = await uow.figures.explain(cfg, pe.end.facts.month, tz, unit, signed if signed and code == CONTRACT else code)
    if code == CONTRACT:
        x = await _contract(uow, x)
    x = _cut(x, period)
    value = period_unit_values(pe.end, pe.before).get(unit, {}).get(code)
    text = render_explanation(x, unit_name=cfg.unit(unit).name, indicator_name=indicator_name(cfg, code))
    if cfg.unit(unit).peer_group is not None and x.supported:
        if value == x.value:
            text += "\n" + t("explain.matches")
        elif x.value is not None and value is not None and period.first > 1 and x.kind in ADDITIVE:
            # A project re-categorised (or its credit split changed) in the period restates earlier events:
            # the year-to-date figures at the two month ends differ by more than the period's own events.
            text += "\n" + t("ask.why_restated", diff=format_value(value - x.value, x.measure),
                             value=format_value(value, x.measure))
        else:
            text += "\n" + t("explain.differs", ranked=format_value(value, x.measure))
    if x.supported:
        first, _, body = text.partition("\n")
        label = (t("ask.this_year") if period.first == 1 and (period.year, period.last) == (today.year, today.month)
                 else t("ask.month", year=period.year, month=period.first) if period.first == period.last
                 else t("ask.months", year=period.year, first=period.first, last=period.last))
        if code == CONTRACT:
            body = t("ask.rule_contract") + "\n" + body.partition("\n")[2]
        text = t("ask.why_title", period=label, unit=cfg.unit(unit).name, indicator=indicator_name(cfg, code),
                 value=format_value(x.value, x.measure)) + "\n" + body
    return Reply(text)


async def explain_city(uow: UnitOfWork, arg: str, tz: ZoneInfo, today: date) -> Reply:
    """`s:whycity:2026-01-11 indicator`: how the city figure is counted, and each ranked unit's share of it."""
    code_text, _, code = arg.partition(" ")
    period = Period.from_code(code_text)
    if period is None:
        return Reply(t("button.expired"))
    pe = await read_period(uow, period, tz, today)
    if pe is None:
        return Reply(t("error.no_org"))
    cfg = pe.end.cfg
    if code != CONTRACT and not any(i.code == code for i in cfg.indicators):
        return Reply(t("button.expired"))
    values = period_unit_values(pe.end, pe.before)
    measure = "万元" if code == CONTRACT else cfg.indicator(code).unit
    lines = [t("ask.city_why", indicator=indicator_name(cfg, code))]
    for g in cfg.peer_groups:
        parts = [(u.name, values.get(u.code, {}).get(code)) for u in cfg.group_units(g.code)]
        shown = [f"{name} {format_value(v, measure)}" for name, v in parts if v]
        lines.append(f"▍{g.name}：" + ("；".join(shown) if shown else t("ask.nobody")))
    return Reply("\n".join(lines))
