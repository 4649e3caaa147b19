"""Log leads and move projects along: stage, funds in place, notes, problems, corrections."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core import events as ev
from core.errors import Refusal
from core.org import FLAGS
from core.ports import UnitOfWork
from core.records import Member, Project
from core.roles import Role, may_write_for
from core.stages import Stage, can_move, is_live, rank


# 10万亿元: far above any real project, far below what a 64-bit column (and a sum of many) holds.
MAX_WAN = 1_000_000_000


# What the projects table holds (name and normalised name: 200; contact: 200); real names are far shorter.
NAME_MAX = 100
CONTACT_MAX = 200


def check_name(name: str) -> None:
    if len(name.strip()) > NAME_MAX:
        raise Refusal("name_too_long", length=len(name.strip()), limit=NAME_MAX)


def check_amount(wan: int | None) -> None:
    """An amount too large to be real (99999999999999亿 typed) is refused before anything is written."""
    if wan is not None and wan > MAX_WAN:
        raise Refusal("amount_too_large", max=MAX_WAN)


@dataclass(frozen=True)
class LeadDraft:
    """Everything a lead can be logged with; parsing and asking happen before this."""

    name: str
    normalized_name: str
    owner_unit: str
    credit_code: str | None = None
    industry: str | None = None
    intended_wan: int | None = None
    foreign_wan: int | None = None
    foreign_currency: str | None = None
    source: str | None = None
    contact: str | None = None
    content: str | None = None
    category: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)
    responsible_unit: str | None = None
    responsible_person: str | None = None
    leader_member_id: int | None = None
    stage: Stage = Stage.LEAD


def require_write(actor: Member, unit: str) -> None:
    if not actor.active or not may_write_for(actor.role, actor.unit, unit):
        raise Refusal("not_your_unit", unit=unit)


def can_see_contact(actor: Member, project: Project) -> bool:
    """Contacts stay with the owner unit, the responsible unit (after a transfer) and the office."""
    return actor.role is Role.OFFICE_ADMIN or actor.unit in (project.owner_unit, project.responsible_unit)


async def log_lead(uow: UnitOfWork, actor: Member, draft: LeadDraft, *, duplicate_of: int | None = None) -> Project:
    """Record a new lead. A suspected duplicate is recorded as such, never merged."""
    require_write(actor, draft.owner_unit)
    cfg = await uow.org.config()
    if not draft.name.strip():
        raise Refusal("name_missing")
    check_name(draft.name)
    if draft.contact is not None and len(draft.contact) > CONTACT_MAX:
        raise Refusal("contact_too_long", limit=CONTACT_MAX)
    for amount in (draft.intended_wan, draft.foreign_wan):
        if amount is not None and amount < 0:
            raise Refusal("amount_negative")
        check_amount(amount)
    if cfg is not None:
        if draft.industry is not None and draft.industry not in cfg.industries:
            raise Refusal("unknown_industry", industry=draft.industry)
        if draft.category is not None and cfg.category(draft.category) is None:
            raise Refusal("unknown_category", category=draft.category)
        if draft.responsible_unit is not None and not cfg.has_unit(draft.responsible_unit):
            raise Refusal("unknown_unit", unit=draft.responsible_unit)
    unknown_flags = set(draft.flags) - set(FLAGS)
    if unknown_flags:
        raise Refusal("unknown_flag", flag=sorted(unknown_flags)[0])
    if draft.stage not in (Stage.LEAD, Stage.NEGOTIATING):
        raise Refusal("new_lead_stage")
    payload: dict[str, Any] = {
        "name": draft.name.strip(), "normalized_name": draft.normalized_name, "credit_code": draft.credit_code,
        "industry": draft.industry, "intended_wan": draft.intended_wan, "foreign_wan": draft.foreign_wan,
        "foreign_currency": draft.foreign_currency, "source": draft.source, "contact": draft.contact,
        "content": draft.content, "category": draft.category, "flags": sorted(draft.flags),
        "owner_unit": draft.owner_unit, "responsible_unit": draft.responsible_unit or draft.owner_unit,
        "responsible_person": draft.responsible_person or actor.name, "leader_member_id": draft.leader_member_id,
        "stage": draft.stage.value, "duplicate_of": duplicate_of,
    }
    e = await uow.record(ev.LEAD_LOGGED, payload, actor=actor.id, unit=actor.unit, new_project=True)
    project = await uow.projects.get(e.project_id or e.seq)
    assert project is not None
    return project


async def _writable(uow: UnitOfWork, actor: Member, project_id: int) -> Project:
    project = await uow.projects.get(project_id)
    if project is None:
        raise Refusal("project_unknown", project_id=project_id)
    require_write(actor, project.responsible_unit)
    return project


async def change_stage(uow: UnitOfWork, actor: Member, project_id: int, to: Stage, *,
                       contract_wan: int | None = None, reason: str | None = None) -> Project:
    """Forward moves only; 终止 needs a reason; reaching 签约 needs the contract amount."""
    project = await _writable(uow, actor, project_id)
    if not can_move(project.stage, to):
        raise Refusal("stage_backwards" if is_live(project.stage) else "stage_terminated",
                      current=project.stage, target=to)
    if to is Stage.TERMINATED and not (reason and reason.strip()):
        raise Refusal("terminate_needs_reason")
    if contract_wan is not None and contract_wan <= 0:
        raise Refusal("amount_not_positive")
    check_amount(contract_wan)
    if to is not Stage.TERMINATED and rank(to) >= rank(Stage.SIGNED) and project.contract_wan is None \
            and contract_wan is None:
        raise Refusal("contract_required")
    payload = {"from": project.stage.value, "to": to.value, "contract_wan": contract_wan,
               "reason": reason.strip() if reason else None}
    await uow.record(ev.STAGE_CHANGED, payload, actor=actor.id, unit=actor.unit, project_id=project.id)
    return await uow.projects.get(project.id)  # type: ignore[return-value]


async def add_funds(uow: UnitOfWork, actor: Member, project_id: int, amount_wan: int, *,
                    confirmed_over_contract: bool = False) -> Project:
    """An increment of funds in place; more than the contract amount only when confirmed."""
    project = await _writable(uow, actor, project_id)
    if amount_wan <= 0:
        raise Refusal("amount_not_positive")
    check_amount(amount_wan)
    if not is_live(project.stage):
        raise Refusal("stage_terminated", current=project.stage, target=project.stage)
    if rank(project.stage) < rank(Stage.SIGNED):
        raise Refusal("funds_before_signing", current=project.stage)
    total = project.funds_wan + amount_wan
    if project.contract_wan is not None and total > project.contract_wan and not confirmed_over_contract:
        raise Refusal("funds_over_contract", total=total, contract=project.contract_wan, amount=amount_wan)
    await uow.record(ev.FUNDS_ADDED, {"amount_wan": amount_wan, "total_wan": total}, actor=actor.id,
                     unit=actor.unit, project_id=project.id)
    return await uow.projects.get(project.id)  # type: ignore[return-value]


async def add_note(uow: UnitOfWork, actor: Member, project_id: int, text: str, *,
                   next_steps: str | None = None) -> None:
    project = await _writable(uow, actor, project_id)
    if not text.strip():
        raise Refusal("note_empty")
    await uow.record(ev.NOTE_ADDED, {"text": text.strip(), "next_steps": (next_steps or "").strip() or None},
                     actor=actor.id, unit=actor.unit, project_id=project.id)


async def raise_problem(uow: UnitOfWork, actor: Member, project_id: int, text: str, *,
                        needs_city: bool = True) -> int:
    project = await _writable(uow, actor, project_id)
    if not text.strip():
        raise Refusal("note_empty")
    e = await uow.record(ev.PROBLEM_RAISED, {"text": text.strip(), "needs_city": needs_city},
                         actor=actor.id, unit=actor.unit, project_id=project.id)
    return e.seq


async def resolve_problem(uow: UnitOfWork, actor: Member, project_id: int, problem_id: int,
                          resolution: str = "") -> None:
    project = await uow.projects.get(project_id)
    if project is None:
        raise Refusal("project_unknown", project_id=project_id)
    if actor.role is not Role.OFFICE_ADMIN:
        require_write(actor, project.responsible_unit)
    if problem_id not in {p.id for p in await uow.projects.open_problems(project_id)}:
        raise Refusal("problem_unknown")
    await uow.record(ev.PROBLEM_RESOLVED, {"problem_id": problem_id, "resolution": resolution.strip()},
                     actor=actor.id, unit=actor.unit, project_id=project_id)


async def correct_project(uow: UnitOfWork, actor: Member, project_id: int, changes: dict[str, Any]) -> Project:
    """A correction is a new event naming old and new values; the earlier events stay as they were."""
    project = await _writable(uow, actor, project_id)
    before = {k: getattr(project, k) if k != "flags" else sorted(project.flags) for k in changes}
    if "flags" in changes:
        changes = {**changes, "flags": sorted(changes["flags"])}
    await uow.record(ev.PROJECT_CORRECTED, {"changes": changes, "before": before}, actor=actor.id,
                     unit=actor.unit, project_id=project.id)
    return await uow.projects.get(project.id)  # type: ignore[return-value]
