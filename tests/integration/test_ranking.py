"""October's ranking on the test organisation, against a hand calculation from the seed rules."""
from __future__ import annotations

from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from core.clock import FixedClock
from core.names import normalize_company_name
from core.stages import Stage
from core.usecases import projects as uc
from core.usecases import leads as leads_uc
from reports.ranking import rank_month, ranking_json
from storage.database import Database
from storage.queries.rankings import month_facts
from tests.conftest import local
from tests.helpers import member, setup_org

pytestmark = pytest.mark.asyncio
TZ = ZoneInfo("Asia/Shanghai")
PROGRESS = Fraction(304, 365)  # 31 October is day 304 of 2026


async def lead(db: Database, who: str, name: str, *, category: str | None = None, host: str | None = None,
               flags: frozenset[str] = frozenset()) -> int:
    actor = await member(db, who)
    async with db.uow() as uow:
        p = await leads_uc.log_lead(uow, actor, leads_uc.LogLead(leads_uc.LeadDraft(
            name=name, normalized_name=normalize_company_name(name), owner_unit=actor.unit, category=category,
            responsible_unit=host, flags=flags)))
        await uow.commit()
    return p.id


async def act(db: Database, who: str, fn, *args, **kwargs) -> None:  # noqa: ANN001
    actor = await member(db, who)
    async with db.uow() as uow:
        await fn(uow, actor, *args, **kwargs)
        await uow.commit()


async def october(db: Database, clock: FixedClock) -> dict[str, int]:
    """A scripted October: signings, funds, a 70% hotel, a resident office's project landed in a zone."""
    clock.set(local(2026, 9, 30, 9))
    await setup_org(db)
    clock.set(local(2026, 10, 3, 9))
    east = await lead(db, "东小李", "东方电子有限公司", flags=frozenset({"industrial"}))
    west = await lead(db, "西小张", "西部大酒店", category="hotel")
    sz = await lead(db, "李驻深", "深圳云计算有限公司", host="hitech")
    dept = await lead(db, "工信小刘", "城市管廊项目", category="guaranteed_infra")
    clock.set(local(2026, 10, 5, 10))
    await act(db, "东小李", uc.change_stage, uc.ChangeStage(east, Stage.SIGNED, contract_wan=50_000))
    await act(db, "西小张", uc.change_stage, uc.ChangeStage(west, Stage.SIGNED, contract_wan=10_000))
    await act(db, "高新小陈", uc.change_stage, uc.ChangeStage(sz, Stage.SIGNED, contract_wan=30_000))
    await act(db, "工信小刘", uc.change_stage, uc.ChangeStage(dept, Stage.SIGNED, contract_wan=8_000))
    clock.set(local(2026, 10, 10, 10))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(east, 20_000))
    await act(db, "西小张", uc.add_funds, uc.AddFunds(west, 8_000))
    await act(db, "高新小陈", uc.add_funds, uc.AddFunds(sz, 10_000))
    await act(db, "工信小刘", uc.add_funds, uc.AddFunds(dept, 4_000))
    clock.set(local(2026, 10, 20, 10))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(east, 10_000))
    clock.set(local(2026, 10, 25, 10))
    await act(db, "东小李", uc.change_stage, uc.ChangeStage(east, Stage.STARTED))
    # After the month: must change nothing in October's figures.
    clock.set(local(2026, 11, 1, 0, 1))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(east, 5_000))
    await act(db, "西小张", uc.correct_project, uc.CorrectProject(west, {"category": "manufacturing"}))
    return {"east": east, "west": west, "sz": sz, "dept": dept}


async def october_json(db: Database) -> dict:
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config_as_of(local(2026, 11, 1))
        facts = await month_facts(uow.session, "2026-10", TZ)
    assert cfg is not None
    return ranking_json(rank_month(cfg, facts))


def units(doc: dict, group: str) -> dict[str, dict]:
    g = next(g for g in doc["groups"] if g["code"] == group)
    return {u["unit"]: u for u in g["units"]}


def points(weight: int, value: Fraction, annual_target: int, cap: Fraction = Fraction(6, 5)) -> Fraction:
    """Capped completion against time progress, as the office computes it by hand."""
    return weight * min(value / (annual_target * PROGRESS), cap)


