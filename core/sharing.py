"""The shared lead ledger (seed 003): interest, routing 客商分流, transfer 项目流转, credit 成果共享, claims.

Every step is a ledger event carrying the project id; the rules are checked before anything is
written. Credit sharing is recorded as a snapshot of the org file's rule when a transfer is
accepted, so a later change of the rule never rewrites the past (seed 004's 50% 扣减).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from core.errors import Refusal
from core.org import OrgConfig
from core.records import Member, Project
from core.roles import COUNTY_KINDS, Role, UnitKind
from core.stages import Stage, is_live, rank

if TYPE_CHECKING:
    from core.ports import UnitOfWork
    from core.usecases.projects import LeadDraft

# -- event types ----------------------------------------------------------------------------
INTEREST_MARKED: Final = "share.interest_marked"
ROUTED: Final = "share.routed"              # a routing is also a transfer proposal (kind "route")
TRANSFER_PROPOSED: Final = "transfer.proposed"
TRANSFER_ACCEPTED: Final = "transfer.accepted"
TRANSFER_REFUSED: Final = "transfer.refused"
TRANSFER_WITHDRAWN: Final = "transfer.withdrawn"
SUPPORTING_JOINED: Final = "share.supporting_joined"
CLAIM_OPENED: Final = "claim.opened"
CLAIM_RESOLVED: Final = "claim.resolved"

ALL: Final = frozenset({INTEREST_MARKED, ROUTED, TRANSFER_PROPOSED, TRANSFER_ACCEPTED, TRANSFER_REFUSED,
                        TRANSFER_WITHDRAWN, SUPPORTING_JOINED, CLAIM_OPENED, CLAIM_RESOLVED})

PENDING, ACCEPTED, REFUSED, WITHDRAWN = "pending", "accepted", "refused", "withdrawn"
OPEN, RESOLVED = "open", "resolved"

# Units that work projects and can therefore receive one.
RECEIVER_KINDS = frozenset({UnitKind.DISTRICT, UnitKind.ZONE, UnitKind.DEPARTMENT, UnitKind.RESIDENT_OFFICE})
# 宣城's rule: these may not register a company a district or zone already has 在谈 or beyond.
CITY_LEVEL_REGISTRANTS = frozenset({UnitKind.DEPARTMENT, UnitKind.RESIDENT_OFFICE})
HELD_FROM = Stage.NEGOTIATING
# Pending transfers: the receiver's head is reminded, then the office is told (working days).
REMIND_HEAD_AFTER = 2
REMIND_OFFICE_AFTER = 5
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_SCAN_DAYS = 400


# -- records read back from storage ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Transfer:
    id: int                      # the seq of the proposing (or routing) event
    project_id: int
    kind: str                    # "transfer" | "route"
    from_unit: str
    to_unit: str
    owner_unit: str
    reason: str
    proposed_by: int | None
    proposed_at: datetime
    status: str
    decided_by: int | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CreditSnapshot:
    """The credit split recorded at acceptance: pct of the project's funds for each unit."""

    project_id: int
    source_seq: int              # the accepted transfer, or the claim decision that changed the owner
    owner_unit: str
    host_unit: str
    rule_code: str | None
    rule_name: str | None
    owner_pct: int
    host_pct: int
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Claim:
    id: int                      # the seq of claim.opened
    project_id: int              # the entry registered second
    other_project_id: int        # the entry it duplicates
    reason: str                  # "code" | "name" | "similar"
    status: str
    opened_at: datetime
    opened_by: int | None
    first_contact_unit: str | None = None
    first_contact_project_id: int | None = None
    decided_by: int | None = None
    decided_at: datetime | None = None
    note: str | None = None
    resolved_seq: int | None = None


@dataclass(frozen=True, slots=True)
class Interest:
    project_id: int
    unit: str
    member_id: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Suggestion:
    unit: str
    industry_match: bool
    landed: int                  # similar projects (same industry chain) signed or beyond there


