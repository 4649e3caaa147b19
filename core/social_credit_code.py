"""Unified social credit code 统一社会信用代码 (GB 32100-2015) normalisation and validation."""
from __future__ import annotations

import re
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code, positions 9–16
_FORBIDDEN = {"I": "1", "O": "0", "Z": "2", "S": "5", "V": ""}  # letter → the digit it is usually mistaken for
# Hyphens of every width people paste from documents; NFKC already folds the full-width one.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―]+")


class CreditCodeError(ValueError):
    """A refusal whose str() is one Chinese sentence for a phone user.

    `expected` is the correct check character when the check failed, `position` its 1-based place.
    """

    def __init__(self, message: str, *, expected: str | None = None, position: int | None = None) -> None:
        super().__init__(message)
        self.expected = expected
        self.position = position


def normalize_credit_code(text: str) -> str:
    """NFKC, without spaces or hyphens, upper-case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def check_character(first17: str) -> str:
    """The GB 32100 check character (position 18) for 17 normalised characters."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(org8: str) -> str:
    """The GB 11714 check character (position 17) for the organisation code's first 8 characters."""
    # GB 11714 values letters A–Z as 10–35, unlike the 31-symbol alphabet of GB 32100.
    total = sum(int(c, 36) * w for c, w in zip(org8, _ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def validate_credit_code(text: str) -> str:
    """The normalised 18-character code, or CreditCodeError saying in one sentence what is wrong."""
    code = normalize_credit_code(text)
    if len(code) != 18:
        raise CreditCodeError(f"统一社会信用代码应为18位，您输入了{len(code)}位。")
    for pos, c in enumerate(code, start=1):
        if c in _FORBIDDEN:
            hint = f"（可能是数字 {_FORBIDDEN[c]}）" if _FORBIDDEN[c] else ""
            raise CreditCodeError(
                f"统一社会信用代码不使用字母 I、O、Z、S、V，第{pos}位的“{c}”有误{hint}，请核对后重新输入。"
            )
        if c not in ALPHABET:
            raise CreditCodeError(
                f"统一社会信用代码只由数字和大写字母组成，第{pos}位的“{c}”不是有效字符，请核对后重新输入。"
            )
    if not code[2:8].isdigit():
        raise CreditCodeError("统一社会信用代码第3至8位是行政区划码，应全为数字，请核对后重新输入。")
    # The organisation code is checked first: a typo in positions 9–17 breaks both checks, and
    # pointing at 9–17 is more useful than suggesting a new 18th character.
    org = org_check_character(code[8:16])
    if code[16] != org:
        raise CreditCodeError(
            f"统一社会信用代码第9至17位（组织机构代码）校验不对：按第9至16位计算，第17位应为 {org}，请核对后重新输入。",
            expected=org, position=17,
        )
    check = check_character(code[:17])
    if code[17] != check:
        raise CreditCodeError(
            f"统一社会信用代码校验位不对：按前17位计算，第18位应为 {check}，请核对后重新输入。",
            expected=check, position=18,
        )
    return code


def is_valid_credit_code(text: str) -> bool:
    """True when validate_credit_code would accept the text."""
    try:
        validate_credit_code(text)
    except CreditCodeError:
        return False
    return True
