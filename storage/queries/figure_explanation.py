"""Which ledger events produced a figure: the detail behind one unit's indicator in one month.

The same rules as the ranking (storage/queries/rankings.py, reports/indicators.py) applied event by
event instead of in aggregate: the project's attributes are its latest reporting version at the
month's end, credit shares and counting coefficients come from core/credit_sharing.py, "this year" starts
on 1 January local time. Only the unit's own projects (as owner or host) are read, so the detail
of one figure is small however large the ledger is.

Funds lines say each report's verification; when the org file counts only verified funds, a report counts
nothing itself (its line shows the reported amount) and each 核实 adds the verified amount, as the ranking does.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import local_midnight_utc
from core.credit_sharing import coefficient_pct, credit_shares
from core.figures import FigureExplanation, FigureLine, month_days
from core.org import OrgConfig
from core.stages import Stage, rank
from storage.queries.monthly_ledger import describe_projects, month_window, versions_as_of
from storage.tables.evidence import FundsDecisionRow, FundsReportRow
from storage.tables.facts import FundFactRow, StageFactRow
from storage.tables.org import MemberRow
from storage.tables.trips import TripRow

_RATES = {"start_rate": Stage.STARTED, "production_rate": Stage.PRODUCING, "performance_rate": Stage.LANDED}


class _Figure(TypedDict):
    """The fields of a FigureExplanation that name the figure, whichever indicator it is."""

    month: str
    unit: str
    indicator: str
    kind: str
    measure: str


@dataclass(frozen=True)
class _Version:
    project_id: int
    owner_unit: str
    host_unit: str
    credit_owner_pct: int | None
    credit_host_pct: int | None
    category: str | None
    flags: frozenset[str]
    contract_wan: int | None = None     # as corrected (the version's)


@dataclass
class _Scope:
    cfg: OrgConfig
    unit: str
    tz: ZoneInfo
    start: datetime          # 1 January, local midnight, as UTC
    until: datetime          # the month's end, as UTC
    versions: dict[int, _Version]
    names: dict[int, str]
    ids: Any                 # SQL selectable of the project ids in scope (never a long Python list)

    def share(self, v: _Version) -> int:
        shares = credit_shares(self.cfg, v.owner_unit, v.host_unit, recorded_owner_pct=v.credit_owner_pct,
                               recorded_host_pct=v.credit_host_pct)
        return next((s.pct for s in shares if s.unit == self.unit), 0)

    def name(self, pid: int) -> str:
        return self.names.get(pid) or f"#{pid}"

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.tz)


async def explain_figure(session: AsyncSession, cfg: OrgConfig, month: str, tz: ZoneInfo, unit: str,
                         indicator: str) -> FigureExplanation:
    """The events behind `unit`'s value of `indicator` in `month`, and the value they add up to."""
    ind = cfg.indicator(indicator)
    year = int(month[:4])
    start = local_midnight_utc(date(year, 1, 1), tz)
    _, until = month_window(month, tz)
    hosted_only = ind.kind in ("funds_rate", *_RATES)
    scope = await _scope(session, cfg, unit, tz, start, until, hosted_only=hosted_only)
    base = _Figure(month=month, unit=unit, indicator=ind.code, kind=ind.kind, measure=ind.unit)
    if ind.kind in ("funds_in_place", "industrial_funds"):
        lines = await _funds(session, scope, industrial=ind.kind == "industrial_funds")
        return FigureExplanation(**base, lines=lines, value=sum((x.counted for x in lines), Fraction(0)),
                                 count_funds=cfg.verification.count_funds)
    if ind.kind in ("projects_reached", "flagged_projects"):
        threshold = (ind.stage or Stage.SIGNED) if ind.kind == "projects_reached" else Stage.SIGNED
        lines = await _reached(session, scope, threshold, flag=ind.flag if ind.kind == "flagged_projects" else None)
        return FigureExplanation(**base, lines=lines, value=sum((x.counted for x in lines), Fraction(0)))
    if ind.kind == "central_soe_contract":
        lines = await _soe_contracts(session, scope)
        return FigureExplanation(**base, lines=lines, value=sum((x.counted for x in lines), Fraction(0)))
    if ind.kind == "funds_rate" or ind.kind in _RATES:
        lines = await (_funds_rate(session, scope) if ind.kind == "funds_rate"
                       else _stage_rate(session, scope, _RATES[ind.kind]))
        top = sum((x.counted for x in lines if x.part == "numerator"), Fraction(0))
        bottom = sum((x.counted for x in lines if x.part == "denominator"), Fraction(0))
        value = None if bottom == 0 else top * 100 / bottom
        basis = cfg.verification.count_funds if ind.kind == "funds_rate" else None
        return FigureExplanation(**base, lines=lines, value=value, numerator=top, denominator=bottom,
                                 count_funds=basis)
    if ind.kind == "leader_trips":
        lines = await _trips(session, scope, date(year, 1, 1))
        return FigureExplanation(**base, lines=lines, value=Fraction(len(lines)))
    # The half-monthly on-time rate is counted from the report records, not from project events.
    return FigureExplanation(**base, lines=(), value=None, supported=False)