def close(actual: float, expected: Fraction) -> bool:
    return abs(Fraction(actual).limit_denominator(10**6) - expected) < Fraction(1, 100)


async def test_october_ranking_matches_the_hand_calculation(db: Database, clock: FixedClock) -> None:
    await october(db, clock)
    doc = await october_json(db)
    assert doc["month"] == "2026-10" and not doc["empty"]
    assert doc["time_progress_pct"] == 83.29

    d = units(doc, "districts")
    # 东区: 2亿 + 1亿 in October (the November 5000万 does not count), one signing.
    east = {i["code"]: i for i in d["east"]["indicators"]}
    assert east["funds_in_place"]["value"] == 30_000 and east["signed_projects"]["value"] == 1
    east_score = points(60, Fraction(30_000), 100_000) + points(40, Fraction(1), 10)
    # 西区: a four-star hotel counts 70% (seed 004): 8000万 × 70% = 5600万; the later re-categorisation is November's.
    west = {i["code"]: i for i in d["west"]["indicators"]}
    assert west["funds_in_place"]["value"] == 5_600
    west_score = points(60, Fraction(5_600), 50_000) + points(40, Fraction(1), 5)
    # 高新区 hosts 驻深圳's project: a city-level unit's project landed in a county counts 50% there.
    hitech = {i["code"]: i for i in d["hitech"]["indicators"]}
    assert hitech["funds_in_place"]["value"] == 5_000 and hitech["signed_projects"]["value"] == 1
    hitech_score = points(60, Fraction(5_000), 80_000) + points(40, Fraction(1), 8)
    for code, expected in (("east", east_score), ("west", west_score), ("hitech", hitech_score)):
        assert close(d[code]["score"], expected), (code, d[code]["score"], float(expected))
    assert [d[c]["rank"] for c in ("east", "west", "hitech")] == [1, 2, 3]

    dept = units(doc, "departments")
    # Infrastructure with guaranteed returns is not counted (seed 004); the signing still is.
    gx = {i["code"]: i for i in dept["gongxin"]["indicators"]}
    assert gx["funds_in_place"]["value"] == 0 and gx["signed_projects"]["value"] == 1
    assert close(dept["gongxin"]["score"], points(50, Fraction(1), 3))
    assert dept["keji"]["status"] == "no_targets" and dept["keji"]["rank"] is None

    ro = units(doc, "resident_offices")
    # The resident office counts its project fully; its group is scored relative to the best.
    sz = {i["code"]: i for i in ro["zhu_sz"]["indicators"]}
    assert sz["funds_in_place"]["value"] == 10_000
    assert ro["zhu_sz"]["score"] == 100 and ro["zhu_sz"]["rank"] == 1
    assert ro["zhu_cs"]["score"] == 0 and ro["zhu_cs"]["rank"] == 2


async def test_a_past_month_is_reproducible(db: Database, clock: FixedClock) -> None:
    await october(db, clock)
    first = await october_json(db)
    # December: more funds, a stage change and a correction arrive; October must not move.
    clock.set(local(2026, 12, 5, 10))
    async with db.uow(readonly=True) as uow:
        east = next(p for p in await uow.projects.of_unit("east"))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(east.id, 7_000))
    await act(db, "东小李", uc.change_stage, uc.ChangeStage(east.id, Stage.PRODUCING))
    await act(db, "东小李", uc.correct_project, uc.CorrectProject(east.id, {"category": "hotel", "flags": []}))
    again = await october_json(db)
    assert again == first
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        december = ranking_json(rank_month(cfg, await month_facts(uow.session, "2026-12", TZ)))
    assert units(december, "districts")["east"]["indicators"][0]["value"] != 30_000


async def test_a_month_with_no_data_is_an_empty_ranking(db: Database) -> None:
    await setup_org(db)
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        facts = await month_facts(uow.session, "2025-03", TZ)
    assert cfg is not None
    doc = ranking_json(rank_month(cfg, facts))
    # No ranks at all (rather than every unit "1." with 0 points).
    assert doc["empty"] is True and doc["groups"] == []
