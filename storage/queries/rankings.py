"""The aggregates a monthly ranking needs, computed in SQL from the reporting facts.

Everything is "as of" an instant `until` (the end of a month in local time, as UTC) and "this
year" starts at `year_start`. Rows are grouped by what the credit and counting rules need —
owner, host, recorded credit split, category and flags — so Python only applies the rules to a
few hundred groups, never to the events themselves.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import local_midnight_utc
from core.figures import MonthFacts, ProjectGroup, QuotaHolder, ReportCounts
from storage.tables.facts import FundFactRow, MilestoneRow, ProjectVersionRow
from storage.tables.ledger import EventRow
from storage.tables.org import MemberRow
from storage.tables.trips import TripRow

# How the half-monthly reports are counted (storage/queries/report_rates.py provides one).
ReportCounter = Callable[[AsyncSession, datetime, datetime], Awaitable[dict[str, ReportCounts]]]

GROUP_KEYS = ("owner_unit", "host_unit", "credit_owner_pct", "credit_host_pct", "category", "flag_industrial",
              "flag_strong", "flag_headquarters", "flag_digital", "flag_central_soe")


def _as_of(v: Any, until: datetime) -> Any:
    """The version of each project valid at `until`, if it counts."""
    return and_(v.at < until, or_(v.valid_to.is_(None), v.valid_to >= until), v.countable)


async def project_groups(session: AsyncSession, *, year_start: datetime, until: datetime) -> list[ProjectGroup]:
    """Two scans grouped by each version's class key: the funds (as cheap as a plain funds-per-unit
    query), and the projects with their milestones, which also names each class's attributes."""
    v = ProjectVersionRow
    f = FundFactRow
    funds = await session.execute(
        select(v.class_key, func.coalesce(func.sum(case((f.at >= year_start, f.amount_wan), else_=0)), 0),
               func.coalesce(func.sum(f.amount_wan), 0))
        .select_from(f).join(v, and_(v.project_id == f.project_id, _as_of(v, until)))
        .where(f.at < until).group_by(v.class_key))
    m = MilestoneRow

    def reached(column: Any, *, this_year: bool) -> Any:
        condition = and_(column.is_not(None), column < until)
        return and_(condition, column >= year_start) if this_year else condition

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    def contracts(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, func.coalesce(v.contract_wan, 0)), else_=0)), 0)

    keys = [getattr(v, k) for k in GROUP_KEYS]
    counts = await session.execute(
        select(v.class_key, *keys,
               count(reached(m.signed_at, this_year=True)), count(reached(m.started_at, this_year=True)),
               count(reached(m.producing_at, this_year=True)),
               count(reached(m.signed_at, this_year=False)), count(reached(m.landed_at, this_year=False)),
               count(reached(m.started_at, this_year=False)), count(reached(m.producing_at, this_year=False)),
               contracts(reached(m.signed_at, this_year=False)), contracts(reached(m.signed_at, this_year=True)))
        .select_from(v).outerjoin(m, m.project_id == v.project_id).where(_as_of(v, until))
        .group_by(v.class_key, *keys))
    money = {row[0]: (int(row[1]), int(row[2])) for row in funds.all()}
    n = len(GROUP_KEYS)
    return [ProjectGroup(*row[1:n + 1], *money.get(row[0], (0, 0)), *(int(x) for x in row[n + 1:]))
            for row in counts.all()]


async def trips_by_member(session: AsyncSession, *, year_start_date: date, until: datetime) -> dict[int, int]:
    """Trips this year of each quota holder, as recorded by `until`."""
    rows = await session.execute(
        select(TripRow.leader_member_id, func.count())
        .where(TripRow.leader_member_id.is_not(None), TripRow.start_date >= year_start_date, TripRow.at < until)
        .group_by(TripRow.leader_member_id))
    return {member_id: count for member_id, count in rows.all()}


async def quota_holders(session: AsyncSession) -> list[QuotaHolder]:
    """Everyone with a yearly trip quota, and their unit."""
    rows = await session.execute(select(MemberRow.id, MemberRow.unit, MemberRow.trip_quota)
                                 .where(MemberRow.trip_quota.is_not(None)))
    return [QuotaHolder(r.id, r.unit, r.trip_quota) for r in rows.all()]


async def head_as_of(session: AsyncSession, until: datetime) -> tuple[int, str | None]:
    """The ledger head at an instant: the figures of a month are anchored to it."""
    # By time, through the index on `at`: the last event recorded before the instant.
    row = (await session.execute(select(EventRow.seq, EventRow.hash).where(EventRow.at < until)
                                 .order_by(EventRow.at.desc(), EventRow.seq.desc()).limit(1))).first()
    return (row.seq, row.hash) if row else (0, None)


async def month_facts(session: AsyncSession, month: str, tz: ZoneInfo,
                      reports: ReportCounter | None = None) -> MonthFacts:
    """Read everything the ranking of `month` ("2026-10") needs, as of the month's end in `tz`."""
    year, mon = (int(x) for x in month.split("-"))
    first_next = date(year + (mon == 12), mon % 12 + 1, 1)
    month_end = first_next - timedelta(days=1)
    year_start = date(year, 1, 1)
    until = local_midnight_utc(first_next, tz)
    start = local_midnight_utc(year_start, tz)
    seq, digest = await head_as_of(session, until)
    groups = await project_groups(session, year_start=start, until=until)
    trips = await trips_by_member(session, year_start_date=year_start, until=until)
    holders = await quota_holders(session)
    counts = await reports(session, start, until) if reports is not None else None
    return MonthFacts(month=month, year_start=year_start, month_end=month_end, until=until, head_seq=seq,
                      head_hash=digest, groups=tuple(groups), trips=trips, quota_holders=tuple(holders),
                      reports=counts)
