"""项目库 `/projects` (filters, search, sort, pages, xlsx download) and the project card `/projects/{id}`."""
from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiMapping

from core import events as ev
from core.figures import LedgerEvent
from core.names import normalize_company_name
from core.org import FLAGS, OrgConfig
from core.project_list import SORTS, ProjectQuery
from core.records import Member, Project
from core.stages import STAGE_ZH, Stage
from core.projects import can_see_contact
from reports.ranking_text import ledger_event_describer
from reports.exports import SHEET_HEADERS, sheet_rows, to_xlsx
from web.auth import address
from web.pages_evidence import card_evidence
from web.render import CONFIG, DB, MEMBER, page, problem, t

PER_PAGE = 50
FILTERS = ("q", "unit", "stage", "industry", "source", "flag", "min", "max", "stale", "sort", "order")


class BadFilter(ValueError):
    pass


def _int(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    text = value.strip().replace(",", "")
    if not text.isdigit():
        raise BadFilter(value)
    return int(text)


def parse_query(params: MultiMapping[str], cfg: OrgConfig, now: Any, *, per_page: int = PER_PAGE) -> ProjectQuery:
    """The filters of the query string; an unknown unit, stage or number is a BadFilter."""
    stage_text = params.get("stage") or None
    if stage_text and stage_text not in {s.value for s in Stage}:
        raise BadFilter(stage_text)
    unit = params.get("unit") or None
    if unit and not cfg.has_unit(unit):
        raise BadFilter(unit)
    flags = frozenset(f for f in params.getall("flag", []) if f)
    if flags - set(FLAGS):
        raise BadFilter("、".join(sorted(flags - set(FLAGS))))
    stale = _int(params.get("stale"))
    text = (params.get("q") or "").strip() or None
    sort = params.get("sort") or "updated"
    if sort not in SORTS:
        raise BadFilter(sort)
    return ProjectQuery(
        unit=unit, stage=Stage(stage_text) if stage_text else None, industry=params.get("industry") or None,
        source=params.get("source") or None, flags=flags, min_wan=_int(params.get("min")),
        max_wan=_int(params.get("max")), updated_before=now - timedelta(days=stale) if stale is not None else None,
        text=text, normalized_text=normalize_company_name(text) if text else None, sort=sort,
        descending=params.get("order", "desc") != "asc", page=max(1, _int(params.get("page")) or 1),
        per_page=per_page)


def _kept(params: MultiMapping[str], **changes: Any) -> str:
    pairs = [(k, v) for k, v in params.items() if k in FILTERS and v and k not in changes]
    pairs += [(k, str(v)) for k, v in changes.items() if v is not None]
    return urlencode(pairs)


async def projects_page(request: web.Request) -> web.StreamResponse:
    db, cfg_web = request.app[DB], request.app[CONFIG]
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        if cfg is None:
            return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
        try:
            query = parse_query(request.query, cfg, db.clock.now())
        except BadFilter as exc:
            return await problem(request, 400, t("web.filter_bad", value=str(exc)), t("web.filter_bad_hint"))
        result = await uow.projects.search(query)
    units = {u.code: u.name for u in cfg.units}
    return await page(request, "projects.html", {
        "result": result, "query": query, "params": request.query, "units": units, "unit_list": cfg.units,
        "stages": STAGE_ZH, "industries": cfg.industries, "sources": cfg.sources, "sorts": SORTS,
        "flags": FLAGS, "xlsx_url": "/projects.xlsx?" + _kept(request.query),
        "page_url": lambda n: "/projects?" + _kept(request.query, page=n), "tz": cfg_web.tz,
    })


def visible(member: Member, p: Project) -> Project:
    """The project as this member may see it: another unit's contact is left out, as in the chat."""
    from dataclasses import replace

    return p if can_see_contact(member, p) else replace(p, contact=None)


async def projects_xlsx(request: web.Request) -> web.StreamResponse:
    """The filtered list with `zsbot export`'s columns (reports/exports.py SHEET_COLUMNS); recorded."""
    db, cfg_web = request.app[DB], request.app[CONFIG]
    member: Member = request[MEMBER]
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        if cfg is None:
            return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
        try:
            query = parse_query(request.query, cfg, db.clock.now(), per_page=0)
        except BadFilter as exc:
            return await problem(request, 400, t("web.filter_bad", value=str(exc)), t("web.filter_bad_hint"))
        found = await uow.projects.search(query)
        verified = await uow.evidence.verified_totals()
    projects = [visible(member, p) for p in found.projects]
    data = to_xlsx(sheet_rows(projects, cfg, cfg_web.tz, {f: t(f"flag.{f}") for f in FLAGS}, verified))
    async with db.uow() as uow:
        await uow.web.audit(uow.clock.now(), member.id, "download",
                            f"项目库 xlsx（{len(projects)} 个项目）{_kept(request.query)}", address(request))
        await uow.commit()
    name = f"projects-{db.clock.now().astimezone(cfg_web.tz):%Y%m%d-%H%M}.xlsx"
    return web.Response(body=data, headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


async def project_card(request: web.Request) -> web.StreamResponse:
    db, cfg_web = request.app[DB], request.app[CONFIG]
    member: Member = request[MEMBER]
    ref = request.match_info["id"]
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        project = await uow.projects.get(int(ref)) if ref.isdigit() and len(ref) < 19 else None
        if project is None or cfg is None:
            return await problem(request, 404, t("web.project_unknown", id=ref), t("web.project_unknown_hint"))
        notes = await uow.projects.notes(project.id, limit=200)
        transfers = await uow.sharing.transfers(project.id)
        credit = await uow.sharing.credit(project.id)
        history = await uow.sharing.history(project.id)
        supporting = await uow.sharing.supporting_units(project.id)
        people = {m.id: m.name for m in await uow.org.members()}
        evidence = await card_evidence(uow, member, project)
    units = {u.code: u.name for u in cfg.units}
    describe = ledger_event_describer(units)
    events: list[dict[str, Any]] = []
    for e in history:
        le = LedgerEvent(e.seq, e.at.astimezone(cfg_web.tz), people.get(e.actor or -1), e.unit,
                         units.get(e.unit or "", e.unit), e.type, e.project_id, project.name, e.payload)
        kind, summary = describe(le)
        events.append({"event": e, "kind": kind, "summary": summary, "who": le.actor or "系统"})
    stages = [x for x in events if x["event"].type in (ev.LEAD_LOGGED, ev.STAGE_CHANGED)]
    funds = [x for x in events if x["event"].type == ev.FUNDS_ADDED]
    return await page(request, "project.html", {
        "p": visible(member, project), "contact_hidden": not can_see_contact(member, project),
        "units": units, "notes": notes, "transfers": transfers, "credit": credit, "events": events,
        "stages": stages, "funds": funds, "supporting": supporting, "people": people, **evidence,
        "category": next((c.name for c in cfg.categories if c.code == project.category), project.category),
    })
