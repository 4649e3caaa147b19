"""Company-name keys for duplicate detection, and the display form kept for storage."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.names import display_company_name, normalize_company_name
from core.typed_text import typed_part

BYD_FORMS = [
    "比亚迪股份有限公司", "比亚迪 ", "比亚迪（深圳）有限公司", "比亚迪(深圳)有限公司", "比亚迪集团",
    "比亚迪", " 比 亚 迪 ", "比亚迪集团股份有限公司", "比亚迪集团有限公司", "比亚迪有限责任公司",
    "比亚迪公司", "【深圳】比亚迪有限公司", "比亚迪〔贵州〕集团有限公司", "比亚迪[苏州]有限公司",
    "比亚迪股份公司", "比亚迪集团公司", "比亚迪股份有限公司。", "比亚迪（中国）（深圳）有限公司",
]


@pytest.mark.parametrize("name", BYD_FORMS)
def test_byd_forms_share_one_key(name: str) -> None:
    assert normalize_company_name(name) == "比亚迪"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("华为技术有限公司", "华为技术"),
        ("腾讯科技（深圳）有限公司", "腾讯科技"),
        ("中国平安保险（集团）股份有限公司", "中国平安保险"),
        ("北京某某投资中心(有限合伙)", "北京某某投资中心"),
        ("宁德时代新能源科技股份有限公司", "宁德时代新能源科技"),
        ("ＢＹＤ　Ｃｏ．，Ｌｔｄ．", "byd"),
        ("BYD Co., Ltd.", "byd"),
        ("BYD COMPANY LIMITED", "byd"),
        ("Apple Inc.", "apple"),
        ("Tesla, Inc", "tesla"),
        ("Zinc Corp", "zinc"),  # a legal form must be a whole word: Zinc keeps its "inc"
        ("Foxconn Technology Group", "foxconntechnology"),
        ("ABC (Shenzhen) Co.,Ltd", "abc"),
        ("Siemens GmbH", "siemens"),
        ("3M中国有限公司", "3m中国"),
        ("贵州·茅台集团", "贵州茅台"),
    ],
)
def test_keys(name: str, key: str) -> None:
    assert normalize_company_name(name) == key


@pytest.mark.parametrize(
    "name", ["比亚迪股份有限公司深圳分公司", "比亚迪深圳分公司", "比亚迪集团深圳分公司", "比亚迪（深圳）有限公司深圳分公司"],
)
def test_branches_keep_their_marker(name: str) -> None:
    # A branch is registered on its own (own credit code), so it is not the parent's key.
    assert normalize_company_name(name) == "比亚迪深圳分公司"
    assert normalize_company_name(name) != normalize_company_name("比亚迪股份有限公司")


@pytest.mark.parametrize(
    ("name", "key"),
    [("集团公司", "集团公司"), ("有限公司", "有限公司"), ("（深圳）", "(深圳)"), ("分公司", "分公司"),
     ("Co., Ltd.", "Co.,Ltd."), ("  集团 公司 ", "集团公司")],
)
def test_never_empty_for_a_real_name(name: str, key: str) -> None:
    assert normalize_company_name(name) == key


def test_blank_name_gives_blank_key() -> None:
    assert normalize_company_name("  ") == ""


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("  比亚迪股份有限公司 ", "比亚迪股份有限公司"), ("比亚迪（深圳）有限公司", "比亚迪（深圳）有限公司"),
     ("腾讯科技（深圳）有限公司", "腾讯科技（深圳）有限公司"), ("ＢＹＤ　Ｃｏ．，Ｌｔｄ．", "BYD Co.,Ltd."),
     ("BYD   Co.,\tLtd.", "BYD Co., Ltd."), ("ＢＹＤ　Ｃｏ．", "BYD Co."), ("华为\n技术", "华为 技术")],
)
def test_display_name(typed: str, shown: str) -> None:
    assert display_company_name(typed) == shown


_NAMES = st.text(alphabet=st.sampled_from("比亚迪华为腾讯科技有限公司集团股份（）() 深圳ABCabc.,-【】"), min_size=1)


@given(_NAMES)
def test_key_is_stable_and_never_empty(name: str) -> None:
    key = normalize_company_name(name)
    assert normalize_company_name(key) == key  # a key is its own key, so stored keys can be re-derived
    if name.strip():
        assert key
    assert not any(c.isspace() for c in key)


@given(st.sampled_from(BYD_FORMS), st.sampled_from(["", " ", "　"]))
def test_spacing_and_width_do_not_matter(name: str, pad: str) -> None:
    assert normalize_company_name(pad + name + pad) == normalize_company_name(name)


@given(st.text(alphabet=st.sampled_from("比亚迪腾讯科技有限公司（）()，,．. 　深圳ＡＢＣABC１2【】"), min_size=1))
def test_the_name_as_typed_has_the_same_key(name: str) -> None:
    # Stored as typed, matched as before: rows stored NFKC'd keep finding new ones, and the other way round.
    assert normalize_company_name(display_company_name(name)) == normalize_company_name(name)
    assert normalize_company_name(unicodedata.normalize("NFKC", name)) == normalize_company_name(name)


@pytest.mark.parametrize(
    ("typed", "part", "kept"),
    [("线索：腾讯科技（深圳）有限公司，电子信息制造", "腾讯科技(深圳)有限公司", "腾讯科技（深圳）有限公司"),
     ("用地指标不足，需市自然资源局协调", "用地指标不足,需市自然资源局协调", "用地指标不足，需市自然资源局协调"),
     ("　ＢＹＤ　Ｃｏ．", "BYD Co.", "BYD Co."), ("别的", "不在里面", "不在里面"), ("", "", "")],
)
def test_a_part_of_the_message_is_found_as_typed(typed: str, part: str, kept: str) -> None:
    assert typed_part(typed, part) == kept
