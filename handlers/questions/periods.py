"""Periods in a question: 本月, 上月, 今年, 去年, 一季度…, 上半年, N月, 2026年10月, 1-9月, 前N个月, 截至目前.

Each becomes months of one year (figures are year-to-date, so a period is the growth between two
month ends); a span that crosses years (近30天, 近三个月) is recognised and declined, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from handlers.parsing import parse_chinese_number
from handlers.questions.query import Period

_N = r"(\d{1,2}|[一二三四五六七八九十两]{1,3})"
_YEAR = r"(今年|去年|前年|本年|(?:20\d{2})\s*年)?"
_Q = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class Found:
    period: Period | None       # None with `unsupported`: a span it will not guess
    span: tuple[int, int]
    unsupported: str = ""


def _num(s: str) -> int:
    return s.isdigit() and int(s) or int(parse_chinese_number(s.replace("两", "二")))


def _year(word: str | None, today: date) -> int | None:
    if not word:
        return None
    word = word.strip()
    if word in ("今年", "本年"):
        return today.year
    if word == "去年":
        return today.year - 1
    if word == "前年":
        return today.year - 2
    return int(word.rstrip("年").strip())


def _month_year(mon: int, year: int | None, today: date) -> int:
    # 12月 asked in November is last year's December: the latest such month not after this one.
    return year if year is not None else (today.year if mon <= today.month else today.year - 1)


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:近|最近|过去)\s*" + _N + r"\s*(天|日|周|个?星期|个月|年)"), "recent"),
    (re.compile(r"(20\d{2})\s*[-./]\s*(\d{1,2})(?!\d)"), "ym"),
    (re.compile(_YEAR + r"\s*" + _N + r"\s*(?:月份?)?\s*(?:-|~|—|到|至)\s*" + _N + r"\s*月份?"), "range"),
    (re.compile(_YEAR + r"\s*前\s*" + _N + r"\s*个月"), "first_n"),
    (re.compile(_YEAR + r"\s*(?:第)?([一二三四1234])\s*季度"), "quarter"),
    (re.compile(_YEAR + r"\s*Q([1-4])", re.IGNORECASE), "quarter"),
    (re.compile(r"(上|本|这)(?:一)?个?季度"), "rel_quarter"),
    (re.compile(_YEAR + r"\s*(上|下)半年"), "half"),
    (re.compile(_YEAR + r"\s*" + _N + r"\s*月份?(?![0-9]*[日号])"), "month"),
    (re.compile(r"本月份?|这个月|当月|这月|本月度"), "this_month"),
    (re.compile(r"上个?月份?|上一个月"), "last_month"),
    (re.compile(r"(?:截至|截止|到)\s*(?:目前|现在|今天|昨天|昨日|今日)|年初(?:以来|至今|到现在)|今年以来|本年度|今年|本年|至今|目前|现在|全年"),
     "this_year"),
    (re.compile(r"去年(?:全年)?|上一年|上年"), "last_year"),
    (re.compile(r"前年"), "year_before"),
    (re.compile(r"(20\d{2})\s*年(?:全年)?(?!\s*\d)"), "year"),
]


def find_period(text: str, today: date) -> Found | None:
    """The first period the text names (leftmost, the longest pattern at that place)."""
    best: tuple[int, int, re.Match[str], str] | None = None
    for pattern, kind in _PATTERNS:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0] or (m.start() == best[0] and m.end() > best[1])):
            best = (m.start(), m.end(), m, kind)
    if best is None:
        return None
    start, end, m, kind = best
    try:
        period = _period(kind, m, today)
    except (ValueError, ArithmeticError):
        return Found(None, (start, end), m.group(0))
    if kind == "recent":
        return Found(None, (start, end), m.group(0))
    return Found(period, (start, end), "" if period else m.group(0))


def _period(kind: str, m: re.Match[str], today: date) -> Period | None:
    label = m.group(0).strip()
    if kind == "ym":
        year, mon = int(m.group(1)), int(m.group(2))
        return Period(year, mon, mon, f"{year}年{mon}月") if 1 <= mon <= 12 else None
    if kind == "range":
        first, last = _num(m.group(2)), _num(m.group(3))
        if not 1 <= first <= last <= 12:
            return None
        year = _year(m.group(1), today) or _month_year(last, None, today)
        return Period(year, first, last, f"{year}年{first}—{last}月")
    if kind == "first_n":
        n = _num(m.group(2))
        year = _year(m.group(1), today) or today.year
        return Period(year, 1, n, f"{year}年前{n}个月") if 1 <= n <= 12 else None
    if kind == "quarter":
        q = _Q[m.group(2)]
        named = _year(m.group(1), today)
        year = named if named is not None else (today.year if (q - 1) * 3 + 1 <= today.month else today.year - 1)
        return Period(year, q * 3 - 2, q * 3, f"{year}年{'一二三四'[q - 1]}季度")
    if kind == "rel_quarter":
        q = (today.month - 1) // 3 + 1
        year = today.year
        if m.group(1) == "上":
            q, year = (q - 1, year) if q > 1 else (4, year - 1)
        return Period(year, q * 3 - 2, q * 3, f"{year}年{'一二三四'[q - 1]}季度")
    if kind == "half":
        named = _year(m.group(1), today)
        first = 1 if m.group(2) == "上" else 7
        year = named if named is not None else (today.year if first <= today.month else today.year - 1)
        return Period(year, first, first + 5, f"{year}年{m.group(2)}半年")
    if kind == "month":
        mon = _num(m.group(2))
        if not 1 <= mon <= 12:
            return None
        year = _month_year(mon, _year(m.group(1), today), today)
        return Period(year, mon, mon, f"{year}年{mon}月")
    if kind == "this_month":
        return Period(today.year, today.month, today.month, "本月")
    if kind == "last_month":
        year, mon = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        return Period(year, mon, mon, "上月")
    if kind == "this_year":
        return Period(today.year, 1, today.month, "今年以来")
    if kind == "last_year":
        return Period(today.year - 1, 1, 12, f"{today.year - 1}年")
    if kind == "year_before":
        return Period(today.year - 2, 1, 12, f"{today.year - 2}年")
    if kind == "year":
        year = int(m.group(1))
        return Period(year, 1, 12 if year < today.year else today.month, f"{year}年")
    del label
    return None
