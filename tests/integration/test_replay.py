"""A thousand random commands, then rebuilding every projection from events gives the same tables."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.clock import FixedClock, local_midnight_utc
from core.usecases import corrections as fix
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

TZ = ZoneInfo("Asia/Shanghai")
COMPANIES = ["比亚迪", "宁德时代", "华为技术", "中国电子", "满帮集团", "贵州磷化", "中铝", "吉利汽车", "奇瑞", "腾讯"]


def back_dated(rng: random.Random, clock: FixedClock) -> datetime | None:
    """Now and then a day in the last fortnight (a past one before the lead or the stage is refused, as in chat)."""
    if rng.random() < .7:
        return None
    day = (clock.now() - timedelta(days=rng.randint(0, 14))).astimezone(TZ).date()
    return local_midnight_utc(day, TZ)


async def correction(uow: Any, actor: Any, rng: random.Random, p: Any, clock: FixedClock) -> None:
    """A void, the office's restore, a funds entry offset or a contract amount corrected."""
    kind = rng.random()
    if kind < .3:
        await fix.void_project(uow, actor, fix.VoidProject(p.id, "重复录入"))
    elif kind < .38:
        office = next(m for m in await uow.org.members() if m.role is Role.OFFICE_ADMIN)
        voided = [q for q in await uow.projects.many([pid for pid in range(1, 3000)]) if q.voided_at is not None]
        if voided:
            await fix.restore_project(uow, office, fix.RestoreProject(rng.choice(voided).id))
    elif kind < .8:
        entries = (await uow.projects.timeline(p.id)).funds
        if entries:
            entry = rng.choice(entries)
            await fix.correct_funds(uow, actor, fix.CorrectFunds(p.id, entry.seq, rng.randint(0, 5000), "报错了"))
    else:
        await fix.correct_contract(uow, actor, fix.CorrectContract(p.id, rng.randint(1, 10**6)))


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
                    await uc.change_stage(uow, actor, uc.ChangeStage(p.id, target, contract_wan=rng.randint(1, 10**6), reason="企业战略调整" if target is Stage.TERMINATED else None, on=back_dated(rng, clock)))
            elif choice < 0.65:
                p = rng.choice(mine)
                await uc.add_funds(uow, actor, uc.AddFunds(p.id, rng.randint(1, 5000), confirmed_over_contract=rng.random() < .5, on=back_dated(rng, clock)))
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
            elif choice < 0.86:
                p = rng.choice(mine)
                await uc.correct_project(uow, actor, uc.CorrectProject(p.id, {"intended_wan": rng.randint(0, 10**6),
                                                            "flags": ["industrial"]}, from_start=rng.random() < .5))
            elif choice < 0.92:
                await correction(uow, actor, rng, rng.choice(mine), clock)
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
    # ...corrections, voids and back-dated facts among them
    assert len(before["late_facts"]) > 20 and any(row[-1] is not None for row in before["project_versions"])
    assert any(p.voided_at is not None for p in await voided_check(db))
    async with db.uow() as uow:
        await rebuild(uow.session)
        await uow.commit()
    after = await dump(db, schema().projection_tables)
    assert after == before


async def voided_check(db: Database) -> list[Any]:
    async with db.uow(readonly=True) as uow:
        return await uow.projects.many(list(range(1, 5000)))
