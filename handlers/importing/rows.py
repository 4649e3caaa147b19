"""What one sheet row means: its cells read as the chat reads what people type, each problem named.

`read_row` returns a `RowData` (typed values ready for the use cases) or the row's problems (codes with
parameters, rendered by `texts/zh_CN/importing.py`). It knows nothing of the ledger: duplicates and
updates are decided against the ledger by `bot/importer/`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.money import CURRENCY_ZH
from core.names import display_company_name, normalize_company_name
from core.org import FLAGS, OrgConfig
from core.projects import NAME_MAX
from core.social_credit_code import CreditCodeError, validate_credit_code
from core.stages import Stage, rank
from handlers.importing.cells import CONFIRMED_WORDS, Problem, find_unit, read_amount, read_date, read_industry, read_stage, text_of
from handlers.importing.headers import HeaderMap

DATE_STAGE: dict[str, Stage] = {"signed_date": Stage.SIGNED, "landed_date": Stage.LANDED,
                                "started_date": Stage.STARTED, "producing_date": Stage.PRODUCING}
NOTE_FIELDS = ("progress", "note")


@dataclass(frozen=True)
class RowContext:
    cfg: OrgConfig
    today: date
    default_unit: str | None = None
    flag_names: dict[str, str] = field(default_factory=dict)   # flag code → its Chinese name
    contract_from_intended: bool = False                        # the sheet has no 签约额 column


@dataclass(frozen=True)
class RowData:
    number: int                       # the sheet's row number (1-based, as Excel shows it)
    name: str
    normalized_name: str
    owner_unit: str
    responsible_unit: str
    stage: Stage
    credit_code: str | None = None
    industry: str | None = None
    category: str | None = None
    source: str | None = None
    responsible_person: str | None = None
    contact: str | None = None
    content: str | None = None
    next_steps: str | None = None
    problem: str | None = None
    intended_wan: int | None = None
    contract_wan: int | None = None
    funds_wan: int = 0
    funds_confirmed: bool = False
    foreign_wan: int | None = None
    foreign_currency: str | None = None
    flags: frozenset[str] = frozenset()
    lead_date: date | None = None
    stage_dates: tuple[tuple[Stage, date], ...] = ()   # the dates the sheet gives, in stage order
    terminated_reason: str | None = None
    kept: tuple[str, ...] = ()        # unmapped columns as 表头：值, kept in the content


def read_row(number: int, values: list[Any], header: HeaderMap, ctx: RowContext) -> RowData | list[Problem]:
    """Every check the chat makes when a person types the same facts; all problems of the row at once."""
    cells: dict[str, Any] = {}
    kept: list[str] = []
    for col in header.columns:
        value = values[col.index] if col.index < len(values) else None
        if col.field in (None, "ignore"):
            if col.field is None and col.header and text_of(value):
                kept.append(f"{col.header}：{text_of(value)}")
            continue
        assert col.field is not None
        if text_of(value):
            cells[col.field] = value
    problems: list[Problem] = []
    out: dict[str, Any] = {}

    company = text_of(cells.get("company")) or text_of(cells.get("name"))
    name = display_company_name(company)
    if not name:
        problems.append(Problem("name_missing"))
    elif len(name) > NAME_MAX:
        problems.append(Problem("name_too_long", {"length": len(name), "limit": NAME_MAX}))
    notes: list[str] = []
    if text_of(cells.get("company")) and text_of(cells.get("name")):
        notes.append(f"项目名称：{text_of(cells['name'])}")

    if code := text_of(cells.get("credit_code")):
        try:
            out["credit_code"] = validate_credit_code(code)
        except CreditCodeError as exc:
            problems.append(Problem("credit_code", {"why": str(exc)}))

    unit_cols: dict[str, str | None] = {"owner_unit": None, "responsible_unit": None}
    for key in unit_cols:
        if raw := text_of(cells.get(key)):
            found = find_unit(ctx.cfg, raw)
            if found is None:
                problems.append(Problem("unit_unknown", {"unit": raw}))
            unit_cols[key] = found
    owner = unit_cols["owner_unit"] or ctx.default_unit or unit_cols["responsible_unit"]
    responsible = unit_cols["responsible_unit"] or owner
    if owner is None and not any(p.code == "unit_unknown" for p in problems):
        problems.append(Problem("unit_missing"))

    stage_text = text_of(cells.get("stage"))
    stage = read_stage(stage_text) if stage_text else None
    if stage_text and stage is None:
        problems.append(Problem("stage_unknown", {"value": stage_text}))
    progress = text_of(cells.get("progress"))
    if stage is None and not stage_text and progress:
        stage = read_stage(progress)

    money: dict[str, int] = {}
    for key in ("intended", "contract", "funds", "foreign"):
        if key not in cells:
            continue
        mcol = header.of(key)
        assert mcol is not None
        got = read_amount(cells[key], mcol.unit, mcol.header)
        if isinstance(got, Problem):
            problems.append(got)
            continue
        wan, currency = got
        if currency != "CNY" and key != "foreign":
            if "foreign" not in cells:
                money["foreign"], out["foreign_currency"] = wan, currency
            continue
        money[key] = wan
        if key == "foreign":
            out["foreign_currency"] = currency
    if cur := text_of(cells.get("foreign_currency")):
        codes = {v: k for k, v in CURRENCY_ZH.items()}
        out["foreign_currency"] = codes.get(cur, cur.upper() if cur.upper() in CURRENCY_ZH else None)
        if out["foreign_currency"] is None:
            problems.append(Problem("currency_unknown", {"value": cur}))
    confirmed = any(w in text_of(cells.get("funds")) + text_of(cells.get("note")) for w in CONFIRMED_WORDS)

    dates: dict[str, date] = {}
    for key in ("lead_date", *DATE_STAGE):
        if key in cells:
            dcol = header.of(key)
            assert dcol is not None
            got_date = read_date(cells[key], ctx.today, dcol.header)
            if isinstance(got_date, Problem):
                problems.append(got_date)
            else:
                dates[key] = got_date
    if stage is None:
        reached = [DATE_STAGE[k] for k in DATE_STAGE if k in dates]
        stage = max(reached, key=rank) if reached else (Stage.SIGNED if "contract" in money else Stage.LEAD)

    contract = money.get("contract")
    if contract is None and ctx.contract_from_intended and stage is not Stage.TERMINATED \
            and rank(stage) >= rank(Stage.SIGNED):
        contract = money.get("intended")
    live_stage = stage if stage is not Stage.TERMINATED else None
    if live_stage is not None and rank(live_stage) >= rank(Stage.SIGNED) and not contract:
        problems.append(Problem("contract_required", {"stage": stage}))
    funds = money.get("funds", 0)
    if funds and (stage is Stage.TERMINATED or rank(stage) < rank(Stage.SIGNED)):
        problems.append(Problem("funds_before_signing", {"stage": stage}))
    elif funds and contract and funds > contract and not confirmed:
        problems.append(Problem("funds_over_contract", {"funds": funds, "contract": contract}))
    stage_dates = sorted(((DATE_STAGE[k], d) for k, d in dates.items() if k in DATE_STAGE), key=lambda sd: rank(sd[0]))
    for (s1, d1), (s2, d2) in zip(stage_dates, stage_dates[1:]):
        if d2 < d1:
            problems.append(Problem("dates_out_of_order", {"first": s1, "first_date": d1, "second": s2,
                                                           "second_date": d2}))
    if "lead_date" in dates and stage_dates and stage_dates[0][1] < dates["lead_date"]:
        problems.append(Problem("dates_out_of_order", {"first": Stage.LEAD, "first_date": dates["lead_date"],
                                                       "second": stage_dates[0][0], "second_date": stage_dates[0][1]}))
    if live_stage is not None:
        beyond = [s for s, _ in stage_dates if rank(s) > rank(live_stage)]
        if beyond:
            problems.append(Problem("date_beyond_stage", {"stage": stage, "dated": beyond[0]}))

    industry_text = text_of(cells.get("industry"))
    if industry_text:
        out["industry"] = read_industry(ctx.cfg, industry_text)
        if out["industry"] is None:
            notes.append(f"产业：{industry_text}")
    if cat := text_of(cells.get("category")):
        found_cat = next((c.code for c in ctx.cfg.categories if cat in (c.code, c.name)), None)
        if found_cat is None:
            problems.append(Problem("category_unknown", {"value": cat}))
        out["category"] = found_cat
    flags: set[str] = set()
    if raw_flags := text_of(cells.get("flags")):
        by_name = {v: k for k, v in ctx.flag_names.items()}
        for word in re.split(r"[、,，;；/\s]+", raw_flags):
            if not word:
                continue
            flag = by_name.get(word, word if word in FLAGS else None)
            if flag is None:
                problems.append(Problem("flag_unknown", {"value": word}))
            else:
                flags.add(flag)
    if problems:
        return problems

    notes += [text_of(cells.get(k)) for k in NOTE_FIELDS if text_of(cells.get(k))]
    notes += kept
    assert owner is not None and responsible is not None and stage is not None
    return RowData(
        number=number, name=name, normalized_name=normalize_company_name(name), owner_unit=owner,
        responsible_unit=responsible, stage=stage, credit_code=out.get("credit_code"), industry=out.get("industry"),
        category=out.get("category"), source=text_of(cells.get("source")) or None,
        responsible_person=text_of(cells.get("responsible_person")) or None,
        contact=text_of(cells.get("contact")) or None, content="；".join(notes) or None,
        next_steps=text_of(cells.get("next_steps")) or None, problem=text_of(cells.get("problem")) or None,
        intended_wan=money.get("intended"), contract_wan=contract, funds_wan=funds, funds_confirmed=confirmed,
        foreign_wan=money.get("foreign"), foreign_currency=out.get("foreign_currency"), flags=frozenset(flags),
        lead_date=dates.get("lead_date"), stage_dates=tuple(stage_dates),
        terminated_reason=(progress or text_of(cells.get("note")) or stage_text or None)
        if stage is Stage.TERMINATED else None,
        kept=tuple(kept))
