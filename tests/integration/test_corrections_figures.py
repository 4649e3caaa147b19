"""Corrections, voids and back-dated facts in the figures (issue 16), on both engines: a December correction of an
October entry changes October as known now, October "as of" 3 November stays exactly what it was, the caches see
the correction, and rebuilding every projection from the ledger gives the same tables."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.clock import FixedClock
from core.errors import Refusal
from core.stages import Stage
from core.usecases import corrections as fix
from core.usecases import projects as uc
from reports.ranking import rank_month, ranking_json
from storage.database import Database
from storage.projectors import rebuild
from storage.schema import schema
from tests.conftest import TZ, local
from tests.helpers import dump
from tests.integration.test_ranking import act, lead, units
from tests.helpers import setup_org
from web.figures_cache import MonthCache

pytestmark = pytest.mark.asyncio
NOV_3 = local(2026, 11, 4)          # the end of 3 November: the ranking as it stood that day


async def october_units(db: Database, *, as_of: Any = None) -> dict[str, dict]:
    async with db.uow(readonly=True) as uow:
        found = await uow.figures.month("2026-10", TZ, as_of=as_of)
    assert found is not None
    cfg, facts = found
    return units(ranking_json(rank_month(cfg, facts)), "districts")


def values(u: dict[str, dict], unit: str) -> tuple[Any, Any]:
    """(到位资金, 新签约项目) of a unit."""
    return tuple(i["value"] for i in u[unit]["indicators"][:2])  # type: ignore[return-value]


async def scripted(db: Database, clock: FixedClock) -> dict[str, int]:
    clock.set(local(2026, 9, 30, 9))
    await setup_org(db)
    clock.set(local(2026, 10, 3, 9))
    a = await lead(db, "东小李", "东方电子有限公司", flags=frozenset({"industrial"}))
    b = await lead(db, "东小李", "东湖新材料有限公司")
    c = await lead(db, "西小张", "西部测试公司")
    clock.set(local(2026, 10, 5, 10))
    await act(db, "东小李", uc.change_stage, uc.ChangeStage(a, Stage.SIGNED, contract_wan=50_000))
    await act(db, "西小张", uc.change_stage, uc.ChangeStage(c, Stage.SIGNED, contract_wan=10_000))
    clock.set(local(2026, 10, 10, 10))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(a, 20_000))
    await act(db, "西小张", uc.add_funds, uc.AddFunds(c, 3_000))
    return {"a": a, "b": b, "c": c}


async def test_december_corrections_change_october_and_as_of_keeps_what_was_published(db: Database,
                                                                                      clock: FixedClock) -> None:
    ids = await scripted(db, clock)
    clock.set(local(2026, 11, 3, 9))
    published = await october_units(db)
    assert values(published, "east") == (20_000, 1) and values(published, "west") == (3_000, 1)

    clock.set(local(2026, 12, 5, 10))
    async with db.uow(readonly=True) as uow:
        entry = (await uow.projects.timeline(ids["a"])).funds[0]
    await act(db, "东小李", fix.correct_funds, fix.CorrectFunds(ids["a"], entry.seq, 2_000, "多填了一个零"))
    # A signing of B that happened on 20 October, entered in December.
    await act(db, "东小李", uc.change_stage, uc.ChangeStage(ids["b"], Stage.SIGNED, contract_wan=8_000,
                                                             on=local(2026, 10, 20)))
    await act(db, "西小张", fix.void_project, fix.VoidProject(ids["c"], "测试数据"))

    now = await october_units(db)
    assert values(now, "east") == (2_000, 2)       # the offset on the entry's date; B signed in October
    assert values(now, "west") == (0, 0)           # the voided test entry never counted
    assert await october_units(db, as_of=NOV_3) == published

    # The office restores C: October has it again, and the day of the void still reads without it.
    clock.set(local(2026, 12, 6, 10))
    await act(db, "王办公", fix.restore_project, fix.RestoreProject(ids["c"]))
    assert values(await october_units(db), "west") == (3_000, 1)
    assert values(await october_units(db, as_of=local(2026, 12, 6)), "west") == (0, 0)

    before = await dump(db, schema().projection_tables)
    async with db.uow() as uow:
        await rebuild(uow.session)
        await uow.commit()
    assert await dump(db, schema().projection_tables) == before


async def test_a_contract_correction_counts_from_the_signing(db: Database, clock: FixedClock) -> None:
    ids = await scripted(db, clock)
    clock.set(local(2026, 12, 1, 10))
    await act(db, "东小李", fix.correct_contract, fix.CorrectContract(ids["a"], 40_000, "合同补充协议前的金额"))
    async with db.uow(readonly=True) as uow:
        cfg, facts = await uow.figures.month("2026-10", TZ)  # type: ignore[misc]
        old_cfg, old = await uow.figures.month("2026-10", TZ, as_of=NOV_3)  # type: ignore[misc]
        ledger = (await uow.figures.ledger("2026-10", TZ, {}))[0]
    signed = sum(g.contract_signed_year_wan for g in facts.groups if g.host_unit == "east")
    assert signed == 40_000
    assert sum(g.contract_signed_year_wan for g in old.groups if g.host_unit == "east") == 50_000
    assert next(r for r in ledger if r.project_id == ids["a"]).contract_wan == 40_000


async def test_the_caches_see_a_correction_of_a_closed_month(db: Database, clock: FixedClock) -> None:
    ids = await scripted(db, clock)
    clock.set(local(2026, 12, 5, 10))
    cache = MonthCache()
    async with db.uow(readonly=True) as uow:
        first = await cache.month(uow, "2026-10", TZ, current="2026-12")
        again = await cache.month(uow, "2026-10", TZ, current="2026-12")
        chat = await uow.figures.facts("2026-10", TZ)
    assert first is again and first is not None
    assert values(units(ranking_json(cache.ranking(first)), "districts"), "east") == (20_000, 1)
    async with db.uow(readonly=True) as uow:
        entry = (await uow.projects.timeline(ids["a"])).funds[0]
    await act(db, "东小李", fix.correct_funds, fix.CorrectFunds(ids["a"], entry.seq, 5_000, "重复报送"))
    async with db.uow(readonly=True) as uow:
        fresh = await cache.month(uow, "2026-10", TZ, current="2026-12")
        chat_after = await uow.figures.facts("2026-10", TZ)
    assert fresh is not first and fresh is not None
    assert values(units(ranking_json(cache.ranking(fresh)), "districts"), "east") == (5_000, 1)
    assert chat_after is not chat and chat_after.head_seq > chat.head_seq
    assert sum(g.funds_year_wan for g in chat_after.groups if g.host_unit == "east") == 5_000


async def test_back_dating_is_refused_in_the_future_before_the_lead_and_before_the_stage(db: Database,
                                                                                         clock: FixedClock) -> None:
    ids = await scripted(db, clock)
    clock.set(local(2026, 11, 2, 10))
    attempts = [
        (uc.change_stage, uc.ChangeStage(ids["b"], Stage.NEGOTIATING, on=local(2026, 11, 3)), "date_in_future"),
        (uc.change_stage, uc.ChangeStage(ids["b"], Stage.NEGOTIATING, on=local(2026, 10, 2)), "date_before_lead"),
        (uc.change_stage, uc.ChangeStage(ids["a"], Stage.LANDED, on=local(2026, 10, 4)), "date_before_stage"),
        (uc.add_funds, uc.AddFunds(ids["a"], 100, on=local(2026, 10, 4)), "date_before_signing"),
    ]
    for fn, cmd, code in attempts:
        with pytest.raises(Refusal) as refused:
            await act(db, "东小李", fn, cmd)
        assert refused.value.code == code
    await act(db, "东小李", uc.add_funds, uc.AddFunds(ids["a"], 100, on=local(2026, 10, 5)))
    async with db.uow(readonly=True) as uow:
        entries = (await uow.projects.timeline(ids["a"])).funds
    assert entries[-1].on == local(2026, 10, 5) and entries[-1].recorded_at - entries[-1].on > timedelta(days=20)


async def test_every_read_path_leaves_a_voided_project_out(db: Database, clock: FixedClock) -> None:
    from core.project_list import ProjectQuery
    from storage.queries.export import all_projects

    ids = await scripted(db, clock)
    await act(db, "西小张", uc.raise_problem, uc.RaiseProblem(ids["c"], "用地待协调"))
    clock.set(local(2026, 12, 5, 10))
    await act(db, "西小张", fix.void_project, fix.VoidProject(ids["c"], "测试数据"))
    gone = ids["c"]
    async with db.uow(readonly=True) as uow:
        assert gone not in {p.id for p in await uow.projects.of_unit("west", live_only=False)}
        assert gone not in {p.id for p in await uow.projects.stale(None, local(2027, 1, 1))}
        assert gone not in {pid for pid, _ in await uow.projects.names()}
        assert not await uow.projects.by_normalized_name("西部测试公司")
        page = await uow.projects.search(ProjectQuery(per_page=0))
        assert gone not in {p.id for p in page.projects} and page.total == 2
        assert gone not in {p.id for p in await all_projects(uow.session)}
        assert gone not in {p.id for p in await uow.sharing.pool(limit=50)}
        total, problems = await uow.projects.all_open_problems()
        assert total == 0 and not problems
        dispatch = await uow.calendar.dispatch(threshold_wan=0, month_start=local(2026, 12, 1),
                                               stale_before=local(2027, 1, 1))
        assert gone not in {p.id for p in dispatch.key_projects + dispatch.stale}
        assert gone not in {p.id for _, p in dispatch.problems}
        rows, _ = await uow.figures.ledger("2026-10", TZ, {})
        assert gone not in {r.project_id for r in rows} and {r.project_id for r in rows} == {ids["a"]}
        rules = await uow.figures.rules("2026-10", TZ)
        assert rules is not None
        explained = await uow.figures.explain(rules, "2026-10", TZ, "west", "funds_in_place")
        assert not explained.lines
        card = await uow.projects.get(gone)
        assert card is not None and card.void_reason == "测试数据"   # the card and /history still find it
