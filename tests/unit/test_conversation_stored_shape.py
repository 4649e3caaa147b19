"""Conversation rows written before the flow's fields and the core's control were apart (one `data`
object, control under `_parked` / `_menu` / `_choices` / `_asked`) load and continue; what is saved
now keeps that shape, so the previous version of the bot can read it too."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from storage.database import Database
from storage.tables.operational import ConversationRow
from tests.conversation import (  # noqa: F401  (org_db, org_template are fixtures)
    org_db,
    org_template,
    Person,
    conversations,
    registered,
    state_of,
)
from tests.helpers import member

RESUME_MENU = [["继续填写", "s:resume"], ["取消", "s:cancel"]]


@pytest.fixture
async def east(org_db: Database) -> Person:
    return await registered(org_db, conversations(org_db), "东小李")


async def write_old_row(db: Database, p: Person, clock: FixedClock, *, step: str, data: dict[str, Any],
                        version: int, idle: bool = False) -> None:
    m = await member(db, "东小李")
    now = clock.now()
    async with db.uow() as uow:
        uow.session.add(ConversationRow(
            key=f"m{m.id}", flow="lead", step=step, data=json.dumps(data, ensure_ascii=False), version=version,
            expires_at=now - timedelta(minutes=1) if idle else now + timedelta(minutes=20), updated_at=now,
            channel=p.channel, chat_id=p.chat_id))
        await uow.commit()


async def raw_data(db: Database) -> dict[str, Any]:
    async with db.uow(readonly=True) as uow:
        rows = (await uow.session.execute(select(ConversationRow.data))).scalars().all()
    assert len(rows) == 1
    return json.loads(rows[0])


LEAD_FIELDS = {"flags": [], "stepwise": True, "name": "宁德时代", "dup_checked": True,
               "industry": "新能源汽车零部件"}


async def test_an_open_old_row_takes_a_button_of_its_offered_choices(
        org_db: Database, east: Person, clock: FixedClock) -> None:
    await write_old_row(org_db, east, clock, step="amount", version=5, data={
        **LEAD_FIELDS, "_choices": [["金额不详", "__skip__"]], "_asked": "请输入意向投资额："})
    await east.payload("f:5:0")
    assert east.texts[-1] == "请选择线索来源："
    state = await state_of(org_db, await member(org_db, "东小李"))
    assert state.step == "source" and state.data["intended_wan"] is None
    assert "_choices" not in state.data and "_asked" not in state.data
    stored = await raw_data(org_db)
    assert stored["_asked"] == "请选择线索来源：" and stored["_choices"] and stored["name"] == "宁德时代"
    assert "_parked" not in stored and "_menu" not in stored


async def test_a_paused_old_row_resumes_by_number_and_continues(
        org_db: Database, east: Person, clock: FixedClock) -> None:
    await write_old_row(org_db, east, clock, step="amount", version=7, idle=True, data={
        **LEAD_FIELDS, "_choices": [["金额不详", "__skip__"]], "_asked": "请输入意向投资额：",
        "_parked": True, "_menu": RESUME_MENU})
    await east.say("1")  # 继续填写, from the menu stored in the old shape
    assert east.texts[-1].startswith("请输入意向投资额")
    await east.say("5亿")
    assert east.texts == ["请选择线索来源："]
    state = await state_of(org_db, await member(org_db, "东小李"))
    assert (state.step, state.data["intended_wan"], state.control.parked) == ("source", 50_000, False)
    assert "_parked" not in await raw_data(org_db)


async def test_pausing_writes_the_old_keys(org_db: Database, east: Person, clock: FixedClock) -> None:
    await east.say("/lead")
    await east.say("宁德时代")
    clock.advance(minutes=31)
    await east.say("你好")
    stored = await raw_data(org_db)
    assert stored["_parked"] is True and stored["_menu"] == RESUME_MENU and stored["name"] == "宁德时代"


async def test_an_old_row_at_a_step_that_no_longer_exists_starts_the_flow_again(
        org_db: Database, east: Person, clock: FixedClock) -> None:
    await write_old_row(org_db, east, clock, step="retired_step", version=3,
                        data={**LEAD_FIELDS, "_choices": [], "_asked": "？"})
    await east.say("随便")
    state = await state_of(org_db, await member(org_db, "东小李"))
    assert state.flow == "lead" and state.step == "name"
