"""Fixing what was typed wrong (issue 16), driven as people type it: /edit 修改 (a field, the contract amount, a
funds entry), /void 撤销 and the office's 恢复, and a signing or funds dated the day it happened — for each role."""
from __future__ import annotations

import pytest

from core import events as ev
from core.clock import FixedClock
from storage.database import Database
from tests.conftest import local
from tests.conversation import (  # noqa: F401  (org_db, org_template are fixtures)
    Person,
    conversations,
    event_count,
    events,
    ledger_ok,
    logged_lead,
    org_db,
    org_template,
    project_named,
    registered,
)


@pytest.fixture
async def people(org_db: Database) -> dict[str, Person]:
    conv = conversations(org_db)
    return {name: await registered(org_db, conv, name) for name in ("东小李", "东区长", "西小张", "赵市长", "王办公")}


async def signed(p: Person, name: str, contract: str, *, date: str | None = None) -> None:
    await p.say(f"进展 {name}")
    await p.press("阶段变更")
    await p.say(f"签约 日期 {date}" if date else "签约")
    await p.say(contract)
    await p.press("确认")
    assert "现为【签约】" in p.text, p.text


async def funds(p: Person, name: str, amount: str) -> None:
    await p.say(f"进展 {name}")
    await p.press("到位资金")
    await p.say(amount)
    await p.press("确认")
    assert "累计到位" in p.text or "到位资金" in p.text, p.text


# -- /edit ------------------------------------------------------------------------------------------

async def test_one_line_correction_shows_old_and_new_and_records_both(org_db: Database, people) -> None:  # noqa: ANN001
    east = people["东小李"]
    catl = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say(f"修改 #{catl.id} 意向投资 4亿")
    assert "意向投资：5亿元 → 4亿元" in east.text, east.text
    assert east.labels == ["确认", "填写原因", "取消"]
    await east.say("录入时多写了一亿")   # typed at the confirm card: the reason
    assert "原因：录入时多写了一亿" in east.text
    await east.press("确认")
    assert east.texts[-1] == f"已更正“宁德时代”：意向投资 5亿元 → 4亿元。可发“历史 #{catl.id}”查看全部更正记录。"
    assert (await project_named(org_db, "宁德时代")).intended_wan == 40_000
    corrected = (await events(org_db, ev.PROJECT_CORRECTED))[-1]
    assert corrected.payload["changes"] == {"intended_wan": 40_000}
    assert corrected.payload["before"] == {"intended_wan": 50_000}
    assert corrected.payload["reason"] == "录入时多写了一亿"
    await east.say(f"历史 #{catl.id}")
    assert "更正 意向投资 5亿元→4亿元，原因：录入时多写了一亿（东小李）" in east.text, east.text
    await east.say(f"查询 #{catl.id}")
    assert "更正 意向投资 5亿元→4亿元" in east.text
    assert await ledger_ok(org_db)


async def test_industry_chain_is_read_like_a_new_leads(org_db: Database, people) -> None:  # noqa: ANN001
    east = people["东小李"]
    catl = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say(f"修改 #{catl.id} 产业链 低空经济")
    assert "没有“低空经济”这个产业链" in east.text
    await east.say("电子信息制造")
    assert "产业链：新能源汽车零部件 → 电子信息制造" in east.text, east.text
    await east.press("确认")
    assert (await project_named(org_db, "宁德时代")).industry == "电子信息制造"


async def test_the_flow_asks_field_then_value(org_db: Database, people) -> None:  # noqa: ANN001
    east = people["东小李"]
    catl = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say("修改 宁德时代")
    assert east.texts[-1] == "“宁德时代”要更正哪一项？"
    assert "联系人" in east.labels and "到位资金" in east.labels
    await east.press("联系人")
    assert east.texts[-1] == "联系人现在是：无\n请输入正确的联系人："
    await east.say("张经理 13800000000")
    await east.press("确认")
    assert (await project_named(org_db, "宁德时代")).contact == "张经理 13800000000"
    before = await event_count(org_db)
    await east.say(f"修改 #{catl.id} 联系人 张经理 13800000000")
    assert "新值与现在相同，无需更正。" in east.text
    assert await event_count(org_db) == before


