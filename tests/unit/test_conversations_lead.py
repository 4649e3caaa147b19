"""/lead 线索 through `Conversations.handle` on a real SQLite database: step by step, in one line,
the duplicate check, editing from the confirm card, and every refusal with nothing written."""
from __future__ import annotations

import pytest

from core import events as ev
from core.messages import EditText
from storage.database import Database
from tests.conversation import (  # noqa: F401  (org_db, org_template are fixtures)
    org_db,
    org_template,
    Person,
    conversations,
    event_count,
    events,
    logged_lead,
    project_named,
    registered,
    state_of,
)
from tests.helpers import member, setup_org

VALID_CODE = "91440300192175701G"
WRONG_CHECK = "91440300192175701H"


@pytest.fixture
async def east(org_db: Database) -> Person:
    return await registered(org_db, conversations(org_db), "东小李")


@pytest.fixture
async def west(org_db: Database) -> Person:
    return await registered(org_db, conversations(org_db), "西小张")


async def lead_events(db: Database) -> list:
    return await events(db, ev.LEAD_LOGGED)


# -- step by step -------------------------------------------------------------------------------

async def test_step_by_step_lead_asks_each_field_and_records_exactly_what_was_answered(
        org_db: Database, east: Person) -> None:
    await east.say("/lead")
    assert east.text == "请输入企业名称（可附统一社会信用代码）："
    await east.say("比亚迪股份有限公司")
    assert east.text == "请选择产业链："
    assert east.labels == ["电子信息制造", "新能源汽车零部件", "现代化工", "大数据及数字经济", "现代服务业", "暂不确定"]
    await east.press("新能源汽车零部件")
    assert "请输入意向投资额" in east.text and east.labels == ["暂不清楚"]
    await east.say("3.5亿")
    assert east.text == "请选择线索来源："
    assert east.labels == ["驻点招商", "以商招商", "委托招商", "展会活动", "领导带头招商", "其他"]
    await east.say("2")  # typed number: 以商招商
    assert "请输入企业联系人和电话" in east.text and east.labels == ["跳过"]
    await east.say("张三 13800138000")
    card = east.text
    assert card.startswith("请核对线索：")
    for line in ("企业名称：比亚迪股份有限公司", "产业链：新能源汽车零部件", "意向投资：3.5亿元", "来源：以商招商",
                 "联系人：张三 13800138000", "标记：工业项目", "首报单位：东区（东小李）"):
        assert line in card
    assert east.labels == ["确认", "修改", "取消"]
    before = await event_count(org_db)
    await east.press("确认")
    project = await project_named(org_db, "比亚迪股份有限公司")
    assert east.texts[-1] == (f"已登记线索 #{project.id} 比亚迪股份有限公司（首报单位：东区）。"
                              "后续可发“进展 比亚迪股份有限公司”更新。")
    assert await event_count(org_db) == before + 1
    [logged] = await lead_events(org_db)
    me = await member(org_db, "东小李")
    assert logged.actor == me.id and logged.unit == "east" and logged.project_id == project.id
    assert {k: logged.payload[k] for k in ("name", "normalized_name", "industry", "intended_wan", "source",
                                            "contact", "owner_unit", "responsible_unit", "responsible_person",
                                            "stage", "duplicate_of", "flags", "foreign_wan")} == {
        "name": "比亚迪股份有限公司", "normalized_name": "比亚迪", "industry": "新能源汽车零部件",
        "intended_wan": 35_000, "source": "以商招商", "contact": "张三 13800138000", "owner_unit": "east",
        "responsible_unit": "east", "responsible_person": "东小李", "stage": "lead", "duplicate_of": None,
        "flags": ["industrial"], "foreign_wan": None}
    assert await state_of(org_db, me) is None


async def test_skipping_optional_answers_records_them_as_unknown(org_db: Database, east: Person) -> None:
    await east.say("/lead")
    await east.say("贵州茅台酒股份有限公司")
    await east.press("暂不确定")
    await east.press("暂不清楚")
    await east.press("其他")
    await east.press("跳过")
    assert "产业链：暂不确定" in east.text and "意向投资：—" in east.text
    await east.press("确认")
    [logged] = await lead_events(org_db)
    assert (logged.payload["industry"], logged.payload["intended_wan"], logged.payload["contact"],
            logged.payload["source"]) == (None, None, None, "其他")