# -- pure rules -----------------------------------------------------------------------------
def credit_split(cfg: OrgConfig, owner_unit: str, host_unit: str) -> dict[str, Any]:
    """The snapshot recorded at acceptance. No rule for the pair: the host carries it fully."""
    owner = cfg.unit(owner_unit) if cfg.has_unit(owner_unit) else None
    host = cfg.unit(host_unit) if cfg.has_unit(host_unit) else None
    if owner_unit == host_unit:
        return {"rule_code": None, "rule_name": None, "owner_unit": owner_unit, "host_unit": host_unit,
                "owner_pct": 100, "host_pct": 0}
    rule = cfg.credit_rule_for(owner, host) if owner is not None and host is not None else None
    if rule is None:
        return {"rule_code": None, "rule_name": None, "owner_unit": owner_unit, "host_unit": host_unit,
                "owner_pct": 0, "host_pct": 100}
    return {"rule_code": rule.code, "rule_name": rule.name, "owner_unit": owner_unit, "host_unit": host_unit,
            "owner_pct": rule.owner_pct, "host_pct": rule.host_pct}


def rank_suggestions(cfg: OrgConfig, project: Project, landed: dict[str, int], *, limit: int = 4) -> list[Suggestion]:
    """Districts and zones whose industry orientation fits, then where similar projects landed."""
    out = []
    for order, unit in enumerate(cfg.units):
        if unit.kind not in COUNTY_KINDS or unit.code == project.responsible_unit:
            continue
        match = project.industry is not None and project.industry in unit.industries
        count = landed.get(unit.code, 0)
        if match or count:
            out.append((not match, -count, order, Suggestion(unit.code, match, count)))
    return [s for *_, s in sorted(out, key=lambda x: x[:3])][:limit]


def holds_against_city_units(cfg: OrgConfig, project: Project) -> str | None:
    """The district or zone that holds this project 在谈 or beyond (宣城's rule), if any."""
    if not is_live(project.stage) or rank(project.stage) < rank(HELD_FROM):
        return None
    for code in (project.responsible_unit, project.owner_unit):
        if cfg.has_unit(code) and cfg.unit(code).kind in COUNTY_KINDS:
            return code
    return None


def workdays_later(start: datetime, n: int, is_workday: Callable[[date], bool], tz: ZoneInfo = SHANGHAI) -> datetime:
    """The same local time of day on the n-th working day after `start`'s local date (UTC)."""
    local = start.astimezone(tz)
    day, counted = local.date(), 0
    for _ in range(MAX_SCAN_DAYS):  # a calendar with no working days must not hang the ticker
        if counted >= n:
            break
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    at = datetime(day.year, day.month, day.day, local.hour, local.minute, local.second, local.microsecond,
                  tzinfo=tz)
    return at.astimezone(timezone.utc)


def transfer_escalations(proposed_at: datetime, now: datetime, is_workday: Callable[[date], bool],
                         tz: ZoneInfo = SHANGHAI) -> list[tuple[str, datetime]]:
    """Which reminders a still-pending transfer is due: ("head", at) after 2 working days, ("office", at) after 5."""
    due = []
    for level, days in (("head", REMIND_HEAD_AFTER), ("office", REMIND_OFFICE_AFTER)):
        at = workdays_later(proposed_at, days, is_workday, tz)
        if at <= now:
            due.append((level, at))
    return due


# -- helpers --------------------------------------------------------------------------------
async def _cfg(uow: UnitOfWork) -> OrgConfig:
    cfg = await uow.org.config()
    if cfg is None:
        raise Refusal("unknown_unit", unit="—")
    return cfg


def _name(cfg: OrgConfig, code: str) -> str:
    return cfg.unit(code).name if cfg.has_unit(code) else code


async def _project(uow: UnitOfWork, project_id: int) -> Project:
    project = await uow.projects.get(project_id)
    if project is None:
        raise Refusal("project_unknown", project_id=project_id)
    return project


def _is_office(actor: Member) -> bool:
    return actor.active and actor.role is Role.OFFICE_ADMIN


def works_projects(cfg: OrgConfig, unit: str) -> bool:
    """Districts, zones, departments and resident offices work projects; leaders and the office do not."""
    return cfg.has_unit(unit) and cfg.unit(unit).kind in RECEIVER_KINDS


async def _transfer(uow: UnitOfWork, transfer_id: int) -> Transfer:
    transfer = await uow.sharing.transfer(transfer_id)
    if transfer is None:
        raise Refusal("transfer_unknown", transfer_id=transfer_id)
    return transfer


def _require_pending(cfg: OrgConfig, transfer: Transfer) -> None:
    if transfer.status == PENDING:
        return
    code = {ACCEPTED: "transfer_already_accepted", REFUSED: "transfer_already_refused",
            WITHDRAWN: "transfer_already_withdrawn"}[transfer.status]
    raise Refusal(code, unit=_name(cfg, transfer.to_unit))


