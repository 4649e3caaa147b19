"""Rules about a project that need no storage: sizes, amounts, who writes, what a correction may change.

The use cases (core/usecases/leads.py, projects.py) check these before they append; the
projectors apply exactly what the rules let through, so nothing recorded is silently dropped.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from core.errors import Refusal
from core.records import Member, Project
from core.roles import Role, may_write_for

# 10万亿元: far above any real project, far below what a 64-bit column (and a sum of many) holds.
MAX_WAN: Final = 1_000_000_000

# What the projects table holds (name and normalised name: 200; contact: 200); real names are far shorter.
NAME_MAX: Final = 100
CONTACT_MAX: Final = 200
INDUSTRY_OTHER_MAX: Final = 60  # a chain typed under 其他 (the industry column's width)

# Fields a correction may change; everything else moves only through its own event (stage, funds,
# transfers, claims), so a correction can never rewrite what those rules decided.
CORRECTABLE: Final = frozenset({
    "name", "normalized_name", "credit_code", "industry", "category", "source", "contact", "content",
    "next_steps", "intended_wan", "planned_wan", "foreign_wan", "foreign_currency", "responsible_person",
    "leader_member_id", "flags",
})

# Industry chains whose projects count as 工业项目 unless the officer says otherwise: the flag feeds
# the 工业项目到位资金 indicator of the rankings, so it is a rule of the office, not of a dialogue.
INDUSTRIAL_WORDS: Final = ("制造", "化工", "铝", "汽车", "建材", "医药", "食品", "装备", "航空", "电子", "材料")


def is_industrial(industry: str | None) -> bool:
    """Does an industry chain count as 工业 by default?"""
    return bool(industry) and any(w in (industry or "") for w in INDUSTRIAL_WORDS)


def default_flags(industry: str | None) -> list[str]:
    """The flags a new lead of this industry starts with."""
    return ["industrial"] if is_industrial(industry) else []


def check_name(name: str) -> None:
    if len(name.strip()) > NAME_MAX:
        raise Refusal("name_too_long", length=len(name.strip()), limit=NAME_MAX)


def check_amount(wan: int | None) -> None:
    """An amount too large to be real (99999999999999亿 typed) is refused before anything is written."""
    if wan is not None and wan > MAX_WAN:
        raise Refusal("amount_too_large", max=MAX_WAN)


def check_correctable(fields: set[str] | frozenset[str]) -> None:
    """Refuse a correction naming a field outside CORRECTABLE (the first one, in name order)."""
    outside = sorted(set(fields) - CORRECTABLE)
    if outside:
        raise Refusal("correction_field_not_allowed", field=outside[0])


def require_write(actor: Member, unit: str) -> None:
    if not actor.active or not may_write_for(actor.role, actor.unit, unit):
        raise Refusal("not_your_unit", unit=unit)


def can_see_contact(actor: Member, project: Project) -> bool:
    """Contacts stay with the owner unit, the responsible unit (after a transfer) and the office."""
    return actor.role is Role.OFFICE_ADMIN or actor.unit in (project.owner_unit, project.responsible_unit)


def require_live_entry(project: Project) -> None:
    """A voided project takes no new facts until the office restores it."""
    if project.voided_at is not None:
        raise Refusal("project_voided", project_id=project.id)


def check_on(on: datetime | None, now: datetime, project: Project, *, after: datetime | None,
             after_what: str = "stage") -> None:
    """A date a fact happened (`on`: the UTC instant its local day began) is not in the future, not before the lead
    was logged, and not before `after` (the previous stage, or the signing for funds) — compared by whole days."""
    if on is None:
        return
    if on > now:
        raise Refusal("date_in_future")
    day_end = on + timedelta(days=1)
    if day_end <= project.created_at:
        raise Refusal("date_before_lead")
    if after is not None and day_end <= after:
        raise Refusal(f"date_before_{after_what}")


def require_void_right(actor: Member, project: Project) -> None:
    """Voiding follows the write rules for the unit that entered the lead (首报单位: its members and head) or the
    office; a unit the project was transferred to did not enter it, so cannot declare the entry a mistake."""
    if not actor.active or not may_write_for(actor.role, actor.unit, project.owner_unit):
        raise Refusal("not_owner_unit", unit=project.owner_unit)
