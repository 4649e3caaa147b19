"""/status 查询, /my 我的项目 and /stale 久未更新 through `Conversations.handle`."""
from __future__ import annotations

import pytest

from core.clock import FixedClock
from storage.database import Database
from tests.conversation import (  # noqa: F401  (org_db, org_template are fixtures)
    org_db,
    org_template,
    Person,
    conversations,
    event_count,
    logged_lead,
    project_named,
    registered,
    state_of,
)
from tests.helpers import member


@pytest.fixture
async def east(org_db: Database) -> Person:
    return await registered(org_db, conversations(org_db), "东小李")


@pytest.fixture
async def west(org_db: Database) -> Person:
    return await registered(org_db, conversations(org_db), "西小张")


async def two_catls(east: Person) -> tuple:
    a = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say("线索 宁德时代新能源 新能源汽车零部件 投资3000万 来源驻点")
    await east.press("仍然登记")
    await east.press("确认")
    b = await project_named(east.db, "宁德时代新能源")
    return a, b


# -- /status ------------------------------------------------------------------------------------

async def test_the_project_card(org_db: Database, east: Person, clock: FixedClock) -> None:
    p = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.press("签约")
    await east.say("3亿")
    await east.press("确认")
    await east.say("进展 宁德时代")
    await east.press("到位资金")
    await east.say("6000万")
    await east.press("确认")
    clock.advance(days=3, hours=2)
    await east.say("/status 宁德时代")
    assert east.text == "\n".join([
        f"【#{p.id} 宁德时代】",
        "阶段：线索→在谈→【签约】→落地→开工→投产",
        "产业链：新能源汽车零部件",
        "意向投资 5亿元 ｜ 签约额 3亿元 ｜ 到位资金 6000万元（20%）",
        "首报单位：东区 ｜ 责任单位：东区 ｜ 责任人：东小李",
        "最近更新：2026-11-02（周一），3天前",
        "最近动态：",
        "· 11月2日 到位资金 +6000万元（累计 6000万元）（东小李）",
        "· 11月2日 阶段 线索→签约，签约额 3亿元（东小李）",
        "· 11月2日 东区登记线索（东小李）",
        "核实：已核实 0万元，待核实 6000万元",
    ])


async def test_amounts_below_one_yi_are_shown_in_wan(org_db: Database, east: Person) -> None:
    await logged_lead(east, "小米科技 电子信息制造 投资9800万 来源驻点")
    await east.say("查询 小米")
    assert "意向投资 9800万元" in east.text


async def test_a_terminated_project_shows_its_reason(org_db: Database, east: Person) -> None:
    await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.press("终止")
    await east.say("企业改投外省")
    await east.press("确认")
    await east.say("查询 宁德时代")
    assert "阶段：终止" in east.text and "终止原因：企业改投外省" in east.text


async def test_fuzzy_by_name_with_the_keyword_glued(org_db: Database, east: Person) -> None:
    p = await logged_lead(east, "比亚迪股份有限公司 新能源汽车零部件 投资20亿 来源驻点")
    await east.say("查询比亚迪")
    assert east.text.startswith(f"【#{p.id} 比亚迪股份有限公司】")
    await east.say("查询 比亚迪（深圳）有限公司")  # another spelling of the same company
    assert east.text.startswith(f"【#{p.id} 比亚迪股份有限公司】")


async def test_several_matches_are_buttons(org_db: Database, east: Person) -> None:
    a, b = await two_catls(east)
    await east.say("/status 宁德")
    assert east.text == "找到 2 个与“宁德”相关的项目，请选择："
    assert east.labels == [f"#{a.id} 宁德时代（东区）", f"#{b.id} 宁德时代新能源（东区）"]
    await east.press(f"#{b.id} 宁德时代新能源")
    assert east.text.startswith(f"【#{b.id} 宁德时代新能源】")
    assert "意向投资 3000万元" in east.text and f"⚠ 疑似与 #{a.id} 重复，待大招商办核查" in east.text
    await east.press(f"#{a.id} 宁德时代")  # the list stays usable
    assert east.text.startswith(f"【#{a.id} 宁德时代】")