# -- interest -------------------------------------------------------------------------------
async def mark_interest(uow: UnitOfWork, actor: Member, project_id: int) -> None:
    """A unit says it would like to work this lead with its owner (the pool's [关注])."""
    cfg = await _cfg(uow)
    project = await _project(uow, project_id)
    if not actor.active or not works_projects(cfg, actor.unit):
        raise Refusal("sharing_not_a_working_unit")
    if actor.unit in (project.owner_unit, project.responsible_unit):
        raise Refusal("interest_own_project", name=project.name)
    if not is_live(project.stage):
        raise Refusal("interest_terminated", name=project.name)
    if await uow.sharing.has_interest(project_id, actor.unit):
        raise Refusal("interest_already", name=project.name)
    await uow.record(INTEREST_MARKED, {"unit": actor.unit}, actor=actor.id, unit=actor.unit, project_id=project_id)


# -- routing and transfers ------------------------------------------------------------------
async def suggest_units(uow: UnitOfWork, project: Project, *, limit: int = 4) -> list[Suggestion]:
    cfg = await _cfg(uow)
    landed = await uow.sharing.landed_by_unit(project.industry, exclude=project.id) if project.industry else {}
    return rank_suggestions(cfg, project, landed, limit=limit)


async def _check_proposal(uow: UnitOfWork, cfg: OrgConfig, project: Project, to_unit: str, reason: str) -> None:
    if not is_live(project.stage):
        raise Refusal("transfer_terminated", name=project.name)
    if not cfg.has_unit(to_unit):
        raise Refusal("unknown_unit", unit=to_unit)
    if to_unit == project.responsible_unit:
        raise Refusal("transfer_to_self", unit=_name(cfg, to_unit))
    if cfg.unit(to_unit).kind not in RECEIVER_KINDS:
        raise Refusal("transfer_bad_receiver", unit=_name(cfg, to_unit))
    pending = await uow.sharing.pending_transfer(project.id)
    if pending is not None:
        raise Refusal("transfer_pending_exists", name=project.name, unit=_name(cfg, pending.to_unit))
    if not reason.strip():
        raise Refusal("transfer_needs_reason")


async def propose_transfer(uow: UnitOfWork, actor: Member, project_id: int, to_unit: str, reason: str) -> Transfer:
    """The owner or responsible unit (or the office) asks another unit to take the project over."""
    cfg = await _cfg(uow)
    project = await _project(uow, project_id)
    if not _is_office(actor) and (not actor.active or actor.unit not in (project.owner_unit, project.responsible_unit)):
        raise Refusal("transfer_not_yours", name=project.name)
    await _check_proposal(uow, cfg, project, to_unit, reason)
    payload = {"from_unit": project.responsible_unit, "to_unit": to_unit, "owner_unit": project.owner_unit,
               "reason": reason.strip()[:500]}
    e = await uow.record(TRANSFER_PROPOSED, payload, actor=actor.id, unit=actor.unit, project_id=project.id)
    return await _transfer(uow, e.seq)


async def route_investor(uow: UnitOfWork, actor: Member, project_id: int, to_unit: str, reason: str) -> Transfer:
    """客商分流: the office or the owner unit sends an investor to the unit that fits; it must accept."""
    cfg = await _cfg(uow)
    project = await _project(uow, project_id)
    if not _is_office(actor) and (not actor.active or actor.unit != project.owner_unit):
        raise Refusal("route_not_yours", name=project.name)
    await _check_proposal(uow, cfg, project, to_unit, reason)
    suggested = [s.unit for s in await suggest_units(uow, project)]
    payload = {"from_unit": project.responsible_unit, "to_unit": to_unit, "owner_unit": project.owner_unit,
               "reason": reason.strip()[:500], "suggested": suggested}
    e = await uow.record(ROUTED, payload, actor=actor.id, unit=actor.unit, project_id=project.id)
    return await _transfer(uow, e.seq)


async def require_decider(uow: UnitOfWork, actor: Member, transfer_id: int) -> Transfer:
    """Only the receiving unit's head, or the office, decides on a pending transfer."""
    cfg = await _cfg(uow)
    transfer = await _transfer(uow, transfer_id)
    if not _is_office(actor) and not (actor.active and actor.role is Role.UNIT_HEAD and actor.unit == transfer.to_unit):
        raise Refusal("transfer_not_receiver_head", unit=_name(cfg, transfer.to_unit))
    _require_pending(cfg, transfer)
    return transfer


