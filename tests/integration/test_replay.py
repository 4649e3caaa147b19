"""A thousand random commands, then rebuilding every projection from events gives the same tables."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from core.clock import FixedClock
from core.errors import Refusal
from core.names import normalize_company_name
from core.roles import Role
from core.stages import Stage, next_stages
from core.usecases import org as org_uc
from core.usecases import projects as uc
from core.usecases.trips import TripDraft, log_trip
from core.usecases import leads as leads_uc
from storage.database import Database
from storage.projectors import rebuild
from storage.schema import schema
from tests.helpers import dump, setup_org

pytestmark = pytest.mark.asyncio

COMPANIES = ["比亚迪", "宁德时代", "华为技术", "中国电子", "满帮集团", "贵州磷化", "中铝", "吉利汽车", "奇瑞", "腾讯"]


async def random_command(db: Database, rng: random.Random, clock: FixedClock) -> None:
    clock.advance(minutes=rng.randint(1, 600))
    async with db.uow() as uow:
        members = await uow.org.members()
        actor = rng.choice(members)
        mine = await uow.projects.of_unit(actor.unit)
        choice = rng.random()
        try:
            if choice < 0.25 or not mine:
                name = f"{rng.choice(COMPANIES)}{rng.randint(1, 40)}号项目有限公司"
                draft = leads_uc.LeadDraft(
                    name=name, normalized_name=normalize_company_name(name), owner_unit=actor.unit,
                    intended_wan=rng.choice([None, rng.randint(0, 10**7)]), industry=rng.choice([None, "现代化工"]),
                    flags=frozenset(rng.sample(["industrial", "strong", "digital", "headquarters"], rng.randint(0, 2))),
                    stage=rng.choice([Stage.LEAD, Stage.NEGOTIATING]))
                await leads_uc.log_lead(uow, actor, leads_uc.LogLead(draft))
            elif choice < 0.45:
                p = rng.choice(mine)
                options = next_stages(p.stage)
                if options:
                    target = rng.choice(options)
                    await uc.change_stage(uow, actor, uc.ChangeStage(p.id, target, contract_wan=rng.randint(1, 10**6), reason="企业战略调整" if target is Stage.TERMINATED else None))
            elif choice < 0.65:
                p = rng.choice(mine)
                await uc.add_funds(uow, actor, uc.AddFunds(p.id, rng.randint(1, 5000), confirmed_over_contract=rng.random() < .5))
            elif choice < 0.75:
                await uc.add_note(uow, actor, uc.AddNote(rng.choice(mine).id, f"进展{rng.random()}", next_steps="下周再访"))
            elif choice < 0.82:
                p = rng.choice(mine)
                await uc.raise_problem(uow, actor, uc.RaiseProblem(p.id, "用地指标待协调"))
            elif choice < 0.86:
                p = rng.choice(mine)
                problems = await uow.projects.open_problems(p.id)
                if problems:
                    await uc.resolve_problem(uow, actor, uc.ResolveProblem(p.id, problems[0].id, "已协调"))
            elif choice < 0.92:
                p = rng.choice(mine)
                await uc.correct_project(uow, actor, uc.CorrectProject(p.id, {"intended_wan": rng.randint(0, 10**6),
                                                            "flags": ["industrial"]}))
            elif choice < 0.97:
                start = date(2026, 1, 1) + timedelta(days=rng.randint(0, 300))
                await log_trip(uow, actor, TripDraft(traveller=actor.name, destination="深圳", start_date=start,
                                                     end_date=start + timedelta(days=2), companies=("比亚迪",)))
            else:
                code = await org_uc.create_invite(uow, org_uc.CreateInvite(unit=actor.unit, role=Role.MEMBER))
                await org_uc.redeem_invite(uow, org_uc.RedeemInvite(code=code, channel="console", external_id=f"u{rng.random()}", chat_id="c", display_name="新人"))
        except Refusal:
            return
        await uow.commit()


async def test_replaying_the_ledger_rebuilds_identical_tables(db: Database, clock: FixedClock) -> None:
    await setup_org(db)
    rng = random.Random(20261102)
    for _ in range(1000):
        await random_command(db, rng, clock)
    before = await dump(db, schema().projection_tables)
    assert len(before["projects"]) > 50 and len(before["notes"]) > 20  # the commands really did things
    async with db.uow() as uow:
        await rebuild(uow.session)
        await uow.commit()
    after = await dump(db, schema().projection_tables)
    assert after == before
