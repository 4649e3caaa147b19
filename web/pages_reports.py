"""半月报 `/reports`: one period (the nominal deadline date, e.g. 2026-11-25) — which units reported, on time
or late, which have not and whether the deadline has passed, and what each report said (the projects it
walked through and the events it recorded). The deadline is core/workdays.py's, as the reminders' are."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from aiohttp import web

from core.figures import LedgerEvent
from core.halfmonthly import next_period, parse_period, period_id, previous_period, reporting_units
from core.org import OrgConfig
from core.ports import UnitOfWork
from core.workdays import Workdays, deadline, open_period
from reports.ranking_text import ledger_event_describer
from web.render import CONFIG, DB, page, problem, t


@dataclass(frozen=True)
class PeriodStatus:
    """One period's reporting at a glance (the 驾驶舱's tile and the head of /reports)."""

    period: date
    deadline: datetime
    passed: bool
    due: list[str]                      # reporting units
    on_time: list[str]
    late: list[str]                     # filed after the deadline
    missing: list[str]                  # not filed (overdue once `passed`)


def workdays(request: web.Request, cfg: OrgConfig) -> Workdays:
    return Workdays(cfg.calendar, request.app[CONFIG].official)


async def period_status(uow: UnitOfWork, cfg: OrgConfig, period: date, days: Workdays, tz: Any) -> PeriodStatus:
    due = reporting_units(cfg, await uow.org.members())
    filed = await uow.reports.submissions(period_id(period))
    end = deadline(period, cfg.calendar, tz, days)
    return PeriodStatus(period, end, end <= uow.clock.now(), due,
                        [u for u in due if u in filed and filed[u].on_time],
                        [u for u in due if u in filed and not filed[u].on_time],
                        [u for u in due if u not in filed])


async def reports_page(request: web.Request) -> web.StreamResponse:
    db, tz = request.app[DB], request.app[CONFIG].tz
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        if cfg is None:
            return await problem(request, 503, t("web.no_org"), t("web.no_org_hint"))
        days = workdays(request, cfg)
        current = open_period(db.clock.now(), cfg.calendar, tz, days)
        text = request.query.get("period")
        period = parse_period(text, cfg.calendar.half_monthly_days) if text else current
        if period is None:
            return await problem(request, 400, t("web.period_bad", period=text),
                                 t("web.period_bad_hint", days="、".join(map(str, cfg.calendar.half_monthly_days))))
        if period > current:
            return await problem(request, 400, t("web.period_future", period=text), t("web.period_future_hint"))
        status = await period_status(uow, cfg, period, days, tz)
        filed = await uow.reports.submissions(period_id(period))
        report_events = await uow.sharing.events_by_seq([s.id for s in filed.values()])
        entries = {str(e.payload["unit"]): e.payload.get("entries", []) for e in report_events}
        seqs = [s for es in entries.values() for x in es for s in x.get("seqs", [])]
        recorded = {e.seq: e for e in await uow.sharing.events_by_seq(seqs)}
        ids = sorted({x["project_id"] for es in entries.values() for x in es})
        names = {p.id: p.name for p in await uow.projects.many(ids)}
        people = {m.id: m.name for m in await uow.org.members()}
    units = {u.code: u.name for u in cfg.units}
    describe = ledger_event_describer(units)
    said: dict[str, list[dict[str, Any]]] = {}
    for unit, es in entries.items():
        for x in es:
            lines = []
            for seq in x.get("seqs", []):
                e = recorded.get(seq)
                if e is not None:
                    le = LedgerEvent(e.seq, e.at.astimezone(tz), people.get(e.actor or -1), e.unit,
                                     units.get(e.unit or "", e.unit), e.type, e.project_id,
                                     names.get(x["project_id"]), e.payload)
                    lines.append(describe(le))
            said.setdefault(unit, []).append({"project_id": x["project_id"], "name": names.get(x["project_id"], ""),
                                              "lines": lines})
    rows = [{"unit": u, "name": units.get(u, u), "sub": filed.get(u), "said": said.get(u, [])} for u in status.due]
    return await page(request, "reports.html", {
        "s": status, "rows": rows, "people": people, "units": units, "current": current,
        "prev": period_id(previous_period(period, cfg.calendar.half_monthly_days)),
        "next": period_id(next_period(period, cfg.calendar.half_monthly_days)) if period < current else None,
        "show": request.query.get("show", ""),
    })