async def test_a_name_with_a_credit_code_in_the_first_answer_keeps_the_code(org_db: Database, east: Person) -> None:
    await east.say("/lead")
    await east.say(f"宁德时代 {VALID_CODE}")
    assert east.text == "请选择产业链："
    await east.press("新能源汽车零部件")
    await east.say("5亿")
    await east.press("驻点招商")
    await east.press("跳过")
    assert f"信用代码：{VALID_CODE}" in east.text
    await east.press("确认")
    [logged] = await lead_events(org_db)
    assert logged.payload["credit_code"] == VALID_CODE and logged.payload["name"] == "宁德时代"


async def test_an_empty_name_is_asked_again(org_db: Database, east: Person) -> None:
    await east.say("/lead")
    await east.say(VALID_CODE)  # a code but no name
    assert east.texts == ["企业名称不能为空。", "请输入企业名称（可附统一社会信用代码）："]


async def test_an_unknown_industry_word_offers_the_closest_and_other(org_db: Database, east: Person) -> None:
    await east.say("/lead")
    await east.say("比亚迪")
    await east.say("航天")
    assert east.texts == ["没有“航天”这条产业链。", "是下面哪一条？都不是就点“其他”，按您写的登记，由大招商办归类："]
    assert east.labels[-3:] == ["其他（按“航天”登记）", "全部产业链", "暂不确定"]
    await east.say("现代")  # two chains match: only those are offered
    assert east.texts == ["有几个产业链都对得上，请选一个：", "请选择产业链："]
    assert east.labels == ["现代化工", "现代服务业", "全部产业链", "暂不确定"]
    await east.say("1")
    assert "请输入意向投资额" in east.text


async def test_an_unknown_source_word_shows_the_list_again(org_db: Database, east: Person) -> None:
    await east.say("线索 比亚迪 新能源汽车零部件 1亿")
    await east.say("路边")
    assert east.texts == ["没有“路边”这个来源，请从下面选择。", "请选择线索来源："]
    await east.say("委托")
    assert "来源：委托招商" in east.text


# -- amounts: refused with the reason, nothing saved ------------------------------------------------

@pytest.mark.parametrize(
    "typed,reason",
    [
        ("很多钱", "没看懂金额“很多钱”，请按“3.5亿”或“5000万”的格式输入。"),
        ("5000", "“5000”没有写单位，请写明万或亿，例如“5000万”或“3.5亿”。"),
        ("12.5万", "金额按万元记录，请精确到万元（例如 13万）。"),
        ("-3亿", "金额不能是负数，请按“3.5亿”或“5000万”的格式输入。"),
        ("三个多亿", "“三个多亿”是个大概的数，请写明具体金额，例如“3.5亿”或“5000万”。"),
        ("三亿多", "“三亿多”是个大概的数，请写明具体金额，例如“3.5亿”或“5000万”。"),
    ],
)
async def test_an_amount_that_cannot_be_understood_is_refused_and_asked_again(
        org_db: Database, east: Person, typed: str, reason: str) -> None:
    await east.say("/lead")
    await east.say("比亚迪")
    await east.press("电子信息制造")
    before = await event_count(org_db)
    await east.say(typed)
    assert east.texts[0] == reason
    assert "请输入意向投资额" in east.texts[1]
    assert await event_count(org_db) == before
    state = await state_of(org_db, await member(org_db, "东小李"))
    assert state.step == "amount" and "intended_wan" not in state.data


@pytest.mark.parametrize("typed,shown", [("十个亿", "10亿元"), ("两个亿", "2亿元"), ("五个亿元", "5亿元"),
                                         ("一个亿", "1亿元"), ("一个半亿", "1.5亿元")])
async def test_the_colloquial_ge_amounts_are_understood(org_db: Database, east: Person, typed: str, shown: str) -> None:
    await east.say("/lead")
    await east.say("比亚迪")
    await east.press("电子信息制造")
    await east.say(typed)
    assert east.text == "请选择线索来源："
    await east.say("2")
    await east.press("跳过")
    assert f"意向投资：{shown}" in east.text


