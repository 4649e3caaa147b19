"""One-line leads: `线索 比亚迪股份有限公司 新能源汽车零部件 投资20亿 来源驻点` understood field by field.

Industries and sources are the mini organisation's (tests/data/mini_org.toml).
"""
from __future__ import annotations

import pytest

from core.social_credit_code import check_character
from handlers.lead_parser import parse_lead_line
from tests.helpers import mini_org

CFG = mini_org()
VALID_CODE = "91440300192175701G"            # GB 32100 check character G
WRONG_CHECK = VALID_CODE[:17] + "H"          # same code, wrong 18th character


def parse(line: str):  # noqa: ANN201
    return parse_lead_line(line, CFG)


def test_the_issue_example_is_understood_completely() -> None:
    p = parse("比亚迪股份有限公司 新能源汽车零部件 投资20亿 来源驻点")
    assert p.name == "比亚迪股份有限公司"
    assert p.industry == "新能源汽车零部件"
    assert (p.amount.wan, p.amount.currency) == (200_000, "CNY")
    assert p.source == "驻点招商"
    assert p.credit_code is None and p.credit_code_error is None and p.amount_error is None
    assert p.contact is None and p.rest is None


def test_the_first_unrecognised_word_is_the_name_wherever_the_fields_are() -> None:
    p = parse("来源驻点 投资20亿 比亚迪 新能源汽车零部件")
    assert (p.name, p.industry, p.source, p.amount.wan) == ("比亚迪", "新能源汽车零部件", "驻点招商", 200_000)


def test_full_width_input_reads_like_half_width() -> None:
    p = parse("ＡＢＣ科技\u3000新能源汽车零部件\u3000投资２０亿\u3000来源：驻点")
    assert (p.name, p.industry, p.amount.wan, p.source) == ("ABC科技", "新能源汽车零部件", 200_000, "驻点招商")


def test_nothing_typed_understands_nothing() -> None:
    p = parse("   ")
    assert p.name is None and p.amount is None and p.industry is None and p.rest is None


# -- credit codes -------------------------------------------------------------------------------

def test_a_valid_credit_code_is_taken_out_of_the_line() -> None:
    assert check_character(VALID_CODE[:17]) == "G"
    p = parse(f"宁德时代 {VALID_CODE} 新能源汽车零部件 投资5亿 来源驻点")
    assert p.credit_code == VALID_CODE and p.credit_code_error is None
    assert p.name == "宁德时代"
    # Taking the code out must not disturb what follows it: the amount is not left behind as a note.
    assert p.amount.wan == 50_000 and p.rest is None


def test_a_lower_case_credit_code_is_recognised_and_normalised() -> None:
    p = parse(f"宁德时代 {VALID_CODE.lower()} 投资5亿")
    assert p.credit_code == VALID_CODE and p.amount.wan == 50_000 and p.rest is None


def test_a_wrong_check_character_is_reported_with_the_right_one_and_not_kept() -> None:
    p = parse(f"宁德时代 {WRONG_CHECK} 投资5亿")
    assert p.credit_code is None
    assert p.credit_code_error == "统一社会信用代码校验位不对：按前17位计算，第18位应为 G，请核对后重新输入。"
    assert p.name == "宁德时代" and p.amount.wan == 50_000 and p.rest is None


def test_a_code_alone_has_no_name() -> None:
    p = parse(VALID_CODE)
    assert p.credit_code == VALID_CODE and p.name is None


def test_a_long_latin_word_is_not_a_credit_code() -> None:
    p = parse("ABCDEFGHJKLMNPQRTU 投资1亿")
    assert p.credit_code is None and p.credit_code_error is None
    assert p.name == "ABCDEFGHJKLMNPQRTU"


# -- amounts in every style people type ---------------------------------------------------------

