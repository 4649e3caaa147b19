"""What every answer to a question shares: who asks (`Viewer`) and what they may see (`public_period`: other
units' figures only for closed, published months), which peer group a question is about, and how a `Reply`
names its indicator, its period and the ledger head, with its 怎么算的 button.

handlers/questions/answer.py answers figures with them; answer_lists.py and explain.py the lists and drill-downs.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from core.org import OrgConfig
from handlers.questions.figures import PeriodEnds, this_year
from handlers.questions.query import Period, Question
from reports.period_figures import CONTRACT
from texts import t

Buttons = list[tuple[str, str]]


@dataclass(frozen=True)
class Viewer:
    """Who asks: their unit, their name, and whether they read every unit's unpublished figures."""

    unit: str | None
    name: str | None
    reads_all: bool


@dataclass
class Reply:
    text: str
    buttons: Buttons = field(default_factory=list)


def indicator_name(cfg: OrgConfig, code: str) -> str:
    return t("ask.contract_name") if code == CONTRACT else cfg.indicator(code).name


def head(pe: PeriodEnds) -> str:
    f = pe.end.facts
    return t("ranking.head_none") if f.head_hash is None else t("ranking.head", seq=f.head_seq, hash=f.head_hash[:16])


def period_words(pe: PeriodEnds) -> str:
    p = pe.period
    label = p.label or _label(p)
    return t("ask.period_open", period=label) if pe.open else label


def _label(p: Period) -> str:
    if p.first == p.last:
        return t("ask.month", year=p.year, month=p.first)
    return t("ask.months", year=p.year, first=p.first, last=p.last)


def why_button(pe: PeriodEnds, unit: str, code: str) -> tuple[str, str]:
    return (t("ask.why_button"), f"s:why:{pe.period.code()} {unit} {code}")


def public_period(q: Question, viewer: Viewer, today: date) -> tuple[Period, bool]:
    """A unit member sees another unit's (or a group's) figures only for months already closed and published."""
    period = q.period or this_year(today)
    own = q.unit is not None and q.unit == viewer.unit and not (q.group or q.city)
    if viewer.reads_all or own or (period.year, period.last) < (today.year, today.month):
        return period, False
    if period.year == today.year and period.first < today.month:
        return replace(period, last=today.month - 1, label=""), True
    year, mon = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return Period(year, mon, mon, ""), True


def scope_units(cfg: OrgConfig, q: Question, viewer: Viewer) -> tuple[str | None, list[str]]:
    """(the peer group, its units) a top / rank / group question is about."""
    group = q.group
    if group is None and q.unit is not None:
        group = cfg.unit(q.unit).peer_group
    if group is None and viewer.unit is not None and cfg.has_unit(viewer.unit):
        group = cfg.unit(viewer.unit).peer_group
    if group is None:
        return None, []
    return group, [u.code for u in cfg.group_units(group)]


def has_group(cfg: OrgConfig, unit: str) -> bool:
    return cfg.has_unit(unit) and cfg.unit(unit).peer_group is not None