async def accept_transfer(uow: UnitOfWork, actor: Member, transfer_id: int) -> Transfer:
    """Responsibility moves, contact opens to the receiver, the owner keeps its 首谈 credit; the rule is frozen."""
    cfg = await _cfg(uow)
    transfer = await require_decider(uow, actor, transfer_id)
    project = await _project(uow, transfer.project_id)
    if not is_live(project.stage):
        raise Refusal("transfer_terminated", name=project.name)
    if project.responsible_unit != transfer.from_unit:
        raise Refusal("transfer_stale", name=project.name)
    payload = {"transfer_id": transfer.id, "kind": transfer.kind, "from_unit": transfer.from_unit,
               "to_unit": transfer.to_unit, "owner_unit": project.owner_unit,
               "responsible_person": actor.name if actor.unit == transfer.to_unit else None,
               "credit": credit_split(cfg, project.owner_unit, transfer.to_unit)}
    await uow.record(TRANSFER_ACCEPTED, payload, actor=actor.id, unit=actor.unit, project_id=project.id)
    return await _transfer(uow, transfer.id)


async def refuse_transfer(uow: UnitOfWork, actor: Member, transfer_id: int, reason: str) -> Transfer:
    """The receiver declines, saying why; the owner is told."""
    transfer = await require_decider(uow, actor, transfer_id)
    if not reason.strip():
        raise Refusal("transfer_refusal_needs_reason")
    payload = {"transfer_id": transfer.id, "from_unit": transfer.from_unit, "to_unit": transfer.to_unit,
               "reason": reason.strip()[:500]}
    await uow.record(TRANSFER_REFUSED, payload, actor=actor.id, unit=actor.unit, project_id=transfer.project_id)
    return await _transfer(uow, transfer.id)


async def withdraw_transfer(uow: UnitOfWork, actor: Member, transfer_id: int) -> Transfer:
    """The proposing side takes a pending transfer back."""
    cfg = await _cfg(uow)
    transfer = await _transfer(uow, transfer_id)
    proposing_side = (transfer.from_unit, transfer.owner_unit)
    mine = actor.active and (actor.id == transfer.proposed_by or actor.unit in proposing_side)
    if not _is_office(actor) and not mine:
        raise Refusal("transfer_withdraw_not_yours", unit=_name(cfg, transfer.to_unit))
    _require_pending(cfg, transfer)
    payload = {"transfer_id": transfer.id, "from_unit": transfer.from_unit, "to_unit": transfer.to_unit}
    await uow.record(TRANSFER_WITHDRAWN, payload, actor=actor.id, unit=actor.unit, project_id=transfer.project_id)
    return await _transfer(uow, transfer.id)


# -- registration: 宣城's rule, supporting units, duplicate claims --------------------------
async def holder_of(uow: UnitOfWork, actor: Member, candidates: list[Project]) -> Project | None:
    """The project that bars `actor`'s unit from registering the company again, if any (宣城's rule)."""
    cfg = await _cfg(uow)
    if not cfg.has_unit(actor.unit) or cfg.unit(actor.unit).kind not in CITY_LEVEL_REGISTRANTS:
        return None
    return next((p for p in candidates if holds_against_city_units(cfg, p) is not None), None)


async def same_company(uow: UnitOfWork, normalized: str, credit_code: str | None) -> list[Project]:
    """Entries that are certainly the same company: the same credit code or the same normalised name."""
    found = {p.id: p for p in await uow.projects.by_normalized_name(normalized)}
    if credit_code:
        found.update({p.id: p for p in await uow.projects.by_credit_code(credit_code)})
    return [found[k] for k in sorted(found)]


async def join_as_supporting(uow: UnitOfWork, actor: Member, project_id: int) -> None:
    """Instead of a second entry, the unit joins the holder's project as a supporting unit 协助单位."""
    cfg = await _cfg(uow)
    project = await _project(uow, project_id)
    if not actor.active or not works_projects(cfg, actor.unit):
        raise Refusal("sharing_not_a_working_unit")
    if actor.unit in (project.owner_unit, project.responsible_unit):
        raise Refusal("supporting_own_project", name=project.name)
    if actor.unit in await uow.sharing.supporting_units(project_id):
        raise Refusal("supporting_already", name=project.name)
    if not is_live(project.stage):
        raise Refusal("interest_terminated", name=project.name)
    await uow.record(SUPPORTING_JOINED, {"unit": actor.unit, "holder_unit": project.responsible_unit},
                     actor=actor.id, unit=actor.unit, project_id=project_id)


