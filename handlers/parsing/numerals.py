"""Chinese numerals (八千, 三亿五千万, 1.5万, 二〇二六) to exact Decimal values."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, DecimalException, Inexact, localcontext

DIGITS: dict[str, int] = {
    "零": 0, "〇": 0,
    "一": 1, "壹": 1,
    "二": 2, "两": 2, "兩": 2, "贰": 2, "貳": 2,
    "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
POINTS = "点點"
# Every character parse_chinese_number understands besides ASCII digits, '.' and ','.
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS) + POINTS

_ARABIC = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_CN_DIGIT_RUN = "[" + "".join(DIGITS) + "]+"
_CN_DECIMAL = re.compile(rf"({_CN_DIGIT_RUN}|\d+)[{POINTS}]({_CN_DIGIT_RUN}|\d+)")
_TOKEN = re.compile(rf"(?P<num>{_ARABIC.pattern})|(?P<cn>.)")

_TEN = Decimal(10)
EXACT_DIGITS = 60


def _digit_string(run: str) -> str:
    return "".join(str(DIGITS[c]) if c in DIGITS else c for c in run)


def _tokens(s: str) -> list[tuple[str, Decimal, bool]]:
    """(kind, value, single_digit) with kind in num/zero/small/big."""
    out: list[tuple[str, Decimal, bool]] = []
    for m in _TOKEN.finditer(s):
        if m.group("num") is not None:
            text = m.group("num").replace(",", "")
            out.append(("num", Decimal(text), len(text) == 1))
            continue
        c = m.group("cn")
        if c in ("零", "〇"):
            out.append(("zero", Decimal(0), True))
        elif c in DIGITS:
            out.append(("num", Decimal(DIGITS[c]), True))
        elif c in SMALL_UNITS:
            out.append(("small", Decimal(SMALL_UNITS[c]), False))
        elif c in BIG_UNITS:
            out.append(("big", Decimal(BIG_UNITS[c]), False))
        else:
            raise ValueError(f"not a numeral character: {c!r}")
    return out


def parse_chinese_number(s: str) -> Decimal:
    """Parse 八千, 一千二百, 十五, 两亿, 三亿五千万, 3千, 1.5万, 3亿5千万, 二〇二六, 三点五; ValueError otherwise.

    Colloquial abbreviations are read the way people mean them: 一千二 = 1200, 三万五 = 35000,
    3亿5 = 一亿五千 = 3.5亿/1.5亿 (a group skipped without 零 continues the next lower unit).
    """
    text = unicodedata.normalize("NFKC", s).replace(" ", "").strip()
    if not text:
        raise ValueError("empty numeral")
    if _ARABIC.fullmatch(text):
        return Decimal(text.replace(",", ""))
    # A bare run of Chinese digits is positional, as in years: 二〇二六 → 2026.
    if len(text) > 1 and all(c in DIGITS for c in text):
        return Decimal(_digit_string(text))
    # 三点五 → 3.5 before unit handling, so the decimal behaves like an Arabic literal.
    text = _CN_DECIMAL.sub(lambda m: f"{_digit_string(m.group(1))}.{_digit_string(m.group(2))}", text)
    with localcontext() as ctx:
        # Money must stay exact: refuse a number too long to compute rather than round it.
        ctx.prec, ctx.traps[Inexact] = EXACT_DIGITS, True
        try:
            return _tidy(_parse_units(_tokens(text)))
        except DecimalException as exc:
            raise ValueError("number too long to keep exact") from exc


def _tidy(value: Decimal) -> Decimal:
    # 1.5 × 10000 leaves "15000.0"; callers compare and print, so drop the spurious exponent.
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def _parse_units(tokens: list[tuple[str, Decimal, bool]]) -> Decimal:
    total = Decimal(0)       # completed 亿 groups, in units
    wan_part = Decimal(0)    # completed 万 group inside the current 亿 group, in units
    section = Decimal(0)     # value below 万 being built from 十百千
    pending: Decimal | None = None
    single = False
    after_small = False      # pending directly follows 十/百/千 with no 零 between
    zero = False             # 零 seen since the last unit
    zero_since_big = False
    last_small: Decimal | None = None
    last_big: Decimal | None = None
    wan_done = yi_done = False
    seen_in_group = False
    prev = "start"

    def close_pending() -> Decimal:
        if pending is None:
            return Decimal(0)
        if after_small:
            if not single:
                raise ValueError("multi-digit number after 十/百/千")
            assert last_small is not None
            return pending * last_small / _TEN  # 一千二 = 1200, 二十五 = 25
        return pending

    for kind, val, is_single in tokens:
        if kind == "num":
            if pending is not None:
                raise ValueError("two numbers in a row")
            pending, single = val, is_single
            after_small = prev == "small" and not zero
            seen_in_group = True
        elif kind == "zero":
            if pending is not None:
                raise ValueError("零 after a digit")
            zero = zero_since_big = seen_in_group = True
        elif kind == "small":
            if pending is None and section != 0:
                raise ValueError("unit without a digit")
            if last_small is not None and val >= last_small:
                raise ValueError("units out of order")
            n = Decimal(1) if pending is None else pending
            section += n * val
            last_small, pending, zero, seen_in_group = val, None, False, True
        else:  # big unit
            if not seen_in_group and not (val == 10**8 and wan_part):
                raise ValueError("万/亿 without a number")
            group = section + close_pending()
            if val == 10**4:
                if wan_done:
                    raise ValueError("万 twice")
                wan_part, wan_done = group * val, True
            else:
                if yi_done:
                    raise ValueError("亿 twice")
                total, wan_part, wan_done, yi_done = (wan_part + group) * val, Decimal(0), False, True
            section, last_small, pending, zero, zero_since_big = Decimal(0), None, None, False, False
            last_big, seen_in_group = val, False
        prev = kind

    only_single_digit = section == 0 and pending is not None and single and not after_small
    rest = section + close_pending()
    if prev == "start":
        raise ValueError("no number")
    if rest and not zero_since_big and last_big is not None:
        if last_big == 10**8 and not wan_done:
            # 3亿5 = 3.5亿, 一亿五千 = 1.5亿: the 万 group was left unsaid.
            if only_single_digit:
                rest *= Decimal(10**7)
            elif rest < 10**4:
                rest *= Decimal(10**4)
            else:
                raise ValueError("number after 亿 too large")
        elif last_big == 10**4 and only_single_digit:
            rest *= Decimal(1000)  # 三万五 = 35000
        elif rest >= 10**4:
            raise ValueError("number after 万 too large")
    return total + wan_part + rest
