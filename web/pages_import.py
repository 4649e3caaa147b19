"""导入台账 `/org/import` (the office only): `zsbot import projects` from the browser. An upload is first tried
(the dry run: nothing written) and its report shown — the mapping used, the counts, every row's result, the
sheet with its 导入结果 column to download; the office then confirms, and the same bytes are imported.

The upload waits for the confirmation in this process's memory (ImportState), tied to the session that made
it, for PENDING_MINUTES; the import itself is `WebConfig.importer`, handed over by the composition root."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

from aiohttp import web

from core.records import Member
from core.roles import Role
from web.auth import UPLOAD_PATH, address
from web.config import ImportRefused, ImportReport, SheetUpload
from web.render import CONFIG, DB, MEMBER, SESSION, page, problem, t

PATH = UPLOAD_PATH                 # its body may be UPLOAD_MAX (web/auth.py); forms elsewhere stay at 64 KiB
PENDING_MINUTES = 30
PENDING_MAX = 20                   # uploads waiting for a confirmation, across sessions
SHOWN_ROWS = 500                   # rows listed on the page; the workbook has them all
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Pending:
    session_id: str
    upload: SheetUpload
    report: ImportReport
    at: datetime
    done: ImportReport | None = None       # the real import's report, once confirmed


@dataclass
class ImportState:
    by_token: dict[str, Pending] = field(default_factory=dict)

    def keep(self, pending: Pending, now: datetime) -> str:
        self.by_token = {k: p for k, p in self.by_token.items() if now - p.at < timedelta(minutes=PENDING_MINUTES)}
        while len(self.by_token) >= PENDING_MAX:
            self.by_token.pop(next(iter(self.by_token)))
        token = secrets.token_urlsafe(16)
        self.by_token[token] = pending
        return token

    def mine(self, token: str, session_id: str, now: datetime) -> Pending | None:
        found = self.by_token.get(token)
        if found is None or found.session_id != session_id or now - found.at >= timedelta(minutes=PENDING_MINUTES):
            return None
        return found


UPLOADS = web.AppKey("uploads", ImportState)


async def _office(request: web.Request) -> web.Response | None:
    member: Member = request[MEMBER]
    if member.role is not Role.OFFICE_ADMIN:
        return await problem(request, 403, t("web.office_only"), t("web.office_only_hint"))
    return None


async def _units(request: web.Request) -> list[tuple[str, str]]:
    async with request.app[DB].uow(readonly=True) as uow:
        cfg = await uow.org.config()
    return [(u.code, u.name) for u in cfg.units] if cfg is not None else []


async def import_page(request: web.Request) -> web.StreamResponse:
    refused = await _office(request)
    if refused is not None:
        return refused
    return await page(request, "import.html", {"units": await _units(request), "report": None,
                                               "enabled": request.app[CONFIG].importer is not None})


async def _audit(request: web.Request, action: str, detail: str) -> None:
    db = request.app[DB]
    async with db.uow() as uow:
        await uow.web.audit(uow.clock.now(), request[MEMBER].id, action, detail, address(request))
        await uow.commit()


def _said(report: ImportReport) -> str:
    return f"{'试导入' if report.dry_run else '导入'} {report.filename}（工作表 {report.sheet}，SHA-256 " \
           f"{report.sha256[:16]}…）：{report.summary}"


async def _show(request: web.Request, token: str, report: ImportReport) -> web.Response:
    confirmable = report.dry_run and any(r.status in ("imported", "updated", "possible") for r in report.rows)
    return await page(request, "import.html", {
        "units": await _units(request), "report": report, "token": token, "confirmable": confirmable,
        "rows": [r for r in report.rows if r.status != "skipped"][:SHOWN_ROWS], "shown": SHOWN_ROWS,
        "minutes": PENDING_MINUTES,
        "enabled": True})


async def upload_post(request: web.Request) -> web.StreamResponse:
    """POST /org/import: the file, tried — nothing is written until the office confirms."""
    refused = await _office(request)
    if refused is not None:
        return refused
    importer = request.app[CONFIG].importer
    if importer is None:
        return await problem(request, 503, t("web.import_off"), t("web.import_off_hint"))
    form = await request.post()
    got = form.get("file")
    if not isinstance(got, web.FileField) or not got.filename:
        return await problem(request, 400, t("web.import_no_file"), t("web.import_hint"))
    data = got.file.read()
    if not data:
        return await problem(request, 400, t("web.import_empty", name=got.filename), t("web.import_hint"))
    upload = SheetUpload(data, got.filename, request[MEMBER].id, True, str(form.get("sheet", "")).strip() or None,
                         str(form.get("unit", "")).strip() or None)
    try:
        report = await importer(upload)
    except ImportRefused as exc:
        return await problem(request, 400, str(exc), t("web.import_hint"))
    await _audit(request, "import", _said(report))
    now = request.app[DB].clock.now()
    token = request.app[UPLOADS].keep(Pending(request[SESSION], upload, report, now), now)
    return await _show(request, token, report)


async def confirm_post(request: web.Request) -> web.StreamResponse:
    """POST /org/import/confirm: import the bytes that were tried, once."""
    refused = await _office(request)
    if refused is not None:
        return refused
    importer = request.app[CONFIG].importer
    form = await request.post()
    token = str(form.get("u", ""))
    state = request.app[UPLOADS]
    pending = state.mine(token, request[SESSION], request.app[DB].clock.now())
    if importer is None or pending is None or pending.done is not None:
        return await problem(request, 410, t("web.import_gone"), t("web.import_gone_hint"))
    pending.done = pending.report        # taken: a second press (or a second tab) cannot import it twice
    upload = SheetUpload(pending.upload.data, pending.upload.filename, request[MEMBER].id, False,
                         pending.upload.sheet, pending.upload.unit)
    try:
        report = await importer(upload)
    except ImportRefused as exc:
        pending.done = None
        return await problem(request, 400, str(exc), t("web.import_hint"))
    pending.done = report
    await _audit(request, "import", _said(report))
    return await _show(request, token, report)


async def result_xlsx(request: web.Request) -> web.StreamResponse:
    """GET /org/import/result?u=…: the sheet with its 导入结果 column (the real import's, once confirmed)."""
    refused = await _office(request)
    if refused is not None:
        return refused
    pending = request.app[UPLOADS].mine(request.query.get("u", ""), request[SESSION], request.app[DB].clock.now())
    if pending is None:
        return await problem(request, 410, t("web.import_gone"), t("web.import_gone_hint"))
    report = pending.done or pending.report
    await _audit(request, "download", f"导入结果 xlsx：{report.filename}（{'试导入' if report.dry_run else '导入'}）")
    name = f"导入结果-{report.filename.rsplit('.', 1)[0]}.xlsx"
    return web.Response(body=report.workbook, headers={
        "Content-Type": XLSX, "Cache-Control": "no-store",
        "Content-Disposition": f"attachment; filename=\"import-result.xlsx\"; filename*=UTF-8''{quote(name)}"})
