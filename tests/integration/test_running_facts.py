"""The running month brought forward event by event (issue 21), on both engines: after every one of a few dozen
random acts — leads, stages (some back-dated into October), funds and their corrections, verifications and
returns, contract corrections, category corrections from the lead's start, transfers, voids and restores — the
facts the process keeps for November and October equal a full read of the ledger, and so do the rankings and
every unit's figures built from them (summed from the previous facts' sums: reports/tally.py); most of them were brought forward rather than read in full, and a read that could not be (two
events at one instant) falls back to the full one."""
from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import astuple
from datetime import date, timedelta
from typing import Any

import pytest

from core.clock import FixedClock
from core.errors import Refusal
from core.figures import MonthFacts
from core.org_file import load_org
from core.stages import Stage
from core.usecases import corrections as fix
from core.usecases import evidence as ev_uc
from core.usecases import halfmonthly as report_uc
from core.usecases import org as org_uc
from core.usecases import projects as uc
from core.usecases import sharing as share_uc
from core.usecases import trips as trips_uc
from core.roles import Role
from reports.period_figures import CONTRACT, MonthEnd, city_value, unit_values
from reports.ranking import rank_month, ranking_json
from storage.database import Database
from storage.queries import running_facts
from storage.queries.rankings import month_facts
from storage.queries.report_rates import report_counter
from storage.repositories import figures as figures_repo
from tests.conftest import TZ, local
from tests.helpers import MINI_ORG, member, setup_org
from handlers.questions.figures import warm
from web.figures_cache import MonthCache
from tests.conversation import conversations, registered
from tests.integration.test_questions import text_of
from tests.integration.test_ranking import act, lead, october, units

pytestmark = pytest.mark.asyncio
VERIFIED = '\n[verification]\ncount_funds = "verified"\n'
NAMES = ["东方电子", "西部测试", "深圳比亚迪", "长沙三一", "高新光电", "东湖新材料", "西山化工", "南岭数据"]


def canonical(facts: MonthFacts) -> tuple[Any, ...]:
    """What the figures are made of, independent of the order the database returned the groups in."""
    return (facts.head_seq, facts.head_hash, sorted((astuple(g) for g in facts.groups), key=repr), facts.trips,
            facts.quota_holders, facts.reports)


