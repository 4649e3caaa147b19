"""Use cases of the shared lead ledger (seed 003): interest, routing 客商分流, transfer 项目流转, claims.

Every step is a ledger event carrying the project id; the rules (core/sharing.py) are checked
before anything is written. The credit split is frozen when a transfer is accepted, so a later
change of the org file's rule never rewrites the past (seed 004's 50% 扣减).
"""
from __future__ import annotations

from dataclasses import dataclass

from core import events as ev
from core.errors import Refusal
from core.org import OrgConfig
from core.ports import UnitOfWork
from core.records import Member, Project
from core.roles import Role
from core.sharing import (
    ACCEPTED,
    OPEN,
    PENDING,
    RECEIVER_KINDS,
    REFUSED,
    WITHDRAWN,
    Claim,
    Suggestion,
    Transfer,
    credit_split,
    rank_suggestions,
    works_projects,
)
from core.stages import is_live
from core.usecases.lookups import append, org_config, project, unit_name


@dataclass(frozen=True)
class MarkInterest:
    project_id: int


@dataclass(frozen=True)
class ProposeTransfer:
    project_id: int
    to_unit: str
    reason: str


@dataclass(frozen=True)
class RouteInvestor:
    project_id: int
    to_unit: str
    reason: str


@dataclass(frozen=True)
class AcceptTransfer:
    transfer_id: int


@dataclass(frozen=True)
class RefuseTransfer:
    transfer_id: int
    reason: str


@dataclass(frozen=True)
class WithdrawTransfer:
    transfer_id: int


@dataclass(frozen=True)
class JoinAsSupporting:
    project_id: int


@dataclass(frozen=True)
class ResolveClaim:
    claim_id: int
    first_contact_project_id: int
    note: str = ""


def _is_office(actor: Member) -> bool:
    return actor.active and actor.role is Role.OFFICE_ADMIN


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
    raise Refusal(code, unit=unit_name(cfg, transfer.to_unit))


# -- interest -------------------------------------------------------------------------------
async def mark_interest(uow: UnitOfWork, actor: Member, cmd: MarkInterest) -> None:
    """A unit says it would like to work this lead with its owner (the pool's [关注])."""
    cfg = await org_config(uow)
    found = await project(uow, cmd.project_id)
    if not actor.active or not works_projects(cfg, actor.unit):
        raise Refusal("sharing_not_a_working_unit")
    if actor.unit in (found.owner_unit, found.responsible_unit):
        raise Refusal("interest_own_project", name=found.name)
    if not is_live(found.stage):
        raise Refusal("interest_terminated", name=found.name)
    if await uow.sharing.has_interest(found.id, actor.unit):
        raise Refusal("interest_already", name=found.name)
    await append(uow, ev.InterestMarked(unit=actor.unit), actor=actor.id, unit=actor.unit, project_id=found.id)


# -- routing and transfers ------------------------------------------------------------------
async def suggest_units(uow: UnitOfWork, found: Project, *, limit: int = 4) -> list[Suggestion]:
    cfg = await org_config(uow)
    landed = await uow.sharing.landed_by_unit(found.industry, exclude=found.id) if found.industry else {}
    return rank_suggestions(cfg, found, landed, limit=limit)


async def _check_proposal(uow: UnitOfWork, cfg: OrgConfig, found: Project, to_unit: str, reason: str) -> None:
    if not is_live(found.stage):
        raise Refusal("transfer_terminated", name=found.name)
    if not cfg.has_unit(to_unit):
        raise Refusal("unknown_unit", unit=to_unit)
    if to_unit == found.responsible_unit:
        raise Refusal("transfer_to_self", unit=unit_name(cfg, to_unit))
    if cfg.unit(to_unit).kind not in RECEIVER_KINDS:
        raise Refusal("transfer_bad_receiver", unit=unit_name(cfg, to_unit))
    pending = await uow.sharing.pending_transfer(found.id)
    if pending is not None:
        raise Refusal("transfer_pending_exists", name=found.name, unit=unit_name(cfg, pending.to_unit))
    if not reason.strip():
        raise Refusal("transfer_needs_reason")


