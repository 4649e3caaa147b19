"""Money as exact integer 万 (of 元, or of a foreign currency): formatting and arithmetic rules."""
from __future__ import annotations

from decimal import Decimal

WAN_PER_YI = 10_000

CURRENCY_ZH: dict[str, str] = {"CNY": "元", "USD": "美元", "EUR": "欧元", "HKD": "港元", "JPY": "日元"}


def format_wan(wan: int, currency: str = "CNY") -> str:
    """35000 → 3.5亿元, 12345 → 1.2345亿元, 5000 → 5000万元, USD → 8000万美元; exact, no rounding."""
    unit = CURRENCY_ZH.get(currency, currency)
    sign, n = ("-" if wan < 0 else ""), abs(wan)
    if n < WAN_PER_YI:
        return f"{sign}{n}万{unit}"
    yi, rest = divmod(n, WAN_PER_YI)
    frac = f"{rest:04d}".rstrip("0")
    return f"{sign}{yi}{'.' + frac if frac else ''}亿{unit}"


def wan_to_yi(wan: int) -> Decimal:
    """Exact 亿 for reports that show 亿元 columns."""
    return Decimal(wan) / WAN_PER_YI


def apply_pct(wan: int, pct: int) -> int:
    """A share of an amount in whole 万, rounded half-up: credit rules and coefficients are percents."""
    return int((Decimal(wan) * pct / 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