async def test_contract_amount_is_a_correction_of_the_signing(org_db: Database, people) -> None:  # noqa: ANN001
    east = people["东小李"]
    catl = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await signed(east, "宁德时代", "5亿")
    await east.say(f"修改 #{catl.id} 签约额 4.5亿")
    assert "签约额：5亿元 → 4.5亿元" in east.text and "从签约之日起" in east.text
    await east.press("确认")
    assert (await project_named(org_db, "宁德时代")).contract_wan == 45_000
    fixed = (await events(org_db, ev.CONTRACT_CORRECTED))[-1]
    signing = [e for e in await events(org_db, ev.STAGE_CHANGED) if e.project_id == catl.id][-1]
    assert fixed.payload == {"entry": signing.seq, "amount_wan": 45_000, "before_wan": 50_000}


async def test_funds_entry_is_offset_with_a_reason_never_a_negative_increment(org_db: Database, people,  # noqa: ANN001
                                                                              clock: FixedClock) -> None:
    east = people["东小李"]
    await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await signed(east, "宁德时代", "5亿")
    await funds(east, "宁德时代", "2000万")
    clock.advance(days=3)
    await east.say("修改 宁德时代 到位资金")
    assert east.texts[-1] == "要更正哪一笔到位资金？"
    assert east.labels == ["11月2日 +2000万元"]
    await east.press("11月2日")
    await east.say("200万")
    assert east.texts[-1] == "请说明更正原因（如“重复报送”“多填了一个零”）："
    await east.say("多填了一个零")
    assert "到位资金（11月2日）：2000万元 → 200万元" in east.text
    await east.press("确认")
    p = await project_named(org_db, "宁德时代")
    assert p.funds_wan == 200
    fixed = (await events(org_db, ev.FUNDS_CORRECTED))[-1]
    assert fixed.payload["offset_wan"] == -1800 and fixed.payload["reason"] == "多填了一个零"
    await east.say("修改 宁德时代 到位资金")
    assert east.labels == ["11月2日 +2000万元（已更正为 200万元）"]


