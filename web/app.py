"""The console's aiohttp application: routes, middlewares, static files; and serving it."""
from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from texts import use_locale
from core.ports import Store
from web import (auth, pages_dashboard, pages_evidence, pages_figures, pages_import, pages_ledger, pages_org,
                 pages_projects, pages_reports, pages_work)
from web.config import WebConfig
from web.figures_cache import MonthCache
from web.render import CONFIG, DB, ENV, FIGURES, environment, problem, t

STATIC = Path(__file__).parent / "static"


@web.middleware
async def not_found(request: web.Request, handler: auth.Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return await problem(request, 404, t("web.not_found"), t("web.not_found_hint"))
    except web.HTTPMethodNotAllowed:
        return await problem(request, 405, t("web.not_found"), t("web.not_found_hint"))


def make_app(db: Store, cfg: WebConfig) -> web.Application:
    use_locale(cfg.locale)
    app = web.Application(middlewares=[not_found, auth.authenticate], client_max_size=64 * 1024)
    app[DB], app[CONFIG], app[ENV], app[FIGURES] = db, cfg, environment(cfg), MonthCache()
    app[pages_import.UPLOADS] = pages_import.ImportState()
    app.add_routes([
        web.get("/login", auth.login_page), web.post("/login", auth.login_post), web.post("/logout", auth.logout),
        web.get("/login/wecom", auth.wecom_start), web.get("/login/wecom/callback", auth.wecom_callback),
        web.get("/", pages_dashboard.dashboard), web.get("/problems", pages_dashboard.problems_page),
        web.get("/projects", pages_projects.projects_page), web.get("/projects.xlsx", pages_projects.projects_xlsx),
        web.get("/projects/{id}", pages_projects.project_card),
        web.get("/files/{seq}", pages_evidence.file_download), web.get("/verify", pages_evidence.verify_page),
        web.get("/rankings", pages_figures.rankings), web.get("/rankings/explain", pages_figures.explain),
        web.get("/ledger", pages_ledger.ledger_page), web.post("/ledger/verify", pages_ledger.ledger_verify),
        web.get("/ledger/workbook", pages_ledger.ledger_workbook),
        web.get("/reports", pages_reports.reports_page), web.get("/sharing", pages_work.sharing_page),
        web.get("/trips", pages_work.trips_page),
        web.get("/org", pages_org.org_page), web.post("/org/invite", pages_org.invite_post), web.get("/audit", pages_org.audit_page),
        web.get(pages_import.PATH, pages_import.import_page), web.post(pages_import.PATH, pages_import.upload_post),
        web.post("/org/import/confirm", pages_import.confirm_post), web.get("/org/import/result", pages_import.result_xlsx),
        web.get("/font/noto-sans-sc.otf", bundled_font),
        web.static("/static", STATIC),
    ])
    return app


async def bundled_font(request: web.Request) -> web.StreamResponse:
    """The chart's Noto Sans SC for pages on a machine without a Chinese font. The stylesheet names it last,
    so a browser fetches it only when no installed font has the characters (a bare kiosk, the CI browser)."""
    from reports.fonts import bundled_font_path

    path = bundled_font_path()
    if path is None:
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=604800", "Content-Type": "font/otf"})


async def serve(db: Store, cfg: WebConfig, host: str, port: int) -> None:
    """Run until cancelled (Ctrl-C / SIGTERM)."""
    import asyncio

    app = make_app(db, cfg)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        async with db.uow(readonly=True) as uow:
            await app[FIGURES].warm(uow, cfg.tz, db.clock.now().astimezone(cfg.tz).date())
    except Exception:   # the pages read them when asked
        logging.getLogger("zsbot.web").exception("reading the figures at start failed")
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
