"""On PostgreSQL an event and its projection rows are one statement, after the head the process last committed
(storage/combined.py): a head another process moved since is found stale, nothing of the event is written, and
it is appended again after the head read under the lock."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.names import normalize_company_name
from core.usecases import leads, projects
from core.stages import Stage
from storage import ledger
from storage.database import Database
from storage.tables.facts import MilestoneRow, ProjectVersionRow, StageFactRow
from storage.tables.projects import ProjectRow
from tests.helpers import member, setup_org

pytestmark = pytest.mark.postgres


async def lead(db: Database, company: str) -> int:
    actor = await member(db, "东小李")
    async with db.uow() as uow:
        draft = leads.LeadDraft(name=company, normalized_name=normalize_company_name(company), owner_unit=actor.unit)
        p = await leads.log_lead(uow, actor, leads.LogLead(draft))
        await uow.commit()
    return p.id


async def count(db: Database, table: object) -> int:
    async with db.uow(readonly=True) as uow:
        return int((await uow.session.execute(select(func.count()).select_from(table))).scalar() or 0)


async def test_a_head_another_process_moved_is_read_again_and_nothing_is_written_twice(
        pg_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[object] = []
    read_head = ledger.head

    async def head(session: object) -> tuple[int, str]:
        reads.append(session)
        return await read_head(session)

    monkeypatch.setattr(ledger, "head", head)
    db = Database(pg_url, clock)
    other = Database(pg_url, clock)  # another process: its own kept head
    try:
        await setup_org(db)
        first = await lead(db, "甲科技有限公司")
        assert db.kept_head is not None and db.kept_head.head is not None
        kept = db.kept_head.head
        second = await lead(other, "乙科技有限公司")
        assert db.kept_head.head == kept  # this process has not seen the other's append
        reads.clear()
        third = await lead(db, "丙科技有限公司")  # drafted after a stale head: read again, appended after it
        assert len(reads) == 1
        fourth = await lead(db, "戊科技有限公司")  # after its own commit: the kept head, no read
        assert len(reads) == 1 and fourth == third + 1
        assert first < second < third
        assert db.kept_head.head[0] == fourth
        for table in (ProjectRow.__table__, ProjectVersionRow.__table__, MilestoneRow.__table__,
                      StageFactRow.__table__):
            assert await count(db, table) == 4
        async with db.uow(readonly=True) as uow:
            assert (await ledger.verify(uow.session)).ok
            assert (await uow.projects.get(third)) is not None
    finally:
        await other.dispose()
        await db.dispose()


async def test_a_projector_that_reads_sees_the_rows_written_before_it(pg_url: str, clock: FixedClock) -> None:
    """A stage change inserts its fact, then updates the milestones and reads the open version: the waiting
    INSERTs go first, so the events applied later read what the earlier ones wrote."""
    db = Database(pg_url, clock)
    try:
        await setup_org(db)
        actor = await member(db, "东小李")
        async with db.uow() as uow:
            draft = leads.LeadDraft(name="丁科技有限公司", normalized_name=normalize_company_name("丁科技有限公司"),
                                    owner_unit=actor.unit, intended_wan=1000)
            p = await leads.log_lead(uow, actor, leads.LogLead(draft))
            await projects.change_stage(uow, actor, projects.ChangeStage(p.id, Stage.SIGNED, contract_wan=900))
            await uow.commit()
        async with db.uow(readonly=True) as uow:
            versions = (await uow.session.execute(select(ProjectVersionRow.__table__).where(
                ProjectVersionRow.project_id == p.id).order_by(ProjectVersionRow.row_seq))).all()
            milestone = (await uow.session.execute(select(MilestoneRow.__table__).where(
                MilestoneRow.project_id == p.id))).one()
        assert [v.contract_wan for v in versions] == [None, 900] and versions[0].valid_to is not None
        assert milestone.signed_at is not None
    finally:
        await db.dispose()