async def _scope(session: AsyncSession, cfg: OrgConfig, unit: str, tz: ZoneInfo, start: datetime,
                 until: datetime, *, hosted_only: bool) -> _Scope:
    v = versions_as_of(until)
    mine = v.c.host_unit == unit if hosted_only else or_(v.c.owner_unit == unit, v.c.host_unit == unit)
    rows = (await session.execute(select(v).where(mine))).mappings().all()
    versions = {r["project_id"]: _Version(
        r["project_id"], r["owner_unit"], r["host_unit"], r["credit_owner_pct"], r["credit_host_pct"], r["category"],
        frozenset(f for f in ("industrial", "strong", "headquarters", "digital", "central_soe") if r[f"flag_{f}"]),
        r["contract_wan"]) for r in rows}
    described = await describe_projects(session, versions.keys(), until)
    return _Scope(cfg, unit, tz, start, until, versions, {pid: d.name for pid, d in described.items()},
                  select(v.c.project_id).where(mine))


def _ids(scope: _Scope) -> Any:
    return scope.ids


async def _fund_facts(session: AsyncSession, scope: _Scope, *, since: datetime | None,
                      verified: bool = False) -> list[Any]:
    """(seq, project, at, amount, entry) of each funds entry and correction — or, `verified`, of each 核实 with its
    verified amount — that happened before the month's end (and from `since`)."""
    f: Any = FundsDecisionRow if verified else FundFactRow
    amount = f.verified_wan if verified else f.amount_wan
    q = (select(f.event_seq, f.project_id, f.at, amount, f.entry_seq)
         .where(f.at < scope.until, f.project_id.in_(_ids(scope))).order_by(f.event_seq))
    if verified:
        q = q.where(amount != 0)
    if since is not None:
        q = q.where(f.at >= since)
    return list((await session.execute(q)).all())


async def _statuses(session: AsyncSession, scope: _Scope) -> dict[int, str]:
    """Each funds report's verification as known now: pending, verified or returned."""
    rows = await session.execute(select(FundsReportRow.seq, FundsReportRow.status)
                                 .where(FundsReportRow.project_id.in_(_ids(scope))))
    return {seq: status for seq, status in rows.all()}


def _counts_verified(scope: _Scope) -> bool:
    return scope.cfg.verification.count_funds == "verified"


async def _funds(session: AsyncSession, scope: _Scope, *, industrial: bool) -> tuple[FigureLine, ...]:
    verified = _counts_verified(scope)
    statuses = await _statuses(session, scope)
    lines = []
    reports = await _fund_facts(session, scope, since=scope.start)
    decisions = await _fund_facts(session, scope, since=scope.start, verified=True) if verified else []
    for rows, decided in ((reports, False), (decisions, True)):
        for seq, pid, at, amount, entry in rows:
            v = scope.versions[pid]
            share = scope.share(v)
            if share == 0 or (industrial and "industrial" not in v.flags):
                continue
            coef = coefficient_pct(scope.cfg, v.category)
            category = scope.cfg.category(v.category) if v.category else None
            note = category.name if category is not None else ""
            status = "verification" if decided else statuses.get(entry, "pending")
            if verified and not decided:   # shown, counting nothing: its 核实 line counts
                lines.append(FigureLine(seq, scope.local(at), pid, scope.name(pid), "value", amount, None, None,
                                        Fraction(0), note, status))
                continue
            lines.append(FigureLine(seq, scope.local(at), pid, scope.name(pid), "value", amount, coef, share,
                                    Fraction(amount * coef * share, 10_000), note, status,
                                    entry if decided else None))
    return tuple(sorted(lines, key=lambda x: x.seq))


async def _firsts(session: AsyncSession, scope: _Scope, threshold: Stage) -> dict[int, Any]:
    """Per project, the first stage event reaching `threshold` before the month's end (by time, as the ranking)."""
    rows = (await session.execute(
        select(StageFactRow.event_seq, StageFactRow.project_id, StageFactRow.at)
        .where(StageFactRow.at < scope.until, StageFactRow.stage_rank >= rank(threshold),
               StageFactRow.project_id.in_(_ids(scope)))
        .order_by(StageFactRow.at, StageFactRow.event_seq))).all()
    firsts: dict[int, Any] = {}
    for row in rows:
        firsts.setdefault(row.project_id, row)
    return firsts


