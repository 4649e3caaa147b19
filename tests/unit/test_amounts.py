"""Amounts as typed (3.5亿, 八千万, 500万美元) to exact integer 万, refusals, and round trips."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.parsing import Amount, AmountError, find_amount, format_wan, normalize_input, parse_amount
from tests.unit.test_numerals import to_chinese

_CJK = re.compile(r"[\u4e00-\u9fff]")
_FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


@pytest.mark.parametrize(
    ("text", "wan", "currency"),
    [
        ("3.5亿", 35000, "CNY"), ("3.5 亿元", 35000, "CNY"), ("5000万", 5000, "CNY"), ("5000万元", 5000, "CNY"),
        ("1,200万", 1200, "CNY"), ("1，200万", 1200, "CNY"), ("１，２００万", 1200, "CNY"), ("八千万", 8000, "CNY"),
        ("3亿5千万", 35000, "CNY"), ("三亿五千万", 35000, "CNY"), ("两亿", 20000, "CNY"),
        ("投资额约3.5亿元人民币", 35000, "CNY"), ("投资20亿", 200000, "CNY"), ("约 2 亿元", 20000, "CNY"),
        ("0.8亿美元", 8000, "USD"), ("500万美元", 500, "USD"), ("1.2亿美元", 12000, "USD"), ("10亿", 100000, "CNY"),
        ("1万", 1, "CNY"), ("50000元", 5, "CNY"), ("0万", 0, "CNY"), ("0元", 0, "CNY"), ("人民币3亿元", 30000, "CNY"),
        ("3亿人民币", 30000, "CNY"), ("USD 500万", 500, "USD"), ("$500万", 500, "USD"), ("500万美金", 500, "USD"),
        ("2000万欧元", 2000, "EUR"), ("1亿港元", 10000, "HKD"), ("5亿日元", 50000, "JPY"), ("十万", 10, "CNY"),
        ("3亿5", 35000, "CNY"), ("签约额：1.2亿美元", 12000, "USD"), ("计划投资 3.5亿元。", 35000, "CNY"),
        ("5万块", 5, "CNY"), ("壹亿元", 10000, "CNY"), ("三点五亿", 35000, "CNY"), ("1亿5000万", 15000, "CNY"),
        # The colloquial 个 before 亿 (issue 16): 十个亿 was refused.
        ("十个亿", 100000, "CNY"), ("两个亿", 20000, "CNY"), ("五个亿元", 50000, "CNY"), ("一个亿", 10000, "CNY"),
        ("3个亿", 30000, "CNY"), ("十五个亿", 150000, "CNY"), ("投资约两个亿", 20000, "CNY"),
        ("两个亿美元", 20000, "USD"), ("一个半亿", 15000, "CNY"), ("两 个 亿", 20000, "CNY"),
    ],
)
def test_accepted_forms(text: str, wan: int, currency: str) -> None:
    amount = parse_amount(text)
    assert (amount.wan, amount.currency) == (wan, currency)
    assert isinstance(amount.wan, int)
    assert amount.text in normalize_input(text)


def test_amount_text_is_the_understood_part() -> None:
    assert parse_amount("投资额约3.5亿元人民币").text == "3.5亿元人民币"
    assert parse_amount("约 2 亿元").text == "2 亿元"


@pytest.mark.parametrize(
    ("text", "bare_unit", "wan"),
    [("5000", "wan", 5000), ("3.5", "yi", 35000), ("八千", "wan", 8000), ("0", "wan", 0), ("2", "yi", 20000),
     ("5000万", "yi", 5000), ("3.5亿", "wan", 35000)],
)
def test_bare_numbers_use_the_field_unit(text: str, bare_unit: str, wan: int) -> None:
    assert parse_amount(text, bare_unit=bare_unit).wan == wan  # type: ignore[arg-type]


def _assert_refusal(text: str, *, bare_unit: str | None = None, contains: str = "") -> str:
    with pytest.raises(AmountError) as info:
        parse_amount(text, bare_unit=bare_unit)  # type: ignore[arg-type]
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert _CJK.search(message), message
    assert "例如" in message or "请按" in message, message  # says what to type instead
    assert message.count("。") == 1 and message.endswith("。"), message  # one sentence
    assert contains in message
    return message


@pytest.mark.parametrize("text", ["12.5万", "5000元", "0.5万", "1.23456亿", "9999元"])
def test_non_whole_wan_is_refused(text: str) -> None:
    assert _assert_refusal(text) == "金额按万元记录，请精确到万元（例如 13万）。"


def test_non_whole_foreign_wan_names_the_currency() -> None:
    assert "万美元" in _assert_refusal("12.5万美元")


@pytest.mark.parametrize("text", ["5000", "3.5", "八千"])
def test_bare_number_asks_for_a_unit(text: str) -> None:
    _assert_refusal(text, contains="单位")


@pytest.mark.parametrize(
    "text", ["很多钱", "3.5.5亿", "亿", "万元", "两三亿", "3亿一期", "500万美元人民币", "abc", "7.10", "2026-07-10", "1-3亿",
             "1" * 70 + "亿"],
)
def test_nonsense_is_refused(text: str) -> None:
    _assert_refusal(text)


@pytest.mark.parametrize(
    "text", ["三个多亿", "三亿多", "十几亿", "几个亿", "三千多万", "3亿余元", "两个多亿美元", "投资三个多亿", "十多个亿"],
)
def test_an_approximate_figure_is_asked_for(text: str) -> None:
    message = _assert_refusal(text, contains="大概的数")
    assert message.startswith("“") and "请写明具体金额" in message, message


def test_an_approximate_figure_in_a_line_is_not_rounded() -> None:
    assert find_amount("某公司 投资三个多亿 来源驻点") is None
    assert find_amount("某公司 三亿多 来源驻点") is None
    with pytest.raises(AmountError, match="大概的数"):
        find_amount("某公司 投资三亿多 来源驻点", strict=True)


@pytest.mark.parametrize("text", ["3000万个", "个亿", "十个", "一个半"])
def test_ge_alone_is_not_an_amount(text: str) -> None:
    _assert_refusal(text)


@pytest.mark.parametrize("text", ["-3亿", "负5000万", "金额：-3亿"])
def test_negative_is_refused(text: str) -> None:
    _assert_refusal(text, contains="负数")


def test_empty_is_refused() -> None:
    _assert_refusal("  ")


@pytest.mark.parametrize(
    ("line", "wan", "currency", "found"),
    [
        ("比亚迪股份有限公司 新能源汽车零部件 投资20亿 来源驻点", 200000, "CNY", "20亿"),
        ("投资额约3.5亿元人民币，7月10日签约", 35000, "CNY", "3.5亿元人民币"),
        ("7.10 拜访宁德时代 意向1.2亿美元", 12000, "USD", "1.2亿美元"),
        ("2026-07-10 来访，计划投资八千万", 8000, "CNY", "八千万"),
        ("91440300192203821W 投资3亿", 30000, "CNY", "3亿"),
        ("年产10万台 投资5000万", 5000, "CNY", "5000万"),
        ("建筑面积1.5万平方米，投资3亿元。", 30000, "CNY", "3亿元"),
        ("千万注意 投资3亿", 30000, "CNY", "3亿"),
        ("总投资3亿一期1亿", 30000, "CNY", "3亿"),
        ("投资5000万平台建设", 5000, "CNY", "5000万"),
        ("投资12.5万 另签约2亿", 20000, "CNY", "2亿"),
        ("一期投资3亿,二期5亿", 30000, "CNY", "3亿"),
        ("投资3亿.", 30000, "CNY", "3亿"),
        ("浙江吉利 投资十个亿 来源驻点", 100000, "CNY", "十个亿"),
        ("某公司 两个亿美元", 20000, "USD", "两个亿美元"),
    ],
)
def test_find_amount_in_a_line(line: str, wan: int, currency: str, found: str) -> None:
    result = find_amount(line)
    assert result is not None
    amount, (start, end) = result
    assert (amount.wan, amount.currency) == (wan, currency)
    assert normalize_input(line)[start:end] == found == amount.text


@pytest.mark.parametrize(
    "line",
    ["7.10 拜访比亚迪", "2026-07-10 来访", "2026年7月10日", "91440300192203821W", "914403001922038216",
     "联系人 13800138000", "员工3000人", "比亚迪 新能源", "", "千万注意", "占地200亩", "增长3.5%"],
)
def test_find_amount_ignores_dates_codes_and_counts(line: str) -> None:
    assert find_amount(line) is None


def test_find_amount_skips_an_inexact_amount_unless_strict() -> None:
    assert find_amount("投资12.5万") is None
    with pytest.raises(AmountError, match="精确到万元"):
        find_amount("投资12.5万", strict=True)
    assert find_amount("投资12.5万 另签约2亿", strict=True) is not None


@pytest.mark.parametrize(
    ("wan", "currency", "text"),
    [(35000, "CNY", "3.5亿元"), (10000, "CNY", "1亿元"), (12345, "CNY", "1.2345亿元"), (5000, "CNY", "5000万元"),
     (0, "CNY", "0万元"), (9999, "CNY", "9999万元"), (8000, "USD", "8000万美元"), (15000, "USD", "1.5亿美元"),
     (-35000, "CNY", "-3.5亿元"), (-5, "CNY", "-5万元"), (100000, "CNY", "10亿元"), (10001, "EUR", "1.0001亿欧元")],
)
def test_format_wan(wan: int, currency: str, text: str) -> None:
    assert format_wan(wan, currency) == text


def _yi(wan: int) -> str:
    return format(Decimal(wan) / 10_000, "f")


WANS = st.integers(min_value=0, max_value=10**9)


@given(WANS, st.sampled_from(["{w}万", "{w}万元", "{w:,}万", "{yi}亿", "{yi}亿元", "{yi} 亿元", "投资{w}万",
                              "约{yi}亿元人民币", "人民币{w}万元"]))
def test_every_cny_style_round_trips(wan: int, style: str) -> None:
    text = style.format(w=wan, yi=_yi(wan))
    assert parse_amount(text) == Amount(wan, "CNY", parse_amount(text).text)
    assert parse_amount(text.translate(_FULL_WIDTH)).wan == wan


@given(WANS)
def test_formatted_and_chinese_numeral_cny_round_trip(wan: int) -> None:
    assert parse_amount(format_wan(wan)).wan == wan
    assert parse_amount(to_chinese(wan * 10_000) + "元").wan == wan
    if wan < 10_000:
        assert parse_amount(to_chinese(wan) + "万").wan == wan
    found = find_amount(f"某公司 意向投资{format_wan(wan)} 来源驻点")
    assert found is not None and found[0].wan == wan


@given(WANS, st.sampled_from(["{w}万美元", "{w:,}万美元", "{yi}亿美元", "USD {w}万", "{w}万美金"]))
def test_every_usd_style_round_trips(wan: int, style: str) -> None:
    text = style.format(w=wan, yi=_yi(wan))
    for variant in (text, text.translate(_FULL_WIDTH)):
        amount = parse_amount(variant)
        assert (amount.wan, amount.currency) == (wan, "USD")
    assert parse_amount(format_wan(wan, "USD")) == Amount(wan, "USD", format_wan(wan, "USD"))
    assert parse_amount(to_chinese(wan * 10_000) + "美元").wan == wan


@given(st.integers(min_value=-10**9, max_value=10**9), st.sampled_from(["CNY", "USD", "EUR", "HKD", "JPY"]))
def test_format_wan_is_exact(wan: int, currency: str) -> None:
    text = format_wan(wan, currency)
    if wan >= 0:
        assert parse_amount(text) == Amount(wan, currency, text)
    else:
        assert text.startswith("-") and format_wan(-wan, currency) == text[1:]


YI = st.integers(min_value=1, max_value=9999)


@given(YI, st.sampled_from(["{cn}个亿", "{cn}个亿元", "{n}个亿", "投资{cn}个亿", "约{cn}个亿元人民币", "{cn}个亿美元",
                            "{cn}个半亿"]))
def test_every_ge_yi_style_round_trips(yi: int, style: str) -> None:
    text = style.format(cn=to_chinese(yi), n=yi)
    half = 5000 if "半" in style else 0
    amount = parse_amount(text)
    assert amount.wan == yi * 10_000 + half
    assert amount.currency == ("USD" if "美元" in style else "CNY")
    found = find_amount(f"某公司 意向投资{text} 来源驻点")
    assert found is not None and found[0] == amount


@given(YI, st.sampled_from(["{cn}个多亿", "{cn}亿多", "{cn}多亿", "{n}个多亿", "{n}亿多"]))
def test_every_approximate_ge_style_is_asked_for(yi: int, style: str) -> None:
    with pytest.raises(AmountError, match="大概的数"):
        parse_amount(style.format(cn=to_chinese(yi), n=yi))
