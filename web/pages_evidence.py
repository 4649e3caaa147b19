"""Evidence in the console: a project's files (downloads recorded in the access log, read as the chat
reads them: the project's units, its verifier, leaders and the office), and the 核查 queue `/verify`."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from core.errors import Refusal
from core.evidence import Verifier, can_read_evidence
from core.records import FundsReport, Member, Project
from core.roles import Role
from core.usecases import evidence as uc
from core.ports import UnitOfWork
from web.auth import address
from web.pages_reports import workdays
from web.render import CONFIG, DB, MEMBER, page, problem, t


async def card_evidence(uow: UnitOfWork, member: Member, p: Project) -> dict[str, Any]:
    """What the project card shows of evidence: the funds reports' verification, and the files when readable."""
    readable = can_read_evidence(member, p, verifies=await uc.verifies_project(uow, member, p.id))
    files = await uow.evidence.files(p.id)
    return {"files": files if readable else [], "files_hidden": len(files) if not readable else 0,
            "reports": await uow.evidence.reports_of(p.id)}


async def file_download(request: web.Request) -> web.StreamResponse:
    """One attached file, to a member who may read its project's evidence; the download is recorded."""
    db = request.app[DB]
    member: Member = request[MEMBER]
    ref = request.match_info["seq"]
    async with db.uow(readonly=True) as uow:
        try:
            found, data = await uc.readable_file(uow, member, int(ref)) if ref.isdigit() and len(ref) < 19 else \
                (None, b"")
        except Refusal as refusal:
            if refusal.code == "evidence_not_yours":
                return await problem(request, 403, t("web.file_forbidden"), t("web.file_forbidden_hint"))
            found = None
    if found is None:
        return await problem(request, 404, t("web.file_unknown", seq=ref), t("web.project_unknown_hint"))
    async with db.uow() as uow:
        await uow.web.audit(uow.clock.now(), member.id, "download",
                            f"凭证 {found.name}（项目 #{found.project_id}，第 {found.seq} 号事件）", address(request))
        await uow.commit()
    ascii_name = found.name.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("?", "_")
    return web.Response(body=data, headers={
        "Content-Type": found.mime_type or "application/octet-stream",
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found.name)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})


async def verify_page(request: web.Request) -> web.StreamResponse:
    """待核实: the office sees every waiting report with its verifier; a unit head the reports waiting for them;
    anyone their own unit's waiting and returned reports."""
    db, cfg_web = request.app[DB], request.app[CONFIG]
    member: Member = request[MEMBER]
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        if cfg is None:
            return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
        waiting: list[tuple[FundsReport, Verifier | None]]
        if member.role is Role.OFFICE_ADMIN:
            waiting = [(r, v) for r, v in await uc.waiting_all(uow)]
            mine = {r.seq for r in await uc.queue_for(uow, member)}
        else:
            mine_list = await uc.queue_for(uow, member)
            mine = {r.seq for r in mine_list}
            own = await uow.evidence.waiting(units=[member.unit])
            waiting = [(r, None) for r in sorted({r.seq: r for r in mine_list + own}.values(),
                                                 key=lambda r: (r.waiting_since, r.seq))]
        returned = await uow.evidence.waiting(units=None if member.role is Role.OFFICE_ADMIN else [member.unit],
                                              status="returned")
        ids = sorted({r.project_id for r, _ in waiting} | {r.project_id for r in returned})
        projects = {p.id: p for p in await uow.projects.many(ids)}
        files = {pid: len(await uow.evidence.files(pid)) for pid in ids}
    days = workdays(request, cfg)
    today = db.clock.now().astimezone(cfg_web.tz).date()
    limit = cfg.verification.remind_after_workdays

    def row(r: FundsReport, verifier: Any) -> dict[str, Any]:
        waited = days.between(r.waiting_since.astimezone(cfg_web.tz).date(), today)
        who = "" if verifier is None else "大招商办" if verifier.office else \
            f"{cfg.unit(verifier.unit).name}负责人" if verifier.unit and cfg.has_unit(verifier.unit) else "—"
        return {"r": r, "p": projects.get(r.project_id), "waited": waited, "late": waited > limit, "who": who,
                "files": files.get(r.project_id, 0), "mine": r.seq in mine}

    units = {u.code: u.name for u in cfg.units}
    return await page(request, "verify.html", {
        "rows": [row(r, v) for r, v in waiting], "returned": [row(r, None) for r in returned], "units": units,
        "limit": limit, "office": member.role is Role.OFFICE_ADMIN})
