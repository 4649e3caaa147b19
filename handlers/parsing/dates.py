"""Dates typed by people (7月10日, 7.10, 下周三, 月底, 2026-07-10) and ranges of them."""
from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from handlers.parsing.numerals import parse_chinese_number
from handlers.parsing.text import normalize_input

Prefer = Literal["future", "past", "nearest"]
FORMATS = "请按“7月10日”“2026-07-10”“7.10”“下周三”或“明天”这样的格式输入。"


class DateError(ValueError):
    """A refusal whose str() is one Chinese sentence with examples of accepted formats."""


@dataclass(frozen=True, slots=True)
class _Ctx:
    today: date
    prefer: Prefer
    anchor: date | None = None  # range ends: the first match on or after the start date


_NUM = r"\d{1,2}|[零〇一二两三四五六七八九十]{1,3}"
_YEAR = r"\d{4}|[零〇一二三四五六七八九]{4}"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEK_SHIFT = {"下下": 14, "下": 7, "本": 0, "这": 0, "上": -7, "上上": -14}
_MONTH_SHIFT = {"本": 0, "这": 0, "当": 0, "下": 1, "上": -1}
_DAY_WORDS = {"大后天": 3, "大前天": -3, "今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2,
              "昨天": -1, "昨日": -1, "前天": -2}


def _int(s: str) -> int:
    return int(parse_chinese_number(s))


def _invalid(text: str) -> DateError:
    return DateError(f"日期“{text}”不存在，请核对月份和日子后重新输入，例如“7月10日”。")


def _ymd(y: int, m: int, d: int, text: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise _invalid(text) from None


def _add_months(d: date, months: int) -> date:
    """First day of the month `months` after d's month."""
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, 1)


def _month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _pick(cands: list[date], ctx: _Ctx, text: str) -> date:
    t = ctx.anchor or ctx.today
    if ctx.anchor is not None or ctx.prefer == "future":
        cands = [c for c in cands if c >= t]
    elif ctx.prefer == "past":
        cands = [c for c in cands if c <= t]
    if not cands:
        raise _invalid(text)
    # The closest remaining one; for "nearest" a tie goes to the future because people log plans.
    return min(cands, key=lambda c: (abs((c - t).days), c < t))


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _after_anchor_year(a: date, m: int) -> int:
    # A range end without a year is in the start's year, or the next one across New Year
    # (12月30日-1月2日); 7.12-7.10 stays reversed so the range check refuses it.
    return a.year + (1 if m < a.month else 0)


def _r_ymd(g: dict[str, str], ctx: _Ctx, text: str) -> date:
    return _ymd(_int(g["y"]), _int(g["m"]), _int(g["d"]), text)


def _r_md(g: dict[str, str], ctx: _Ctx, text: str) -> date:
    m, d = _int(g["m"]), _int(g["d"])
    if _valid(2024, m, d) is None:  # 2024 is a leap year, so only impossible dates fail here
        raise _invalid(text)
    if ctx.anchor:
        return _ymd(_after_anchor_year(ctx.anchor, m), m, d, text)
    y0 = ctx.today.year
    # ±4 years so that 2月29日 always has a leap year on each side.
    return _pick([c for y in range(y0 - 4, y0 + 5) if (c := _valid(y, m, d))], ctx, text)


def _r_month_edge(g: dict[str, str], ctx: _Ctx, text: str) -> date:
    m = _int(g["m"])
    if not 1 <= m <= 12:
        raise _invalid(text)

    def edge(y: int) -> date:
        return date(y, m, 1) if g["edge"] == "初" else _month_end(date(y, m, 1))
    if g.get("y"):
        return edge(_int(g["y"]))
    if ctx.anchor:
        return edge(_after_anchor_year(ctx.anchor, m))
    return _pick([edge(y) for y in range(ctx.today.year - 1, ctx.today.year + 2)], ctx, text)


def _r_days(g: dict[str, str], ctx: _Ctx, text: str) -> date:
    return ctx.today + timedelta(days=_DAY_WORDS[g["w"]])


