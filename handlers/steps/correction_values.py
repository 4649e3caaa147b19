"""What a correction may change and how its new value is read — with the chat's own parsers (amounts, credit
codes, the org file's industry chains and sources), so a corrected value is read exactly as a new lead's is."""
from __future__ import annotations

import re
from typing import Any

from core import projects as rules
from core.org import FLAGS
from core.records import Project
from core.social_credit_code import CreditCodeError, validate_credit_code
from texts import formatting as fmt
from texts import t
from handlers.context import Ctx
from handlers.matching import match_options
from handlers.parsing import AmountError, normalize_input, parse_amount

# In the order the field question offers them; `funds` corrects one funds entry, `contract_wan` the signing's
# amount (core.usecases.corrections), the others are core.projects.CORRECTABLE fields.
FIELDS = ("name", "credit_code", "industry", "intended_wan", "contract_wan", "planned_wan", "contact", "flags",
          "responsible_person", "source", "funds")
AMOUNTS = ("intended_wan", "contract_wan", "planned_wan")
# The words people use for each field, longest first when matched (意向投资额 before 意向投资).
WORDS: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "项目名称", "名称", "名字", "企业"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "代码"),
    "industry": ("产业链", "产业", "行业"),
    "intended_wan": ("意向投资额", "意向投资", "投资额", "意向金额", "投资"),
    "contract_wan": ("签约金额", "签约额", "合同额", "合同金额"),
    "planned_wan": ("计划投资额", "计划投资", "计划总投资", "总投资"),
    "contact": ("联系人", "联系方式", "联系电话", "电话"),
    "flags": ("标记", "标签"),
    "responsible_person": ("项目经理人", "项目经理", "责任人", "负责人"),
    "source": ("线索来源", "来源"),
    "funds": ("到位资金", "到资", "资金"),
}
_BY_WORD = sorted(((w, f) for f, ws in WORDS.items() for w in ws), key=lambda wf: -len(wf[0]))
NONE_WORDS = ("无", "没有", "空", "清空", "删除")
_VALUE_START = re.compile(r"[:：=0-9零〇一二两三四五六七八九十]")


class ValueProblem(ValueError):
    """The typed value cannot be used: str() is the Chinese sentence to say."""


def field_label(field: str) -> str:
    return t(f"edit.field.{field}")


def field_of(text: str) -> str | None:
    """The field a whole answer names (a button's label or one of its words)."""
    text = normalize_input(text).strip()
    return next((f for w, f in _BY_WORD if text == w or text == field_label(f)), None)


def split_field(text: str) -> tuple[str, str | None, str]:
    """`#12 意向投资 4亿` → ("#12", "intended_wan", "4亿"): the project, the field, its new value. The field is
    the first field word standing on its own (after a space or at the start)."""
    text = normalize_input(text).strip()
    for m in re.finditer(r"(?:^|\s)(\S+)", text):
        word = m.group(1)
        # The word alone, or glued to its value (意向投资4亿, 产业链:电子信息制造): 资金科技有限公司 is a name.
        hit = next(((w, f) for w, f in _BY_WORD
                    if word == w or (word.startswith(w) and _VALUE_START.match(word[len(w):]))), None)
        if hit is not None:
            w, f = hit
            start = m.start(1)
            return text[:start].strip(), f, (word[len(w):] + text[m.end(1):]).strip(" :：")
    return text, None, ""


def current(p: Project, field: str) -> Any:
    return sorted(p.flags) if field == "flags" else getattr(p, field)


def shown(ctx: Ctx, field: str, value: Any) -> str:
    """A value as the chat shows it (amounts as 4亿元, flags by name, nothing as 无)."""
    if value is None or value == [] or value == "":
        return t("common.none")
    if field in AMOUNTS or field == "funds":
        return fmt.amount(value)
    if field == "flags":
        return "、".join(t(f"flag.{f}") for f in value)
    return str(value)


def _amount(text: str, *, zero_ok: bool) -> int:
    try:
        amount = parse_amount(text)
    except AmountError as exc:
        if zero_ok and normalize_input(text).strip() in ("0", "零"):
            return 0
        raise ValueProblem(str(exc)) from None
    if amount.currency != "CNY" or amount.wan < 0 or (amount.wan == 0 and not zero_ok):
        raise ValueProblem(t("edit.amount_zero_ok" if zero_ok else "edit.amount_cny"))
    if amount.wan > rules.MAX_WAN:
        raise ValueProblem(t("refusal.amount_too_large", max=fmt.amount(rules.MAX_WAN)))
    return amount.wan


def parse_value(ctx: Ctx, field: str, text: str) -> Any:
    """The new value of `field` read from `text`, or ValueProblem saying what to type instead."""
    raw = text.strip()
    plain = normalize_input(raw).strip()
    if field in AMOUNTS:
        return _amount(raw, zero_ok=False)
    if field == "funds":
        return _amount(raw, zero_ok=True)
    if not plain:
        raise ValueProblem(t("edit.text_empty"))
    if field == "credit_code":
        if plain in NONE_WORDS:
            return None
        try:
            return validate_credit_code(plain)
        except CreditCodeError as exc:
            raise ValueProblem(str(exc)) from None
    if field == "industry":
        return _one_of(plain, ctx.cfg.industries, "industry")
    if field == "source":
        return _one_of(plain, ctx.cfg.sources, "source")
    if field == "flags":
        return _flags(plain)
    if field == "name":
        name = ctx.typed(plain)
        if len(name) > rules.NAME_MAX:
            raise ValueProblem(t("refusal.name_too_long", length=len(name), limit=rules.NAME_MAX))
        return name
    if field in ("contact", "responsible_person"):
        if plain in NONE_WORDS:
            return None
        value = ctx.typed(plain)
        if len(value) > rules.CONTACT_MAX:
            raise ValueProblem(t("refusal.contact_too_long", limit=rules.CONTACT_MAX))
        return value
    raise ValueProblem(t("edit.unknown_field", text=field, fields=fields_text()))


def _one_of(text: str, options: tuple[str, ...], what: str) -> str:
    if text in options:
        return text
    hits = match_options(text, options)
    if len(hits) == 1:
        return hits[0]
    listed = "、".join(hits or options)
    if hits:
        raise ValueProblem(t("edit.several_industries", text=text, options=listed))
    raise ValueProblem(t(f"edit.unknown_{what}", text=text, options=listed))


def _flags(text: str) -> list[str]:
    if text in NONE_WORDS:
        return []
    chosen: set[str] = set()
    for word in re.split(r"[\s,，、;；]+", text):
        if not word:
            continue
        hit = next((f for f in FLAGS if word == t(f"flag.{f}") or (len(word) >= 2 and word in t(f"flag.{f}"))), None)
        if hit is None:
            raise ValueProblem(t("edit.unknown_flag", text=word, options=flag_options()))
        chosen.add(hit)
    return sorted(chosen)


def flag_options() -> str:
    return "、".join(t(f"flag.{f}") for f in FLAGS)


def fields_text() -> str:
    return "、".join(field_label(f) for f in FIELDS)
