"""Answering a `Question`: one or two sentences with the figure, the period it covers and the ledger head,
and a 怎么算的 button (a stateless `s:why:` action) for the events behind it.

Figures are those of `/rank` and `zsbot report ranking|explain`: the same `Figures` port, the same
`reports.indicators`; a period is the growth of the year-to-date figure (reports/period_figures.py).
What every reply shares — the viewer, what they may see, the words for the period and the ledger head —
is handlers/questions/reply.py's.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction
from zoneinfo import ZoneInfo

from core.ports import UnitOfWork
from handlers.questions.figures import PeriodEnds, previous, read_period, year_ago
from handlers.questions.query import Period, Question
from handlers.questions.reply import (Buttons, Reply, Viewer, has_group, head, indicator_name, period_words,
                                      public_period, scope_units, why_button)
from reports.period_figures import CONTRACT, kind_of, measure_of, period_city_value, period_unit_values
from reports.ranking import IndicatorScore
from reports.ranking_text import format_pct, format_score, format_value
from texts import t


def _ordered(values: dict[str, Fraction | None], units: list[str], *, reverse: bool) -> list[tuple[str, Fraction]]:
    known = [(u, values[u]) for u in units if values.get(u) is not None]
    pairs: list[tuple[str, Fraction]] = [(u, v) for u, v in known if v is not None]
    pairs.sort(key=lambda uv: ((uv[1] if reverse else -uv[1]), units.index(uv[0])))
    return pairs


async def answer_indicator(uow: UnitOfWork, q: Question, viewer: Viewer, tz: ZoneInfo, today: date) -> Reply:
    period, capped = public_period(q, viewer, today)
    pe = await read_period(uow, period, tz, today)
    if pe is None:
        return Reply(t("error.no_org"))
    cfg = pe.end.cfg
    code = q.indicator or ""
    if code != CONTRACT and not any(i.code == code for i in cfg.indicators):
        return Reply(t("ask.indicator_gone", indicator=code))
    values = period_unit_values(pe.end, pe.before)
    name, measure = indicator_name(cfg, code), measure_of(cfg, code)
    note = t("ask.public_only") if capped else ""
    if q.how == "target":
        return await _against_target(pe, q, viewer, code, note)
    if q.how == "list" and q.unit is not None:
        from handlers.questions.explain import explain_answer  # the list behind a unit's figure is its drill-down

        return await explain_answer(uow, f"{pe.period.code()} {q.unit} {code}", viewer, tz, today)
    if q.how in ("top", "bottom", "rank", "list") or (q.unit is None and q.group is not None and not q.city):
        return _ranked(pe, q, viewer, code, values, note)
    if q.unit is None and (q.city or viewer.unit is None or not has_group(cfg, viewer.unit)):
        value = period_city_value(pe.end, pe.before, code)
        text = t("ask.city_value", period=period_words(pe), indicator=name, value=format_value(value, measure))
        text += await _compare(uow, q, pe, tz, today, None, code)
        return Reply(note + text + t("ask.city_rule") + "\n" + head(pe), [(t("ask.why_button"), f"s:whycity:{pe.period.code()} {code}")])
    unit = q.unit or viewer.unit or ""
    if unit not in values:
        return Reply(t("ask.unit_not_ranked", unit=cfg.unit(unit).name, indicator=name))
    text = t("ask.unit_value", period=period_words(pe), unit=cfg.unit(unit).name, indicator=name,
             value=format_value(values[unit][code], measure))
    text += await _compare(uow, q, pe, tz, today, unit, code)
    return Reply(note + text + "\n" + head(pe), [why_button(pe, unit, code)])


async def _compare(uow: UnitOfWork, q: Question, pe: PeriodEnds, tz: ZoneInfo, today: date, unit: str | None,
                   code: str) -> str:
    if q.compare is None:
        return ""
    other = year_ago(pe.period) if q.compare == "yoy" else previous(pe.period)
    if other is None:
        return t("ask.compare_none")
    then = await read_period(uow, other, tz, today)
    if then is None:
        return ""
    if unit is None:
        now_v, then_v = period_city_value(pe.end, pe.before, code), period_city_value(then.end, then.before, code)
    else:
        now_v = period_unit_values(pe.end, pe.before).get(unit, {}).get(code)
        then_v = period_unit_values(then.end, then.before).get(unit, {}).get(code)
    measure = measure_of(pe.end.cfg, code)
    word = t("ask.yoy" if q.compare == "yoy" else "ask.mom")
    if now_v is None or then_v is None:
        return t("ask.compare_missing", word=word)
    if then_v == 0:
        return t("ask.compare_zero", word=word, then=format_value(then_v, measure))
    change = (now_v - then_v) / then_v
    sign = "+" if change >= 0 else "−"
    return t("ask.compare", word=word, then=format_value(then_v, measure), sign=sign, pct=format_pct(abs(change)))


def _ranked(pe: PeriodEnds, q: Question, viewer: Viewer, code: str, values: dict[str, dict[str, Fraction | None]],
            note: str) -> Reply:
    cfg = pe.end.cfg
    name, measure = indicator_name(cfg, code), measure_of(cfg, code)
    groups = [q.group] if q.group else ([None] if q.unit or viewer.unit else [])
    if not groups or groups == [None] and scope_units(cfg, q, viewer)[0] is None:
        groups = [g.code for g in cfg.peer_groups]
    lines: list[str] = []
    buttons: Buttons = []
    for ref in groups:
        group, units = scope_units(cfg, replace(q, group=ref), viewer)
        if group is None:
            continue
        column = {u: values.get(u, {}).get(code) for u in units}
        ordered = _ordered(column, units, reverse=q.how == "bottom")
        gname = cfg.peer_group(group).name
        if q.how == "rank" and q.unit is not None:
            mine = column.get(q.unit)
            if mine is None:
                return Reply(t("ask.unit_not_ranked", unit=cfg.unit(q.unit).name, indicator=name))
            place = 1 + sum(1 for _, v in ordered if v > mine)
            text = t("ask.rank_of", period=period_words(pe), unit=cfg.unit(q.unit).name, group=gname, indicator=name,
                     rank=place, count=len(ordered), value=format_value(mine, measure))
            return Reply(note + text + "\n" + head(pe), [why_button(pe, q.unit, code)])
        n = q.n if q.how in ("top", "bottom") else len(ordered)
        shown = ordered[:n]
        title_key = "ask.top_title" if q.how == "top" else "ask.bottom_title" if q.how == "bottom" else "ask.all_title"
        lines.append(t(title_key, period=period_words(pe), group=gname, indicator=name, n=len(shown)))
        lines += [t("ask.top_line", rank=1 + sum(1 for _, w in ordered if (w > v if q.how != "bottom" else w < v)),
                    unit=cfg.unit(u).name, value=format_value(v, measure)) for u, v in shown]
        if shown:
            buttons.append((t("ask.why_unit", unit=cfg.unit(shown[0][0]).short_name or cfg.unit(shown[0][0]).name),
                            f"s:why:{pe.period.code()} {shown[0][0]} {code}"))
    if not lines:
        return Reply(t("ask.no_group"))
    return Reply(note + "\n".join(lines) + "\n" + head(pe), buttons[:3])


async def _against_target(pe: PeriodEnds, q: Question, viewer: Viewer, code: str, note: str) -> Reply:
    cfg = pe.end.cfg
    unit = q.unit or (viewer.unit if not q.group else None)
    if code == CONTRACT:
        return Reply(t("ask.no_target", indicator=indicator_name(cfg, code)))
    if unit is not None and has_group(cfg, unit):
        found = _score_of(pe, unit, code)
        if found is None:
            return Reply(t("ask.not_weighted", unit=cfg.unit(unit).name, indicator=cfg.indicator(code).name))
        return Reply(note + _target_line(pe, cfg.unit(unit).name, found) + "\n" + head(pe), [why_button(pe, unit, code)])
    group, units = scope_units(cfg, q, viewer)
    if group is None:
        return Reply(t("ask.no_group"))
    ranking = pe.ranking(group).group(group)
    ahead: list[str] = []
    behind: list[str] = []
    for u in ranking.units:
        ind = next((i for i in u.indicators if i.code == code), None)
        judged = judge(pe, ind) if ind is not None else None
        if judged is None or judged[1] is None:
            continue
        (ahead if judged[1] >= 1 else behind).append(u.name)
    if not ahead and not behind:
        return Reply(t("ask.not_weighted", unit=cfg.peer_group(group).name, indicator=cfg.indicator(code).name))
    text = t("ask.group_target", period=period_words(pe), group=cfg.peer_group(group).name,
             indicator=cfg.indicator(code).name, progress=format_pct(pe.progress()),
             ahead="、".join(ahead) or t("ask.nobody"), behind="、".join(behind) or t("ask.nobody"))
    return Reply(note + text + "\n" + head(pe))


def _score_of(pe: PeriodEnds, unit: str, code: str) -> IndicatorScore | None:
    group = pe.end.cfg.unit(unit).peer_group
    if group is None:
        return None
    scored = next((u for u in pe.ranking(group).group(group).units if u.unit == unit), None)
    return next((i for i in scored.indicators if i.code == code), None) if scored else None


def judge(pe: PeriodEnds, i: IndicatorScore) -> tuple[Fraction, Fraction | None] | None:
    """(时序目标, completion) as the ranking judges it (reports/ranking.py `_score`), at `pe.progress()`."""
    if i.target is None:
        return None
    time_target = Fraction(i.target) if i.measure == "%" else i.target * pe.progress()
    return time_target, ((i.value or Fraction(0)) / time_target if time_target else None)


def _target_line(pe: PeriodEnds, unit_name: str, i: IndicatorScore) -> str:
    judged = judge(pe, i)
    if judged is None or i.target is None:
        return t("ask.target_none", unit=unit_name, indicator=i.name, value=format_value(i.value, i.measure))
    time_target, completion = judged
    done = completion is not None and completion >= 1
    return t("ask.target_line", period=period_words(pe), unit=unit_name, indicator=i.name,
             value=format_value(i.value, i.measure), target=format_value(Fraction(i.target), i.measure),
             time_target=format_value(time_target, i.measure),
             completion=format_pct(completion) if completion is not None else "—",
             verdict=t("ask.ahead" if done else "ask.behind"))


async def answer_score(uow: UnitOfWork, q: Question, viewer: Viewer, tz: ZoneInfo, today: date) -> Reply:
    """排第几 / 完成时序进度了吗 over the composite score: `/rank`'s figures for the period's last month."""
    period, capped = public_period(replace(q, period=_single_end(q.period, today)), viewer, today)
    pe = await read_period(uow, Period(period.year, period.last, period.last, period.label), tz, today)
    if pe is None:
        return Reply(t("error.no_org"))
    cfg = pe.end.cfg
    note = t("ask.public_only") if capped else ""
    unit = q.unit or (viewer.unit if q.group is None else None)
    if unit is None or not has_group(cfg, unit):
        group = q.group
        if group is None:
            return Reply(t("ask.score_whom"))
        listed = pe.ranking(group).group(group)
        shown = [u for u in listed.units if u.ranked][: q.n if q.how in ("top", "bottom") else 50]
        if q.how == "bottom":
            shown = [u for u in listed.units if u.ranked][-q.n:][::-1]
        lines = [t("ask.score_title", month=period_words(pe), group=listed.name)]
        lines += [t("ask.score_line", rank=u.rank, unit=u.name, score=format_score(u.score)) for u in shown]
        return Reply(note + "\n".join(lines) + "\n" + head(pe))
    group = cfg.unit(unit).peer_group or ""
    ranking = pe.ranking(group)
    g = ranking.group(group)
    scored = next(u for u in g.units if u.unit == unit)
    if q.how == "target":
        lines = [t("ask.targets_title", period=period_words(pe), unit=scored.name,
                   progress=format_pct(pe.progress()))]
        lines += ["· " + _target_line(pe, "", i).split("：", 1)[-1] for i in scored.indicators]
        buttons = [why_button(pe, unit, i.code) for i in scored.indicators if i.target][:1]
        return Reply(note + "\n".join(lines) + "\n" + head(pe), buttons)
    if scored.rank is None:
        return Reply(t("ask.score_unranked", unit=scored.name, month=period_words(pe)) + "\n" + head(pe))
    ranked = sum(1 for u in g.units if u.ranked)
    text = t("ask.score_rank", month=period_words(pe), unit=scored.name, group=g.name, rank=scored.rank,
             count=ranked, score=format_score(scored.score))
    return Reply(note + text + "\n" + head(pe), [(t("ask.rank_button"), f"s:rank:{pe.end.facts.month} {group}")])


def _single_end(period: Period | None, today: date) -> Period:
    """The composite score is a month's: a period is judged at its last month."""
    if period is None:  # as /rank: the last complete month
        year, mon = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return Period(year, mon, mon, "")
    return Period(period.year, period.last, period.last, period.label if period.first == period.last else "")


__all__ = ["answer_indicator", "answer_score", "kind_of"]
