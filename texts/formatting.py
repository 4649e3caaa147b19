"""How values look in chat: amounts, stages, dates, ages, refusal parameters."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from core.money import format_wan
from core.roles import ROLE_ZH, Role
from core.stages import STAGE_ZH, Stage

WEEKDAYS = "一二三四五六日"


def amount(wan: int | None, currency: str | None = "CNY") -> str:
    return "—" if wan is None else format_wan(wan, currency or "CNY")


def stage(value: Stage | str) -> str:
    return STAGE_ZH[Stage(value)]


def role(value: Role | str) -> str:
    return ROLE_ZH[Role(value)]


def day(d: date) -> str:
    return f"{d.year}-{d.month:02d}-{d.day:02d}（周{WEEKDAYS[d.weekday()]}）"


def short_day(d: date) -> str:
    return f"{d.month}月{d.day}日"


def age(then: datetime, now: datetime) -> str:
    """Human age of an update: 刚刚 / 5分钟前 / 3小时前 / 12天前."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{seconds // 60}分钟前"
    if seconds < 86400:
        return f"{seconds // 3600}小时前"
    return f"{seconds // 86400}天前"


def size(n: int) -> str:
    """A file's size: 850 B, 12.3 KB, 4.5 MB."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def refusal_params(params: dict[str, Any]) -> dict[str, Any]:
    """Stages become 签约, amounts in 万 become 3.5亿元: refusals read like the rest of the chat."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Stage):
            out[key] = stage(value)
        elif key in ("total", "contract", "amount", "max") and isinstance(value, int):
            out[key] = amount(value)
        else:
            out[key] = value
    return out
