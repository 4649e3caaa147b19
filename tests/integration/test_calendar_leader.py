"""Several scheduler processes on one PostgreSQL database: one leads, each push goes out once, and a
follower takes over within one poll when the leader stops or dies. Plus the scheduler's jobs."""
from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from core.clock import FixedClock
from reminders.scheduler import AT_GRACE_SECONDS, POLL_JOB, CalendarService
from storage.database import Database
from storage.leader import LeaderLock
from tests.calendar_support import TZ, due_instants, local, outbox, setup_calendar_org
from tests.conftest import _pg_admin

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def three(pg_url: str) -> AsyncIterator[tuple[FixedClock, list[CalendarService], list[Database]]]:
    """Three processes' worth of services: separate engines (separate connections) on one database."""
    clock = FixedClock(local(2026, 12, 1, 8, 0))
    dbs = [Database(pg_url, clock) for _ in range(3)]
    services = [CalendarService(db.uow, tz=TZ, lock=LeaderLock(db.engine)) for db in dbs]
    yield clock, services, dbs
    for s in services:
        await s.stop()
    for db in dbs:
        await db.dispose()


async def poll_all(services: list[CalendarService]) -> list[int]:
    """Every process polls at the same moment; returns how many pushes each queued."""
    results = await asyncio.gather(*(s.poll() for s in services))
    return [sum(1 for d in r if d.status != "skipped") for r in results]


@pytest.mark.postgres
async def test_three_processes_send_each_push_once_and_a_follower_takes_over(three) -> None:  # type: ignore[no-untyped-def]
    clock, services, dbs = three
    await setup_calendar_org(dbs[0])
    instants = await due_instants(dbs[0], local(2026, 12, 1), local(2026, 12, 16))
    leaders: list[int] = []
    for at in instants[: len(instants) // 2]:
        clock.set(at)
        counts = await poll_all(services)
        assert sum(1 for s in services if s.is_leader) == 1
        leader = next(i for i, s in enumerate(services) if s.is_leader)
        leaders.append(leader)
        assert all(c == 0 for i, c in enumerate(counts) if i != leader)
    assert len(set(leaders)) == 1, "leadership must not move while the leader lives"

    # The leader stops (a deploy, a shutdown): at the next poll another process leads.
    old = leaders[0]
    await services[old].stop()
    rest = [s for i, s in enumerate(services) if i != old]
    for at in instants[len(instants) // 2:]:
        clock.set(at)
        await poll_all(rest)
        assert sum(1 for s in rest if s.is_leader) == 1
    rows = await outbox(dbs[0])
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys))
    assert Counter(r.kind for r in rows) == {"report.reminder": 6 * 3, "report.overdue": 9,
                                             "report.overdue_list": 1, "calendar.fallback": 1}


@pytest.mark.postgres
async def test_when_the_leader_dies_a_follower_leads_from_its_next_poll(three) -> None:  # type: ignore[no-untyped-def]
    clock, services, dbs = three
    await setup_calendar_org(dbs[0])
    clock.set(local(2026, 12, 7, 9, 0))
    first = await poll_all(services)
    leader = next(i for i, s in enumerate(services) if s.is_leader)
    assert first[leader] == 6 + 1  # the six reminders and the 2027 warning
    pid = services[leader].lock.backend_pid  # type: ignore[attr-defined]
    assert pid is not None
    # The process dies: the server ends its session (and the lock with it).
    await _pg_admin(f"SELECT pg_terminate_backend({pid}, 5000)")
    clock.set(local(2026, 12, 9, 9, 0))
    others = [s for i, s in enumerate(services) if i != leader]
    counts = await poll_all(others)
    assert sorted(counts) == [0, 6]
    # The old leader notices its lost connection at its next poll and follows.
    assert await services[leader].poll() == []
    assert not services[leader].is_leader
    assert sum(1 for s in services if s.is_leader) == 1
    assert len(await outbox(dbs[0], "report.reminder")) == 12


async def test_sqlite_has_one_process_and_it_leads(sqlite_db: Database) -> None:
    lock = LeaderLock(sqlite_db.engine)
    assert await lock.acquire() and lock.is_leader
    await lock.release()
    assert not lock.is_leader


async def test_the_scheduler_has_stable_jobs_in_the_configured_time_zone(sqlite_db: Database) -> None:
    await setup_calendar_org(sqlite_db)
    changes: list[bool] = []

    async def told(leading: bool) -> None:
        changes.append(leading)

    service = CalendarService(sqlite_db.uow, tz=TZ, lock=LeaderLock(sqlite_db.engine), poll_seconds=60,
                              on_leadership=told)
    await service.start(poll_now=False)
    try:
        assert service.scheduler is not None and str(service.scheduler.timezone) == "Asia/Shanghai"
        jobs = {j.id: j for j in service.scheduler.get_jobs()}
        assert set(jobs) == {POLL_JOB, "zsbot.calendar.at.0900"}
        poll, at9 = jobs[POLL_JOB], jobs["zsbot.calendar.at.0900"]
        assert poll.trigger.interval == timedelta(seconds=60) and poll.coalesce and poll.max_instances == 1
        assert poll.misfire_grace_time == 60
        assert at9.misfire_grace_time == AT_GRACE_SECONDS and at9.coalesce
        assert str(at9.trigger.timezone) == "Asia/Shanghai"
        fire = at9.trigger.get_next_fire_time(None, datetime(2026, 12, 7, 8, 0, tzinfo=TZ))
        assert fire == datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
        sqlite_db.clock.set(local(2026, 12, 7, 9, 0))  # type: ignore[attr-defined]
        assert len([d for d in await service.poll() if d.push.kind == "report.reminder"]) == 6
        assert service.is_leader and changes == [True]
    finally:
        await service.stop()
    assert changes == [True, False]
