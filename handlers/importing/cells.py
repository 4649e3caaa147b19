"""One cell read as the chat reads what people type: text, amounts in the header's unit, dates (Excel
serials or text), stages by their Chinese names and variants, units by name or alias; a cell that cannot be
read is a `Problem` (a code with parameters, rendered by `texts/zh_CN/importing.py`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from core.money import WAN_PER_YI
from core.org import OrgConfig
from core.projects import MAX_WAN
from core.stages import Stage, stage_from_text
from handlers.importing.headers import MoneyUnit, clean
from handlers.parsing.amounts import AmountError, parse_amount
from handlers.parsing.dates import DateError, parse_date



EMPTY = frozenset({"", "-", "--", "—", "——", "/", "无", "暂无", "null", "none", "n/a"})
TOTAL_WORDS = ("合计", "总计", "小计", "总合计")
# Stage words found in a cell, longest first (已签约 before 签约).
STAGE_WORDS: dict[str, Stage] = {
    "已投产": Stage.PRODUCING, "试生产": Stage.PRODUCING, "投产": Stage.PRODUCING, "试产": Stage.PRODUCING,
    "竣工": Stage.PRODUCING, "已开工": Stage.STARTED, "在建": Stage.STARTED, "开工": Stage.STARTED,
    "建设中": Stage.STARTED, "已落地": Stage.LANDED, "已入园": Stage.LANDED, "落地": Stage.LANDED,
    "入园": Stage.LANDED, "注册": Stage.LANDED, "已签约": Stage.SIGNED, "签约": Stage.SIGNED,
    "签订": Stage.SIGNED, "在谈": Stage.NEGOTIATING, "洽谈": Stage.NEGOTIATING, "对接": Stage.NEGOTIATING,
    "谋划": Stage.LEAD, "储备": Stage.LEAD, "线索": Stage.LEAD, "已终止": Stage.TERMINATED,
    "终止": Stage.TERMINATED, "中止": Stage.TERMINATED, "停止": Stage.TERMINATED, "放弃": Stage.TERMINATED,
}
CONFIRMED_WORDS = ("已确认", "已核实", "确认超签约", "超签约")
EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def text_of(value: Any) -> str:
    """A cell as text: numbers without a trailing .0, dates as ISO, the 'empty' marks as ''."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if (value.hour, value.minute) == (0, 0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return "" if text.lower() in EMPTY else text


def is_blank(values: list[Any]) -> bool:
    return all(not text_of(v) for v in values)


def is_total(values: list[Any]) -> bool:
    """A 合计 / 总计 row: one of its first cells says so (a project is never named just 合计)."""
    return any(clean(text_of(v)) in TOTAL_WORDS for v in values[:4])


def read_amount(value: Any, unit: MoneyUnit | None, column: str) -> tuple[int, str] | Problem:
    """(integer 万, currency) from a number in the header's unit or text as the chat reads it."""
    per = WAN_PER_YI if unit == "yi" else 1
    currency = "USD" if unit == "wan_usd" else "CNY"
    if isinstance(value, bool):
        return Problem("amount_unreadable", {"column": column, "value": value})
    if isinstance(value, int | float | Decimal):
        try:
            wan = Decimal(str(value)) * per
        except InvalidOperation:
            return Problem("amount_unreadable", {"column": column, "value": value})
        if wan < 0:
            return Problem("amount_negative", {"column": column})
        if wan != wan.to_integral_value():
            return Problem("amount_not_whole", {"column": column, "value": value})
        return _bounded(int(wan), currency, column)
    text = text_of(value)
    for word in CONFIRMED_WORDS:
        text = text.replace(word, "")
    text = re.sub(r"[()（）]", "", text)
    try:
        amount = parse_amount(text, bare_unit="yi" if unit == "yi" else "wan")
    except AmountError as exc:
        return Problem("amount_unreadable", {"column": column, "value": text_of(value), "why": str(exc)})
    cur = amount.currency if amount.currency != "CNY" or unit != "wan_usd" else "USD"
    return _bounded(amount.wan, cur, column)


def _bounded(wan: int, currency: str, column: str) -> tuple[int, str] | Problem:
    if wan > MAX_WAN:
        return Problem("amount_too_large", {"column": column})
    return wan, currency


def read_date(value: Any, today: date, column: str) -> date | Problem:
    """An Excel date, an Excel serial number, or text (2026.3.5, 2026年3月5日, 2026-03-05 10:00)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 <= value <= 80000:
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = text_of(value)
    if re.fullmatch(r"\d{5}(\.0+)?", text) and 20000 <= float(text) <= 80000:
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    if m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text):
        text = "-".join(m.groups())
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", text)
    try:
        return parse_date(text, today, prefer="past")
    except DateError:
        return Problem("date_unreadable", {"column": column, "value": text_of(value)})


def read_stage(text: str) -> Stage | None:
    """A stage by its code, its Chinese name or a common variant (已签约, 在建, 洽谈中…)."""
    found = stage_from_text(text)
    if found is not None:
        return found
    bare = re.sub(r"^已|中$|阶段$", "", clean(text))
    found = stage_from_text(bare)
    if found is not None:
        return found
    for word in sorted(STAGE_WORDS, key=len, reverse=True):
        if word in text:
            return STAGE_WORDS[word]
    return None


def find_unit(cfg: OrgConfig, text: str) -> str | None:
    """A unit by code, name or short name; else the one unit whose name contains it (or it the name)."""
    t = clean(text)
    for u in cfg.units:
        if t in (u.code, clean(u.name), clean(u.short_name or "")):
            return u.code
    near = [u.code for u in cfg.units if t and (t in clean(u.name) or clean(u.name) in t)]
    return near[0] if len(near) == 1 else None


def read_industry(cfg: OrgConfig, text: str) -> str | None:
    if text in cfg.industries:
        return text
    near = [i for i in cfg.industries if text in i or i in text]
    return near[0] if len(near) == 1 else None