async def test_several_matches_by_number_on_a_channel_without_buttons(org_db: Database, east: Person) -> None:
    a, b = await two_catls(east)
    wecom = await registered(org_db, east.conv, "东小李", channel="wecom", buttons=False)
    await wecom.say("查询 宁德")
    assert wecom.text == "找到 2 个与“宁德”相关的项目，请选择："
    await wecom.say("2")
    assert wecom.text.startswith(f"【#{b.id} 宁德时代新能源】")
    await wecom.say(f"#{a.id} 宁德时代（东区）")  # or the label
    assert wecom.text.startswith(f"【#{a.id} 宁德时代】")


async def test_nothing_found_says_what_to_do(org_db: Database, east: Person) -> None:
    await east.say("查询 不存在科技")
    assert east.text == "没有找到与“不存在科技”相关的项目。可以换个说法，或发“线索 不存在科技”登记。"


async def test_status_without_a_name_asks_for_it(org_db: Database, east: Person) -> None:
    p = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say("/status")
    assert east.text == "请输入项目或企业名称（几个字即可）："
    await east.say("宁德")
    assert east.text.startswith(f"【#{p.id} 宁德时代】")
    assert await state_of(org_db, await member(org_db, "东小李")) is None


async def test_a_status_button_for_a_project_that_does_not_exist(org_db: Database, east: Person) -> None:
    await east.payload("s:status:99999")
    assert east.text == "这个项目不存在。"
    await east.payload("s:status:abc")
    assert east.text == "这个项目不存在。"


async def test_reading_writes_nothing(org_db: Database, east: Person, west: Person) -> None:
    await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    before = await event_count(org_db)
    for text in ("查询 宁德", "/my", "/stale", "/stale 1", "/help"):
        await west.say(text)
        await east.say(text)
    assert await event_count(org_db) == before


# -- /my ----------------------------------------------------------------------------------------

async def test_my_projects_by_stage(org_db: Database, east: Person, west: Person) -> None:
    a = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    b = await logged_lead(east, "万华化学 现代化工 投资8000万 来源驻点")
    await logged_lead(west, "恒力石化 现代化工 投资2亿 来源驻点")
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.press("签约")
    await east.say("3亿")
    await east.press("确认")
    await east.say("/my")
    assert east.text == "\n".join([
        "东区的项目（共 2 个）：",
        "【线索】1 个",
        f"· #{b.id} 万华化学（线索，8000万元，东区）",
        "【签约】1 个",
        f"· #{a.id} 宁德时代（签约，3亿元，东区）",
    ])
    await east.say("我的项目")
    assert east.text.startswith("东区的项目（共 2 个）：")


async def test_my_projects_when_there_are_none(org_db: Database, west: Person) -> None:
    await west.say("/my")
    assert west.text == "西区的项目（共 0 个）：\n暂无项目。"


@pytest.mark.parametrize("who", ["赵市长", "王办公"])
async def test_leaders_and_the_office_see_the_city_by_unit(
        org_db: Database, east: Person, west: Person, who: str) -> None:
    await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await logged_lead(east, "万华化学 现代化工 投资8000万 来源驻点")
    await logged_lead(west, "恒力石化 现代化工 投资2亿 来源驻点")
    reader = await registered(org_db, east.conv, who)
    await reader.say("/my")
    assert reader.text == ("全市在库项目（按责任单位）：\n· 东区：2 个，其中已签约 0 个\n· 西区：1 个，其中已签约 0 个\n"
                           "点单位名称看它的项目，或发“我的项目 单位名称”。")
    assert reader.labels == ["东区", "西区"]  # a button per unit (issue 16)
    await reader.press("西区")
    assert reader.text.startswith("西区的项目（共 1 个）：")