async def test_another_units_member_and_a_leader_may_not_correct(org_db: Database, people) -> None:  # noqa: ANN001
    catl = await logged_lead(people["东小李"], "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    for name in ("西小张", "赵市长"):
        await people[name].say(f"修改 #{catl.id} 意向投资 4亿")
        assert "您只能查看，不能更新" in people[name].text, (name, people[name].text)
    for name in ("东区长", "王办公"):
        await people[name].say(f"修改 #{catl.id} 计划投资 {3 if name == '东区长' else 2}亿")
        await people[name].press("确认")
        assert "已更正" in people[name].text, (name, people[name].text)
    assert (await project_named(org_db, "宁德时代")).planned_wan == 20_000


# -- /void and 恢复 -----------------------------------------------------------------------------------

async def test_a_voided_lead_leaves_every_list_and_the_office_restores_it(org_db: Database,
                                                                          people) -> None:  # noqa: ANN001
    east, office = people["东小李"], people["王办公"]
    catl = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say(f"撤销 #{catl.id} 测试数据")
    assert "原因：测试数据" in east.text and east.labels == ["确认撤销", "取消"]
    await east.press("确认撤销")
    assert east.texts[-1] == f"已撤销“宁德时代”（#{catl.id}）。如需恢复，请联系大招商办发“恢复 #{catl.id}”。"
    await east.say("我的项目")
    assert "宁德时代" not in east.text
    await east.say("查询 宁德时代")
    assert "没有找到" in east.text
    await east.say("线索池")
    assert "宁德时代" not in east.text
    await east.say(f"历史 #{catl.id}")
    assert "撤销，原因：测试数据（东小李）" in east.text
    await east.say(f"查询 #{catl.id}")
    assert "【已撤销】" in east.text
    await east.say(f"进展 #{catl.id}")
    assert east.text == f"项目 #{catl.id} 已撤销，不能再更新。如需恢复，请联系大招商办。"
    await east.say("线索 宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    assert east.labels[:3] == ["确认", "修改", "取消"], east.text   # the voided entry flags no duplicate
    await east.press("取消")
    await east.say(f"恢复 #{catl.id}")
    assert east.text == "只有大招商办可以恢复被撤销的项目。"
    await office.say(f"恢复 #{catl.id} 误撤销")
    assert office.text == f"已恢复“宁德时代”（#{catl.id}），它重新计入列表和统计。"
    await east.say("我的项目")
    assert "宁德时代" in east.text
    assert await ledger_ok(org_db)


async def test_who_may_void(org_db: Database, people) -> None:  # noqa: ANN001
    east = people["东小李"]
    first = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    second = await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    third = await logged_lead(east, "比亚迪 新能源汽车零部件 投资20亿 来源驻点")
    for name in ("西小张", "赵市长"):
        await people[name].say(f"撤销 #{first.id} 重复")
        assert people[name].text == "只有首报单位或大招商办可以撤销这个项目。", name
    for name, pid in (("东区长", first.id), ("王办公", second.id), ("东小李", third.id)):
        await people[name].say(f"撤销 #{pid}")
        assert "为什么撤销" in people[name].text
        await people[name].say("重复录入")
        await people[name].press("确认撤销")
        assert "已撤销" in people[name].text, (name, people[name].text)
    await east.say(f"修改 #{first.id} 意向投资 4亿")
    assert f"项目 #{first.id} 已撤销，不能再更新。" in east.text


# -- the day it happened --------------------------------------------------------------------------

async def test_a_signing_and_funds_carry_the_day_they_happened(org_db: Database, people,  # noqa: ANN001
                                                               clock: FixedClock) -> None:
    east = people["东小李"]
    clock.set(local(2026, 11, 2, 10))
    await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    clock.set(local(2026, 11, 25, 10))
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.say("签约 日期 12月1日")
    assert "日期不能晚于今天（11月25日）" in east.text
    await east.say("签约 日期 10月30日")
    assert "日期不能早于项目登记的那天（11月2日）" in east.text
    await east.say("签约 日期 11月20日")
    await east.say("5亿")
    assert "日期：11月20日" in east.text
    await east.press("确认")
    stage = (await events(org_db, ev.STAGE_CHANGED))[-1]
    assert stage.payload["on"] == "2026-11-19T16:00:00+00:00"   # the local day's start, in UTC
    await east.say("历史 宁德时代")
    assert "阶段 线索→签约，签约额 5亿元（发生于11月20日）" in east.text, east.text
    await east.say("进展 宁德时代")
    await east.press("到位资金")
    await east.say("1000万 日期 11月18日")
    assert "到位资金的日期不能早于签约的那天（11月20日）" in east.text
    await east.say("1000万")
    await east.press("改日期")
    await east.say("11月21日")
    assert "日期：11月21日" in east.text
    await east.press("确认")
    assert (await events(org_db, ev.FUNDS_ADDED))[-1].payload["on"]
    assert await ledger_ok(org_db)


@pytest.mark.parametrize(("typed", "expected"), [
    ("#12 意向投资 4亿", ("#12", "intended_wan", "4亿")),
    ("#12 产业链 电子信息制造", ("#12", "industry", "电子信息制造")),
    ("#12 产业链：电子信息制造", ("#12", "industry", "电子信息制造")),
    ("意向投资4亿", ("", "intended_wan", "4亿")),
    ("宁德时代 到位资金", ("宁德时代", "funds", "")),
    ("资金科技有限公司", ("资金科技有限公司", None, "")),   # a name that starts with a field's word
])
def test_one_line_names_the_project_the_field_and_the_value(typed: str, expected: tuple) -> None:  # type: ignore[type-arg]
    from handlers.steps.correction_values import split_field

    assert split_field(typed) == expected


@pytest.mark.parametrize(("who", "allowed"), [("东区长", True), ("王办公", True), ("西小张", False), ("赵市长", False)])
async def test_who_may_correct_a_funds_entry(org_db: Database, people, who: str, allowed: bool) -> None:  # noqa: ANN001
    east = people["东小李"]
    catl = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await signed(east, "宁德时代", "5亿")
    await funds(east, "宁德时代", "2000万")
    person = people[who]
    await person.say(f"修改 #{catl.id} 到位资金")
    if not allowed:
        assert "您只能查看，不能更新" in person.text, person.text
        assert (await project_named(org_db, "宁德时代")).funds_wan == 2000
        return
    await person.press("11月2日")
    await person.say("0")
    await person.say("重复报送")
    assert "到位资金（11月2日）：2000万元 → 0万元" in person.text, person.text
    await person.press("确认")
    assert (await project_named(org_db, "宁德时代")).funds_wan == 0


@pytest.mark.parametrize("who", ["东小李", "东区长", "西小张", "赵市长"])
async def test_only_the_office_restores(org_db: Database, people, who: str) -> None:  # noqa: ANN001
    east = people["东小李"]
    catl = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say(f"撤销 #{catl.id} 测试数据")
    await east.press("确认撤销")
    await people[who].say(f"恢复 #{catl.id}")
    assert people[who].text == "只有大招商办可以恢复被撤销的项目。"
    async with org_db.uow(readonly=True) as uow:
        still = await uow.projects.get(catl.id)
    assert still is not None and still.voided_at is not None