async def propose_transfer(uow: UnitOfWork, actor: Member, cmd: ProposeTransfer) -> Transfer:
    """The owner or responsible unit (or the office) asks another unit to take the project over."""
    cfg = await org_config(uow)
    found = await project(uow, cmd.project_id)
    if not _is_office(actor) and (not actor.active or actor.unit not in (found.owner_unit, found.responsible_unit)):
        raise Refusal("transfer_not_yours", name=found.name)
    await _check_proposal(uow, cfg, found, cmd.to_unit, cmd.reason)
    payload = ev.TransferProposed(from_unit=found.responsible_unit, to_unit=cmd.to_unit, owner_unit=found.owner_unit,
                                  reason=cmd.reason.strip()[:500])
    e = await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=found.id)
    return await _transfer(uow, e.seq)


async def route_investor(uow: UnitOfWork, actor: Member, cmd: RouteInvestor) -> Transfer:
    """客商分流: the office or the owner unit sends an investor to the unit that fits; it must accept."""
    cfg = await org_config(uow)
    found = await project(uow, cmd.project_id)
    if not _is_office(actor) and (not actor.active or actor.unit != found.owner_unit):
        raise Refusal("route_not_yours", name=found.name)
    await _check_proposal(uow, cfg, found, cmd.to_unit, cmd.reason)
    suggested = tuple(s.unit for s in await suggest_units(uow, found))
    payload = ev.Routed(from_unit=found.responsible_unit, to_unit=cmd.to_unit, owner_unit=found.owner_unit,
                        reason=cmd.reason.strip()[:500], suggested=suggested)
    e = await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=found.id)
    return await _transfer(uow, e.seq)


async def require_decider(uow: UnitOfWork, actor: Member, transfer_id: int) -> Transfer:
    """Only the receiving unit's head, or the office, decides on a pending transfer."""
    cfg = await org_config(uow)
    transfer = await _transfer(uow, transfer_id)
    if not _is_office(actor) and not (actor.active and actor.role is Role.UNIT_HEAD and actor.unit == transfer.to_unit):
        raise Refusal("transfer_not_receiver_head", unit=unit_name(cfg, transfer.to_unit))
    _require_pending(cfg, transfer)
    return transfer


async def accept_transfer(uow: UnitOfWork, actor: Member, cmd: AcceptTransfer) -> Transfer:
    """Responsibility moves, contact opens to the receiver, the owner keeps its 首谈 credit; the rule is frozen."""
    cfg = await org_config(uow)
    transfer = await require_decider(uow, actor, cmd.transfer_id)
    found = await project(uow, transfer.project_id)
    if not is_live(found.stage):
        raise Refusal("transfer_terminated", name=found.name)
    if found.responsible_unit != transfer.from_unit:
        raise Refusal("transfer_stale", name=found.name)
    payload = ev.TransferAccepted(
        transfer_id=transfer.id, kind=transfer.kind, from_unit=transfer.from_unit, to_unit=transfer.to_unit,
        owner_unit=found.owner_unit, responsible_person=actor.name if actor.unit == transfer.to_unit else None,
        credit=ev.CreditSplit.from_dict(credit_split(cfg, found.owner_unit, transfer.to_unit)))
    await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=found.id)
    return await _transfer(uow, transfer.id)


async def refuse_transfer(uow: UnitOfWork, actor: Member, cmd: RefuseTransfer) -> Transfer:
    """The receiver declines, saying why; the owner is told."""
    transfer = await require_decider(uow, actor, cmd.transfer_id)
    if not cmd.reason.strip():
        raise Refusal("transfer_refusal_needs_reason")
    payload = ev.TransferRefused(transfer_id=transfer.id, from_unit=transfer.from_unit, to_unit=transfer.to_unit,
                                 reason=cmd.reason.strip()[:500])
    await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=transfer.project_id)
    return await _transfer(uow, transfer.id)