async def register_lead(uow: UnitOfWork, actor: Member, draft: LeadDraft, *,
                        duplicate_of: int | None = None) -> tuple[Project, Claim | None]:
    """Log a lead under the sharing rules: 宣城's rule first, then a claim when it duplicates another entry."""
    from core.usecases.projects import log_lead

    cfg = await _cfg(uow)
    holder = await holder_of(uow, actor, await same_company(uow, draft.normalized_name, draft.credit_code))
    if holder is not None:
        raise Refusal("lead_held_by_county", name=holder.name, project_id=holder.id,
                      unit=_name(cfg, holds_against_city_units(cfg, holder) or holder.responsible_unit),
                      stage=holder.stage)
    project = await log_lead(uow, actor, draft, duplicate_of=duplicate_of)
    if duplicate_of is None:
        return project, None
    other = await uow.projects.get(duplicate_of)
    if other is None:
        return project, None
    return project, await open_claim(uow, actor, project, other)


async def open_claim(uow: UnitOfWork, actor: Member, project: Project, other: Project) -> Claim:
    """Two entries for one company: the office will decide who made first contact 首谈."""
    if project.credit_code and project.credit_code == other.credit_code:
        reason = "code"
    elif project.normalized_name == other.normalized_name:
        reason = "name"
    else:
        reason = "similar"
    payload = {"other_project_id": other.id, "new_unit": project.owner_unit, "other_unit": other.owner_unit,
               "reason": reason}
    e = await uow.record(CLAIM_OPENED, payload, actor=actor.id, unit=actor.unit, project_id=project.id)
    claim = await uow.sharing.claim(e.seq)
    assert claim is not None
    return claim


async def resolve_claim(uow: UnitOfWork, actor: Member, claim_id: int, first_contact_project_id: int,
                        note: str = "") -> Claim:
    """Office only. The entry registered first stays the one that counts; its owner (首谈单位)
    becomes the unit that made first contact, which is the registrant of the chosen entry."""
    cfg = await _cfg(uow)
    if not _is_office(actor):
        raise Refusal("claim_office_only")
    claim = await uow.sharing.claim(claim_id)
    if claim is None:
        raise Refusal("claim_unknown", claim_id=claim_id)
    if claim.status != OPEN:
        raise Refusal("claim_already_resolved", claim_id=claim_id,
                      unit=_name(cfg, claim.first_contact_unit or ""))
    if first_contact_project_id not in (claim.project_id, claim.other_project_id):
        raise Refusal("claim_bad_choice", claim_id=claim_id)
    first = await _project(uow, first_contact_project_id)
    kept = await _project(uow, claim.other_project_id)
    # A new owner means a new owner/host pair: its credit split is frozen now, by the rule in force.
    credit = credit_split(cfg, first.owner_unit, kept.responsible_unit) if first.owner_unit != kept.owner_unit \
        else None
    payload = {"claim_id": claim.id, "first_contact_project_id": first.id, "first_contact_unit": first.owner_unit,
               "kept_project_id": kept.id, "duplicate_project_id": claim.project_id,
               "owner_before": kept.owner_unit, "credit": credit, "note": note.strip()[:500]}
    e = await uow.record(CLAIM_RESOLVED, payload, actor=actor.id, unit=actor.unit, project_id=kept.id)
    resolved = await uow.sharing.claim(claim.id)
    assert resolved is not None and resolved.resolved_seq == e.seq
    return resolved


__all__ = [
    "ALL", "Claim", "CreditSnapshot", "Interest", "Suggestion", "Transfer", "accept_transfer", "credit_split",
    "holder_of", "join_as_supporting", "mark_interest", "open_claim", "propose_transfer", "rank_suggestions",
    "refuse_transfer", "register_lead", "require_decider", "resolve_claim", "route_investor", "same_company",
    "suggest_units", "transfer_escalations", "withdraw_transfer", "workdays_later", "works_projects",
]