async def _contracts(session: AsyncSession, scope: _Scope) -> dict[int, Any]:
    """Per project, the latest stage event carrying a contract amount before the month's end."""
    rows = (await session.execute(
        select(StageFactRow.event_seq, StageFactRow.project_id, StageFactRow.at, StageFactRow.contract_wan)
        .where(StageFactRow.at < scope.until, StageFactRow.contract_wan.is_not(None),
               StageFactRow.project_id.in_(_ids(scope)))
        .order_by(StageFactRow.event_seq))).all()
    return {row.project_id: row for row in rows}


def _contract(v: _Version, contract: Any) -> int:
    """The contract amount as corrected (the version's), else the stage change's own."""
    if v.contract_wan is not None:
        return v.contract_wan
    return contract.contract_wan if contract is not None else 0


async def _reached(session: AsyncSession, scope: _Scope, threshold: Stage, *,
                   flag: str | None) -> tuple[FigureLine, ...]:
    lines = []
    for pid, first in sorted((await _firsts(session, scope, threshold)).items(), key=lambda kv: kv[1].event_seq):
        v = scope.versions[pid]
        share = scope.share(v)
        if first.at < scope.start or share == 0 or (flag is not None and flag not in v.flags):
            continue
        lines.append(FigureLine(first.event_seq, scope.local(first.at), pid, scope.name(pid), "value", None, None,
                                share, Fraction(1)))
    return tuple(lines)


async def _soe_contracts(session: AsyncSession, scope: _Scope) -> tuple[FigureLine, ...]:
    signed = await _firsts(session, scope, Stage.SIGNED)
    contracts = await _contracts(session, scope)
    lines = []
    for pid, first in sorted(signed.items(), key=lambda kv: kv[1].event_seq):
        v = scope.versions[pid]
        share = scope.share(v)
        if first.at < scope.start or share == 0 or "central_soe" not in v.flags:
            continue
        contract = contracts.get(pid)
        amount = _contract(v, contract)
        note = f"签约额见 #{contract.event_seq}" if contract is not None and contract.event_seq != first.event_seq else ""
        if contract is not None and amount != contract.contract_wan:
            note = (note + "，" if note else "") + "签约额已更正"
        lines.append(FigureLine(first.event_seq, scope.local(first.at), pid, scope.name(pid), "value", amount, None,
                                share, Fraction(amount * share, 100), note))
    return tuple(lines)


async def _funds_rate(session: AsyncSession, scope: _Scope) -> tuple[FigureLine, ...]:
    """资金到位率 of the projects the unit hosts: all funds in place (reported, or verified: count_funds) over the
    contracts of signed projects."""
    verified = _counts_verified(scope)
    lines = [FigureLine(seq, scope.local(at), pid, scope.name(pid), "numerator", amount, None, None, Fraction(amount),
                        status="verification" if verified else "", report_seq=entry if verified else None)
             for seq, pid, at, amount, entry in await _fund_facts(session, scope, since=None, verified=verified)]
    signed = await _firsts(session, scope, Stage.SIGNED)
    contracts = await _contracts(session, scope)
    for pid in sorted(signed, key=lambda p: signed[p].event_seq):
        c = contracts.get(pid)
        if c is not None:
            amount = _contract(scope.versions[pid], c)
            lines.append(FigureLine(c.event_seq, scope.local(c.at), pid, scope.name(pid), "denominator",
                                    amount, None, None, Fraction(amount)))
    return tuple(lines)


async def _stage_rate(session: AsyncSession, scope: _Scope, stage: Stage) -> tuple[FigureLine, ...]:
    """开工率 / 投产率 / 履约率 of the hosted projects: reached `stage` over signed, since the start."""
    lines = [FigureLine(r.event_seq, scope.local(r.at), pid, scope.name(pid), "denominator", None, None, None,
                        Fraction(1)) for pid, r in _by_seq(await _firsts(session, scope, Stage.SIGNED))]
    lines += [FigureLine(r.event_seq, scope.local(r.at), pid, scope.name(pid), "numerator", None, None, None,
                         Fraction(1)) for pid, r in _by_seq(await _firsts(session, scope, stage))]
    return tuple(lines)


def _by_seq(firsts: dict[int, Any]) -> Iterable[tuple[int, Any]]:
    return sorted(firsts.items(), key=lambda kv: kv[1].event_seq)


async def _trips(session: AsyncSession, scope: _Scope, year_start: date) -> tuple[FigureLine, ...]:
    """Trips this year of the unit's quota holders, recorded by the month's end (as the ranking counts them)."""
    holders = select(MemberRow.id).where(MemberRow.trip_quota.is_not(None), MemberRow.unit == scope.unit)
    rows = (await session.execute(
        select(TripRow).where(TripRow.leader_member_id.in_(holders), TripRow.start_date >= year_start,
                              TripRow.at < scope.until).order_by(TripRow.id))).scalars().all()
    return tuple(FigureLine(t.id, scope.local(t.at), None, f"{t.traveller} 赴{t.destination}（{t.start_date.isoformat()}）",
                            "value", None, None, None, Fraction(1)) for t in rows)

