"""What counts (issue 19, part 2), on both engines: with `count_funds = "verified"` the rankings count only
verified funds, at the verifier's corrected amount, from the instant of the verification on (October as of a
day before it stays what it was published as), a returned report counts nothing until resubmitted and
verified; the ranking, its explain, the leader digest, the 台账 and the export show 上报 / 已核实 / 待核实; an
org file without the key counts reported funds as before; a rebuild from the ledger gives the same facts."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.clock import FixedClock
from core.org_file import load_org
from core.stages import Stage
from core.usecases import corrections as cr
from core.usecases import evidence as ev_uc
from core.usecases import projects as uc
from reports.exports import project_rows
from reports.leader_digest import render_digest
from reports.ranking import Ranking, rank_month, ranking_json
from reports.ranking_text import render_explanation, render_ranking
from storage.database import Database
from storage.projectors import rebuild
from storage.tables.evidence import FundsDecisionRow
from storage.tables.facts import LateFactRow
from tests.conftest import TZ, local
from tests.helpers import MINI_ORG, dump, setup_org
from tests.integration.test_ranking import act, lead, units

pytestmark = pytest.mark.asyncio
VERIFIED = '\n[verification]\ncount_funds = "verified"\n'


async def scripted(db: Database, clock: FixedClock, *, verified: bool = True) -> dict[str, int]:
    """October: east reports 2亿 and west 3000万 on the 10th; nothing verified yet."""
    clock.set(local(2026, 9, 30, 9))
    text = MINI_ORG.read_text(encoding="utf-8") + (VERIFIED if verified else "")
    await setup_org(db, load_org(text, "counted_org"))
    clock.set(local(2026, 10, 3, 9))
    a = await lead(db, "东小李", "东方电子有限公司")
    c = await lead(db, "西小张", "西部测试公司")
    clock.set(local(2026, 10, 5, 10))
    await act(db, "东小李", uc.change_stage, uc.ChangeStage(a, Stage.SIGNED, contract_wan=50_000))
    await act(db, "西小张", uc.change_stage, uc.ChangeStage(c, Stage.SIGNED, contract_wan=10_000))
    clock.set(local(2026, 10, 10, 10))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(a, 20_000))
    await act(db, "西小张", uc.add_funds, uc.AddFunds(c, 3_000))
    async with db.uow(readonly=True) as uow:
        east = (await uow.evidence.reports_of(a))[0].seq
        west = (await uow.evidence.reports_of(c))[0].seq
    return {"a": a, "c": c, "east": east, "west": west}


async def october(db: Database, *, as_of: datetime | None = None) -> Ranking:
    async with db.uow(readonly=True) as uow:
        found = await uow.figures.month("2026-10", TZ, as_of=as_of)
    assert found is not None
    return rank_month(*found)


def funds_of(r: Ranking, unit: str) -> tuple[Any, ...]:
    """(counted 到位资金, 上报, 已核实, 待核实) of a district, as the ranking's JSON says them."""
    u = units(ranking_json(r), "districts")[unit]
    f = u["funds"]
    return u["indicators"][0]["value"], f["reported_wan"], f["verified_wan"], f["pending_wan"]


async def decide(db: Database, clock: FixedClock, ids: dict[str, int]) -> None:
    """3 November: the office verifies east's report at 1.5亿 (with its reason) and returns west's."""
    clock.set(local(2026, 11, 3, 10))
    await act(db, "王办公", ev_uc.verify_funds, ev_uc.VerifyFunds(ids["east"], 15_000, "进账单只有1.5亿"))
    await act(db, "王办公", ev_uc.return_funds, ev_uc.ReturnFunds(ids["west"], "缺银行进账单"))


async def rebuilt_the_same(db: Database) -> None:
    """Rebuilt from the ledger, the decisions' facts (and the months they reach) are the same rows."""
    tables = (FundsDecisionRow.__table__, LateFactRow.__table__)
    kept = await dump(db, tables)
    async with db.uow() as uow:
        await rebuild(uow.session)
        await uow.commit()
    assert await dump(db, tables) == kept


