"""组织 `/org` and the access log `/audit`: the office only (units, members, roles, bound channels;
who logged in and downloaded what, from where)."""
from __future__ import annotations

from aiohttp import web

from core.records import Member
from core.roles import Role
from web.render import DB, MEMBER, page, problem, t


async def _office(request: web.Request) -> web.Response | None:
    member: Member = request[MEMBER]
    if member.role is not Role.OFFICE_ADMIN:
        return await problem(request, 403, t("web.office_only"), t("web.office_only_hint"))
    return None


async def org_page(request: web.Request) -> web.StreamResponse:
    refused = await _office(request)
    if refused is not None:
        return refused
    async with request.app[DB].uow(readonly=True) as uow:
        cfg = await uow.org.config()
        members = await uow.org.members()
        channels = {m.id: sorted({i.channel for i in await uow.org.identities_of(m.id)}) for m in members}
    if cfg is None:
        return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
    by_unit: dict[str, list[Member]] = {}
    for m in members:
        by_unit.setdefault(m.unit, []).append(m)
    return await page(request, "org.html", {"units": cfg.units, "by_unit": by_unit, "channels": channels})


async def audit_page(request: web.Request) -> web.StreamResponse:
    refused = await _office(request)
    if refused is not None:
        return refused
    async with request.app[DB].uow(readonly=True) as uow:
        entries = await uow.web.audit_log(limit=500)
        people = {m.id: m.name for m in await uow.org.members()}
    return await page(request, "audit.html", {"entries": entries, "people": people})
