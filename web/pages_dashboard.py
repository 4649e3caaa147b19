"""驾驶舱 `/`: this year so far per peer group and unit against targets and 时序进度, this month's movers in
the ranking, problems awaiting city coordination, the current half-monthly period, leaders' trips against
their quotas, and 预警 (projects past their stage's limit, `[warnings]` in the org file). Every number links
to what is behind it: the events (/rankings/explain), the projects (/projects, /problems), the reports, the trips.
`/problems` lists every open problem."""
from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

from aiohttp import web

from core.figures import last_complete_month
from core.halfmonthly import period_id, previous_period
from core.project_list import ProjectQuery
from core.workdays import open_period
from reports.ranking import Ranking, time_progress
from web.pages_reports import period_status, workdays
from web.render import CONFIG, DB, FIGURES, month_figures, page, problem, t, this_month

PROBLEMS_SHOWN = 5


async def dashboard(request: web.Request) -> web.StreamResponse:
    db, tz = request.app[DB], request.app[CONFIG].tz
    month = this_month(request)
    now = db.clock.now()
    before_month = last_complete_month(now.astimezone(tz).date())
    async with db.uow(readonly=True) as uow:
        found = await month_figures(request, uow, month)
        if found is None:
            return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
        cfg, facts = found
        before = await month_figures(request, uow, before_month)
        problems_total, problems = await uow.projects.all_open_problems(limit=PROBLEMS_SHOWN)
        named = {p.id: p for p in await uow.projects.many(sorted({n.project_id for n in problems}))}
        days = workdays(request, cfg)
        current = open_period(now, cfg.calendar, tz, days)
        status = await period_status(uow, cfg, current, days, tz)
        closed = await period_status(uow, cfg, previous_period(current, cfg.calendar.half_monthly_days), days, tz)
        warnings = []
        for stage, limit in cfg.warnings.limits():
            found_stale = await uow.projects.search(ProjectQuery(stage=stage, updated_before=now - timedelta(days=limit),
                                                                 per_page=1))
            warnings.append({"stage": stage, "days": limit, "count": found_stale.total})
        people = {m.id: m for m in await uow.org.members()}
    ranking = request.app[FIGURES].ranking(found)
    earlier = request.app[FIGURES].ranking(before) if before is not None and before_month != month else None
    units = {u.code: u.name for u in cfg.units}
    today = now.astimezone(tz).date()
    progress = time_progress(facts.year_start, today)   # to date, as /trips: the month's end is ahead
    trips = [{"m": people.get(h.member_id), "id": h.member_id, "done": facts.trips.get(h.member_id, 0),
              "quota": h.quota, "behind": facts.trips.get(h.member_id, 0) < h.quota * progress}
             for h in facts.quota_holders]
    return await page(request, "dashboard.html", {
        "r": ranking, "month": month, "totals": [_totals(g) for g in ranking.groups],
        "movers": _movers(ranking, earlier), "before_month": before_month,
        "problems": problems, "problems_total": problems_total, "named": named, "units": units,
        "status": status, "closed": closed, "period": period_id(current), "closed_period": period_id(closed.period),
        "warnings": warnings, "trips": trips, "trip_progress": progress})


def _totals(group: Any) -> list[dict[str, Any]]:
    """Per indicator of the group: the sum of values and of time targets (amounts and counts only)."""
    out = []
    for i, ind in enumerate(group.units[0].indicators if group.units else ()):
        if ind.measure == "%":
            continue
        value = sum((u.indicators[i].value or Fraction(0) for u in group.units), Fraction(0))
        target = sum((u.indicators[i].time_target or Fraction(0) for u in group.units), Fraction(0))
        out.append({"name": ind.name, "measure": ind.measure, "value": value, "time_target": target,
                    "completion": value / target if target else None})
    return out


def _movers(now: Ranking, before: Ranking | None) -> list[dict[str, Any]]:
    """Units whose rank in their group changed since the last complete month, biggest move first."""
    if before is None or before.empty:
        return []
    was = {(g.code, u.unit): u.rank for g in before.groups for u in g.units if u.rank is not None}
    out = []
    for g in now.groups:
        for u in g.units:
            old = was.get((g.code, u.unit))
            if u.rank is not None and old is not None and old != u.rank:
                out.append({"group": g.code, "group_name": g.name, "unit": u.unit, "name": u.name,
                            "was": old, "now": u.rank, "by": old - u.rank})
    return sorted(out, key=lambda m: (-abs(m["by"]), m["group"], m["now"]))


async def problems_page(request: web.Request) -> web.StreamResponse:
    """Every problem awaiting city coordination, newest first, each with its project."""
    async with request.app[DB].uow(readonly=True) as uow:
        cfg = await uow.org.config()
        if cfg is None:
            return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
        total, notes = await uow.projects.all_open_problems(limit=500)
        named = {p.id: p for p in await uow.projects.many(sorted({n.project_id for n in notes}))}
        people = {m.id: m.name for m in await uow.org.members()}
    return await page(request, "problems.html", {"total": total, "notes": notes, "named": named, "people": people,
                                                 "units": {u.code: u.name for u in cfg.units}})