async def test_a_one_line_lead_with_ten_ge_yi(org_db: Database, east: Person) -> None:
    await east.say("线索 宁德时代 新能源汽车零部件 投资十个亿 来源驻点")
    assert "意向投资：10亿元" in east.text and east.labels == ["确认", "修改", "取消"]


async def test_foreign_capital_is_kept_apart_and_flagged(org_db: Database, east: Person) -> None:
    await east.say("线索 特斯拉 新能源汽车零部件 0.8亿美元 来源驻点")
    assert "意向投资：8000万美元（外资，单独统计）" in east.text
    assert "标记：外资、工业项目" in east.text
    await east.press("确认")
    [logged] = await lead_events(org_db)
    assert (logged.payload["intended_wan"], logged.payload["foreign_wan"], logged.payload["foreign_currency"]) \
        == (None, 8_000, "USD")
    assert logged.payload["flags"] == ["foreign", "industrial"]


# -- one line ------------------------------------------------------------------------------------

async def test_one_line_goes_straight_to_the_confirm_card(org_db: Database, east: Person) -> None:
    await east.say("/lead 比亚迪股份有限公司 新能源汽车零部件 投资20亿 来源驻点")
    assert len(east.texts) == 1
    assert east.text == ("请核对线索：\n企业名称：比亚迪股份有限公司\n产业链：新能源汽车零部件\n意向投资：20亿元\n"
                         "来源：驻点招商\n标记：工业项目\n首报单位：东区（东小李）")
    await east.press("确认")
    [logged] = await lead_events(org_db)
    assert (logged.payload["intended_wan"], logged.payload["source"], logged.payload["contact"]) \
        == (200_000, "驻点招商", None)


async def test_one_line_with_the_chinese_keyword_glued_to_the_name(org_db: Database, east: Person) -> None:
    await east.say("线索宁德时代 新能源汽车零部件 5亿 以商招商")
    assert "企业名称：宁德时代" in east.text and east.labels == ["确认", "修改", "取消"]


async def test_one_line_keeps_contact_code_and_leftovers(org_db: Database, east: Person) -> None:
    await east.say(f"线索 宁德时代 {VALID_CODE} 新能源汽车零部件 投资5亿 来源:以商招商 联系人王五 13900001111 "
                   "拟建电池工厂")
    card = east.text
    for line in (f"信用代码：{VALID_CODE}", "意向投资：5亿元", "来源：以商招商", "联系人：王五 13900001111",
                 "备注：拟建电池工厂"):
        assert line in card
    await east.press("确认")
    [logged] = await lead_events(org_db)
    assert (logged.payload["credit_code"], logged.payload["contact"], logged.payload["content"]) \
        == (VALID_CODE, "王五 13900001111", "拟建电池工厂")


async def test_one_line_asks_only_for_what_is_missing(org_db: Database, east: Person) -> None:
    await east.say("线索 宁德时代 投资5亿")
    assert east.texts[0] == "已识别：\n企业名称：宁德时代\n意向投资：5亿元"
    assert east.texts[1] == "请选择产业链："
    await east.press("新能源汽车零部件")
    assert east.texts[-1] == "请选择线索来源："  # the amount is not asked again
    await east.press("驻点招商")
    assert east.texts[-1].startswith("请核对线索：")  # one line: no contact question
    assert "意向投资：5亿元" in east.text


async def test_one_line_with_an_ambiguous_industry_offers_only_the_candidates(org_db: Database, east: Person) -> None:
    await east.say("线索 万华化学 现代 投资10亿 来源驻点")
    assert east.texts[-1] == "请选择产业链："
    assert east.labels == ["现代化工", "现代服务业", "全部产业链", "暂不确定"]
    await east.press("现代化工")
    assert "产业链：现代化工" in east.text and east.labels == ["确认", "修改", "取消"]