async def test_only_verified_funds_count_from_the_verification_on(db: Database, clock: FixedClock) -> None:
    ids = await scripted(db, clock)
    clock.set(local(2026, 11, 2, 9))
    before = await october(db)
    assert before.count_funds == "verified"
    assert funds_of(before, "east") == (0, 20_000, 0, 20_000)
    assert funds_of(before, "west") == (0, 3_000, 0, 3_000)
    text = render_ranking(before)
    assert "到位资金只计已核实的金额" in text
    assert "到位资金 上报 2亿元｜已核实 0万元｜待核实 2亿元" in text

    await decide(db, clock, ids)
    after = await october(db)
    # The corrected amount counts; the returned report counts nothing and no longer waits.
    assert funds_of(after, "east") == (15_000, 20_000, 15_000, 0)
    assert funds_of(after, "west") == (0, 3_000, 0, 0)
    # October as of an instant before the decisions is what was published then; after them, today's.
    assert ranking_json(await october(db, as_of=local(2026, 11, 3, 9))) == ranking_json(before)
    assert funds_of(await october(db, as_of=local(2026, 11, 3, 11)), "east") == (15_000, 20_000, 15_000, 0)

    # West resubmits (waiting again), then it is verified as reported: it counts in October from then on.
    clock.set(local(2026, 11, 5, 10))
    await act(db, "西小张", ev_uc.resubmit_funds, ev_uc.ResubmitFunds(ids["west"], "补了进账单"))
    assert funds_of(await october(db), "west") == (0, 3_000, 0, 3_000)
    clock.set(local(2026, 11, 6, 10))
    await act(db, "王办公", ev_uc.verify_funds, ev_uc.VerifyFunds(ids["west"]))
    assert funds_of(await october(db), "west") == (3_000, 3_000, 3_000, 0)
    assert funds_of(await october(db, as_of=local(2026, 11, 6, 9)), "west") == (0, 3_000, 0, 3_000)

    await rebuilt_the_same(db)


async def test_the_explain_digest_ledger_and_export_show_both_figures(db: Database, clock: FixedClock) -> None:
    ids = await scripted(db, clock)
    await decide(db, clock, ids)
    async with db.uow(readonly=True) as uow:
        found = await uow.figures.month("2026-10", TZ)
        assert found is not None
        cfg, facts = found
        x = await uow.figures.explain(cfg, "2026-10", TZ, "east", "funds_in_place")
        names = {u.code: u.name for u in cfg.units}
        rows, events = await uow.figures.ledger("2026-10", TZ, names)
        verified = await uow.evidence.verified_totals()
        projects = [await uow.projects.get(ids["a"]), await uow.projects.get(ids["c"])]
    ranking = rank_month(cfg, facts)
    explained = render_explanation(x, unit_name="东区", indicator_name="到位资金", ranked_value=x.value, compare=True)
    assert x.value == 15_000 and "与排名中的数值一致" in explained
    assert "到位资金只计已核实的金额" in explained
    assert "东方电子有限公司 2亿元（已核实）" in explained             # the report, shown, counting nothing
    assert f"东方电子有限公司 1.5亿元 × 100% × 100% = 1.5亿元（核实上报 #{ids['east']}）" in explained

    digest = render_digest(ranking, None, rows, events, facts, unit_names=names, member_names={})
    assert "▍到位资金核查" in digest
    assert "· 东区：到位资金 上报 2亿元｜已核实 1.5亿元｜待核实 0万元" in digest
    assert "· 西区：到位资金 上报 3000万元｜已核实 0万元｜待核实 0万元" in digest

    by_id = {r.project_id: r for r in rows}
    assert (by_id[ids["a"]].funds_wan, by_id[ids["a"]].funds_verified_wan, by_id[ids["a"]].funds_pending_wan) == \
        (20_000, 15_000, 0)
    assert (by_id[ids["c"]].funds_wan, by_id[ids["c"]].funds_verified_wan, by_id[ids["c"]].funds_pending_wan) == \
        (3_000, 0, 0)

    exported = {r["id"]: r for r in project_rows([p for p in projects if p is not None], cfg, verified)}
    assert {k: exported[ids["a"]][k] for k in ("funds_in_place_wan", "funds_reported_wan", "funds_verified_wan")} \
        == {"funds_in_place_wan": 15_000, "funds_reported_wan": 20_000, "funds_verified_wan": 15_000}
    assert exported[ids["c"]]["funds_in_place_wan"] == 0


