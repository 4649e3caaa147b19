"""Money typed by people (3.5亿, 5000万元, 八千万, 1.2亿美元) to exact integer 万 of a currency."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, DecimalException, Inexact, localcontext
from typing import Literal

from core.money import CURRENCY_ZH as CURRENCY_UNIT, format_wan  # noqa: F401  (re-exported)
from handlers.parsing.numerals import DIGITS, EXACT_DIGITS, NUMERAL_CHARS, parse_chinese_number
from handlers.parsing.text import normalize_input

_CURRENCY_WORDS: dict[str, str] = {
    "元人民币": "CNY", "人民币": "CNY", "rmb": "CNY", "cny": "CNY", "元": "CNY", "块": "CNY", "¥": "CNY",
    "美元": "USD", "美金": "USD", "usd": "USD", "us$": "USD", "$": "USD",
    "欧元": "EUR", "eur": "EUR", "€": "EUR",
    "港元": "HKD", "港币": "HKD", "港幣": "HKD", "hkd": "HKD", "hk$": "HKD",
    "日元": "JPY", "jpy": "JPY",
}
_WAN = Decimal(10_000)
EXAMPLE = "请按“3.5亿”或“5000万”的格式输入。"


class AmountError(ValueError):
    """A refusal whose str() is one Chinese sentence telling the user what to type instead."""


@dataclass(frozen=True, slots=True)
class Amount:
    wan: int            # exact integer 万 of the currency
    currency: str       # "CNY", "USD", "EUR", "HKD" or "JPY"; never converted
    text: str           # the substring that was understood, after normalize_input


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_PRE_WORDS = [w for w in _CURRENCY_WORDS if w not in ("元", "块", "元人民币")]
_CN = re.escape("".join(c for c in NUMERAL_CHARS if c not in "万萬亿億"))
_ARABIC = r"\d+(?:[,.]\d+)*"  # separators only between digits, so "3亿,5亿" is two amounts
# 个 (and 多/半 with it) may stand before 亿/万 as people say it: 十个亿, 一个半亿, 三个多亿, 三千多万.
_NUM = rf"(?:{_ARABIC}|[{_CN}])(?:{_ARABIC}|[{_CN}]|\s?(?:个|多|个多|多个|个半)?\s?[万萬亿億])*"
# Not inside another number, a code, a range (1-3亿) or a decimal (3.5.5亿).
_CANDIDATE = re.compile(
    rf"(?<![\dA-Za-z.~\-])(?<!\d,)(?:(?P<pre>(?i:{_alt(_PRE_WORDS)}))\s?)?"
    rf"(?P<num>{_NUM})(?:\s?(?P<unit>(?i:{_alt(list(_CURRENCY_WORDS))})))?"
)
_BIG = re.compile(r"[万萬亿億]")
_HAS_DIGIT = re.compile(r"[\d" + "".join(DIGITS) + "]")
# A number with 万/亿 but no 元 followed by one of these counts things, not money (10万平方米, 3000万台).
_MEASURE = re.compile(
    r"\s?(?:平方|平米|平(?![台安衡])|亩|公顷|m2|m²|米|公里|千米|km|人|名|台|辆|套|件|个|只|头|吨|千瓦|kw|瓦"
    r"|度|户|家|张|片|颗|条|盒|箱|株|棵|斤|公斤|千克|克|升|立方|次|%|‰|倍)",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"(?:意向投资额|计划投资额|计划投资|总投资额|总投资|投资总额|投资额|投资|签约额|签约金额|合同额|到位资金|注册资本"
    r"|金额|资金|大约|约为|约|预计|左右|共计|合计|总计|共|达到|达|为|是|[\s:,.;!。、，；：])*"
)


# An approximate figure (三个多亿, 三亿多, 十几亿, 几千万, 3亿余元): never rounded, the figure is asked for.
_VAGUE = re.compile(
    rf"(?:(?:[\d{_CN}]\s?个?\s?[多几余来]|几)\s?个?\s?[万萬亿億])|(?:[万萬亿億]\s?[多余])"
)


def _error_vague(text: str) -> AmountError:
    return AmountError(f"“{text}”是个大概的数，请写明具体金额，例如“3.5亿”或“5000万”。")


def _error_unparsed(text: str) -> AmountError:
    return AmountError(f"没看懂金额“{text}”，{EXAMPLE}")


def _error_not_whole(currency: str) -> AmountError:
    if currency == "CNY":
        return AmountError("金额按万元记录，请精确到万元（例如 13万）。")
    unit = CURRENCY_UNIT[currency]
    return AmountError(f"金额按万{unit}记录，请精确到万{unit}（例如 13万{unit}）。")


def _currency(m: re.Match[str]) -> str:
    found = {_CURRENCY_WORDS[w.lower()] for w in (m.group("pre"), m.group("unit")) if w}
    if len(found) > 1:
        raise AmountError("金额的币种前后不一致，请只写一种，例如“500万美元”。")
    return found.pop() if found else "CNY"


def _candidates(t: str, *, need_digit: bool) -> list[re.Match[str]]:
    """Candidate matches, trimmed of trailing characters that belong to the next word."""
    out = []
    for m in _CANDIDATE.finditer(t):
        num = keep = m.group("num")
        if not m.group("unit") and m.end() < len(t) and "\u4e00" <= t[m.end()] <= "\u9fff":
            # 投资3亿一期 → 3亿: Chinese digits after the last 万/亿 start the next word.
            bigs = [b.end() for b in _BIG.finditer(keep)]
            if bigs and keep[bigs[-1]:] and all(c in DIGITS for c in keep[bigs[-1]:]):
                keep = keep[: bigs[-1]]
        if keep != num:
            shorter = _CANDIDATE.match(t, m.start(), m.start("num") + len(keep))
            if shorter is None:
                continue
            m = shorter
        if need_digit and not _HAS_DIGIT.search(m.group("num")) and "个" not in m.group("num"):
            continue  # 千万 in 千万注意 is a word, not 1000万; 十个亿 is money
        if not m.group("unit") and _MEASURE.match(t, m.end()):
            continue
        out.append(m)
    return out


def _vague_at(m: re.Match[str]) -> bool:
    """多/几/余 inside the number or right after its 万/亿: 三个多亿, 三亿多."""
    return _VAGUE.search(m.string, m.start(), min(len(m.string), m.end() + 1)) is not None


def _numeral_value(num_text: str) -> Decimal:
    """The numeral with the colloquial 个 read away: 十个亿 = 十亿, 一个半亿 = 1.5亿; ValueError otherwise."""
    if "个半" in num_text:
        head, _, tail = num_text.partition("个半")
        if tail not in ("亿", "億", "万", "萬") or _BIG.search(head):
            raise ValueError("个半 only directly before the last unit")
        return (parse_chinese_number(head) + Decimal("0.5")) * parse_chinese_number("一" + tail)
    if "多" in num_text:
        raise ValueError("approximate")
    return parse_chinese_number(num_text.replace("个", ""))


def _to_amount(m: re.Match[str], bare_unit: Literal["wan", "yi"] | None) -> Amount:
    num_text = m.group("num").replace(" ", "")
    if _vague_at(m):
        raise _error_vague(m.string[m.start():m.end() + 1].rstrip())
    currency = _currency(m)
    try:
        value = _numeral_value(num_text)
    except ValueError:
        raise _error_unparsed(m.group(0)) from None
    bare = not m.group("unit") and not m.group("pre") and not _BIG.search(num_text)
    if bare and bare_unit is None:
        raise AmountError(f"“{m.group(0)}”没有写单位，请写明万或亿，例如“5000万”或“3.5亿”。")
    with localcontext() as ctx:
        ctx.prec, ctx.traps[Inexact] = 2 * EXACT_DIGITS, True
        try:
            if not bare:
                wan = value / _WAN  # the numeral already counts 元 (or dollars…): 3.5亿 = 350000000
            else:
                wan = value * _WAN if bare_unit == "yi" else value
        except DecimalException:  # a 200-digit Arabic literal: refuse rather than round
            raise _error_unparsed(m.group(0)) from None
    if wan != wan.to_integral_value():
        raise _error_not_whole(currency)
    return Amount(int(wan), currency, m.group(0))


def parse_amount(text: str, *, bare_unit: Literal["wan", "yi"] | None = None) -> Amount:
    """The amount a whole message means: "3.5亿", "投资额约3.5亿元人民币", "500万美元"; AmountError otherwise.

    A bare number ("5000") is refused unless bare_unit says what the field is counted in.
    """
    t = normalize_input(text)
    if not t:
        raise AmountError(f"没有填金额，{EXAMPLE}")
    if re.match(rf"^[^\d]*?(?:-|−|负)\s?[\d{_CN}]", t):
        raise AmountError(f"金额不能是负数，{EXAMPLE}")
    for m in _candidates(t, need_digit=False):
        if _FILLER.fullmatch(t[: m.start()]) and _FILLER.fullmatch(t[m.end():]):
            return _to_amount(m, bare_unit)
    if _VAGUE.search(t):
        raise _error_vague(t)
    raise _error_unparsed(t)


def find_amount(text: str, *, strict: bool = False) -> tuple[Amount, tuple[int, int]] | None:
    """The first amount in a longer line, with its span in normalize_input(text); None if there is none.

    The span covers the number with its unit and currency ("20亿" in "投资20亿"), not the keyword.
    Only numbers carrying 万/亿/元 or a currency count, so dates (7.10) and codes are never amounts.
    Amount-like parts that cannot be kept exactly (12.5万) are skipped; with strict=True, when no
    usable amount is found, the first such part's AmountError is raised so the user can be told why.
    """
    t = normalize_input(text)
    first_error: AmountError | None = None
    for m in _candidates(t, need_digit=True):
        if not (m.group("unit") or m.group("pre") or _BIG.search(m.group("num"))):
            continue
        try:
            return _to_amount(m, None), m.span()
        except AmountError as exc:
            first_error = first_error or exc
    if strict and first_error is not None:
        raise first_error
    return None