async def test_one_line_with_a_doubtful_amount_says_so_and_asks_it(org_db: Database, east: Person) -> None:
    await east.say("线索 比亚迪 新能源汽车零部件 12.5万 来源驻点")
    assert "金额没看懂，稍后会单独询问。" in east.texts
    assert "请输入意向投资额" in east.texts[-1]
    await east.say("13万")
    assert "意向投资：13万元" in east.text


async def test_one_line_with_a_wrong_check_character_asks_for_the_code(org_db: Database, east: Person) -> None:
    await east.say(f"线索 宁德时代 {WRONG_CHECK} 新能源汽车零部件 投资5亿 来源驻点")
    assert "统一社会信用代码校验位不对：按前17位计算，第18位应为 G，请核对后重新输入。" in east.texts
    assert east.texts[-1] == "请重新输入18位统一社会信用代码，或点“跳过”不填。"
    before = await event_count(org_db)
    await east.say(WRONG_CHECK)  # the same mistake again: refused again
    assert east.texts == ["统一社会信用代码校验位不对：按前17位计算，第18位应为 G，请核对后重新输入。",
                          "请重新输入18位统一社会信用代码，或点“跳过”不填。"]
    await east.say("9144030019217570")
    assert east.texts[0] == "统一社会信用代码应为18位，您输入了16位。"
    assert await event_count(org_db) == before
    await east.say(VALID_CODE)
    assert f"信用代码：{VALID_CODE}" in east.text and east.labels == ["确认", "修改", "取消"]


async def test_the_code_question_can_be_skipped(org_db: Database, east: Person) -> None:
    await east.say(f"线索 宁德时代 {WRONG_CHECK} 新能源汽车零部件 投资5亿 来源驻点")
    await east.press("跳过")
    assert "信用代码" not in east.texts[-1] and east.labels == ["确认", "修改", "取消"]
    await east.press("确认")
    [logged] = await lead_events(org_db)
    assert logged.payload["credit_code"] is None


# -- the duplicate check --------------------------------------------------------------------------

async def test_same_credit_code_shows_the_existing_entry_and_its_owner_unit(
        org_db: Database, east: Person, west: Person) -> None:
    first = await logged_lead(east, f"宁德时代新能源科技股份有限公司 {VALID_CODE} 新能源汽车零部件 5亿 驻点")
    await west.say(f"线索 CATL {VALID_CODE} 现代化工 3亿 以商招商")
    assert west.texts[0] == ("发现可能重复的已登记项目：\n"
                             f"· #{first.id} 宁德时代新能源科技股份有限公司（线索，首报：东区）— 统一社会信用代码相同")
    assert west.texts[1] == "请选择："
    assert west.labels == ["停止登记", "查看已有项目", "仍然登记（标记疑似重复）"]


async def test_same_normalised_name_is_a_duplicate(org_db: Database, east: Person, west: Person) -> None:
    first = await logged_lead(east, "比亚迪股份有限公司 新能源汽车零部件 20亿 驻点")
    await west.say("线索 比亚迪（深圳）有限公司 新能源汽车零部件 5亿 驻点")
    assert west.texts[0].endswith(f"· #{first.id} 比亚迪股份有限公司（线索，首报：东区）— 企业名称相同")


async def test_a_close_name_is_a_suspected_duplicate(org_db: Database, east: Person, west: Person) -> None:
    first = await logged_lead(east, "宁德时代 新能源汽车零部件 5亿 驻点")
    await west.say("线索 宁德时代新能源 新能源汽车零部件 5亿 驻点")
    assert west.texts[0].endswith(f"· #{first.id} 宁德时代（线索，首报：东区）— 名称相近")


async def test_a_different_company_is_not_a_duplicate(org_db: Database, east: Person, west: Person) -> None:
    await logged_lead(east, "宁德时代 新能源汽车零部件 5亿 驻点")
    await west.say("线索 万华化学集团 现代化工 5亿 驻点")
    assert west.text.startswith("请核对线索：")


