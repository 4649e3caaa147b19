"""Answers that list things: projects by stage (now, as the 项目库 and `zsbot export projects` show them),
late half-monthly reports and leaders' trips against their quota (over a period, from the month-end facts)."""
from __future__ import annotations

from datetime import date
from fractions import Fraction
from zoneinfo import ZoneInfo

from core.org import OrgConfig
from core.ports import UnitOfWork
from core.project_list import ProjectPage, ProjectQuery
from core.stages import STAGE_ZH, Stage
from handlers.questions.reply import Reply, Viewer, head, period_words, public_period
from handlers.questions.figures import read_period, this_year
from handlers.questions.query import Question
from reports.period_figures import period_reports, period_trips
from reports.ranking_text import format_amount, format_pct
from texts import t

PAGE = 10
_SIGNED = (Stage.SIGNED, Stage.LANDED, Stage.STARTED, Stage.PRODUCING)
_FLAGS = ("industrial", "strong", "headquarters", "digital", "central_soe", "foreign")


def _sort(q: Question) -> str:
    """Before signing a project has only its intended amount; from 签约 on, its contract amount."""
    return "intended" if q.stage in (Stage.LEAD, Stage.NEGOTIATING) else "contract"


def project_query(q: Question, *, page: int = 1, per_page: int = PAGE) -> ProjectQuery:
    return ProjectQuery(unit=q.unit, stage=q.stage, industry=q.industry, source=q.source, flags=q.flags,
                        min_wan=q.min_wan, sort=_sort(q), descending=True, page=page, per_page=per_page)


def encode_projects(cfg: OrgConfig, q: Question, page: int) -> str:
    """`s:askp:` payload: page|unit|stage|min|industry index|source index|flags — short enough for any channel."""
    ind = str(cfg.industries.index(q.industry)) if q.industry in cfg.industries else "-"
    src = str(cfg.sources.index(q.source)) if q.source in cfg.sources else "-"
    flags = "+".join(str(_FLAGS.index(f)) for f in sorted(q.flags) if f in _FLAGS)
    total = "t" if q.indicator else ""
    return f"s:askp:{page}|{q.unit or '-'}|{q.stage.value if q.stage else '-'}|{q.min_wan or '-'}|{ind}|{src}|{flags}|{total}"


def decode_projects(cfg: OrgConfig, arg: str) -> tuple[Question, int] | None:
    parts = arg.split("|")
    if len(parts) != 8 or not parts[0].isdigit():
        return None
    page, unit, stage, min_wan, ind, src, flags, total = parts
    try:
        return Question(
            "projects", "list", "contract_amount" if total else None,
            unit=None if unit == "-" or not cfg.has_unit(unit) else unit,
            stage=None if stage == "-" else Stage(stage), min_wan=int(min_wan) if min_wan.isdigit() else None,
            industry=cfg.industries[int(ind)] if ind.isdigit() and int(ind) < len(cfg.industries) else None,
            source=cfg.sources[int(src)] if src.isdigit() and int(src) < len(cfg.sources) else None,
            flags=frozenset(_FLAGS[int(f)] for f in flags.split("+") if f.isdigit() and int(f) < len(_FLAGS)),
        ), max(1, int(page))
    except ValueError:
        return None


def _what(cfg: OrgConfig, q: Question) -> str:
    parts = [cfg.unit(q.unit).name if q.unit else t("ask.city")]
    if q.industry:
        parts.append(q.industry)
    if q.source:
        parts.append(q.source)
    if q.min_wan:
        parts.append(t("ask.min_amount", amount=format_amount(q.min_wan)))
    parts.append(t("ask.stage_projects", stage=STAGE_ZH[q.stage]) if q.stage else t("ask.live_projects"))
    return "".join(parts)


