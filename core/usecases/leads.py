"""Log a lead 线索登记, under the sharing rules: 宣城's rule first, then a claim when it duplicates another."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from core import events as ev
from core.errors import Refusal
from core.org import FLAGS
from core.ports import UnitOfWork
from core.projects import CONTACT_MAX, INDUSTRY_OTHER_MAX, check_amount, check_name, require_write
from core.records import Member, Project
from core.sharing import CITY_LEVEL_REGISTRANTS, Claim, holds_against_city_units
from core.stages import Stage
from core.usecases.lookups import append, org_config, reread, unit_name
from core.usecases.sharing import open_claim


@dataclass(frozen=True)
class LeadDraft(ev.LeadFields):
    """Everything a lead can be logged with (the event's fields, plus the stage it starts at); parsing and
    asking happen before this."""

    stage: Stage = Stage.LEAD


@dataclass(frozen=True)
class LogLead:
    draft: LeadDraft
    duplicate_of: int | None = None   # a suspected duplicate is recorded as such, never merged
    imported: dict[str, Any] | None = None   # the sheet row it came from (bot/importer), else None


async def log_lead(uow: UnitOfWork, actor: Member, cmd: LogLead) -> Project:
    """Record a new lead. A suspected duplicate is recorded as such, never merged."""
    draft = cmd.draft
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
    if draft.industry_other is not None and (draft.industry is not None or not draft.industry_other.strip()
                                             or len(draft.industry_other) > INDUSTRY_OTHER_MAX):
        raise Refusal("industry_other_bad", limit=INDUSTRY_OTHER_MAX)
        if draft.category is not None and cfg.category(draft.category) is None:
            raise Refusal("unknown_category", category=draft.category)
        if draft.responsible_unit is not None and not cfg.has_unit(draft.responsible_unit):
            raise Refusal("unknown_unit", unit=draft.responsible_unit)
    unknown_flags = set(draft.flags) - set(FLAGS)
    if unknown_flags:
        raise Refusal("unknown_flag", flag=sorted(unknown_flags)[0])
    if draft.stage not in (Stage.LEAD, Stage.NEGOTIATING):
        raise Refusal("new_lead_stage")
    given = {f.name: getattr(draft, f.name) for f in fields(ev.LeadFields)}
    payload = ev.LeadLogged(**{
        **given, "name": draft.name.strip(), "flags": tuple(sorted(draft.flags)),
        "responsible_unit": draft.responsible_unit or draft.owner_unit,
        "responsible_person": draft.responsible_person or actor.name,
    }, stage=draft.stage.value, duplicate_of=cmd.duplicate_of, imported=cmd.imported)
    e = await append(uow, payload, actor=actor.id, unit=actor.unit, new_project=True)
    return await reread(uow, e.project_id or e.seq)


async def holder_of(uow: UnitOfWork, actor: Member, candidates: list[Project]) -> Project | None:
    """The project that bars `actor`'s unit from registering the company again, if any (宣城's rule)."""
    cfg = await org_config(uow)
    if not cfg.has_unit(actor.unit) or cfg.unit(actor.unit).kind not in CITY_LEVEL_REGISTRANTS:
        return None
    return next((p for p in candidates if holds_against_city_units(cfg, p) is not None), None)


async def same_company(uow: UnitOfWork, normalized: str, credit_code: str | None) -> list[Project]:
    """Entries that are certainly the same company: the same credit code or the same normalised name."""
    found = {p.id: p for p in await uow.projects.by_normalized_name(normalized)}
    if credit_code:
        found.update({p.id: p for p in await uow.projects.by_credit_code(credit_code)})
    return [found[k] for k in sorted(found)]


async def register_lead(uow: UnitOfWork, actor: Member, cmd: LogLead) -> tuple[Project, Claim | None]:
    """Log a lead under the sharing rules: 宣城's rule first, then a claim when it duplicates another entry."""
    cfg = await org_config(uow)
    draft = cmd.draft
    holder = await holder_of(uow, actor, await same_company(uow, draft.normalized_name, draft.credit_code))
    if holder is not None:
        raise Refusal("lead_held_by_county", name=holder.name, project_id=holder.id,
                      unit=unit_name(cfg, holds_against_city_units(cfg, holder) or holder.responsible_unit),
                      stage=holder.stage)
    project = await log_lead(uow, actor, cmd)
    if cmd.duplicate_of is None:
        return project, None
    other = await uow.projects.get(cmd.duplicate_of)
    if other is None:
        return project, None
    return project, await open_claim(uow, actor, project, other)