async def test_the_same_contact_phone_is_shown_before_the_card(org_db: Database, east: Person, west: Person) -> None:
    first = await logged_lead(east, "宁德时代 新能源汽车零部件 5亿 驻点 联系人张三 0851-83661761")
    await west.say("线索 万华化学集团 现代化工 3亿 驻点 联系人李四 085183661761")
    assert west.texts[0] == f"发现可能重复的已登记项目：\n· #{first.id} 宁德时代（线索，首报：东区）— 联系电话相同"
    assert west.labels == ["停止登记", "查看已有项目", "仍然登记（标记疑似重复）"]
    await west.press("仍然登记（标记疑似重复）")
    assert "请核对线索：" in west.text and f"疑似与 #{first.id} 重复" in west.text   # asked once: the card follows
    await west.press("确认")
    logged = (await lead_events(org_db))[-1]
    assert logged.payload["name"] == "万华化学集团" and logged.payload["duplicate_of"] == first.id


async def test_a_related_name_in_the_same_chain_with_a_close_amount_is_a_possible_duplicate(
        org_db: Database, east: Person, west: Person) -> None:
    first = await logged_lead(east, "比亚迪汽车 新能源汽车零部件 20亿 驻点")
    await west.say("线索 比亚迪电子 新能源汽车零部件 18亿 驻点")
    assert west.texts[0] == (f"发现可能重复的已登记项目：\n· #{first.id} 比亚迪汽车（线索，首报：东区）"
                             "— 名称开头相同、产业链相同、意向投资额相差不到20%")
    await west.press("停止登记")
    # The same names with amounts 25% apart, or in another chain, are different projects.
    await west.say("线索 比亚迪电子 新能源汽车零部件 15亿 驻点")
    assert west.text.startswith("请核对线索：")
    await west.press("取消")
    await west.say("线索 比亚迪电子 电子信息制造 20亿 驻点")
    assert west.text.startswith("请核对线索：")


async def test_stop_at_the_duplicate_saves_nothing(org_db: Database, east: Person, west: Person) -> None:
    await logged_lead(east, "比亚迪股份有限公司 新能源汽车零部件 20亿 驻点")
    await west.say("线索 比亚迪 新能源汽车零部件 5亿 驻点")
    before = await event_count(org_db)
    await west.press("停止登记")
    assert west.texts[-1] == "已停止登记，没有保存。"
    assert await event_count(org_db) == before
    assert await state_of(org_db, await member(org_db, "西小张")) is None


async def test_open_the_existing_entry_shows_its_card_and_saves_nothing(
        org_db: Database, east: Person, west: Person) -> None:
    first = await logged_lead(east, "比亚迪股份有限公司 新能源汽车零部件 20亿 驻点 联系人张三 13800138000")
    await west.say("线索 比亚迪 新能源汽车零部件 5亿 驻点")
    before = await event_count(org_db)
    await west.press("查看已有项目")
    card = west.texts[-1]
    assert card.startswith(f"【#{first.id} 比亚迪股份有限公司】")
    assert "首报单位：东区 ｜ 责任单位：东区 ｜ 责任人：东小李" in card
    assert "联系人：仅首报单位、责任单位和大招商办可见" in card and "13800138000" not in card
    assert await event_count(org_db) == before


async def test_register_anyway_is_flagged_in_the_ledger_never_merged(
        org_db: Database, east: Person, west: Person) -> None:
    first = await logged_lead(east, "比亚迪股份有限公司 新能源汽车零部件 20亿 驻点")
    await west.say("线索 比亚迪（深圳）有限公司 新能源汽车零部件 5亿 驻点")
    await west.press("仍然登记")
    assert f"⚠ 疑似与 #{first.id} 重复，将标记给大招商办核查" in west.text
    await west.press("确认")
    second = await project_named(org_db, "比亚迪（深圳）有限公司")  # kept as typed (issue 16)
    assert west.texts[-1] == (f"已登记线索 #{second.id} 比亚迪（深圳）有限公司（首报单位：西区），"
                              "并标记为疑似重复，大招商办会核查。")
    logged = await lead_events(org_db)
    assert [e.payload["duplicate_of"] for e in logged] == [None, first.id]
    assert second.duplicate_of == first.id and second.owner_unit == "west"
    untouched = await project_named(org_db, "比亚迪股份有限公司")
    assert (untouched.owner_unit, untouched.intended_wan, untouched.duplicate_of) == ("east", 200_000, None)


