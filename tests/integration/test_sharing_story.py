"""Issue 7's "done when", as people would live it in chat, on SQLite and PostgreSQL.

A resident office logs a lead and routes it to a district; the district's head accepts from the
pushed message; the district signs and reports funds; the ranking credits both units by the org
file's rule; /history tells that story. A second unit registering the same company opens a claim
the office resolves, and a department is kept from registering it again but joins as a supporting
unit (宣城's rule).
"""
from __future__ import annotations

from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core import sharing as sh
from core.clock import FixedClock
from core.messages import SendText
from reports.indicators import indicator_values
from storage.database import Database
from storage.projectors import rebuild
from storage.queries.rankings import month_facts
from storage.schema import schema
from storage.tables.operational import OutboxRow
from tests.conversation import conversations, event_count, events, ledger_ok, project_named, registered
from tests.helpers import dump, member, setup_org

pytestmark = pytest.mark.asyncio
TZ = ZoneInfo("Asia/Shanghai")
CONTACT = "王经理 13800000000"


async def pushes(db: Database, kind: str) -> list[tuple[int, SendText]]:
    """(member id, message) of each queued push of a kind, oldest first."""
    async with db.uow(readonly=True) as uow:
        rows = (await uow.session.execute(select(OutboxRow).where(OutboxRow.kind == kind)
                                          .order_by(OutboxRow.id))).scalars().all()
        return [(r.member_id, SendText.model_validate_json(r.action)) for r in rows]


