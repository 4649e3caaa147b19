"""A month's facts brought forward from an earlier ledger head by the few events recorded since (issue 21).

Reading a month's facts scans every project version (storage/queries/rankings.py `project_groups`): half a
second at a million events. The running month's head moves with every recorded fact, so without this every
question about it after a new event paid that scan. Its groups are sums over projects, so the facts at the
new head are the cached ones, less what the projects the new events touched summed before them, plus what
they sum now — two reads restricted to those projects through their indexes. "Before them" is the ledger as
it stood just after the old head was recorded (`as_of`, the same reading that reproduces a published
ranking), and "now" the ledger just after the new head; exact only if each head was the last event recorded by
its instant (a clock set back breaks that); otherwise, or when too many events came in between, the caller reads the month in
full.

Trips, report counts and quota holders are read again only when an event since may have changed them (one not
about projects, their funds or their sharing): at a million events the trips alone take 40 ms.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from datetime import timedelta
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core.clock import local_midnight_utc
from core.figures import MonthFacts, ProjectGroup
from storage.queries.rankings import GROUP_KEYS, ReportCounter, project_groups, quota_holders, trips_by_member
from storage.tables.ledger import EventRow

# Beyond this many events since the cached head one full read is cheaper than the restricted ones.
MAX_EVENTS = 200
# The instants are stored to the microsecond: "recorded up to the head" is "recorded before the next tick".
_TICK = timedelta(microseconds=1)
_KEYS = len(GROUP_KEYS)
# Events that change no trip, half-monthly report, member or configuration (new kinds are read again by default).
_PROJECTS_ONLY = frozenset({
    ev.LEAD_LOGGED, ev.PROJECT_CORRECTED, ev.STAGE_CHANGED, ev.FUNDS_ADDED, ev.NOTE_ADDED, ev.PROBLEM_RAISED,
    ev.PROBLEM_RESOLVED, ev.PROJECT_VOIDED, ev.PROJECT_RESTORED, ev.FUNDS_CORRECTED, ev.CONTRACT_CORRECTED,
    ev.FILE_ATTACHED, ev.FUNDS_VERIFIED, ev.FUNDS_RETURNED, ev.FUNDS_RESUBMITTED, ev.INTEREST_MARKED, ev.ROUTED,
    ev.TRANSFER_PROPOSED, ev.TRANSFER_ACCEPTED, ev.TRANSFER_REFUSED, ev.TRANSFER_WITHDRAWN, ev.SUPPORTING_JOINED,
    ev.CLAIM_OPENED, ev.CLAIM_RESOLVED})
_FIELDS = [f.name for f in fields(ProjectGroup)]
_SUMS = len(_FIELDS) - _KEYS
_key: Callable[[ProjectGroup], tuple[Any, ...]] = attrgetter(*GROUP_KEYS)
_values: Callable[[ProjectGroup], tuple[Any, ...]] = attrgetter(*_FIELDS)


async def brought_forward(session: AsyncSession, base: MonthFacts, seq: int, digest: str, tz: ZoneInfo,
                          reports: ReportCounter) -> MonthFacts | None:
    """`base` (read as known now) at the head `seq`, or None when it cannot be brought forward exactly."""
    if base.as_of is not None or base.head_hash is None or not base.head_seq < seq <= base.head_seq + MAX_EVENTS:
        return None
    rows = (await session.execute(select(EventRow.seq, EventRow.at, EventRow.project_id, EventRow.hash, EventRow.type)
                                  .where(EventRow.seq >= base.head_seq, EventRow.seq <= seq)
                                  .order_by(EventRow.seq))).all()
    # Each head must be the last event recorded by its instant: the events since recorded after the old head and
    # by the new one (one transaction's events share an instant),
    if (len(rows) != seq - base.head_seq + 1 or rows[0].hash != base.head_hash or rows[-1].hash != digest
            or any(r.at <= rows[0].at or r.at > rows[-1].at for r in rows[1:])):
        return None
    # ...and no earlier event recorded after the old head (a clock set back): the index on `at` finds it at once.
    if (await session.execute(select(EventRow.seq).where(EventRow.at > rows[0].at, EventRow.seq < base.head_seq)
                              .limit(1))).first() is not None:
        return None
    touched = sorted({r.project_id for r in rows[1:] if r.project_id is not None})
    groups = base.groups
    start = local_midnight_utc(base.year_start, tz)
    if touched:
        before = await project_groups(session, year_start=start, until=base.until, as_of=rows[0].at + _TICK,
                                      only=touched)
        after = await project_groups(session, year_start=start, until=base.until, as_of=rows[-1].at + _TICK,
                                     only=touched)
        groups = shifted(base.groups, before, after)
    if all(r.type in _PROJECTS_ONLY for r in rows[1:]):
        return replace(base, head_seq=seq, head_hash=digest, groups=groups)
    trips = await trips_by_member(session, year_start_date=base.year_start, until=base.until)
    holders = tuple(await quota_holders(session))
    counts = await reports(session, start, base.until) if base.reports is not None else None
    return replace(base, head_seq=seq, head_hash=digest, groups=groups, trips=trips, quota_holders=holders,
                   reports=counts)


def shifted(groups: tuple[ProjectGroup, ...], before: Iterable[ProjectGroup], after: Iterable[ProjectGroup]
            ) -> tuple[ProjectGroup, ...]:
    """`groups` less `before` plus `after`, group by group (their credit and counting attributes); a group left
    with no project is gone, as a full read would not list it. Groups no project moved in or out of are kept as
    they are: a running month has thousands of groups and an event touches one or two."""
    change: dict[tuple[Any, ...], list[int]] = {}
    for sign, part in ((-1, before), (1, after)):
        for g in part:
            values = _values(g)
            row = change.setdefault(values[:_KEYS], [0] * _SUMS)
            for i, x in enumerate(values[_KEYS:]):
                row[i] += sign * x
    out: list[ProjectGroup] = []
    for g in groups:
        key = _key(g)
        delta = change.pop(key, None)
        if delta is None:
            out.append(g)
        else:
            sums = [x + d for x, d in zip(_values(g)[_KEYS:], delta)]
            if sums[-1] > 0:
                out.append(ProjectGroup(*key, *sums))
    out += [ProjectGroup(*key, *sums) for key, sums in change.items() if sums[-1] > 0]
    return tuple(out)


