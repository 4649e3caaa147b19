"""Understanding a one-line lead: `/lead 比亚迪股份有限公司 新能源汽车零部件 投资20亿 来源驻点`."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.social_credit_code import CreditCodeError, validate_credit_code
from core.org import OrgConfig
from handlers.matching import match_options
from handlers.parsing import Amount, AmountError, find_amount, normalize_input

_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
# A field's value ends at the next space or list separator: 来源:以商招商，联系人张三 is two fields.
_SOURCE = re.compile(r"来源[:：]?\s*([^\s,，;；、]+)")
_CONTACT = re.compile(r"联系人[:：]?\s*([^\s,，;；、]+)")
# Words that only introduce the amount (投资额约3.5亿): they go with it, not into the notes.
_LEAD_IN = re.compile(r"(?:意向投资额|意向投资|计划投资额|计划投资|总投资额|总投资|投资总额|投资额|投资)?"
                      r"(?:大约|约为|约|预计|达)?\s*$")
_SPLIT = re.compile(r"[\s,，;；、]+")


@dataclass
class ParsedLead:
    name: str | None = None
    credit_code: str | None = None
    credit_code_error: str | None = None
    industry: str | None = None
    industry_candidates: list[str] = field(default_factory=list)
    amount: Amount | None = None
    amount_error: str | None = None
    source: str | None = None
    contact: str | None = None
    rest: str | None = None


def parse_lead_line(text: str, cfg: OrgConfig) -> ParsedLead:
    """Take out what is recognisable (code, amount, source, contact, industry); the first word left is the name."""
    out = ParsedLead()
    line = normalize_input(text)

    code = _CODE.search(line.upper())
    # A long Latin word is not a credit code; real codes are mostly digits.
    if code and sum(ch.isdigit() for ch in code.group()) >= 6:
        raw = line[code.start():code.end()]
        line = line[:code.start()] + " " + line[code.end():]
        try:
            out.credit_code = validate_credit_code(raw)
        except CreditCodeError as exc:
            out.credit_code_error = str(exc)

    # find_amount's span is in normalised text; the code taken out above left a double space.
    line = normalize_input(line)
    try:
        found = find_amount(line, strict=True)
    except AmountError as exc:  # money-like but not exact (12.5万): ask again rather than guess
        found, out.amount_error = None, str(exc)
    if found:
        out.amount, (start, end) = found
        lead_in = _LEAD_IN.search(line[:start])
        line = line[:lead_in.start() if lead_in else start] + " " + line[end:]

    m = _SOURCE.search(line)
    if m:
        hits = match_options(m.group(1), cfg.sources, cutoff=70)
        out.source = hits[0] if len(hits) == 1 else None
        line = line[:m.start()] + " " + line[m.end():]

    m = _CONTACT.search(line)
    if m:
        out.contact = m.group(1)
        line = line[:m.start()] + " " + line[m.end():]
    phone = _PHONE.search(line)
    if phone:
        out.contact = f"{out.contact} {phone.group(1)}" if out.contact else phone.group(1)
        line = line[:phone.start()] + " " + line[phone.end():]

    words = [w for w in _SPLIT.split(line) if w and w not in ("投资", "投资额", "意向投资", "约")]
    if words:
        out.name = words.pop(0)
    rest: list[str] = []
    for word in words:
        if out.industry is None and not out.industry_candidates:
            hits = match_options(word, cfg.industries)
            if len(hits) == 1:
                out.industry = hits[0]
                continue
            if hits:
                out.industry_candidates = hits
                continue
        if out.source is None:
            hits = match_options(word, cfg.sources, cutoff=90)
            if len(hits) == 1:
                out.source = hits[0]
                continue
        rest.append(word)
    out.rest = " ".join(rest) or None
    return out


__all__ = ["ParsedLead", "parse_lead_line", "AmountError"]
