"""Evidence: attach a file to a project; verify (核实), return (退回) or resubmit a funds report."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from core import events as ev
from core.errors import Refusal
from core.evidence import FilePolicy, Verifier, can_read_evidence, clean_name, may_verify, mime_of, verifier_of
from core.org import OrgConfig
from core.ports import UnitOfWork
from core.projects import check_amount, require_write
from core.records import AttachedFile, FundsReport, Member
from core.roles import Role
from core.usecases.lookups import append, org_config, project, writable

REASON_MAX = 500


@dataclass(frozen=True)
class AttachFile:
    project_id: int
    data: bytes
    name: str
    mime_type: str
    channel: str


@dataclass(frozen=True)
class VerifyFunds:
    funds_seq: int
    verified_wan: int | None = None   # None: as reported; another amount needs a reason
    reason: str | None = None


@dataclass(frozen=True)
class ReturnFunds:
    funds_seq: int
    reason: str


@dataclass(frozen=True)
class ResubmitFunds:
    funds_seq: int
    note: str | None = None


async def attach_file(uow: UnitOfWork, actor: Member, cmd: AttachFile, policy: FilePolicy) -> AttachedFile:
    """Keep the bytes under their SHA-256 and record file.attached; whoever may update the project may attach."""
    found = await writable(uow, actor, cmd.project_id)
    mime = mime_of(cmd.name, cmd.mime_type)
    problem = policy.problem(mime, len(cmd.data))
    if problem is not None:
        raise Refusal(f"file_{problem}", name=clean_name(cmd.name, mime), limit_mb=policy.max_bytes // (1024 * 1024))
    digest = hashlib.sha256(cmd.data).hexdigest()
    await uow.evidence.put_blob(digest, cmd.data, uow.clock.now())
    payload = ev.FileAttached(sha256=digest, size=len(cmd.data), name=clean_name(cmd.name, mime), mime_type=mime,
                              channel=cmd.channel)
    e = await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=found.id)
    return AttachedFile(seq=e.seq, project_id=found.id, sha256=digest, size=len(cmd.data), name=payload.name,
                        mime_type=mime, actor=actor.id, unit=actor.unit, channel=cmd.channel, at=e.at)


async def readable_file(uow: UnitOfWork, actor: Member, seq: int) -> tuple[AttachedFile, bytes]:
    """A file and its bytes, for a member allowed to read the project's evidence."""
    found = await uow.evidence.file(seq)
    if found is None:
        raise Refusal("file_unknown")
    p = await project(uow, found.project_id)
    if not can_read_evidence(actor, p, verifies=await verifies_project(uow, actor, p.id)):
        raise Refusal("evidence_not_yours", unit=p.responsible_unit)
    data = await uow.evidence.blob(found.sha256)
    if data is None:
        raise Refusal("file_missing", name=found.name)
    return found, data


# -- 核查 ---------------------------------------------------------------------------------------------------

async def unit_heads(uow: UnitOfWork) -> dict[str, list[int]]:
    heads: dict[str, list[int]] = {}
    for m in await uow.org.members(role=Role.UNIT_HEAD):
        if m.active:
            heads.setdefault(m.unit, []).append(m.id)
    return heads


async def verifier_for(uow: UnitOfWork, cfg: OrgConfig, unit: str) -> Verifier:
    return verifier_of(cfg, unit, await unit_heads(uow))


def _may(cfg: OrgConfig, actor: Member, verifier: Verifier, report: FundsReport) -> bool:
    return may_verify(actor, verifier, report_unit=report.unit, reporter=report.reported_by,
                      office_unit=cfg.office_unit().code)


async def queue_for(uow: UnitOfWork, actor: Member) -> list[FundsReport]:
    """The reports waiting for this member's decision, oldest first."""
    if actor.role not in (Role.OFFICE_ADMIN, Role.UNIT_HEAD) or not actor.active:
        return []
    cfg = await org_config(uow)
    heads = await unit_heads(uow)
    return [r for r in await uow.evidence.waiting() if _may(cfg, actor, verifier_of(cfg, r.unit, heads), r)]


async def waiting_all(uow: UnitOfWork) -> list[tuple[FundsReport, Verifier]]:
    """Every report waiting for a decision, oldest first, with who is to decide it (the office's view)."""
    cfg = await org_config(uow)
    heads = await unit_heads(uow)
    return [(r, verifier_of(cfg, r.unit, heads)) for r in await uow.evidence.waiting()]


