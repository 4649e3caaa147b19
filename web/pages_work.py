"""流转 `/sharing` (the lead pool, transfers waiting for an answer, open 首谈认定 claims) and 外出 `/trips`
(trips, newest first, and the leaders' trips this year against their quotas). The pool never shows a
contact, as /pool in chat; a unit member sees their own unit's trips, leaders and the office every unit's."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

from aiohttp import web

from core.records import Member
from core.roles import Role
from reports.ranking import time_progress
from web.render import CONFIG, DB, MEMBER, page, problem, t

READS_ALL = (Role.LEADER, Role.OFFICE_ADMIN)


async def sharing_page(request: web.Request) -> web.StreamResponse:
    async with request.app[DB].uow(readonly=True) as uow:
        cfg = await uow.org.config()
        if cfg is None:
            return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
        pool = await uow.sharing.pool(limit=50)
        transfers = await uow.sharing.pending_transfers()
        claims = await uow.sharing.open_claims()
        ids = {x.project_id for x in transfers} | {c.project_id for c in claims} | {c.other_project_id for c in claims}
        names = {p.id: p.name for p in await uow.projects.many(sorted(ids))}
        interest = await uow.sharing.interest_counts([p.id for p in pool])
        people = {m.id: m.name for m in await uow.org.members()}
    return await page(request, "sharing.html", {
        "pool": pool, "transfers": transfers, "claims": claims, "names": names, "interest": interest,
        "people": people, "units": {u.code: u.name for u in cfg.units}})


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


async def trips_page(request: web.Request) -> web.StreamResponse:
    db, tz = request.app[DB], request.app[CONFIG].tz
    member: Member = request[MEMBER]
    everyone = member.role in READS_ALL
    unit = request.query.get("unit") or None
    leader_text = request.query.get("leader") or None
    leader = _int(leader_text)
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        if cfg is None:
            return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
        if (unit is not None and not cfg.has_unit(unit)) or (leader_text is not None and leader is None):
            return await problem(request, 400, t("web.filter_bad", value=unit or leader_text), t("web.unknown_ref_hint"))
        if not everyone:
            if unit is not None and unit != member.unit or leader is not None:
                return await problem(request, 403, t("web.trips_own_unit"), t("web.trips_own_unit_hint"))
            unit = member.unit
        total, trips = await uow.trips.recent(unit=unit, leader=leader, limit=200)
        members = await uow.org.members()
        today = db.clock.now().astimezone(tz).date()
        year_start = date(today.year, 1, 1)
        counts = await uow.trips.leader_counts(year_start) if everyone else {}
    progress = time_progress(year_start, today)
    quotas = [{"m": m, "done": counts.get(m.id, 0), "due": Fraction(m.trip_quota) * progress,
               "behind": counts.get(m.id, 0) < Fraction(m.trip_quota) * progress}
              for m in members if m.trip_quota and everyone]
    return await page(request, "trips.html", {
        "trips": trips, "total": total, "quotas": quotas, "progress": progress, "everyone": everyone,
        "unit": unit, "leader": leader, "people": {m.id: m.name for m in members},
        "units": {u.code: u.name for u in cfg.units}, "year": today.year})