async def test_the_duplicate_question_understands_typed_words(org_db: Database, east: Person, west: Person) -> None:
    await logged_lead(east, "比亚迪股份有限公司 新能源汽车零部件 20亿 驻点")
    await west.say("线索 比亚迪 新能源汽车零部件 5亿 驻点")
    await west.say("随便")
    assert west.texts == ["请点选下面的一个选项，或回复选项前的数字。", "请选择："]
    await west.say("3")
    assert "⚠ 疑似与" in west.text


# -- editing from the confirm card ------------------------------------------------------------------

async def test_edit_a_field_from_the_card_and_come_back_to_the_card(org_db: Database, east: Person) -> None:
    await east.say("线索 比亚迪 新能源汽车零部件 投资20亿 来源驻点")
    await east.press("修改")
    assert east.texts[-1] == "要修改哪一项？"
    assert east.labels == ["企业名称", "信用代码", "产业链", "意向投资", "来源", "联系人", "标记", "项目类别"]
    await east.press("意向投资")
    await east.say("18亿")
    assert east.text.startswith("请核对线索：") and "意向投资：18亿元" in east.text
    await east.press("修改")
    await east.press("来源")
    await east.press("以商招商")
    assert "来源：以商招商" in east.text and "意向投资：18亿元" in east.text
    await east.press("修改")
    await east.press("联系人")
    await east.say("李四 0755-83888888")
    assert "联系人：李四 0755-83888888" in east.text
    await east.press("修改")
    await east.press("标记")
    assert east.texts[-1] == "请点选适用的标记（再点一次取消），选好后点“完成”："
    assert east.labels[0] == "✓ 工业项目"
    await east.press("优强企业")
    assert "✓ 优强企业" in east.labels
    await east.press("✓ 工业项目")  # pressed again: off
    assert "工业项目" in east.labels and "✓ 工业项目" not in east.labels
    await east.press("完成")
    assert "标记：优强企业" in east.text
    await east.press("修改")
    await east.press("项目类别")
    await east.press("加工制造业")
    assert "项目类别：加工制造业" in east.text
    await east.press("修改")
    await east.press("信用代码")
    await east.say(VALID_CODE)
    assert f"信用代码：{VALID_CODE}" in east.text
    await east.press("确认")
    [logged] = await lead_events(org_db)
    p = logged.payload
    assert (p["intended_wan"], p["source"], p["contact"], p["flags"], p["category"], p["credit_code"]) == \
        (180_000, "以商招商", "李四 0755-83888888", ["strong"], "manufacturing", VALID_CODE)


async def test_editing_the_name_to_an_existing_company_runs_the_duplicate_check_again(
        org_db: Database, east: Person, west: Person) -> None:
    first = await logged_lead(east, "比亚迪股份有限公司 新能源汽车零部件 20亿 驻点")
    await west.say("线索 万华化学 现代化工 5亿 驻点")
    await west.press("修改")
    await west.press("企业名称")
    await west.say("比亚迪")
    assert f"· #{first.id} 比亚迪股份有限公司（线索，首报：东区）— 企业名称相同" in west.text
    await west.press("仍然登记")
    await west.press("确认")
    assert [e.payload["duplicate_of"] for e in await lead_events(org_db)] == [None, first.id]


async def test_editing_a_suspected_duplicate_to_another_name_clears_the_flag(
        org_db: Database, east: Person, west: Person) -> None:
    await logged_lead(east, "比亚迪股份有限公司 新能源汽车零部件 20亿 驻点")
    await west.say("线索 比亚迪 新能源汽车零部件 5亿 驻点")
    await west.press("仍然登记")
    assert "⚠ 疑似与" in west.text
    await west.press("修改")
    await west.press("企业名称")
    await west.say("万华化学")  # it was a typo: a different company, no duplicate any more
    assert west.texts[-1].startswith("请核对线索：") and "⚠ 疑似与" not in west.texts[-1]
    await west.press("确认")
    assert "并标记为疑似重复" not in west.texts[-1]
    assert [e.payload["duplicate_of"] for e in await lead_events(org_db)] == [None, None]