@pytest.mark.parametrize(
    "typed,wan,currency",
    [
        ("3.5亿", 35_000, "CNY"),
        ("3.5 亿元", 35_000, "CNY"),
        ("5000万", 5_000, "CNY"),
        ("5000万元", 5_000, "CNY"),
        ("1,200万", 1_200, "CNY"),
        ("八千万", 8_000, "CNY"),
        ("3亿5千万", 35_000, "CNY"),
        ("两亿", 20_000, "CNY"),
        ("投资20亿", 200_000, "CNY"),
        ("投资额约3.5亿元人民币", 35_000, "CNY"),
        ("意向投资3亿", 30_000, "CNY"),
        ("０.８亿美元", 8_000, "USD"),
        ("0.8亿美元", 8_000, "USD"),
        ("500万美元", 500, "USD"),
    ],
)
def test_amount_styles(typed: str, wan: int, currency: str) -> None:
    p = parse(f"华为技术 电子信息制造 {typed} 来源驻点")
    assert (p.amount.wan, p.amount.currency) == (wan, currency)
    assert p.name == "华为技术" and p.industry == "电子信息制造" and p.source == "驻点招商"
    # Nothing of the amount, nor its lead-in words, is left over as a note.
    assert p.rest is None, p.rest


def test_foreign_capital_stays_in_its_currency() -> None:
    p = parse("特斯拉 新能源汽车零部件 1.2亿美元")
    assert (p.amount.wan, p.amount.currency) == (12_000, "USD")


def test_an_amount_that_cannot_be_kept_exactly_is_doubtful_not_guessed() -> None:
    p = parse("华为技术 电子信息制造 12.5万")
    assert p.amount is None and p.amount_error is not None
    assert p.rest == "12.5万"  # kept, so nothing the officer typed is lost


def test_numbers_that_are_not_money_are_not_amounts() -> None:
    p = parse("华为技术 厂房10万平方米 7.10签约")
    assert p.amount is None and p.amount_error is None


# -- sources --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "typed,source",
    [
        ("来源驻点", "驻点招商"),
        ("来源:以商招商", "以商招商"),
        ("来源：以商招商", "以商招商"),
        ("来源 委托", "委托招商"),
        ("以商招商", "以商招商"),
        ("展会活动", "展会活动"),
    ],
)
def test_sources(typed: str, source: str) -> None:
    p = parse(f"比亚迪 投资1亿 {typed}")
    assert p.source == source and p.name == "比亚迪" and p.rest is None


def test_an_unknown_source_is_left_to_ask() -> None:
    p = parse("比亚迪 投资1亿 来源:不知道")
    assert p.source is None and p.name == "比亚迪"


def test_a_source_followed_by_a_comma_does_not_swallow_the_contact() -> None:
    p = parse("比亚迪 投资1亿 来源:以商招商，联系人张三，13800138000")
    assert p.source == "以商招商"
    assert p.contact == "张三 13800138000"


# -- contact and phone ----------------------------------------------------------------------------

def test_contact_and_mobile() -> None:
    p = parse("比亚迪 投资1亿 联系人张三 13800138000")
    assert p.contact == "张三 13800138000" and p.name == "比亚迪" and p.rest is None


def test_contact_with_colon_and_landline() -> None:
    p = parse("比亚迪 投资1亿 联系人：李四 0755-83888888")
    assert p.contact == "李四 0755-83888888"


def test_a_phone_alone_is_the_contact() -> None:
    p = parse("比亚迪 13912345678 投资1亿")
    assert p.contact == "13912345678" and p.name == "比亚迪" and p.amount.wan == 10_000


# -- industries -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "typed,industry",
    [
        ("新能源汽车零部件", "新能源汽车零部件"),
        ("新能源", "新能源汽车零部件"),
        ("汽车", "新能源汽车零部件"),
        ("电子", "电子信息制造"),
        ("数字经济", "大数据及数字经济"),
        ("化工", "现代化工"),
    ],
)
def test_industry_by_part_of_its_name(typed: str, industry: str) -> None:
    p = parse(f"比亚迪 {typed} 投资1亿")
    assert p.industry == industry and p.industry_candidates == [] and p.rest is None


def test_an_ambiguous_industry_offers_the_candidates() -> None:
    p = parse("比亚迪 现代 投资1亿")
    assert p.industry is None
    assert p.industry_candidates == ["现代化工", "现代服务业"]


# -- leftovers ------------------------------------------------------------------------------------

def test_what_is_not_understood_is_kept_as_content() -> None:
    p = parse("比亚迪 新能源汽车零部件 投资20亿 来源驻点 拟建电池工厂 明年开工")
    assert p.rest == "拟建电池工厂 明年开工"
    assert (p.name, p.industry, p.source, p.amount.wan) == ("比亚迪", "新能源汽车零部件", "驻点招商", 200_000)