async def answer_projects(uow: UnitOfWork, cfg: OrgConfig, q: Question, page: int = 1) -> Reply:
    """Counts and lists of projects as they stand now: the 项目库's search (contacts are never shown here)."""
    what = _what(cfg, q)
    if q.indicator:
        # The contract amount of an industry chain, a source or a size: signed projects, summed as they stand.
        every = await uow.projects.search(project_query(q, per_page=100_000))
        signed = [p for p in every.projects if p.stage in _SIGNED]
        signed.sort(key=lambda p: (-(p.contract_wan or 0), p.id))
        pages = max(1, -(-len(signed) // PAGE))
        page = min(page, pages)
        found = ProjectPage(signed[(page - 1) * PAGE: page * PAGE], len(signed), page, PAGE)
        total = sum(p.contract_wan or 0 for p in signed)
        text = t("ask.projects_contract", what=what, count=len(signed), total=format_amount(total)) if page == 1 \
            else t("ask.projects_list", what=what, count=found.total, page=found.page, pages=found.pages,
                   order=t("ask.order.contract"))
    else:
        found = await uow.projects.search(project_query(q, page=page))
        key = "ask.projects_count" if q.how == "count" and page == 1 else "ask.projects_list"
        text = t(key, what=what, count=found.total, page=found.page, pages=found.pages, order=t(f"ask.order.{_sort(q)}"))
    lines = [text]
    if q.how == "list" or page > 1 or q.indicator:
        start = (found.page - 1) * found.per_page
        for i, p in enumerate(found.projects, start + 1):
            amount = p.intended_wan if _sort(q) == "intended" and not q.indicator else p.contract_wan
            lines.append(t("ask.project_line", n=i, id=p.id, name=p.name, stage=STAGE_ZH[p.stage],
                           unit=cfg.unit(p.responsible_unit).name if cfg.has_unit(p.responsible_unit) else p.responsible_unit,
                           amount=format_amount(amount) if amount else "—"))
    buttons: list[tuple[str, str]] = []
    if q.how != "list" and not q.indicator and page == 1 and found.total:
        buttons.append((t("ask.why_button"), encode_projects(cfg, q, 1)))
    if found.page < found.pages and (q.how == "list" or page > 1 or q.indicator):
        buttons.append((t("ask.more_button"), encode_projects(cfg, q, found.page + 1)))
    return Reply("\n".join(lines), buttons)


async def answer_late(uow: UnitOfWork, q: Question, viewer: Viewer, tz: ZoneInfo, today: date) -> Reply:
    period, capped = public_period(q, viewer, today)
    pe = await read_period(uow, period, tz, today)
    if pe is None:
        return Reply(t("error.no_org"))
    cfg = pe.end.cfg
    counts = period_reports(pe.end, pe.before)
    units = [u.code for u in cfg.units if u.code in counts]
    if q.unit is not None:
        units = [u for u in units if u == q.unit]
    elif q.group is not None:
        units = [u for u in units if cfg.unit(u).peer_group == q.group]
    late = [(u, counts[u].due - counts[u].on_time, counts[u].due) for u in units if counts[u].due > counts[u].on_time]
    note = t("ask.public_only") if capped else ""
    if not any(counts[u].due for u in units):
        return Reply(note + t("ask.late_none_due", period=period_words(pe)) + "\n" + head(pe))
    if not late:
        return Reply(note + t("ask.late_nobody", period=period_words(pe), units=len(units)) + "\n" + head(pe))
    lines = [t("ask.late_title", period=period_words(pe), count=len(late))]
    lines += [t("ask.late_line", unit=cfg.unit(u).name, late=n, due=due) for u, n, due in late]
    lines.append(t("ask.late_rule"))
    return Reply(note + "\n".join(lines) + "\n" + head(pe))


async def answer_trips(uow: UnitOfWork, q: Question, viewer: Viewer, tz: ZoneInfo, today: date) -> Reply:
    period = q.period or this_year(today)
    pe = await read_period(uow, period, tz, today)
    if pe is None:
        return Reply(t("error.no_org"))
    cfg = pe.end.cfg
    trips = period_trips(pe.end, pe.before)
    members = {m.id: m for m in await uow.org.members()}
    holders = list(pe.end.facts.quota_holders)
    if q.person is not None:
        wanted = [m for m in members.values() if m.name == q.person]
        if not wanted:
            return Reply(t("ask.nobody_named", name=q.person))
        m = wanted[0]
        quota = next((h.quota for h in holders if h.member_id == m.id), m.trip_quota)
        n = trips.get(m.id, 0)
        text = t("ask.trips_person", period=period_words(pe), name=m.name, n=n)
        if quota:
            year_n = pe.end.facts.trips.get(m.id, 0)
            text += t("ask.trips_quota", quota=quota, done=format_pct(Fraction(year_n, quota)))
        return Reply(text + "\n" + head(pe))
    if q.unit is not None:
        holders = [h for h in holders if h.unit == q.unit]
    elif q.group is not None:
        holders = [h for h in holders if cfg.has_unit(h.unit) and cfg.unit(h.unit).peer_group == q.group]
    if not holders:
        return Reply(t("ask.trips_no_holders"))
    lines = [t("ask.trips_title", period=period_words(pe))]
    for h in sorted(holders, key=lambda h: (-trips.get(h.member_id, 0), h.member_id))[:20]:
        name = members[h.member_id].name if h.member_id in members else f"#{h.member_id}"
        year_n = pe.end.facts.trips.get(h.member_id, 0)
        lines.append(t("ask.trips_line", name=name, unit=cfg.unit(h.unit).name if cfg.has_unit(h.unit) else h.unit,
                       n=trips.get(h.member_id, 0), year=year_n, quota=h.quota,
                       mark="✓" if year_n >= h.quota else ""))
    return Reply("\n".join(lines) + "\n" + head(pe))


async def answer_transfers(uow: UnitOfWork, cfg: OrgConfig, q: Question, viewer: Viewer, now_day: date) -> Reply:
    """Transfers and routings waiting for the receiving unit's answer (as /accept lists them)."""
    to_unit = q.unit or (None if viewer.reads_all or q.city else viewer.unit)
    waiting = await uow.sharing.pending_transfers(to_unit=to_unit)
    whom = cfg.unit(to_unit).name if to_unit and cfg.has_unit(to_unit) else t("ask.city")
    if not waiting:
        return Reply(t("ask.transfers_none", whom=whom))
    names = {p.id: p.name for p in await uow.projects.many([w.project_id for w in waiting])}
    lines = [t("ask.transfers_title", whom=whom, count=len(waiting))]
    for w in waiting[:PAGE]:
        lines.append(t("ask.transfer_line", id=w.project_id, name=names.get(w.project_id, "—"),
                       kind=t(f"ask.transfer_kind.{w.kind}"), source=_unit_name(cfg, w.from_unit),
                       target=_unit_name(cfg, w.to_unit), days=(now_day - w.proposed_at.date()).days))
    if len(waiting) > PAGE:
        lines.append(t("ask.transfers_more", more=len(waiting) - PAGE))
    return Reply("\n".join(lines))


def _unit_name(cfg: OrgConfig, code: str) -> str:
    return cfg.unit(code).name if cfg.has_unit(code) else code
