"""统一社会信用代码: normalisation, both check characters, phone-friendly refusals, cross-check with stdnum."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from core.social_credit_code import ALPHABET, CreditCodeError, check_character, is_valid_credit_code, normalize_credit_code, org_check_character, validate_credit_code

# Well-known enterprises' codes; each passes GB 32100 and GB 11714 independently and stdnum agrees.
REAL_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "91440300192317458F",  # 比亚迪股份有限公司
    "9144030071526726XG",  # 腾讯科技（深圳）有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91110000600037341L",  # the example in stdnum's documentation
]


def _build(prefix16: str) -> str:
    """A valid code from 16 characters: add the GB 11714 and then the GB 32100 check characters."""
    first17 = prefix16 + org_check_character(prefix16[8:16])
    return first17 + check_character(first17)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert validate_credit_code(code) == code
    assert is_valid_credit_code(code)
    assert uscc.is_valid(code)
    assert check_character(code[:17]) == uscc.calc_check_digit(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("9144 0300 1922 0382 16", "914403001922038216"),
        ("9144-0300-1922-0382-16", "914403001922038216"),
        ("９１４４０３００１９２２０３８２１６", "914403001922038216"),
        ("9144030071526726xg", "9144030071526726XG"),
        ("  9144030071526726XG\n", "9144030071526726XG"),
        ("9144030071526726—XG", "9144030071526726XG"),
    ],
)
def test_typed_forms_are_normalised(typed: str, code: str) -> None:
    assert normalize_credit_code(typed) == code
    assert validate_credit_code(typed) == code


@pytest.mark.parametrize("registration", ["A", "N", "Y", "1", "5", "8"])
def test_letter_registration_authorities_are_accepted(registration: str) -> None:
    # stdnum insists on 8 leading digits, but GB 32100 allows letters in positions 1 and 2.
    code = _build(registration + "9440300" + "MA5F3K2A")
    assert validate_credit_code(code) == code
    assert check_character(code[:17]) == uscc.calc_check_digit(code[:17])


@pytest.mark.parametrize(("text", "n"), [("", 0), ("91440300192203821", 17), ("9144030019220382166", 19)])
def test_wrong_length(text: str, n: int) -> None:
    with pytest.raises(CreditCodeError) as info:
        validate_credit_code(text)
    assert str(info.value) == f"统一社会信用代码应为18位，您输入了{n}位。"
    assert not is_valid_credit_code(text)


@pytest.mark.parametrize(("letter", "hint"), [("I", "1"), ("O", "0"), ("Z", "2"), ("S", "5"), ("V", None)])
def test_forbidden_letters_are_named(letter: str, hint: str | None) -> None:
    code = "91440300" + letter + "92203821" + "6"
    with pytest.raises(CreditCodeError) as info:
        validate_credit_code(code)
    message = str(info.value)
    assert f"第9位的“{letter}”" in message and "I、O、Z、S、V" in message
    assert (f"数字 {hint}" in message) if hint else ("数字" not in message)
    assert message.endswith("请核对后重新输入。")


@pytest.mark.parametrize("code", ["91440300192203821*", "91440300192203821六", "9144030019220382中6"])
def test_illegal_characters_are_named(code: str) -> None:
    with pytest.raises(CreditCodeError, match="不是有效字符"):
        validate_credit_code(code)


def test_region_code_must_be_digits() -> None:
    code = _build("91A40300" + "19220382")
    with pytest.raises(CreditCodeError, match="第3至8位"):
        validate_credit_code(code)


def test_wrong_check_character_names_the_right_one() -> None:
    with pytest.raises(CreditCodeError) as info:
        validate_credit_code("91440300192203821W")
    assert str(info.value) == "统一社会信用代码校验位不对：按前17位计算，第18位应为 6，请核对后重新输入。"
    assert info.value.expected == "6" and info.value.position == 18


def test_wrong_organisation_code_is_pointed_at() -> None:
    # 17th character changed and the 18th recomputed, so only the GB 11714 check can notice.
    first17 = "91440300192203822"
    code = first17 + check_character(first17)
    assert uscc.is_valid(code)  # stdnum does not check the organisation code
    with pytest.raises(CreditCodeError) as info:
        validate_credit_code(code)
    assert info.value.expected == "1" and info.value.position == 17
    assert "第9至17位" in str(info.value) and "第17位应为 1" in str(info.value)


def test_organisation_check_character_values() -> None:
    assert org_check_character("19220382") == "1"
    assert org_check_character("71526726") == "X"  # remainder 10 is written X
    assert any(org_check_character(f"{n:08d}") == "0" for n in range(200))  # remainder 11 is written 0


_PREFIX = st.tuples(
    st.sampled_from(ALPHABET), st.sampled_from(ALPHABET),
    st.text("0123456789", min_size=6, max_size=6), st.text(ALPHABET, min_size=8, max_size=8),
).map("".join)


@given(_PREFIX)
def test_built_codes_are_valid_and_agree_with_stdnum(prefix16: str) -> None:
    code = _build(prefix16)
    assert validate_credit_code(code) == code
    assert check_character(code[:17]) == uscc.calc_check_digit(code[:17])
    if code[:8].isdigit():
        assert uscc.is_valid(code)


@given(_PREFIX, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_any_single_substitution_is_caught(prefix16: str, pos: int, new: str) -> None:
    code = _build(prefix16)
    changed = code[:pos] + new + code[pos + 1:]
    if changed != code:
        assert not is_valid_credit_code(changed)


@given(_PREFIX)
def test_wrong_18th_reports_the_expected_character(prefix16: str) -> None:
    code = _build(prefix16)
    wrong = ALPHABET[(ALPHABET.index(code[17]) + 1) % 31]
    with pytest.raises(CreditCodeError) as info:
        validate_credit_code(code[:17] + wrong)
    assert info.value.expected == code[17] and info.value.position == 18