class Acts:
    """Random acts of the mini organisation's people; a refused one (a stage backwards, a transfer to itself)
    is simply skipped, as the person would be told why."""

    def __init__(self, db: Database, clock: FixedClock, seed: int) -> None:
        self.db, self.clock, self.rng = db, clock, random.Random(seed)
        self.projects: list[int] = []
        self.owners: dict[int, str] = {}
        self.voided: list[int] = []

    async def act(self, who: str, fn: Any, cmd: Any) -> Any:
        actor = await member(self.db, who)
        try:
            async with self.db.uow() as uow:
                done = await fn(uow, actor, cmd)
                await uow.commit()
                return done
        except Refusal as refusal:
            return None

    async def funds_reports(self) -> list[Any]:
        async with self.db.uow(readonly=True) as uow:
            return [r for p in self.projects for r in await uow.evidence.reports_of(p)]

    async def one(self) -> None:
        rng, now = self.rng, self.clock.now()
        owner = rng.choice(["东小李", "西小张", "李驻深"])
        if len(self.projects) < 3 or rng.random() < 0.15:
            name = f"{rng.choice(NAMES)}{len(self.projects)}有限公司"
            self.projects.append(await lead(self.db, owner, name, category=rng.choice([None, "manufacturing", "hotel"]),
                                            flags=frozenset(rng.sample(["industrial", "strong"], rng.randint(0, 1)))))
            self.owners[self.projects[-1]] = owner
            return
        pid = rng.choice([p for p in self.projects if p not in self.voided] or self.projects)
        who = self.owners[pid]
        kind = rng.choice(["stage", "stage", "stage", "funds", "funds", "funds", "funds", "correct_funds", "verify", "return",
                           "contract", "category", "transfer", "void", "restore", "restore", "trip", "report", "member"])
        back = now - timedelta(days=rng.choice([0, 0, 3, 30])) if rng.random() < 0.4 else None
        on = local(back.year, back.month, back.day) if back is not None else None
        if kind == "stage":
            stage = rng.choice([Stage.SIGNED, Stage.LANDED, Stage.STARTED, Stage.PRODUCING])
            await self.act(who, uc.change_stage, uc.ChangeStage(pid, stage, contract_wan=rng.choice([5_000, 80_000]),
                                                                on=on))
        elif kind == "funds":
            await self.act(who, uc.add_funds, uc.AddFunds(pid, rng.choice([300, 2_000, 15_000]), on=on,
                                                          confirmed_over_contract=True))
        elif kind in ("correct_funds", "verify", "return"):
            reports = await self.funds_reports()
            if not reports:
                return
            r = rng.choice(reports)
            if kind == "correct_funds":
                await self.act(who, fix.correct_funds, fix.CorrectFunds(r.project_id, r.seq, rng.choice([0, 1_000]),
                                                                        "录入有误"))
            elif kind == "verify":
                amount = rng.choice([None, 100])
                await self.act("王办公", ev_uc.verify_funds, ev_uc.VerifyFunds(r.seq, amount, "进账单只有100万" if amount else None))
            elif r.status == "returned":
                await self.act(owner, ev_uc.resubmit_funds, ev_uc.ResubmitFunds(r.seq, "已补进账单"))
            else:
                await self.act("王办公", ev_uc.return_funds, ev_uc.ReturnFunds(r.seq, "缺银行进账单"))
        elif kind == "contract":
            await self.act(who, fix.correct_contract, fix.CorrectContract(pid, rng.choice([1_000, 60_000]), "合同更正"))
        elif kind == "category":
            await self.act(who, uc.correct_project, uc.CorrectProject(
                pid, {"category": rng.choice(["manufacturing", "hotel", "finance"])}, reason="行业分类有误",
                from_start=rng.random() < 0.5))
        elif kind == "transfer":
            offer = await self.act(owner, share_uc.propose_transfer, share_uc.ProposeTransfer(pid, "east", "东区有配套"))
            if offer is not None:
                await self.act("王办公", share_uc.accept_transfer, share_uc.AcceptTransfer(offer.id))
        elif kind == "trip":
            leader = await member(self.db, "赵市长")
            day = now.astimezone(TZ).date()
            await self.act("赵市长", trips_uc.log_trip, trips_uc.TripDraft(
                traveller="赵市长", destination="深圳", start_date=day, end_date=day, leader_member_id=leader.id))
        elif kind == "report":
            unit = rng.choice(["east", "west"])
            period = rng.choice(["2026-11-10", "2026-10-25", "2026-10-10"])
            await self.act({"east": "东小李", "west": "西小张"}[unit], report_uc.submit_report, report_uc.SubmitReport(
                unit, period, deadline=now + timedelta(hours=rng.choice([-1, 1]))))
        elif kind == "member":
            async with self.db.uow() as uow:
                await org_uc.add_member(uow, org_uc.AddMember(f"东区新人{len(self.projects)}{rng.random():.6f}", "east",
                                                               Role.MEMBER, trip_quota=rng.choice([None, 4]),
                                                               reporter=True))
                await uow.commit()
        elif kind == "void":
            if await self.act(who, fix.void_project, fix.VoidProject(pid, "重复录入")) is not None:
                self.voided.append(pid)
        elif self.voided:   # the office undoes a void soon after
            await self.act("王办公", fix.restore_project, fix.RestoreProject(self.voided.pop(0), "误作废"))


async def kept_and_full(db: Database, month: str) -> tuple[Any, Any, MonthFacts, MonthFacts]:
    """The month's facts as the process keeps them, and read in full; the rules each was ranked under."""
    async with db.uow(readonly=True) as uow:
        found = await uow.figures.month(month, TZ)
        assert found is not None
        full = await month_facts(uow.session, month, TZ, reports=report_counter(TZ))
    return found[0], found[0], found[1], full


