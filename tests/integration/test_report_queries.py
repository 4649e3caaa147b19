"""The on-time figures the rankings read (storage/queries/report_rates.py), and the report projections
rebuilt from the ledger, on both engines."""
from __future__ import annotations

from datetime import date

import pytest

from core.figures import ReportCounts
from storage.database import Database
from storage.projectors import rebuild
from storage.queries.report_rates import on_time_rates, report_counter
from storage.tables.reports import ObservationRow, ReportSubmissionRow
from tests.calendar_support import TZ, file_report, local, name_project, setup_calendar_org
from tests.helpers import dump

pytestmark = pytest.mark.asyncio


async def october(db: Database) -> None:
    db.clock.set(local(2026, 1, 1, 8, 0))  # type: ignore[attr-defined]
    await setup_calendar_org(db, bind=False)
    assert await file_report(db, "东小李", date(2026, 10, 10), local(2026, 10, 9, 10, 0)) is True
    assert await file_report(db, "东小李", date(2026, 10, 25), local(2026, 10, 27, 10, 0)) is False  # due 26 Oct
    assert await file_report(db, "高新小陈", date(2026, 10, 25), local(2026, 10, 26, 23, 0)) is True
    await name_project(db, "西小张", "2026Q4", "化工园开工仪式", local(2026, 10, 9, 11, 0))


async def test_on_time_rates_per_unit_over_periods(db: Database) -> None:
    await october(db)
    async with db.uow(readonly=True) as uow:
        rates = await on_time_rates(uow.session, ["2026-10-10", "2026-10-25"], ["east", "west", "hitech"])
    east, west, hitech = rates["east"], rates["west"], rates["hitech"]
    assert (east.expected, east.on_time, east.late, east.missing, east.rate_pct) == (2, 1, 1, 0, 50.0)
    assert (west.on_time, west.late, west.missing, west.rate_pct) == (0, 0, 2, 0.0)
    assert (hitech.on_time, hitech.missing) == (1, 1)


async def test_the_ranking_counter_counts_the_periods_of_a_month_for_every_reporting_unit(db: Database) -> None:
    await october(db)
    count = report_counter(TZ)
    async with db.uow(readonly=True) as uow:
        oct_ = await count(uow.session, local(2026, 10, 1), local(2026, 11, 1))
        year = await count(uow.session, local(2026, 1, 1), local(2026, 11, 1))
    assert set(oct_) == {"east", "west", "hitech", "gongxin", "keji", "zhu_sz", "zhu_cs"}
    assert oct_["east"] == ReportCounts(due=2, on_time=1)
    assert oct_["hitech"] == ReportCounts(due=2, on_time=1)
    assert oct_["keji"] == ReportCounts(due=2, on_time=0)
    assert year["east"] == ReportCounts(due=20, on_time=1)   # 10 Jan … 25 Oct


async def test_periods_before_the_organisation_existed_are_not_due(db: Database) -> None:
    db.clock.set(local(2026, 10, 12, 8, 0))  # type: ignore[attr-defined]
    await setup_calendar_org(db, bind=False)
    async with db.uow(readonly=True) as uow:
        counts = await report_counter(TZ)(uow.session, local(2026, 10, 1), local(2026, 11, 1))
    assert counts["east"] == ReportCounts(due=1, on_time=0)  # only 25 Oct


async def test_rebuilding_the_ledger_gives_the_same_report_tables(db: Database) -> None:
    await october(db)
    tables = [ReportSubmissionRow.__table__, ObservationRow.__table__]
    before = await dump(db, tables)
    assert len(before["report_submissions"]) == 3 and len(before["observation_projects"]) == 1
    async with db.uow() as uow:
        await rebuild(uow.session)
        await uow.commit()
    assert await dump(db, tables) == before