@pytest.mark.parametrize("who", ["赵市长", "王办公"])
async def test_a_leader_or_the_office_opens_any_unit_by_name(
        org_db: Database, east: Person, who: str) -> None:
    a = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    reader = await registered(org_db, east.conv, who)
    await reader.say("我的项目 东区")
    assert reader.text == f"东区的项目（共 1 个）：\n【线索】1 个\n· #{a.id} 宁德时代（线索，5亿元，东区）"
    await reader.say("我的项目 驻深圳办事处")
    assert reader.text == "驻深圳办事处的项目（共 0 个）：\n暂无项目。"
    await reader.say("我的项目 驻深圳")  # the short name
    assert reader.text.startswith("驻深圳办事处的项目")
    await reader.say("我的项目 办事处")  # several units hold it: buttons
    assert reader.text == "“办事处”对应几个单位，请选择：" and reader.labels == ["驻深圳办事处", "驻长沙办事处"]
    await reader.press("驻长沙办事处")
    assert reader.text.startswith("驻长沙办事处的项目（共 0 个）")
    await reader.say("我的项目 火星区")
    assert reader.text.startswith("没有“火星区”这个单位。")


async def test_a_unit_member_reads_only_their_own_unit(org_db: Database, east: Person, west: Person) -> None:
    await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await west.say("我的项目 东区")
    assert west.text == ("其他单位的项目只有市领导和大招商办可以按单位查看；下面是本单位的项目。\n"
                         "西区的项目（共 0 个）：\n暂无项目。")
    await west.payload("s:my:east")  # a button is not trusted: the sender decides
    assert west.text == "西区的项目（共 0 个）：\n暂无项目。"
    await east.say("我的项目 东区")
    assert east.text.startswith("东区的项目（共 1 个）：")


# -- /stale -------------------------------------------------------------------------------------

async def test_stale_projects_default_fifteen_days(
        org_db: Database, east: Person, west: Person, clock: FixedClock) -> None:
    old = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await logged_lead(west, "恒力石化 现代化工 投资2亿 来源驻点")  # another unit's: not in east's list
    clock.advance(days=10)
    await logged_lead(east, "万华化学 现代化工 投资8000万 来源驻点")
    clock.advance(days=6)
    await east.say("/stale")
    assert east.text == f"超过 15 天未更新的项目（1 个）：\n· #{old.id} 宁德时代（线索，5亿元，东区） — 16天前更新"
    await east.say("/stale 5")
    assert east.text.startswith("超过 5 天未更新的项目（2 个）：")
    await east.say("/stale 30")
    assert east.text == "没有超过 30 天未更新的项目。"
    office = await registered(org_db, east.conv, "王办公")
    await office.say("久未更新 15")  # the office sees every unit's
    assert office.text.startswith("超过 15 天未更新的项目（2 个）：")
    assert "宁德时代" in office.text and "恒力石化" in office.text and "万华化学" not in office.text


async def test_an_update_makes_a_project_fresh_again(org_db: Database, east: Person, clock: FixedClock) -> None:
    await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    clock.advance(days=20)
    await east.say("进展 宁德时代")
    await east.press("进展情况")
    await east.say("企业来访")
    await east.press("跳过")
    await east.say("/stale")
    assert east.text == "没有超过 15 天未更新的项目。"


@pytest.mark.parametrize("days", ["abc", "0", "4000", "-3"])
async def test_stale_with_bad_days(org_db: Database, east: Person, days: str) -> None:
    await east.say(f"/stale {days}")
    assert east.text == f"天数请写 1 到 3650 之间的数字，如“/stale 30”（收到的是“{days}”）。"


# -- 查询 by what the bot shows and by what people know (issue 16) --------------------------------

async def test_by_the_number_the_bot_shows(org_db: Database, east: Person) -> None:
    p = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    for typed in (f"查询 #{p.id}", f"查询 ＃{p.id}", f"/status {p.id}", f"查询#{p.id}"):
        await east.say(typed)
        assert east.text.startswith(f"【#{p.id} 宁德时代】"), typed
    await east.say("查询 #99999")
    assert east.text == "没有找到与“#99999”相关的项目。可以换个说法，或发“线索 #99999”登记。"


async def test_by_credit_code(org_db: Database, east: Person) -> None:
    p = await logged_lead(east, "比亚迪 91440300192175701G 新能源汽车零部件 投资5亿 来源驻点")
    await east.say("查询 91440300192175701G")
    assert east.text.startswith(f"【#{p.id} 比亚迪】")