async def withdraw_transfer(uow: UnitOfWork, actor: Member, cmd: WithdrawTransfer) -> Transfer:
    """The proposing side takes a pending transfer back."""
    cfg = await org_config(uow)
    transfer = await _transfer(uow, cmd.transfer_id)
    proposing_side = (transfer.from_unit, transfer.owner_unit)
    mine = actor.active and (actor.id == transfer.proposed_by or actor.unit in proposing_side)
    if not _is_office(actor) and not mine:
        raise Refusal("transfer_withdraw_not_yours", unit=unit_name(cfg, transfer.to_unit))
    _require_pending(cfg, transfer)
    payload = ev.TransferWithdrawn(transfer_id=transfer.id, from_unit=transfer.from_unit, to_unit=transfer.to_unit)
    await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=transfer.project_id)
    return await _transfer(uow, transfer.id)


# -- supporting units and duplicate claims ---------------------------------------------------
async def join_as_supporting(uow: UnitOfWork, actor: Member, cmd: JoinAsSupporting) -> None:
    """Instead of a second entry, the unit joins the holder's project as a supporting unit 协助单位."""
    cfg = await org_config(uow)
    found = await project(uow, cmd.project_id)
    if not actor.active or not works_projects(cfg, actor.unit):
        raise Refusal("sharing_not_a_working_unit")
    if actor.unit in (found.owner_unit, found.responsible_unit):
        raise Refusal("supporting_own_project", name=found.name)
    if actor.unit in await uow.sharing.supporting_units(found.id):
        raise Refusal("supporting_already", name=found.name)
    if not is_live(found.stage):
        raise Refusal("interest_terminated", name=found.name)
    await append(uow, ev.SupportingJoined(unit=actor.unit, holder_unit=found.responsible_unit),
                 actor=actor.id, unit=actor.unit, project_id=found.id)


async def open_claim(uow: UnitOfWork, actor: Member, new: Project, other: Project) -> Claim:
    """Two entries for one company: the office will decide who made first contact 首谈."""
    if new.credit_code and new.credit_code == other.credit_code:
        reason = "code"
    elif new.normalized_name == other.normalized_name:
        reason = "name"
    else:
        reason = "similar"
    payload = ev.ClaimOpened(other_project_id=other.id, new_unit=new.owner_unit, other_unit=other.owner_unit,
                             reason=reason)
    e = await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=new.id)
    claim = await uow.sharing.claim(e.seq)
    assert claim is not None
    return claim


async def resolve_claim(uow: UnitOfWork, actor: Member, cmd: ResolveClaim) -> Claim:
    """Office only. The entry registered first stays the one that counts; its owner (首谈单位)
    becomes the unit that made first contact, which is the registrant of the chosen entry."""
    cfg = await org_config(uow)
    if not _is_office(actor):
        raise Refusal("claim_office_only")
    claim = await uow.sharing.claim(cmd.claim_id)
    if claim is None:
        raise Refusal("claim_unknown", claim_id=cmd.claim_id)
    if claim.status != OPEN:
        raise Refusal("claim_already_resolved", claim_id=cmd.claim_id,
                      unit=unit_name(cfg, claim.first_contact_unit or ""))
    if cmd.first_contact_project_id not in (claim.project_id, claim.other_project_id):
        raise Refusal("claim_bad_choice", claim_id=cmd.claim_id)
    first = await project(uow, cmd.first_contact_project_id)
    kept = await project(uow, claim.other_project_id)
    # A new owner means a new owner/host pair: its credit split is frozen now, by the rule in force.
    credit = ev.CreditSplit.from_dict(credit_split(cfg, first.owner_unit, kept.responsible_unit)) \
        if first.owner_unit != kept.owner_unit else None
    payload = ev.ClaimResolved(
        claim_id=claim.id, first_contact_project_id=first.id, first_contact_unit=first.owner_unit,
        kept_project_id=kept.id, duplicate_project_id=claim.project_id, owner_before=kept.owner_unit,
        credit=credit, note=cmd.note.strip()[:500])
    e = await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=kept.id)
    resolved = await uow.sharing.claim(claim.id)
    assert resolved is not None and resolved.resolved_seq == e.seq
    return resolved
