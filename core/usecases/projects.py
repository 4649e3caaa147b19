"""Move a project along: stage, funds in place, notes, problems, corrections."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core import events as ev
from core.errors import Refusal
from core.ports import UnitOfWork
from core.names import normalize_company_name
from core.projects import check_amount, check_correctable, check_name, check_on, require_write
from core.records import Member, Project
from core.roles import Role
from core.stages import Stage, can_move, is_live, rank
from core.usecases.evidence import evidence_since_stage
from core.usecases.lookups import append, org_config, project, reread, writable


@dataclass(frozen=True)
class ProjectCommand:
    """What a person does to one project; `imported` names the sheet row it came from (bot/importer)."""

    project_id: int
    imported: dict[str, Any] | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class ChangeStage(ProjectCommand):
    to: Stage
    contract_wan: int | None = None   # required on reaching 签约 when the project has none yet
    reason: str | None = None         # required for 终止
    on: datetime | None = None        # the day it happened (its local start, UTC), when not today


@dataclass(frozen=True)
class AddFunds(ProjectCommand):
    amount_wan: int
    confirmed_over_contract: bool = False
    on: datetime | None = None        # the day the money arrived (its local start, UTC), when not today


@dataclass(frozen=True)
class AddNote(ProjectCommand):
    text: str
    next_steps: str | None = None


@dataclass(frozen=True)
class RaiseProblem(ProjectCommand):
    text: str
    needs_city: bool = True


@dataclass(frozen=True)
class ResolveProblem:
    project_id: int
    problem_id: int
    resolution: str = ""


@dataclass(frozen=True)
class CorrectProject:
    project_id: int
    changes: dict[str, Any]           # field → new value; fields outside core.projects.CORRECTABLE are refused
    imported: dict[str, Any] | None = None   # the sheet row it came from (bot/importer)
    reason: str | None = None
    from_start: bool = False          # fixes what was typed: the figures use the new values since the lead began


async def change_stage(uow: UnitOfWork, actor: Member, cmd: ChangeStage) -> Project:
    """Forward moves only; 终止 needs a reason; reaching 签约 needs the contract amount."""
    found = await writable(uow, actor, cmd.project_id)
    to, contract_wan, reason = cmd.to, cmd.contract_wan, cmd.reason
    if not can_move(found.stage, to):
        raise Refusal("stage_backwards" if is_live(found.stage) else "stage_terminated",
                      current=found.stage, target=to)
    if to is Stage.TERMINATED and not (reason and reason.strip()):
        raise Refusal("terminate_needs_reason")
    if contract_wan is not None and contract_wan <= 0:
        raise Refusal("amount_not_positive")
    check_amount(contract_wan)
    if to is not Stage.TERMINATED and rank(to) >= rank(Stage.SIGNED) and found.contract_wan is None \
            and contract_wan is None:
        raise Refusal("contract_required")
    if cmd.on is not None:
        check_on(cmd.on, uow.clock.now(), found, after=(await uow.projects.timeline(found.id)).stage_at)
    if cmd.imported is None and to in (await org_config(uow)).verification.evidence_stages \
            and not await evidence_since_stage(uow, found.id):
        # The office's rule (org file [verification] evidence_stages): e.g. the signed agreement for 签约.
        raise Refusal("stage_needs_evidence", target=to, project_id=found.id)
    payload = ev.StageChanged(from_=found.stage.value, to=to.value, contract_wan=contract_wan,
                              reason=reason.strip() if reason else None, imported=cmd.imported, on=_iso(cmd.on))
    await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=found.id)
    return await reread(uow, found.id)


async def add_funds(uow: UnitOfWork, actor: Member, cmd: AddFunds) -> Project:
    """An increment of funds in place; more than the contract amount only when confirmed."""
    found = await writable(uow, actor, cmd.project_id)
    amount_wan = cmd.amount_wan
    if amount_wan <= 0:
        raise Refusal("amount_not_positive")
    check_amount(amount_wan)
    if not is_live(found.stage):
        raise Refusal("stage_terminated", current=found.stage, target=found.stage)
    if rank(found.stage) < rank(Stage.SIGNED):
        raise Refusal("funds_before_signing", current=found.stage)
    total = found.funds_wan + amount_wan
    if found.contract_wan is not None and total > found.contract_wan and not cmd.confirmed_over_contract:
        raise Refusal("funds_over_contract", total=total, contract=found.contract_wan, amount=amount_wan)
    if cmd.on is not None:
        check_on(cmd.on, uow.clock.now(), found, after=(await uow.projects.timeline(found.id)).signed_at,
                 after_what="signing")
    await append(uow, ev.FundsAdded(amount_wan=amount_wan, total_wan=total, imported=cmd.imported, on=_iso(cmd.on)),
                 actor=actor.id, unit=actor.unit, project_id=found.id)
    return await reread(uow, found.id)


async def add_note(uow: UnitOfWork, actor: Member, cmd: AddNote) -> None:
    found = await writable(uow, actor, cmd.project_id)
    if not cmd.text.strip():
        raise Refusal("note_empty")
    payload = ev.NoteAdded(text=cmd.text.strip(), next_steps=(cmd.next_steps or "").strip() or None,
                          imported=cmd.imported)
    await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=found.id)


async def raise_problem(uow: UnitOfWork, actor: Member, cmd: RaiseProblem) -> int:
    """Returns the problem's id (its event's seq)."""
    found = await writable(uow, actor, cmd.project_id)
    if not cmd.text.strip():
        raise Refusal("note_empty")
    e = await append(uow, ev.ProblemRaised(text=cmd.text.strip(), needs_city=cmd.needs_city, imported=cmd.imported),
                     actor=actor.id, unit=actor.unit, project_id=found.id)
    return e.seq


async def resolve_problem(uow: UnitOfWork, actor: Member, cmd: ResolveProblem) -> None:
    found = await project(uow, cmd.project_id)
    if actor.role is not Role.OFFICE_ADMIN:
        require_write(actor, found.responsible_unit)
    if cmd.problem_id not in {p.id for p in await uow.projects.open_problems(cmd.project_id)}:
        raise Refusal("problem_unknown")
    await append(uow, ev.ProblemResolved(problem_id=cmd.problem_id, resolution=cmd.resolution.strip()),
                 actor=actor.id, unit=actor.unit, project_id=cmd.project_id)


async def correct_project(uow: UnitOfWork, actor: Member, cmd: CorrectProject) -> Project:
    """A correction is a new event naming old and new values; the earlier events stay as they were."""
    found = await writable(uow, actor, cmd.project_id)
    check_correctable(set(cmd.changes))
    changes = dict(cmd.changes)
    if "name" in changes:
        check_name(changes["name"])
        changes.setdefault("normalized_name", normalize_company_name(changes["name"]))
    for key in ("intended_wan", "planned_wan", "foreign_wan"):
        check_amount(changes.get(key))
    # Only what really changes is recorded: a correction to the same value is no correction.
    changes = {k: v for k, v in changes.items()
               if (sorted(v) if k == "flags" else v) != (sorted(found.flags) if k == "flags" else getattr(found, k))}
    if not changes:
        raise Refusal("correction_unchanged")
    before = {k: getattr(found, k) if k != "flags" else sorted(found.flags) for k in changes}
    if "flags" in changes:
        changes = {**changes, "flags": sorted(changes["flags"])}
    reason = (cmd.reason or "").strip() or None
    since = _iso(found.created_at) if cmd.from_start else None
    await append(uow, ev.ProjectCorrected(changes=changes, before=before, imported=cmd.imported, reason=reason,
                                          since=since),
                 actor=actor.id, unit=actor.unit, project_id=found.id)
    return await reread(uow, found.id)


def _iso(on: datetime | None) -> str | None:
    return on.isoformat() if on is not None else None
