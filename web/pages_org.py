"""组织 `/org` and the access log `/audit`: the office only (units, members, roles, bound channels;
who logged in and downloaded what, from where)."""
from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from core.errors import Refusal
from core.records import Member
from core.roles import Role
from core.usecases.org import CreateInvite, create_invite
from web.auth import address
from texts import formatting as fmt
from web.render import DB, MEMBER, page, problem, t

INVITE_ROLES = (Role.MEMBER, Role.UNIT_HEAD, Role.LEADER, Role.OFFICE_ADMIN)


async def _office(request: web.Request) -> web.Response | None:
    member: Member = request[MEMBER]
    if member.role is not Role.OFFICE_ADMIN:
        return await problem(request, 403, t("web.office_only"), t("web.office_only_hint"))
    return None


async def org_page(request: web.Request, created: dict[str, object] | None = None) -> web.StreamResponse:
    refused = await _office(request)
    if refused is not None:
        return refused
    async with request.app[DB].uow(readonly=True) as uow:
        cfg = await uow.org.config()
        members = await uow.org.members()
        bound: dict[int, set[str]] = {}
        for i in await uow.org.identities():
            bound.setdefault(i.member_id, set()).add(i.channel)
        channels = {m.id: sorted(bound.get(m.id, ())) for m in members}
    if cfg is None:
        return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
    by_unit: dict[str, list[Member]] = {}
    for m in members:
        by_unit.setdefault(m.unit, []).append(m)
    return await page(request, "org.html", {"units": cfg.units, "by_unit": by_unit, "channels": channels,
                                            "roles": INVITE_ROLES, "created": created})


async def invite_post(request: web.Request) -> web.StreamResponse:
    """POST /org/invite: `zsbot invite create` from the console — a single-use code shown once, its creation
    a ledger event with the office member as actor and a line in the access log."""
    refused = await _office(request)
    if refused is not None:
        return refused
    form = await request.post()
    unit, role_text, days_text = str(form.get("unit", "")), str(form.get("role", "")), str(form.get("days", "7"))
    if role_text not in {r.value for r in INVITE_ROLES} or not days_text.isdigit() or not 1 <= int(days_text) <= 90:
        return await problem(request, 400, t("web.invite_bad", what=f"{role_text or '—'} / {days_text or '—'}"),
                             t("web.invite_bad_hint"))
    me: Member = request[MEMBER]
    db = request.app[DB]
    try:
        async with db.uow() as uow:
            code = await create_invite(uow, CreateInvite(unit=unit, role=Role(role_text),
                                                         ttl=timedelta(days=int(days_text))), actor=me.id)
            cfg = await uow.org.config()
            assert cfg is not None  # create_invite refused otherwise
            name = cfg.unit(unit).name
            await uow.web.audit(uow.clock.now(), me.id, "invite", f"邀请码：{name} {fmt.role(role_text)} {days_text} 天",
                                address(request))
            await uow.commit()
    except Refusal:
        return await problem(request, 400, t("web.invite_bad", what=unit or "—"), t("web.invite_bad_hint"))
    return await org_page(request, {"code": code, "unit": name, "role": Role(role_text), "days": int(days_text)})


async def audit_page(request: web.Request) -> web.StreamResponse:
    refused = await _office(request)
    if refused is not None:
        return refused
    async with request.app[DB].uow(readonly=True) as uow:
        entries = await uow.web.audit_log(limit=500)
        people = {m.id: m.name for m in await uow.org.members()}
    return await page(request, "audit.html", {"entries": entries, "people": people})