async def test_cancel_on_the_card_saves_nothing(org_db: Database, east: Person) -> None:
    await east.say("线索 比亚迪 新能源汽车零部件 投资20亿 来源驻点")
    before = await event_count(org_db)
    await east.press("取消")
    assert east.texts[-1] == "已取消“登记线索”，没有保存任何内容。"
    assert await event_count(org_db) == before
    assert await state_of(org_db, await member(org_db, "东小李")) is None


async def test_an_unclear_answer_on_the_card_shows_the_card_again(org_db: Database, east: Person) -> None:
    await east.say("线索 比亚迪 新能源汽车零部件 投资20亿 来源驻点")
    await east.say("不对")
    assert east.texts[0] == "请点选下面的一个选项，或回复选项前的数字。"
    assert east.texts[1].startswith("请核对线索：") and east.labels == ["确认", "修改", "取消"]
    await east.say("确认")  # the label typed
    assert "已登记线索" in east.text


async def test_a_pressed_confirm_edits_the_card_into_the_answer(org_db: Database, east: Person) -> None:
    await east.say("线索 比亚迪 新能源汽车零部件 投资20亿 来源驻点")
    card = east.text
    await east.press("确认")
    edit = east.replies[0]
    assert isinstance(edit, EditText) and edit.message_id == east.last_message_id
    assert edit.text == card + "\n→ 已选：确认" and edit.buttons == ()


# -- a channel without buttons -----------------------------------------------------------------

async def test_the_whole_lead_by_numbers_and_labels_on_a_channel_without_buttons(org_db: Database) -> None:
    conv = conversations(org_db)
    wecom = await registered(org_db, conv, "东小李", channel="wecom", buttons=False)
    await wecom.say("/lead")
    await wecom.say("宁德时代")
    await wecom.say(wecom.number_of("新能源汽车零部件"))
    await wecom.say("5亿")
    await wecom.say("以商招商")  # the label typed
    await wecom.say(wecom.number_of("跳过"))
    assert wecom.text.startswith("请核对线索：") and "联系人" not in wecom.text
    await wecom.say("1")
    assert "已登记线索" in wecom.text
    [logged] = await lead_events(org_db)
    assert (logged.payload["industry"], logged.payload["source"], logged.payload["intended_wan"]) \
        == ("新能源汽车零部件", "以商招商", 50_000)


async def test_a_number_beyond_the_choices_is_an_answer_not_a_choice(org_db: Database, east: Person) -> None:
    await east.say("/lead")
    await east.say("比亚迪")
    await east.say("9")
    assert east.texts[0] == "没有“9”这条产业链。"


async def test_a_leader_logs_a_lead_for_the_leadership_as_leader_led(org_db: Database) -> None:
    conv = conversations(org_db)
    mayor = await registered(org_db, conv, "赵市长")
    await mayor.say("线索 比亚迪 新能源汽车零部件 投资20亿 来源领导带头招商")
    assert "首报单位：市领导（赵市长）" in mayor.text
    await mayor.press("确认")
    [logged] = await lead_events(org_db)
    m = await member(org_db, "赵市长")
    assert (logged.payload["owner_unit"], logged.payload["leader_member_id"]) == ("leadership", m.id)


# -- lengths the database holds, on both engines ----------------------------------------------------

LONG_NAME = "超长名称" * 30 + "有限公司"  # 124 characters


async def test_a_company_name_too_long_to_be_real_is_refused_on_both_engines(db: Database) -> None:
    await setup_org(db)
    p = await registered(db, conversations(db), "东小李")
    before = await event_count(db)
    await p.say(f"线索 {LONG_NAME} 新能源汽车零部件 投资5亿 来源驻点")
    assert p.texts[-2:] == ["企业名称太长（124个字），请输入不超过100个字的名称。", "请输入企业名称（可附统一社会信用代码）："]
    await p.say(LONG_NAME)
    assert p.texts == ["企业名称太长（124个字），请输入不超过100个字的名称。", "请输入企业名称（可附统一社会信用代码）："]
    assert await event_count(db) == before
    await p.say("宁德时代")  # the rest of the line was kept
    assert p.texts[-1].startswith("请核对线索：\n企业名称：宁德时代\n产业链：新能源汽车零部件")
    await p.press("确认")
    assert "已登记线索" in p.text


