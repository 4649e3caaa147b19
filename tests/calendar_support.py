"""Helpers for the calendar tests: an organisation with a dispatching leader, bound chats, ticks on a
controllable clock, filing a report directly, and reading what the outbox holds."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.clock import FixedClock
from core.org import OrgConfig, load_org
from core.usecases.halfmonthly import NameObservation, SubmitReport, name_observation, submit_report
from core.usecases.org import BindIdentity, bind_identity
from core.workdays import deadline
from reminders.calendar import workdays
from reminders.planner import PlanContext, plan
from reminders.ticker import Decision, Ticker
from storage.database import Database
from storage.tables.operational import OutboxRow
from tests.helpers import MINI_ORG, member, setup_org

TZ = ZoneInfo("Asia/Shanghai")
DISPATCHER = """
[[members]]
name = "钱副市长"
unit = "leadership"
role = "leader"
title = "副市长（分管招商引资）"
trip_quota = 4
"""


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def org_with_dispatcher() -> OrgConfig:
    return load_org(MINI_ORG.read_text(encoding="utf-8") + DISPATCHER, "mini_org+dispatcher")


async def setup_calendar_org(db: Database, org: OrgConfig | None = None, *, bind: bool = True) -> OrgConfig:
    """The mini organisation (plus a dispatching leader) with every member bound to a console chat."""
    org = await setup_org(db, org or org_with_dispatcher())
    if bind:
        async with db.uow() as uow:
            for m in await uow.org.members():
                await bind_identity(uow, m, BindIdentity(channel="console", external_id=f"c{m.id}", chat_id=f"c{m.id}"))
            await uow.commit()
    return org


async def tick_at(db: Database, at: datetime) -> list[Decision]:
    assert isinstance(db.clock, FixedClock)
    db.clock.set(at)
    return await Ticker(db.uow, tz=TZ).tick()


async def file_report(db: Database, name: str, period: date, at: datetime) -> bool:
    """`name` files their unit's report for `period` at `at` (no project updates); returns on_time."""
    assert isinstance(db.clock, FixedClock)
    db.clock.set(at)
    m = await member(db, name)
    async with db.uow() as uow:
        cfg = await uow.org.config()
        assert cfg is not None
        closes = deadline(period, cfg.calendar, TZ, workdays(cfg.calendar))
        done = await submit_report(uow, m, SubmitReport(unit=m.unit, period=period.isoformat(), deadline=closes, entries=[]))
        await uow.commit()
    return done.on_time


async def name_project(db: Database, name: str, quarter: str, project: str, at: datetime) -> None:
    assert isinstance(db.clock, FixedClock)
    db.clock.set(at)
    m = await member(db, name)
    async with db.uow() as uow:
        await name_observation(uow, m, NameObservation(unit=m.unit, quarter=quarter, name=project))
        await uow.commit()


async def outbox(db: Database, kind: str | None = None) -> list[OutboxRow]:
    async with db.uow(readonly=True) as uow:
        q = select(OutboxRow).order_by(OutboxRow.id)
        if kind is not None:
            q = q.where(OutboxRow.kind == kind)
        rows = list((await uow.session.execute(q)).scalars())
        uow.session.expunge_all()  # keep the loaded values after the read-only transaction ends
        return rows


async def kinds(db: Database) -> Counter[str]:
    return Counter(r.kind for r in await outbox(db))


async def recipients(db: Database, kind: str) -> list[str]:
    """Names of the members a kind of push was queued for, sorted."""
    async with db.uow(readonly=True) as uow:
        names = {m.id: m.name for m in await uow.org.members()}
    return sorted(names[r.member_id] for r in await outbox(db, kind) if r.member_id is not None)


def texts(rows: Iterable[OutboxRow]) -> list[str]:
    import json

    return [json.loads(r.action)["text"] for r in rows]


async def due_instants(db: Database, start: datetime, end: datetime) -> list[datetime]:
    """Every distinct instant a push is planned for in [start, end]: where a scheduler would tick."""
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        assert cfg is not None
        ctx = PlanContext(cfg, tuple(await uow.org.members()), TZ, workdays(cfg.calendar))
    return sorted({p.due for p in plan(ctx, start, end)})