async def test_by_industry_chain_unit_and_stage_with_buttons(org_db: Database, east: Person, west: Person) -> None:
    a = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    b = await logged_lead(east, "万华化学 现代化工 投资8000万 来源驻点")
    c = await logged_lead(west, "恒力石化 现代化工 投资2亿 来源驻点")
    await east.say("查询 新能源汽车零部件")
    assert east.text.startswith(f"【#{a.id} 宁德时代】")
    await east.say("查询 现代化工")
    assert east.text == "找到 2 个与“现代化工”相关的项目，请选择："
    assert east.labels == [f"#{c.id} 恒力石化（西区）", f"#{b.id} 万华化学（东区）"]
    await east.press(f"#{c.id} 恒力石化")
    assert east.text.startswith(f"【#{c.id} 恒力石化】")
    await east.say("查询 东区")
    assert east.text == "找到 2 个与“东区”相关的项目，请选择："
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.press("在谈")
    await east.press("确认")
    await east.say("查询 东区 在谈")
    assert east.text.startswith(f"【#{a.id} 宁德时代】")
    await east.say("查询 西区 在谈")
    assert east.text.startswith("没有找到与“西区 在谈”相关的项目")
    await east.say("查询 东区 万华")  # a unit around a name
    assert east.text.startswith(f"【#{b.id} 万华化学】")


async def test_more_matches_than_buttons_says_how_to_narrow(org_db: Database, east: Person) -> None:
    for i in range(10):
        # Different investors (names starting differently), or the same-chain, same-amount level flags them.
        await logged_lead(east, f"{'甲乙丙丁戊己庚辛壬癸'[i]}测试化工公司 现代化工 投资1亿 来源驻点")
    await east.say("查询 现代化工")
    assert east.text == ("找到 10 个与“现代化工”相关的项目，下面是最近更新的 8 个；"
                         "加上单位、阶段或产业链可缩小范围，如“查询 东区 在谈”：")
    assert len(east.labels) == 8



async def test_the_quoted_cases_on_the_demo_organisation(sqlite_db: Database) -> None:
    """Issue 16's quotes, as typed on the console with the demo organisation."""
    from core.org_file import load_org
    from tests.helpers import DEMO_ORG, setup_org

    await setup_org(sqlite_db, load_org(DEMO_ORG.read_text(encoding="utf-8"), str(DEMO_ORG)))
    conv = conversations(sqlite_db)
    fan = await registered(sqlite_db, conv, "范思琪")
    a = await logged_lead(fan, "浪潮电子信息产业股份有限公司 电子信息制造 投资5亿 来源驻点招商")
    b = await logged_lead(fan, "满帮集团 现代服务业 投资2亿 来源驻点招商")
    await fan.say("进展 满帮集团")
    await fan.press("阶段变更")
    await fan.press("在谈")
    await fan.press("确认")
    await fan.say(f"查询 #{a.id}")
    assert fan.text.startswith(f"【#{a.id} 浪潮电子信息产业股份有限公司】")
    await fan.say("查询 电子信息制造")
    assert fan.text.startswith(f"【#{a.id} 浪潮电子信息产业股份有限公司】")
    await fan.say("查询 贵安新区 在谈")
    assert fan.text.startswith(f"【#{b.id} 满帮集团】")
    await fan.say("查询 贵安新区")
    assert fan.text == "找到 2 个与“贵安新区”相关的项目，请选择："
    assert fan.labels == [f"#{b.id} 满帮集团（贵安新区）", f"#{a.id} 浪潮电子信息产业股份有限公司（贵安新区）"]
    leader = await registered(sqlite_db, conv, "何振宇")
    await leader.say("我的项目 驻深圳办事处")
    assert leader.text == "驻深圳办事处的项目（共 0 个）：\n暂无项目。"
    await leader.say("我的项目")
    assert "· 贵安新区：2 个，其中已签约 0 个" in leader.text and "贵安新区" in leader.labels
    await leader.press("贵安新区")
    assert leader.text.startswith("贵安新区的项目（共 2 个）：")