async def test_the_running_month_brought_forward_equals_a_full_read(db: Database, clock: FixedClock,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    forward = running_facts.brought_forward
    outcomes: list[bool] = []

    async def counted(*args: Any, **kwargs: Any) -> MonthFacts | None:
        facts = await forward(*args, **kwargs)
        outcomes.append(facts is not None)
        return facts

    monkeypatch.setattr(figures_repo, "brought_forward", counted)
    # Kept facts are keyed by the ledger's head hash: the other engine's run of the same acts would answer.
    monkeypatch.setattr(figures_repo, "_FACTS", OrderedDict())
    clock.set(local(2026, 10, 1, 9))
    await setup_org(db, load_org(MINI_ORG.read_text(encoding="utf-8") + VERIFIED, "running_org"))
    acts = Acts(db, clock, seed=21)
    clock.set(local(2026, 11, 2, 9))
    for step in range(60):
        # Mostly a minute apart; now and then two acts at one instant, which cannot be told apart by time, and
        # twice the clock set back (an event recorded before the one before it).
        if step in (23, 47):
            clock.set(clock.now() - timedelta(minutes=3))
        elif step % 9 != 4:
            clock.set(clock.now() + timedelta(minutes=rng_minutes(step)))
        await acts.one()
        for month in ("2026-11", "2026-10"):
            cfg, _, kept, full = await kept_and_full(db, month)
            assert canonical(kept) == canonical(full), (step, month)
            assert ranking_json(rank_month(cfg, kept)) == ranking_json(rank_month(cfg, full)), (step, month)
            assert unit_values(MonthEnd(cfg, kept)) == unit_values(MonthEnd(cfg, full)), (step, month)
            for code in [i.code for i in cfg.indicators] + [CONTRACT]:
                assert city_value(MonthEnd(cfg, kept), code) == city_value(MonthEnd(cfg, full), code), (step, code)
    november = await kept_and_full(db, "2026-11")
    assert sum(g.verified_year_wan for g in november[2].groups) > 0   # the acts reached every kind of figure
    assert sum(g.signed_year for g in november[2].groups) > 0
    assert outcomes.count(True) >= 20, outcomes
    assert 1 <= outcomes.count(False) <= 8, outcomes


def rng_minutes(step: int) -> int:
    return 1 + step % 5


async def test_a_group_left_empty_is_gone_and_one_emptied_of_sums_stays() -> None:
    """Shifting groups: a group whose last project left is gone; one whose projects still count but sum to
    nothing is kept, as a full read lists it."""
    from core.figures import ProjectGroup

    def group(owner: str, funds: int, projects: int) -> ProjectGroup:
        return ProjectGroup(owner, owner, None, None, None, False, False, False, False, False, funds, funds,
                            0, 0, 0, 0, 0, 0, 0, 0, 0, projects=projects)

    kept = (group("east", 500, 2), group("west", 300, 1))
    before = (group("east", 500, 1), group("west", 300, 1))
    after = (group("east", 0, 1), group("zone", 300, 1))
    assert sorted(running_facts.shifted(kept, before, after), key=lambda g: g.owner_unit) == [
        group("east", 0, 2), group("zone", 300, 1)]


async def test_figures_read_at_start_answer_the_first_questions_without_a_full_read(
        db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `zsbot run` and the web console read at start (bot/service.py, web/app.py): after it, a new funds entry and the mayor's questions about
    this month, this year and last month are answered from kept facts, brought forward — no month read in full."""
    monkeypatch.setattr(figures_repo, "_FACTS", OrderedDict())
    await october(db, clock)
    clock.set(local(2026, 11, 5, 10))
    mayor = await registered(db, conversations(db), "赵市长")
    console = MonthCache()
    async with db.uow(readonly=True) as uow:
        assert await warm(uow, TZ, date(2026, 11, 5)) == ["2026-11", "2026-10", "2026-09"]
        await console.warm(uow, TZ, date(2026, 11, 5))
    clock.set(local(2026, 11, 5, 10, 30))   # a fixed clock: the next event is recorded later than the last
    east = await lead(db, "东小李", "东方新能源有限公司")
    clock.set(local(2026, 11, 5, 11))
    await act(db, "东小李", uc.change_stage, uc.ChangeStage(east, Stage.SIGNED, contract_wan=9_000))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(east, 2_000))

    async def no_full_read(*args: Any, **kwargs: Any) -> MonthFacts:
        raise AssertionError("a month read in full")

    monkeypatch.setattr(figures_repo, "month_facts", no_full_read)
    assert text_of(await mayor.say("本月东区到位资金多少")).startswith("本月（截至目前），东区到位资金为 7000万元。")
    assert text_of(await mayor.say("今年东区到位资金多少")).startswith("今年以来（截至目前），东区到位资金为 3.7亿元。")
    assert text_of(await mayor.say("上月东区到位资金多少")).startswith("上月，东区到位资金为 3亿元。")
    async with db.uow(readonly=True) as uow:   # the console's 驾驶舱 reads the same two months
        found = await console.month(uow, "2026-11", TZ, current="2026-11")
        assert found is not None and await console.month(uow, "2026-10", TZ, current="2026-11") is not None
    east_row = units(ranking_json(console.ranking(found)), "districts")["east"]
    assert east_row["indicators"][0]["value"] == 37_000


async def test_a_clock_set_back_reads_the_month_in_full(db: Database, clock: FixedClock,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """East's funds at 10:00, then the clock is set back: west's at 9:58 and east's again at 9:59. The facts at
    each head equal a full read — the 10:00 entry, recorded after both later heads' instants, is never lost — and
    a question sees every entry."""
    monkeypatch.setattr(figures_repo, "_FACTS", OrderedDict())
    clock.set(local(2026, 11, 1, 9))
    await setup_org(db)
    east, west = await lead(db, "东小李", "东方电子有限公司"), await lead(db, "西小张", "西部测试公司")
    for who, pid in (("东小李", east), ("西小张", west)):
        await act(db, who, uc.change_stage, uc.ChangeStage(pid, Stage.SIGNED, contract_wan=50_000))
    for minute, who, pid in ((0, "东小李", east), (58, "西小张", west), (59, "东小李", east)):
        clock.set(local(2026, 11, 2, 10 if minute == 0 else 9, minute))
        await act(db, who, uc.add_funds, uc.AddFunds(pid, 1_000))
        cfg, _, kept, full = await kept_and_full(db, "2026-11")
        assert canonical(kept) == canonical(full), minute
    assert sum(g.funds_year_wan for g in kept.groups) == 3_000