def _r_week(g: dict[str, str], ctx: _Ctx, text: str) -> date:
    wd = _WEEKDAYS[g["wd"]] if g["wd"] in _WEEKDAYS else int(g["wd"]) - 1
    if q := g.get("q", "").replace("个", ""):  # weeks start on Monday: 下周三 is in next calendar week
        return ctx.today + timedelta(days=_WEEK_SHIFT[q] + wd - ctx.today.weekday())
    base = ctx.anchor or ctx.today
    monday = base - timedelta(days=base.weekday())
    return _pick([monday + timedelta(days=wd + k) for k in (-7, 0, 7)], ctx, text)


def _r_month_rel(g: dict[str, str], ctx: _Ctx, text: str) -> date:
    first = _add_months(ctx.today, _MONTH_SHIFT[g["q"][0]])
    if g.get("edge"):
        return first if g["edge"] == "初" else _month_end(first)
    return _ymd(first.year, first.month, _int(g["d"]), text)


def _r_edge(g: dict[str, str], ctx: _Ctx, text: str) -> date:
    this = ctx.today.replace(day=1)
    if g["edge"] != "初":
        return _month_end(this)
    # 月初 looks ahead only when the caller prefers the future; otherwise it is this month's 1st.
    if ctx.prefer == "future" and ctx.today.day != 1:
        return _add_months(this, 1)
    return this


def _r_day(g: dict[str, str], ctx: _Ctx, text: str) -> date:
    d = _int(g["d"])
    if not 1 <= d <= 31:
        raise _invalid(text)
    if ctx.anchor:
        return _ymd(ctx.anchor.year, ctx.anchor.month, d, text)  # 7月10日-12日: the start's month
    first = ctx.today.replace(day=1)
    months = [_add_months(first, k) for k in range(-2, 3)]
    return _pick([c for f in months if (c := _valid(f.year, f.month, d))], ctx, text)


_Resolver = Callable[[dict[str, str], _Ctx, str], date]
# (pattern, resolver, strong): a strong match that is not a real date is an error even inside a
# longer line; a weak one (7.35, 40号) is just not a date there.
_PATTERNS: list[tuple[re.Pattern[str], _Resolver, bool]] = [(re.compile(p), r, s) for p, r, s in [
    (r"(?<![\d.])(?P<y>\d{4})\s?(?P<s>[-/.])\s?(?P<m>\d{1,2})\s?(?P=s)\s?(?P<d>\d{1,2})(?!\d)", _r_ymd, True),
    (rf"(?P<y>{_YEAR})\s?年\s?(?P<m>{_NUM})\s?月\s?(?P<d>{_NUM})\s?[日号]?", _r_ymd, True),
    (rf"(?:(?P<y>{_YEAR})\s?年\s?)?(?<!\d)(?P<m>{_NUM})\s?月\s?(?P<edge>底|末|初)", _r_month_edge, True),
    (rf"(?<!\d)(?P<m>{_NUM})\s?月\s?(?P<d>{_NUM})\s?[日号]?", _r_md, True),
    (r"(?<![\d./A-Za-z])(?P<m>\d{1,2})[./](?P<d>\d{1,2})(?!\d|[./]\d|\s?[万萬亿億元%])", _r_md, False),
    ("(?P<w>" + "|".join(sorted(_DAY_WORDS, key=len, reverse=True)) + ")", _r_days, True),
    (r"(?P<q>下下个?|下个?|本|这个?|上上个?|上个?)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])", _r_week, True),
    (rf"(?P<q>本|这个?|当|下个?|上个?)月份?(?:(?P<d>{_NUM})\s?[日号]?|(?P<edge>底|末|初))", _r_month_rel, True),
    (r"月(?P<edge>底|末|初)", _r_edge, True),
    (rf"(?<![\d月./\-])(?P<d>{_NUM})\s?[日号](?![楼线院栋室房门座层期])", _r_day, False),
]]
_END_DAY = re.compile(rf"(?P<d>{_NUM})\s?[日号]?")  # 7.10-12: the end inherits the start's month
_RANGE_SEP = re.compile(r"\s?(?:-|~|—|–|至|到)\s?")
_TRIM = " 。.,;!"


