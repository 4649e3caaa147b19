"""The aggregates a monthly ranking needs, computed in SQL from the reporting facts.

Everything is "as of" an instant `until` (the end of a month in local time, as UTC) and "this
year" starts at `year_start`. Rows are grouped by what the credit and counting rules need —
owner, host, recorded credit split, category and flags — so Python only applies the rules to a
few hundred groups, never to the events themselves.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, case, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import local_midnight_utc
from core.figures import MonthFacts, ProjectGroup, QuotaHolder, ReportCounts
from storage.queries.known import in_force, recorded
from storage.tables.base import UTCDateTime
from storage.tables.evidence import FundsDecisionRow
from storage.tables.facts import FundFactRow, LateFactRow, MilestoneRow, ProjectVersionRow
from storage.tables.ledger import EventRow
from storage.tables.org import MemberRow
from storage.tables.trips import TripRow

# How the half-monthly reports are counted (storage/queries/report_rates.py provides one).
ReportCounter = Callable[[AsyncSession, datetime, datetime], Awaitable[dict[str, ReportCounts]]]

GROUP_KEYS = ("owner_unit", "host_unit", "credit_owner_pct", "credit_host_pct", "category", "flag_industrial",
              "flag_strong", "flag_headquarters", "flag_digital", "flag_central_soe")


@cache
def _group_statements(dated: bool, restricted: bool) -> tuple[Any, Any, Any]:
    """The three statements of `project_groups`, built once per shape (as known now or as of an instant; every
    project or a few): building them is most of the time a read restricted to a few projects takes."""
    year_start, until = bindparam("year_start", type_=UTCDateTime()), bindparam("until", type_=UTCDateTime())
    as_of = bindparam("as_of", type_=UTCDateTime()) if dated else None

    def among(column: Any) -> Any:
        return column.in_(bindparam("only", expanding=True)) if restricted else true()

    v = ProjectVersionRow
    f = FundFactRow
    funds = (select(v.class_key, func.coalesce(func.sum(case((f.at >= year_start, f.amount_wan), else_=0)), 0),
                    func.coalesce(func.sum(f.amount_wan), 0))
             .select_from(f).join(v, and_(v.project_id == f.project_id, in_force(v, until, as_of)))
             .where(f.at < until, recorded(f.recorded_at, as_of), among(f.project_id)).group_by(v.class_key))
    d = FundsDecisionRow
    decisions = (select(v.class_key, func.coalesce(func.sum(case((d.at >= year_start, d.verified_wan), else_=0)), 0),
                        func.coalesce(func.sum(d.verified_wan), 0),
                        func.coalesce(func.sum(case((d.at >= year_start, d.settled_wan), else_=0)), 0))
                 .select_from(d).join(v, and_(v.project_id == d.project_id, in_force(v, until, as_of)))
                 .where(d.at < until, recorded(d.recorded_at, as_of), among(d.project_id)).group_by(v.class_key))
    m = MilestoneRow

    def reached(column: Any, *, this_year: bool) -> Any:
        condition = and_(column.is_not(None), column < until,
                         recorded(getattr(m, column.key.replace("_at", "_recorded")), as_of))
        return and_(condition, column >= year_start) if this_year else condition

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    def contracts(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, func.coalesce(v.contract_wan, 0)), else_=0)), 0)

    keys = [getattr(v, k) for k in GROUP_KEYS]
    counts = (select(v.class_key, *keys,
                     count(reached(m.signed_at, this_year=True)), count(reached(m.started_at, this_year=True)),
                     count(reached(m.producing_at, this_year=True)),
                     count(reached(m.signed_at, this_year=False)), count(reached(m.landed_at, this_year=False)),
                     count(reached(m.started_at, this_year=False)), count(reached(m.producing_at, this_year=False)),
                     contracts(reached(m.signed_at, this_year=False)),
                     contracts(reached(m.signed_at, this_year=True)),
                     func.count())
              .select_from(v).outerjoin(m, m.project_id == v.project_id)
              .where(in_force(v, until, as_of), among(v.project_id))
              .group_by(v.class_key, *keys))
    return funds, decisions, counts


async def project_groups(session: AsyncSession, *, year_start: datetime, until: datetime,
                         as_of: datetime | None = None, only: Collection[int] | None = None) -> list[ProjectGroup]:
    """Three scans grouped by each version's class key: the funds (as cheap as a plain funds-per-unit
    query) with their verification decisions, and the projects with their milestones, which also names each class's
    attributes. Facts count by when they happened (before `until`), as known now or, with `as_of`, as recorded
    before it — a verification counts from the instant it was recorded, for the month the funds belong to.
    `only`: the sums over these projects alone (through each table's project index)."""
    statements = _group_statements(as_of is not None, only is not None)
    params: dict[str, Any] = {"year_start": year_start, "until": until}
    if as_of is not None:
        params["as_of"] = as_of
    if only is not None:
        params["only"] = list(only)
    funds, decisions, counts = [await session.execute(stmt, params) for stmt in statements]
    money = {row[0]: (int(row[1]), int(row[2])) for row in funds.all()}
    decided = {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in decisions.all()}
    n = len(GROUP_KEYS)

    def checked(key: int) -> tuple[int, int, int]:
        """Verified this year, verified ever, and what waits for a verifier (reported less what was decided)."""
        year, ever, settled = decided.get(key, (0, 0, 0))
        return year, ever, money.get(key, (0, 0))[0] - settled

    # One row's fields in ProjectGroup's order: its class's attributes, its funds, its counts, its verification,
    # its number of projects.
    fields: list[tuple[Any, ...]] = [(*row[1:n + 1], *money.get(row[0], (0, 0)), *(int(x) for x in row[n + 1:-1]),
                                      *checked(row[0]), int(row[-1])) for row in counts.all()]
    return [ProjectGroup(*values) for values in fields]


async def trips_by_member(session: AsyncSession, *, year_start_date: date, until: datetime,
                          as_of: datetime | None = None) -> dict[int, int]:
    """Trips this year of each quota holder, as recorded by `until` (and by `as_of`)."""
    rows = await session.execute(
        select(TripRow.leader_member_id, func.count())
        .where(TripRow.leader_member_id.is_not(None), TripRow.start_date >= year_start_date, TripRow.at < until,
               recorded(TripRow.at, as_of))
        .group_by(TripRow.leader_member_id))
    # leader_member_id is nullable, but the query keeps only the rows where it is set.
    return {cast(int, member_id): count for member_id, count in rows.all()}


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


async def figures_head(session: AsyncSession, until: datetime, as_of: datetime | None = None
                       ) -> tuple[int, str | None]:
    """The newest event a month's figures depend on: the head at the month's end, or a later event that changed
    facts before it (a correction, a back-dated entry, a void), as known now or at `as_of`."""
    bound = until if as_of is None else min(until, as_of)
    seq, digest = await head_as_of(session, bound)
    # The newest event by time is the head, unless a clock was set back: then the newest by seq also counts.
    newest = (await session.execute(select(EventRow.seq, EventRow.hash, EventRow.at)
                                    .order_by(EventRow.seq.desc()).limit(1))).first()
    if newest is not None and newest.seq > seq and newest.at < bound:
        seq, digest = newest.seq, newest.hash
    late = (await session.execute(select(func.max(LateFactRow.event_seq))
                                  .where(LateFactRow.at < until, recorded(LateFactRow.recorded_at, as_of)))).scalar()
    if late is None or late <= seq:
        return seq, digest
    row = (await session.execute(select(EventRow.hash).where(EventRow.seq == late))).scalar()
    return late, row


async def month_facts(session: AsyncSession, month: str, tz: ZoneInfo,
                      reports: ReportCounter | None = None, *, as_of: datetime | None = None) -> MonthFacts:
    """Read everything the ranking of `month` ("2026-10") needs: the facts that happened before the month's end in
    `tz`, as known now (a later correction counted) or as recorded before `as_of`."""
    year, mon = (int(x) for x in month.split("-"))
    first_next = date(year + (mon == 12), mon % 12 + 1, 1)
    month_end = first_next - timedelta(days=1)
    year_start = date(year, 1, 1)
    until = local_midnight_utc(first_next, tz)
    start = local_midnight_utc(year_start, tz)
    seq, digest = await figures_head(session, until, as_of)
    groups = await project_groups(session, year_start=start, until=until, as_of=as_of)
    trips = await trips_by_member(session, year_start_date=year_start, until=until, as_of=as_of)
    holders = await quota_holders(session)
    counts = await reports(session, start, until) if reports is not None else None
    return MonthFacts(month=month, year_start=year_start, month_end=month_end, until=until, head_seq=seq,
                      head_hash=digest, groups=tuple(groups), trips=trips, quota_holders=tuple(holders),
                      reports=counts, as_of=as_of)