async def test_a_long_contact_and_a_long_display_name_fit_on_both_engines(db: Database) -> None:
    await setup_org(db)
    conv = conversations(db)
    async with db.uow() as uow:
        from core.roles import Role
        from core.usecases.org import CreateInvite, create_invite

        code = await create_invite(uow, CreateInvite(unit="east", role=Role.MEMBER))
        await uow.commit()
    newcomer = Person(db, conv, sender_id="tg-1", channel="telegram", name="名" * 130)  # Telegram allows 128+
    await newcomer.say(f"/start {code}")
    assert newcomer.text.startswith("绑定成功！" + "名" * 100 + "，")
    await newcomer.say(f"线索 宁德时代 新能源汽车零部件 投资5亿 来源驻点 联系人{'张' * 300}")
    assert newcomer.labels == ["确认", "修改", "取消"]
    await newcomer.press("确认")
    assert "已登记线索" in newcomer.text
    [logged] = await events(db, ev.LEAD_LOGGED)
    assert len(logged.payload["contact"]) == 200


# -- punctuation after the command word (issue 16) ------------------------------------------------

@pytest.mark.parametrize("typed", ["线索：浙江吉利控股集团有限公司，新能源汽车零部件，投资十个亿",
                                   "线索:浙江吉利控股集团有限公司 新能源汽车零部件 投资十个亿",
                                   "线索， 浙江吉利控股集团有限公司；新能源汽车零部件；投资十个亿",
                                   "/lead：浙江吉利控股集团有限公司、新能源汽车零部件、投资十个亿"])
async def test_full_width_punctuation_after_the_command_word_is_a_separator(
        org_db: Database, east: Person, typed: str) -> None:
    await east.say(typed)
    assert "企业名称：浙江吉利控股集团有限公司\n" in east.text and "意向投资：10亿元" in east.text
    assert ":" not in east.text.split("企业名称：")[1].split("\n")[0]


# -- names kept as typed (issue 16) ---------------------------------------------------------------

async def test_a_name_with_full_width_brackets_is_stored_and_shown_as_typed(org_db: Database, east: Person) -> None:
    await east.say("线索：腾讯科技（深圳）有限公司，电子信息制造，投资两个亿，来源驻点，拟设区域总部（华南）")
    card = east.text
    assert "企业名称：腾讯科技（深圳）有限公司\n" in card and "备注：拟设区域总部（华南）" in card
    await east.press("确认")
    [logged] = await lead_events(org_db)
    assert logged.payload["name"] == "腾讯科技（深圳）有限公司"
    assert logged.payload["normalized_name"] == "腾讯科技"  # matching is unchanged
    project = await project_named(org_db, "腾讯科技（深圳）有限公司")
    assert east.texts[-1].startswith(f"已登记线索 #{project.id} 腾讯科技（深圳）有限公司（首报单位：东区）。")


async def test_step_by_step_name_is_kept_as_typed(org_db: Database, east: Person) -> None:
    await east.say("/lead")
    await east.say("腾讯科技（深圳）有限公司")
    await east.press("电子信息制造")
    await east.say("两个亿")
    await east.say("1")
    await east.press("跳过")
    assert "企业名称：腾讯科技（深圳）有限公司\n" in east.text


async def test_a_name_stored_half_width_before_is_still_found_as_a_duplicate(
        org_db: Database, east: Person, west: Person) -> None:
    await west.say("线索 腾讯科技(深圳)有限公司 电子信息制造 投资2亿 来源驻点")  # as rows were stored before
    await west.press("确认")
    await east.say("线索：腾讯科技（深圳）有限公司，电子信息制造，投资两个亿，来源驻点")
    assert east.texts[0].startswith("发现可能重复的已登记项目：\n· #")
    assert east.texts[0].endswith(" 腾讯科技(深圳)有限公司（线索，首报：西区）— 企业名称相同")