def _resolve(m: re.Match[str], resolver: _Resolver, ctx: _Ctx) -> date:
    g = {k: v for k, v in m.groupdict().items() if v is not None}
    try:
        return resolver(g, ctx, m.group(0))
    except DateError:
        raise
    except ValueError:  # a numeral such as 十十 that matched the pattern but is no number
        raise _invalid(m.group(0)) from None


def _whole(t: str, ctx: _Ctx) -> date | None:
    for pat, resolver, _strong in _PATTERNS:
        if m := pat.fullmatch(t):
            return _resolve(m, resolver, ctx)
    return None


def parse_date(text: str, today: date, *, prefer: Prefer = "nearest") -> date:
    """The date a whole message means. Without a year, `prefer` picks the occurrence of the month
    and day (or weekday): "future" the first on or after today, "past" the last on or before,
    "nearest" the closest (ties go to the future). DateError otherwise.
    """
    t = normalize_input(text).strip(_TRIM)
    found = _whole(t, _Ctx(today, prefer))
    if found is None:
        raise DateError(f"没看懂日期“{t}”，{FORMATS}")
    return found


def find_date(
    text: str, today: date, *, prefer: Prefer = "nearest", strict: bool = False,
) -> tuple[date, tuple[int, int]] | None:
    """The first date in a longer line, with its span in normalize_input(text); None if there is none.

    Dotted numbers that carry an amount unit (3.5亿) are not dates. An impossible date is skipped,
    or with strict=True an impossible 年/月/日 date (2月30日) raises DateError so the user learns why.
    """
    t = normalize_input(text)
    ctx = _Ctx(today, prefer)
    hits = [(m, r, s) for pat, r, s in _PATTERNS for m in pat.finditer(t)]
    hits.sort(key=lambda h: (h[0].start(), -len(h[0].group(0))))
    for m, resolver, strong in hits:
        try:
            return _resolve(m, resolver, ctx), m.span()
        except DateError:
            if strong and strict:
                raise
    return None


def parse_date_range(text: str, today: date, *, prefer: Prefer = "nearest") -> tuple[date, date]:
    """(start, end) from "7月10日-12日", "7.10-7.12", "7月10日至7月12日", "明天到后天"; one date gives (d, d).

    The start is resolved like parse_date. An end without a year takes the start's year (the next
    one if its month is earlier: 12月30日-1月2日), a bare day takes the start's month, a bare weekday
    is the first on or after the start; an end before the start is refused.
    """
    t = normalize_input(text).strip(_TRIM)
    ctx = _Ctx(today, prefer)
    starts = [(m, r) for pat, r, _s in _PATTERNS if (m := pat.match(t))]
    if not starts:
        raise DateError(f"没看懂日期“{t}”，{FORMATS}")
    m, resolver = max(starts, key=lambda h: h[0].end())
    start = _resolve(m, resolver, ctx)
    rest = t[m.end():]
    if not rest.strip():
        return start, start
    sep = _RANGE_SEP.match(rest)
    tail = rest[sep.end():] if sep else ""
    end_ctx = _Ctx(today, prefer, anchor=start)
    end = _whole(tail, end_ctx) if tail else None
    if end is None and (d := _END_DAY.fullmatch(tail)):
        end = _r_day({"d": d.group("d")}, end_ctx, tail)
    if end is None:
        raise DateError(f"没看懂日期范围“{t}”，请按“7月10日-12日”“7.10-7.12”或“明天到后天”这样的格式输入。")
    if end < start:
        raise DateError(f"结束日期{end:%Y-%m-%d}早于开始日期{start:%Y-%m-%d}，请按“7月10日-12日”这样的格式输入。")
    return start, end
