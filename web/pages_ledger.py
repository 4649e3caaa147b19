"""台账 `/ledger`: the chain's head, a verify on demand (POST: it walks every event), the monthly
台账 workbook download (`zsbot report ledger`'s file, recorded in the access log)."""
from __future__ import annotations

from aiohttp import web

from core.figures import last_complete_month
from reports.workbook import ledger_xlsx
from reports.ranking_text import empty_text, ledger_event_describer
from web.auth import address
from web.pages_figures import _month
from web.render import CONFIG, DB, FIGURES, MEMBER, month_figures, page, problem, t


async def ledger_page(request: web.Request, verification: object = None) -> web.StreamResponse:
    db, cfg_web = request.app[DB], request.app[CONFIG]
    async with db.uow(readonly=True) as uow:
        seq, head = await uow.chain.head()
    today = db.clock.now().astimezone(cfg_web.tz).date()
    return await page(request, "ledger.html", {"seq": seq, "head": head, "month": last_complete_month(today),
                                               "verification": verification})


async def ledger_verify(request: web.Request) -> web.StreamResponse:
    async with request.app[DB].uow(readonly=True) as uow:
        result = await uow.chain.verify()
    return await ledger_page(request, result)


async def ledger_workbook(request: web.Request) -> web.StreamResponse:
    db, cfg_web = request.app[DB], request.app[CONFIG]
    today = db.clock.now().astimezone(cfg_web.tz).date()
    month = await _month(request, last_complete_month(today))
    if isinstance(month, web.Response):
        return month
    async with db.uow(readonly=True) as uow:
        found = await month_figures(request, uow, month)
        if found is None:
            return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
        cfg, facts = found
        names = {u.code: u.name for u in cfg.units}
        rows, events = await uow.figures.ledger(month, cfg_web.tz, names)
    ranking = request.app[FIGURES].ranking(found)
    data = ledger_xlsx(rows, events, ranking, month=month, describe=ledger_event_describer(names),
                       empty_text=empty_text(ranking))
    async with db.uow() as uow:
        await uow.web.audit(uow.clock.now(), request[MEMBER].id, "download", f"{month} 月度台账 xlsx",
                            address(request))
        await uow.commit()
    return web.Response(body=data, headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f'attachment; filename="taizhang-{month}.xlsx"', "Cache-Control": "no-store"})
