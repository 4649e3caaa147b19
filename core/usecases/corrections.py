"""Fix what was entered wrongly: void a lead entered by mistake (and the office's undo), offset a wrong funds
entry, correct a signing's contract amount. Each is a new event naming what it corrects; nothing is rewritten."""
from __future__ import annotations

from dataclasses import dataclass

from core import events as ev
from core.errors import Refusal
from core.ports import UnitOfWork
from core.projects import check_amount, require_void_right
from core.records import Member, Project
from core.roles import Role
from core.usecases.lookups import append, project, reread, writable

REASON_MAX = 500


@dataclass(frozen=True)
class VoidProject:
    project_id: int
    reason: str


@dataclass(frozen=True)
class RestoreProject:
    project_id: int
    reason: str | None = None


@dataclass(frozen=True)
class CorrectFunds:
    project_id: int
    entry: int               # the seq of the funds entry that was wrong
    amount_wan: int          # what it should have been (0: it should not have been entered)
    reason: str


@dataclass(frozen=True)
class CorrectContract:
    project_id: int
    amount_wan: int          # the contract amount the signing should have recorded
    reason: str | None = None


def _reason(text: str | None, *, required: bool) -> str | None:
    reason = (text or "").strip()[:REASON_MAX] or None
    if required and reason is None:
        raise Refusal("correction_needs_reason")
    return reason


async def void_project(uow: UnitOfWork, actor: Member, cmd: VoidProject) -> Project:
    """Out of every list and figure from now on; the ledger keeps it and the office can restore it."""
    found = await project(uow, cmd.project_id)
    require_void_right(actor, found)
    if found.voided_at is not None:
        raise Refusal("already_voided", project_id=found.id)
    reason = _reason(cmd.reason, required=True)
    assert reason is not None
    await append(uow, ev.ProjectVoided(reason=reason), actor=actor.id, unit=actor.unit, project_id=found.id)
    return await reread(uow, found.id)


async def restore_project(uow: UnitOfWork, actor: Member, cmd: RestoreProject) -> Project:
    """The office's undo of a void: the project is back where it was."""
    if actor.role is not Role.OFFICE_ADMIN or not actor.active:
        raise Refusal("restore_office_only")
    found = await project(uow, cmd.project_id)
    if found.voided_at is None:
        raise Refusal("not_voided", project_id=found.id)
    voids = [e for e in await uow.projects.events(found.id) if e.type == ev.PROJECT_VOIDED]
    await append(uow, ev.ProjectRestored(voided=voids[-1].seq, reason=_reason(cmd.reason, required=False)),
                 actor=actor.id, unit=actor.unit, project_id=found.id)
    return await reread(uow, found.id)


async def correct_funds(uow: UnitOfWork, actor: Member, cmd: CorrectFunds) -> Project:
    """Offset one funds entry so it counts `amount_wan`: never a negative increment typed by hand."""
    found = await writable(uow, actor, cmd.project_id)
    entry = next((f for f in (await uow.projects.timeline(found.id)).funds if f.seq == cmd.entry), None)
    if entry is None:
        raise Refusal("funds_entry_unknown", project_id=found.id)
    if cmd.amount_wan < 0:
        raise Refusal("amount_negative")
    check_amount(cmd.amount_wan)
    offset = cmd.amount_wan - entry.amount_wan
    if offset == 0:
        raise Refusal("correction_unchanged")
    reason = _reason(cmd.reason, required=True)
    assert reason is not None
    payload = ev.FundsCorrected(entry=entry.seq, amount_wan=cmd.amount_wan, offset_wan=offset,
                                total_wan=found.funds_wan + offset, reason=reason)
    await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=found.id)
    return await reread(uow, found.id)


async def correct_contract(uow: UnitOfWork, actor: Member, cmd: CorrectContract) -> Project:
    """The contract amount belongs to the stage change that recorded it (the signing): the correction names that
    event, and the figures use the new amount from its date on."""
    found = await writable(uow, actor, cmd.project_id)
    entry = (await uow.projects.timeline(found.id)).contract_seq
    if entry is None or found.contract_wan is None:
        raise Refusal("contract_none", project_id=found.id)
    if cmd.amount_wan <= 0:
        raise Refusal("amount_not_positive")
    check_amount(cmd.amount_wan)
    if cmd.amount_wan == found.contract_wan:
        raise Refusal("correction_unchanged")
    payload = ev.ContractCorrected(entry=entry, amount_wan=cmd.amount_wan, before_wan=found.contract_wan,
                                   reason=_reason(cmd.reason, required=False))
    await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=found.id)
    return await reread(uow, found.id)
