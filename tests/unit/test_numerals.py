"""Chinese numerals: the forms people type, refusals, and a round trip through a reference formatter."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.parsing.numerals import parse_chinese_number

_DIGITS = "零一二三四五六七八九"


def _four(n: int) -> str:
    """1 ≤ n < 10000 in formal Chinese, with 零 for inner gaps (一千零五)."""
    out, gap = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d == 0:
            gap = gap or bool(out)
            continue
        out += ("零" if gap else "") + _DIGITS[d] + unit
        gap = False
    return out


def to_chinese(n: int) -> str:
    """Formal Chinese numeral for 0 ≤ n < 10^16 (一万二千亿 style above 10^12); shared with the amount tests."""
    if n == 0:
        return "零"
    yi, rest = divmod(n, 10**8)
    wan, low = divmod(rest, 10**4)
    out = to_chinese(yi) + "亿" if yi else ""
    if wan:
        out += ("零" if yi and wan < 1000 else "") + _four(wan) + "万"
    if low:
        out += ("零" if (yi or wan) and (low < 1000 or not wan) else "") + _four(low)
    return out[1:] if out.startswith("一十") else out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("八千", 8000), ("一千二百", 1200), ("十五", 15), ("两亿", 200_000_000), ("三亿五千万", 350_000_000),
        ("3千", 3000), ("1.5万", 15000), ("3亿5千万", 350_000_000), ("1亿5000万", 150_000_000),
        ("零", 0), ("〇", 0), ("十", 10), ("二十", 20), ("一百一十二", 112), ("一千零五", 1005),
        ("一千零五十", 1050), ("一万零五", 10005), ("一亿零五百万", 105_000_000), ("一万亿", 10**12),
        ("十万亿", 10**13), ("一万二千亿", 12 * 10**11), ("壹仟贰佰", 1200), ("叁拾", 30), ("伍佰万", 5_000_000),
        ("两千", 2000), ("二〇二六", 2026), ("一二三", 123), ("三点五亿", 350_000_000), ("3点5", Decimal("3.5")),
        ("1,200", 1200), ("１２００", 1200), ("5000", 5000), ("0.8", Decimal("0.8")), ("1.5千万", 15_000_000),
        # Colloquial abbreviations: the unsaid lower unit continues the last one.
        ("一千二", 1200), ("二百五", 250), ("三万五", 35000), ("3亿5", 350_000_000), ("一亿五千", 150_000_000),
        ("1万5000", 15000), ("十五万", 150_000), ("五萬", 50000), ("兩億", 200_000_000),
    ],
)
def test_accepted_forms(text: str, expected: int | Decimal) -> None:
    assert parse_chinese_number(text) == expected


@pytest.mark.parametrize(
    "text", ["", " ", "abc", "很多", "3.5.5", "亿", "万", "三五万", "一百十", "两三亿", "三万五万", "一亿二亿", "1a", "-3", "萬", "1" * 61 + "万"],
)
def test_garbage_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_chinese_number(text)


def test_result_is_exact_decimal_without_spurious_exponent() -> None:
    value = parse_chinese_number("1.5万")
    assert isinstance(value, Decimal)
    assert str(value) == "15000"


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "零"), (10, "十"), (15, "十五"), (110, "一百一十"), (1005, "一千零五"), (10005, "一万零五"),
     (350_000_000, "三亿五千万"), (105_000_000, "一亿零五百万"), (100_000_005, "一亿零五"), (10**12, "一万亿")],
)
def test_reference_formatter(n: int, text: str) -> None:
    assert to_chinese(n) == text


@given(st.integers(min_value=0, max_value=10**15))
def test_formal_chinese_round_trips(n: int) -> None:
    assert parse_chinese_number(to_chinese(n)) == n


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_round_trips(n: int) -> None:
    assert parse_chinese_number(str(n)) == n
    assert parse_chinese_number(f"{n:,}") == n