async def test_route_accept_sign_fund_credit_history_and_a_claim(db: Database, clock: FixedClock) -> None:
    cfg = await setup_org(db)
    conv = conversations(db)
    li = await registered(db, conv, "李驻深")          # 驻深圳办事处
    head = await registered(db, conv, "东区长")        # 东区 unit head
    xiaoli = await registered(db, conv, "东小李")      # 东区 member
    west = await registered(db, conv, "西小张")        # 西区
    dept = await registered(db, conv, "工信小刘")      # 市工信局
    office = await registered(db, conv, "王办公")

    # 1. The resident office logs the lead.
    await li.say(f"线索 比亚迪电子有限公司 电子信息制造 投资20亿 来源驻点招商 联系人{CONTACT}")
    await li.press("确认")
    project = await project_named(db, "比亚迪电子有限公司")
    assert f"已登记线索 #{project.id} 比亚迪电子有限公司（首报单位：驻深圳办事处）" in li.text

    # 2. It routes the investor; the bot suggests the district whose orientation fits.
    clock.advance(hours=1)
    await li.say("分流")
    await li.press(f"#{project.id}")
    assert "· 东区：产业导向含“电子信息制造”" in li.text
    assert li.labels == ["东区（推荐）", "区县", "市直部门", "驻外办事处"]
    await li.press("东区（推荐）")
    assert li.texts[-1] == "请说明分流给东区的理由（对方会看到），或点下面的推荐理由："
    await li.press("用推荐理由")
    assert "理由：产业导向含“电子信息制造”" in li.text and "驻深圳办事处仍是首谈单位" in li.text
    await li.press("确认")
    assert li.texts[-1] == "已分流：“比亚迪电子有限公司”→东区，已通知东区长，等待接收。"
    [(to, push)] = await pushes(db, "transfer_proposed")
    assert to == (await member(db, "东区长")).id
    assert "驻深圳办事处（李驻深）把客商“比亚迪电子有限公司”（线索，电子信息制造，意向 20亿元）分流给东区" in push.text
    assert [b.label for b in push.buttons[0]] == ["接收", "拒绝"]

    # Before acceptance the district sees no contact; the owner does.
    await xiaoli.say("查询 比亚迪电子")
    assert "联系人：仅首报单位、责任单位和大招商办可见" in xiaoli.text and CONTACT not in xiaoli.text

    # 3. The district's head presses 接收 on the pushed message.
    clock.advance(hours=2)
    head.last_buttons = list(push.buttons[0])
    await head.press("接收")
    assert head.texts[-1] == ("已接收“比亚迪电子有限公司”，现由东区负责；驻深圳办事处仍是首谈单位。发“进展 比亚迪电子有限公司”更新。\n"
                              f"联系人：{CONTACT}\n"
                              "成果共享（市直单位引进落户区县）：驻深圳办事处计 100%，东区计 50%。")
    told = await pushes(db, "transfer_accepted")  # the proposer and the owner unit's head
    assert [m for m, _ in told] == [(await member(db, "李驻深")).id, (await member(db, "深圳主任")).id]
    assert "东区（东区长）已接收“比亚迪电子有限公司”" in told[0][1].text

    # Contact: the receiver and the owner see it, another district does not.
    for person, sees in ((xiaoli, True), (li, True), (west, False)):
        await person.say("查询 比亚迪电子")
        assert (f"联系人：{CONTACT}" in person.text) is sees, person.name

    # 4. The district signs and reports funds.
    clock.advance(days=1)
    await xiaoli.say("进展 比亚迪电子")
    await xiaoli.press("阶段变更")
    await xiaoli.press("签约")
    await xiaoli.say("18亿")
    await xiaoli.press("确认")
    assert xiaoli.texts[-1] == "已更新：“比亚迪电子有限公司”现为【签约】。"
    clock.advance(days=1)
    await xiaoli.say("进展 比亚迪电子")
    await xiaoli.press("到位资金")
    await xiaoli.say("5亿")
    await xiaoli.press("确认")
    assert xiaoli.texts[-1].startswith("已记录到位资金：“比亚迪电子有限公司”累计 5亿元。本次 5亿元 待核实")

    # 5. The ranking credits both units by the configured rule (seed 004: 100% / 50%).
    async with db.uow(readonly=True) as uow:
        values = indicator_values(cfg, await month_facts(uow.session, "2026-11", TZ))
    assert values["zhu_sz"]["funds_in_place"] == Fraction(50_000)
    assert values["east"]["funds_in_place"] == Fraction(25_000)
    assert values["zhu_sz"]["signed_projects"] == 1 and values["east"]["signed_projects"] == 1
    assert values["west"]["funds_in_place"] == 0

    # 6. Another district registers the same company: flagged, registered as a duplicate, a claim opens.
    clock.advance(hours=3)
    await west.say("线索 比亚迪电子（深圳）有限公司 电子信息制造 投资10亿 来源以商招商")
    assert f"#{project.id} 比亚迪电子有限公司（签约，首报：驻深圳办事处）— 企业名称相同" in west.text
    await west.press("仍然登记")
    await west.press("确认")
    second = await project_named(db, "比亚迪电子（深圳）有限公司")  # stored as typed; matched normalised
    assert second.duplicate_of == project.id
    [(to_office, claim_push)] = await pushes(db, "claim_opened")
    assert to_office == (await member(db, "王办公")).id
    assert "先由驻深圳办事处登记" in claim_push.text and "现西区又登记" in claim_push.text

    # The office compares both entries side by side and decides first contact.
    await office.say("/claims")
    card = office.texts[1]
    assert card.index(f"▶ #{project.id} 驻深圳办事处：李驻深") < card.index(f"▶ #{second.id} 西区：西小张")
    assert "东区接收" in card and "（企业名称相同）" in card
    assert office.labels == [f"#{project.id} 驻深圳办事处 首谈", f"#{second.id} 西区 首谈"]
    await office.press(f"#{project.id} 驻深圳办事处 首谈")
    assert "首谈单位为驻深圳办事处" in office.text
    [claim] = await events(db, sh.CLAIM_RESOLVED)
    assert claim.payload["first_contact_unit"] == "zhu_sz" and claim.project_id == project.id
    [(told_west, resolved)] = [p for p in await pushes(db, "claim_resolved") if p[0] == (await member(db, "西小张")).id]
    assert "首谈单位认定为驻深圳办事处" in resolved.text

    # 7. A department may not register what a district has signed: it joins as a supporting unit.
    await dept.say("线索 比亚迪电子有限公司 电子信息制造 投资20亿 来源展会活动")
    assert "已由东区签约" in dept.text and "市直部门和驻外办事处不能重复登记" in dept.text
    assert dept.labels == ["作为协助单位加入", "查看已有项目", "停止登记"]
    before = await event_count(db)
    await dept.say("仍然登记")
    assert "不能重复登记" in dept.text and await event_count(db) == before
    await dept.press("作为协助单位加入")
    assert dept.texts[-1] == f"已作为协助单位加入“比亚迪电子有限公司”（#{project.id}），已通知东区长。"

    # 8. /history tells the story in order, with dates and who.
    await li.say("历史 比亚迪电子有限公司")
    assert li.labels == [f"#{project.id} 比亚迪电子有限公司（驻深圳办事处）", f"#{second.id} 比亚迪电子（深圳）有限公司（西区）"]
    await li.say("1")
    assert li.texts[-1] == "\n".join([
        f"【#{project.id} 比亚迪电子有限公司】项目历史（首谈：驻深圳办事处，现责任单位：东区，签约）：",
        "· 11月2日 驻深圳办事处登记线索（李驻深）",
        "· 11月2日 分流：驻深圳办事处→东区（产业导向含“电子信息制造”）（李驻深）",
        "· 11月2日 东区接收，责任单位由驻深圳办事处变为东区（首谈：驻深圳办事处；成果共享：驻深圳办事处100%、东区50%）（东区长）",
        "· 11月3日 阶段 线索→签约，签约额 18亿元（东小李）",
        "· 11月4日 到位资金 +5亿元（累计 5亿元）（东小李）",
        "· 11月4日 西区登记了驻深圳办事处已登记的企业，提请首谈认定（西小张）",
        f"· 11月4日 大招商办认定首谈单位：驻深圳办事处（#{project.id}）（王办公）",
        "· 11月4日 市工信局作为协助单位加入（工信小刘）",
        "协助单位：市工信局",
        "成果共享（市直单位引进落户区县）：驻深圳办事处计 100%，东区计 50%。",
    ])
    assert {e.project_id for e in await events(db) if e.type in sh.ALL} == {project.id, second.id}
    assert await ledger_ok(db)

    # Every table is a function of the ledger: rebuilding from the events gives the same rows.
    before = await dump(db, schema().projection_tables)
    async with db.uow() as uow:
        await rebuild(uow.session)
        await uow.commit()
    assert await dump(db, schema().projection_tables) == before
