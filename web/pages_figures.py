"""驾驶舱 `/`, 排名 `/rankings` and the events behind a figure `/rankings/explain`: the same Figures port and
ranking code as /rank and `zsbot report ranking|explain`, so a number here is the number there."""
from __future__ import annotations

import json

from aiohttp import web

from core.figures import last_complete_month, parse_month
from reports.ranking import Ranking
from web.render import CONFIG, DB, FIGURES, month_figures, page, problem, t


def _this_month(request: web.Request) -> str:
    today = request.app[DB].clock.now().astimezone(request.app[CONFIG].tz).date()
    return f"{today.year}-{today.month:02d}"


async def _month(request: web.Request, default: str) -> str | web.Response:
    text = request.query.get("month") or default
    try:
        month = parse_month(text)
    except ValueError:
        return await problem(request, 400, t("web.month_bad", month=text), t("web.month_bad_hint"))
    if month > _this_month(request):
        return await problem(request, 400, t("web.month_future", month=text), t("web.month_future_hint"))
    return month


async def _ranking(request: web.Request, month: str, group: str | None = None) -> Ranking | web.Response:
    db, cfg_web = request.app[DB], request.app[CONFIG]
    async with db.uow(readonly=True) as uow:
        found = await month_figures(request, uow, month)
    if found is None:
        return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
    cfg, facts = found
    if group is not None and all(g.code != group for g in cfg.peer_groups):
        return await problem(request, 404, t("web.unknown_ref", ref=group), t("web.unknown_ref_hint"))
    return request.app[FIGURES].ranking(found, group)


async def rankings(request: web.Request) -> web.StreamResponse:
    today = request.app[DB].clock.now().astimezone(request.app[CONFIG].tz).date()
    month = await _month(request, last_complete_month(today))
    if isinstance(month, web.Response):
        return month
    group = request.query.get("group") or None
    ranking = await _ranking(request, month, group)
    if isinstance(ranking, web.Response):
        return ranking
    chart = {g.code: {"name": g.name, "units": [u.name for u in g.units if u.ranked],
                      "scores": [round(float(u.score), 2) for u in g.units if u.ranked]} for g in ranking.groups}
    async with request.app[DB].uow(readonly=True) as uow:
        cfg = await uow.org.config()
    groups = [(g.code, g.name) for g in cfg.peer_groups] if cfg else []
    return await page(request, "rankings.html", {"r": ranking, "month": month, "group": group, "groups": groups,
                                                 "chart_json": json.dumps(chart, ensure_ascii=False)})


async def explain(request: web.Request) -> web.StreamResponse:
    """`zsbot report explain` in a page: the ledger events behind one unit's value of one indicator."""
    db, cfg_web = request.app[DB], request.app[CONFIG]
    today = db.clock.now().astimezone(cfg_web.tz).date()
    month = await _month(request, last_complete_month(today))
    if isinstance(month, web.Response):
        return month
    unit_code, ind_code = request.query.get("unit", ""), request.query.get("indicator", "")
    async with db.uow(readonly=True) as uow:
        found = await month_figures(request, uow, month)
        if found is None:
            return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
        cfg, facts = found
        unit = next((u for u in cfg.units if u.code == unit_code), None)
        ind = next((i for i in cfg.indicators if i.code == ind_code), None)
        if unit is None or ind is None:
            return await problem(request, 404, t("web.unknown_ref", ref=unit_code if unit is None else ind_code),
                                 t("web.unknown_ref_hint"))
        x = await uow.figures.explain(cfg, month, cfg_web.tz, unit.code, ind.code)
    ranked = None
    if unit.peer_group is not None:
        group = request.app[FIGURES].ranking(found, unit.peer_group).group(unit.peer_group)
        scored = next((u for u in group.units if u.unit == unit.code), None)
        ranked = next((i.value for i in scored.indicators if i.code == ind.code), None) if scored else None
    return await page(request, "explain.html", {"x": x, "unit": unit, "ind": ind, "month": month,
                                                "ranked": ranked, "agrees": ranked is None or ranked == x.value})