async def test_without_the_key_reported_funds_count_as_before(db: Database, clock: FixedClock) -> None:
    ids = await scripted(db, clock, verified=False)
    await decide(db, clock, ids)
    r = await october(db)
    assert r.count_funds == "reported"
    assert funds_of(r, "east") == (20_000, 20_000, 15_000, 0)
    assert funds_of(r, "west") == (3_000, 3_000, 0, 0)
    assert "到位资金按上报计入" in render_ranking(r)


async def test_a_question_about_funds_answers_what_the_ranking_counts(db: Database, clock: FixedClock) -> None:
    from core.messages import SendText
    from tests.conversation import conversations, registered

    ids = await scripted(db, clock)
    await decide(db, clock, ids)
    clock.set(local(2026, 11, 5, 10))
    mayor = await registered(db, conversations(db), "赵市长")
    said = "\n".join(r.text for r in await mayor.say("10月东区到位资金多少？") if isinstance(r, SendText))
    assert said.startswith("2026年10月，东区到位资金为 1.5亿元。")      # verified, at the corrected amount
    why = "\n".join(r.text for r in await mayor.press("怎么算的") if isinstance(r, SendText))
    assert f"（核实上报 #{ids['east']}）" in why and why.endswith("与排名中的数值一致。")


async def test_a_corrected_report_is_verified_at_its_corrected_amount(db: Database, clock: FixedClock) -> None:
    """A pending report the unit corrects waits at the corrected amount, so 核实 as reported counts what the unit
    says now; a verified report corrected afterwards goes back to 待核实 (its old verification no longer counts,
    待核实 is the new amount, never negative) until verified again — and October before the correction is kept."""
    ids = await scripted(db, clock)
    clock.set(local(2026, 11, 2, 10))
    await act(db, "东小李", cr.correct_funds, cr.CorrectFunds(ids["a"], ids["east"], 12_000, "多报了"))
    assert funds_of(await october(db), "east") == (0, 12_000, 0, 12_000)
    async with db.uow(readonly=True) as uow:
        [waiting] = await uow.evidence.reports_of(ids["a"])
    assert (waiting.amount_wan, waiting.status) == (12_000, "pending")
    clock.set(local(2026, 11, 3, 10))
    await act(db, "王办公", ev_uc.verify_funds, ev_uc.VerifyFunds(ids["east"]))
    assert funds_of(await october(db), "east") == (12_000, 12_000, 12_000, 0)

    # Corrected after its verification: the 1.2亿 no longer counts, 1亿 waits for the verifier again.
    clock.set(local(2026, 11, 4, 10))
    await act(db, "东小李", cr.correct_funds, cr.CorrectFunds(ids["a"], ids["east"], 10_000, "合同变更"))
    assert funds_of(await october(db), "east") == (0, 10_000, 0, 10_000)
    assert funds_of(await october(db, as_of=local(2026, 11, 4, 9)), "east") == (12_000, 12_000, 12_000, 0)
    async with db.uow(readonly=True) as uow:
        queue = [r.seq for r in await uow.evidence.waiting()]
    assert ids["east"] in queue
    clock.set(local(2026, 11, 5, 10))
    await act(db, "王办公", ev_uc.verify_funds, ev_uc.VerifyFunds(ids["east"]))
    assert funds_of(await october(db), "east") == (10_000, 10_000, 10_000, 0)

    # A returned report corrected by its unit waits again at the new amount, as a resubmission would.
    await act(db, "王办公", ev_uc.return_funds, ev_uc.ReturnFunds(ids["west"], "缺银行进账单"))
    assert funds_of(await october(db), "west") == (0, 3_000, 0, 0)
    clock.set(local(2026, 11, 6, 10))
    await act(db, "西小张", cr.correct_funds, cr.CorrectFunds(ids["c"], ids["west"], 2_000, "按进账单改"))
    assert funds_of(await october(db), "west") == (0, 2_000, 0, 2_000)

    await rebuilt_the_same(db)
