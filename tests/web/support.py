"""A small city for the console's tests: the mini organisation, three projects in two units, and
a logged-in browser session for any member (through a real one-time link)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from aiohttp.test_utils import TestClient

from core.clock import FixedClock
from core.stages import Stage
from core.usecases.leads import LeadDraft, LogLead, log_lead
from core.usecases.projects import AddFunds, AddNote, ChangeStage, add_funds, add_note, change_stage
from core.usecases.web_login import issue_link
from storage.database import Database
from tests.helpers import member, setup_org
from web.config import WebConfig

SECRET = b"test-secret-not-for-production"
EAST_CONTACT = "张经理 13800000001"
WEST_CONTACT = "刘总 13900000002"


@dataclass
class City:
    east_project: int
    west_project: int
    lead: int


async def seed_city(db: Database, clock: FixedClock) -> City:
    await setup_org(db)
    east, west = await member(db, "东小李"), await member(db, "西小张")
    async with db.uow() as uow:
        a = await log_lead(uow, east, LogLead(LeadDraft(
            name="比亚迪股份有限公司", normalized_name="比亚迪", owner_unit="east", credit_code=None,
            industry="新能源汽车零部件", intended_wan=200000, source="驻点招商", contact=EAST_CONTACT,
            flags=frozenset({"industrial"}))))
        b = await log_lead(uow, west, LogLead(LeadDraft(
            name="万华化学集团股份有限公司", normalized_name="万华化学", owner_unit="west",
            industry="现代化工", intended_wan=50000, source="以商招商", contact=WEST_CONTACT)))
        c = await log_lead(uow, east, LogLead(LeadDraft(
            name="小作坊食品厂", normalized_name="小作坊食品厂", owner_unit="east", industry="现代服务业",
            intended_wan=100, source="其他")))
        await uow.commit()
    clock.advance(days=1)
    async with db.uow() as uow:
        await change_stage(uow, east, ChangeStage(a.id, Stage.NEGOTIATING))
        await change_stage(uow, east, ChangeStage(a.id, Stage.SIGNED, contract_wan=150000))
        await add_funds(uow, east, AddFunds(a.id, 30000))
        await add_note(uow, east, AddNote(a.id, "已完成厂房选址"))
        await uow.commit()
    clock.advance(days=1)
    return City(a.id, b.id, c.id)


def web_config(base_url: str = "http://127.0.0.1:8080") -> WebConfig:
    from zoneinfo import ZoneInfo

    return WebConfig(base_url, SECRET, ZoneInfo("Asia/Shanghai"), timedelta(minutes=60))


async def link_token(db: Database, name: str) -> str:
    me = await member(db, name)
    async with db.uow() as uow:
        token = await issue_link(uow, me)
        await uow.commit()
    return token


async def login(client: TestClient, db: Database, name: str) -> None:
    """Open the link page, press 登录 (a POST), follow to the 驾驶舱."""
    token = await link_token(db, name)
    page = await client.get(f"/login?t={token}")
    assert page.status == 200 and "登录网页控制台" in await page.text()
    resp = await client.post("/login", data={"t": token}, allow_redirects=False)
    assert resp.status == 303, await resp.text()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "page has no CSRF token"
    return found.group(1)