async def verifies_project(uow: UnitOfWork, actor: Member, project_id: int) -> bool:
    """Does a report of this project wait for (or was decided by) this member? Then its evidence is theirs to read."""
    if actor.role not in (Role.OFFICE_ADMIN, Role.UNIT_HEAD):
        return False
    reports = await uow.evidence.reports_of(project_id)
    if any(r.decided_by == actor.id for r in reports):
        return True
    pending = [r for r in reports if r.status == "pending"]
    if not pending:
        return False
    cfg = await org_config(uow)
    heads = await unit_heads(uow)
    return any(_may(cfg, actor, verifier_of(cfg, r.unit, heads), r) for r in pending)


async def _decidable(uow: UnitOfWork, actor: Member, seq: int) -> FundsReport:
    report = await uow.evidence.report(seq)
    if report is None:
        raise Refusal("funds_report_unknown", seq=seq)
    if report.status != "pending":
        raise Refusal(f"funds_already_{report.status}", seq=seq)
    cfg = await org_config(uow)
    if actor.id == report.reported_by:
        raise Refusal("verify_own_report")
    if actor.unit == report.unit and report.unit != cfg.office_unit().code:
        raise Refusal("verify_own_unit")
    if not _may(cfg, actor, await verifier_for(uow, cfg, report.unit), report):
        raise Refusal("verify_not_yours", unit=report.unit)
    return report


def _reason(text: str | None) -> str | None:
    text = (text or "").strip()
    return text[:REASON_MAX] or None


async def verify_funds(uow: UnitOfWork, actor: Member, cmd: VerifyFunds) -> FundsReport:
    """核实 as reported, or at a corrected amount (more than zero, at most the reported one) with its reason."""
    report = await _decidable(uow, actor, cmd.funds_seq)
    amount = report.amount_wan if cmd.verified_wan is None else cmd.verified_wan
    reason = _reason(cmd.reason)
    if amount != report.amount_wan:
        if amount <= 0:
            raise Refusal("amount_not_positive")
        check_amount(amount)
        if amount > report.amount_wan:
            raise Refusal("verify_more_than_reported", amount=report.amount_wan)
        if reason is None:
            raise Refusal("verify_reason_required")
    payload = ev.FundsVerified(funds_seq=report.seq, reported_wan=report.amount_wan, verified_wan=amount, reason=reason)
    await append(uow, payload, actor=actor.id, unit=actor.unit, project_id=report.project_id)
    return await _reread(uow, report.seq)


async def return_funds(uow: UnitOfWork, actor: Member, cmd: ReturnFunds) -> FundsReport:
    """退回 with a reason: the unit is told and may resubmit."""
    report = await _decidable(uow, actor, cmd.funds_seq)
    reason = _reason(cmd.reason)
    if reason is None:
        raise Refusal("return_reason_required")
    await append(uow, ev.FundsReturned(funds_seq=report.seq, reason=reason), actor=actor.id, unit=actor.unit,
                 project_id=report.project_id)
    return await _reread(uow, report.seq)


async def resubmit_funds(uow: UnitOfWork, actor: Member, cmd: ResubmitFunds) -> FundsReport:
    """A returned report goes back to its verifier; whoever may update the project may resubmit it."""
    report = await uow.evidence.report(cmd.funds_seq)
    if report is None:
        raise Refusal("funds_report_unknown", seq=cmd.funds_seq)
    p = await project(uow, report.project_id)
    require_write(actor, p.responsible_unit)
    if report.status != "returned":
        raise Refusal("resubmit_not_returned", seq=report.seq)
    await append(uow, ev.FundsResubmitted(funds_seq=report.seq, note=_reason(cmd.note)), actor=actor.id,
                 unit=actor.unit, project_id=report.project_id)
    return await _reread(uow, report.seq)


async def _reread(uow: UnitOfWork, seq: int) -> FundsReport:
    found = await uow.evidence.report(seq)
    assert found is not None
    return found


async def evidence_since_stage(uow: UnitOfWork, project_id: int) -> bool:
    """Was a file attached to the project after it reached its current stage (the evidence a stage change needs)?"""
    files = await uow.evidence.files(project_id)
    if not files:
        return False
    events = await uow.projects.events(project_id)
    moved = max((e.seq for e in events if e.type in (ev.STAGE_CHANGED, ev.LEAD_LOGGED)), default=0)
    return any(f.seq > moved for f in files)
