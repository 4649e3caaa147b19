"""/update 进展 through `Conversations.handle`: stage forward only (终止 with a reason, 签约 with the
contract amount), funds in place as increments (over the contract only after confirming), notes and
problems; every refusal by its Chinese text with nothing written."""
from __future__ import annotations

import pytest

from core import events as ev
from core.stages import Stage
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
from tests.helpers import member


@pytest.fixture
async def east(org_db: Database) -> Person:
    return await registered(org_db, conversations(org_db), "东小李")


@pytest.fixture
async def catl(east: Person):  # noqa: ANN201
    return await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")


async def signed(p: Person, name: str, contract: str) -> None:
    await p.say(f"进展 {name}")
    await p.press("阶段变更")
    await p.press("签约")
    await p.say(contract)
    await p.press("确认")
    assert "现为【签约】" in p.text, p.text


async def stage_of(db: Database, name: str) -> Stage:
    return (await project_named(db, name)).stage


# -- picking the project ------------------------------------------------------------------------

async def test_pick_one_of_the_units_projects_by_button(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    other = await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    await east.say("/update")
    assert east.text == "请选择要更新的项目，或输入名称中的几个字搜索："
    assert sorted(east.labels) == sorted([f"#{catl.id} 宁德时代（线索）", f"#{other.id} 万华化学（线索）"])
    await east.press(f"#{catl.id} 宁德时代")
    assert east.texts[-1] == "“宁德时代”（当前：线索）要更新什么？"
    assert east.labels == ["阶段变更", "进展情况", "问题（提请调度）"]  # a 线索 cannot take 到位资金: not offered


async def test_pick_by_typing_part_of_the_name(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await logged_lead(east, "万华化学 现代化工 投资10亿 来源驻点")
    await east.say("/update")
    await east.say("宁德")
    assert east.text == "“宁德时代”（当前：线索）要更新什么？"


async def test_several_own_matches_are_offered_as_buttons(org_db: Database, east: Person) -> None:
    a = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await east.say("线索 宁德时代新能源 新能源汽车零部件 投资3亿 来源驻点")
    await east.press("仍然登记")
    await east.press("确认")
    b = await project_named(org_db, "宁德时代新能源")
    await east.say("进展 宁德")
    assert east.texts[0] == "找到 2 个本单位项目，请选一个："
    assert east.labels == [f"#{a.id} 宁德时代（线索）", f"#{b.id} 宁德时代新能源（线索）"]
    await east.say("2")
    assert east.text == "“宁德时代新能源”（当前：线索）要更新什么？"


async def test_a_name_that_matches_nothing_is_asked_again(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("/update")
    await east.say("不存在的公司")
    assert east.texts[0] == "没有找到与“不存在的公司”相关的项目。可以换个说法，或发“线索 不存在的公司”登记。"
    assert east.texts[1] == "请选择要更新的项目，或输入名称中的几个字搜索："


async def test_a_unit_without_projects_is_told_how_to_start(org_db: Database, east: Person) -> None:
    await east.say("/update")
    assert east.text == "本单位还没有可更新的项目。先发“线索 企业名称”登记一个吧。"
    assert await state_of(org_db, await member(org_db, "东小李")) is None


async def test_another_units_project_is_refused_and_nothing_written(
        org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    west = await registered(org_db, east.conv, "西小张")
    before = await event_count(org_db)
    await west.say("进展 宁德时代")
    assert west.text == "“宁德时代”的责任单位是东区，您只能查看，不能更新。可发“查询 宁德时代”查看情况。"
    assert await event_count(org_db) == before
    assert await state_of(org_db, await member(org_db, "西小张")) is None


# -- stage: forward only ------------------------------------------------------------------------

async def test_stage_moves_forward_only_and_is_recorded(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    assert east.texts[-1] == "当前阶段：线索。变更为："
    assert east.labels == ["在谈", "签约", "落地", "开工", "投产", "终止"]
    await east.press("在谈")
    assert east.texts[-1] == "确认将“宁德时代”从【线索】变更为【在谈】？"
    assert east.labels == ["确认", "改日期", "取消"]
    await east.press("确认")
    assert east.texts[-1] == "已更新：“宁德时代”现为【在谈】。"
    [moved] = await events(org_db, ev.STAGE_CHANGED)
    assert moved.project_id == catl.id
    assert moved.payload == {"from": "lead", "to": "negotiating", "contract_wan": None, "reason": None}
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    assert east.labels == ["签约", "落地", "开工", "投产", "终止"]  # 线索 and 在谈 are not offered any more


async def test_a_stage_backwards_is_refused_with_the_reason_and_nothing_written(
        org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.press("在谈")
    await east.press("确认")
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    before = await event_count(org_db)
    await east.say("线索")
    assert east.texts == ["“线索”不是可选的阶段：项目只能向前推进（当前：在谈），或终止。", "当前阶段：在谈。变更为："]
    await east.say("在谈")
    assert east.texts[0] == "“在谈”不是可选的阶段：项目只能向前推进（当前：在谈），或终止。"
    assert await event_count(org_db) == before
    assert await stage_of(org_db, "宁德时代") is Stage.NEGOTIATING


async def test_a_stage_overtaken_by_a_colleague_is_refused_by_the_rule_not_by_the_buttons(
        org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    head = await registered(org_db, east.conv, "东区长")
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.press("在谈")
    assert east.labels == ["确认", "改日期", "取消"]
    await signed(head, "宁德时代", "3亿")  # meanwhile the unit head signs it
    before = await event_count(org_db)
    await east.press("确认")
    assert east.texts[-1] == "项目阶段只能向前推进：当前是签约，不能改为在谈。如需终止，请选“终止”。"
    assert await event_count(org_db) == before
    assert await stage_of(org_db, "宁德时代") is Stage.SIGNED


async def test_terminating_needs_a_reason(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.press("终止")
    assert east.texts[-1] == "请说明终止原因："
    before = await event_count(org_db)
    await east.say("   ")
    assert east.texts == ["请说明终止原因："]  # nothing but spaces is no reason
    assert await event_count(org_db) == before
    await east.say("企业改投外省")
    assert east.texts[-1] == "确认将“宁德时代”从【线索】变更为【终止】，原因：企业改投外省？"
    await east.press("确认")
    assert east.texts[-1] == "已更新：“宁德时代”现为【终止】。"
    p = await project_named(org_db, "宁德时代")
    assert (p.stage, p.terminated_reason) == (Stage.TERMINATED, "企业改投外省")
    # Nothing leaves 终止.
    await east.say("进展 宁德时代")
    before = await event_count(org_db)
    await east.press("阶段变更")
    assert east.texts[-1] == "项目已终止，不能再变更。"
    assert await event_count(org_db) == before


async def test_signing_needs_the_contract_amount(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.press("签约")
    assert east.texts[-1] == "签约需要填写签约额，如“18亿”或“5000万”："
    before = await event_count(org_db)
    await east.say("还没定")
    assert east.texts == ["没看懂金额“还没定”，请按“3.5亿”或“5000万”的格式输入。", "签约需要填写签约额，如“18亿”或“5000万”："]
    await east.say("500万美元")
    assert east.texts[0] == "签约额请填写人民币金额，且大于零。"
    await east.say("0万")
    assert east.texts[0] == "签约额请填写人民币金额，且大于零。"
    assert await event_count(org_db) == before
    await east.say("3亿5千万")
    assert east.texts[-1] == "确认将“宁德时代”从【线索】变更为【签约】，签约额 3.5亿元？"
    await east.press("确认")
    assert east.texts[-1] == "已更新：“宁德时代”现为【签约】。"
    p = await project_named(org_db, "宁德时代")
    assert (p.stage, p.contract_wan) == (Stage.SIGNED, 35_000)
    [moved] = await events(org_db, ev.STAGE_CHANGED)
    assert moved.payload["contract_wan"] == 35_000
    # Later stages do not ask for the contract again.
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.press("落地")
    assert east.texts[-1] == "确认将“宁德时代”从【签约】变更为【落地】？"


async def test_jumping_straight_to_a_later_stage_also_needs_the_contract(
        org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.press("开工")
    assert east.texts[-1] == "签约需要填写签约额，如“18亿”或“5000万”："


async def test_cancelling_the_stage_confirmation_writes_nothing(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.press("阶段变更")
    await east.press("在谈")
    before = await event_count(org_db)
    await east.press("取消")
    assert east.texts[-1] == "已取消“更新项目”，没有保存任何内容。"
    assert await event_count(org_db) == before


# -- funds in place -----------------------------------------------------------------------------

async def test_funds_before_signing_are_not_offered_and_refused_when_typed(
        org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    assert "到位资金" not in east.labels
    before = await event_count(org_db)
    await east.say("到位资金")  # typed anyway: why not, and the question again (the update is not thrown away)
    assert east.texts == ["项目当前为线索，签约后才能报送到位资金。请先用“进展”把阶段改为签约。",
                          "“宁德时代”（当前：线索）要更新什么？"]
    assert await event_count(org_db) == before
    await east.press("阶段变更")
    assert east.texts[-1] == "当前阶段：线索。变更为："


async def test_funds_are_increments_that_add_up(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await signed(east, "宁德时代", "3亿")
    await east.say("进展 宁德时代")
    await east.press("到位资金")
    assert east.texts[-1] == "请输入本次新增到位资金（增量，不是累计；当前累计 0万元，签约额 3亿元）："
    await east.say("8000万")
    assert east.texts[-1] == "确认“宁德时代”新增到位资金 8000万元，累计 8000万元？"
    await east.press("确认")
    assert east.texts[-1].startswith("已记录到位资金：“宁德时代”累计 8000万元。")
    await east.say("进展 宁德时代")
    await east.press("到位资金")
    assert "当前累计 8000万元" in east.texts[-1]
    await east.say("1.2亿")
    await east.press("确认")
    assert east.texts[-1].startswith("已记录到位资金：“宁德时代”累计 2亿元。")
    funds = await events(org_db, ev.FUNDS_ADDED)
    assert [e.payload for e in funds] == [{"amount_wan": 8_000, "total_wan": 8_000},
                                          {"amount_wan": 12_000, "total_wan": 20_000}]
    assert (await project_named(org_db, "宁德时代")).funds_wan == 20_000


@pytest.mark.parametrize(
    "typed,reason",
    [
        ("很多", "没看懂金额“很多”，请按“3.5亿”或“5000万”的格式输入。"),
        ("100万美元", "到位资金请填写大于零的人民币金额。"),
        ("0万", "到位资金请填写大于零的人民币金额。"),
        ("-500万", "金额不能是负数，请按“3.5亿”或“5000万”的格式输入。"),
    ],
)
async def test_bad_funds_are_refused_and_asked_again(
        org_db: Database, east: Person, catl, typed: str, reason: str) -> None:  # noqa: ANN001
    await signed(east, "宁德时代", "3亿")
    await east.say("进展 宁德时代")
    await east.press("到位资金")
    before = await event_count(org_db)
    await east.say(typed)
    assert east.texts[0] == reason
    assert east.texts[1].startswith("请输入本次新增到位资金")
    assert await event_count(org_db) == before


async def test_funds_over_the_contract_only_after_confirming(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await signed(east, "宁德时代", "3亿")
    await east.say("进展 宁德时代")
    await east.press("到位资金")
    await east.say("2亿")
    await east.press("确认")
    before = await event_count(org_db)
    # Over the contract, then not after all: the amount is asked again, nothing written, the update kept.
    await east.say("进展 宁德时代")
    await east.press("到位资金")
    await east.say("1.5亿")
    assert east.texts[-1] == "本次之后累计到位 3.5亿元，超过签约额 3亿元。确实超出吗？"
    assert east.labels == ["确认超出签约额", "重新输入金额"]
    await east.press("重新输入金额")
    assert east.texts[-1] == "请输入本次新增到位资金（增量，不是累计；当前累计 2亿元，签约额 3亿元）："
    assert "没有保存" in east.texts[-2]
    assert await event_count(org_db) == before
    await east.say("5000万")  # within the contract now
    await east.press("确认")
    assert east.texts[-1].startswith("已记录到位资金：“宁德时代”累计 2.5亿元。")
    assert (await events(org_db, ev.FUNDS_ADDED))[-1].payload == {"amount_wan": 5_000, "total_wan": 25_000}
    before = await event_count(org_db)
    # 否 typed does the same; 取消 alone still ends the update.
    await east.say("进展 宁德时代")
    await east.press("到位资金")
    await east.say("1.5亿")
    await east.say("否")
    assert east.texts[-1].startswith("请输入本次新增到位资金")
    await east.say("1.5亿")
    await east.say("取消")
    assert east.texts == ["已取消“更新项目”，没有保存任何内容。"]
    assert await event_count(org_db) == before
    # An unclear answer does not decide either way.
    await east.say("进展 宁德时代")
    await east.press("到位资金")
    await east.say("1.5亿")
    await east.say("嗯")
    assert east.texts == ["请点选下面的一个选项，或回复选项前的数字。",
                          "本次之后累计到位 4亿元，超过签约额 3亿元。确实超出吗？"]
    assert await event_count(org_db) == before
    await east.press("确认超出签约额")
    assert east.texts[-1] == "确认“宁德时代”新增到位资金 1.5亿元，累计 4亿元？"
    assert await event_count(org_db) == before
    await east.press("确认")
    assert east.texts[-1].startswith("已记录到位资金：“宁德时代”累计 4亿元。")
    assert (await project_named(org_db, "宁德时代")).funds_wan == 40_000
    assert (await events(org_db, ev.FUNDS_ADDED))[-1].payload == {"amount_wan": 15_000, "total_wan": 40_000}


async def test_typing_confirm_at_the_over_contract_question_confirms(
        org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await signed(east, "宁德时代", "1亿")
    await east.say("进展 宁德时代")
    await east.press("到位资金")
    await east.say("2亿")
    await east.say("确认")
    assert east.texts[-1] == "确认“宁德时代”新增到位资金 2亿元，累计 2亿元？"


async def test_funds_over_the_contract_recorded_meanwhile_are_refused_at_saving(
        org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    """Under the contract when asked, over it when saved (a colleague added funds in between)."""
    head = await registered(org_db, east.conv, "东区长")
    await signed(east, "宁德时代", "3亿")
    await east.say("进展 宁德时代")
    await east.press("到位资金")
    await east.say("2亿")
    await head.say("进展 宁德时代")
    await head.press("到位资金")
    await head.say("2亿")
    await head.press("确认")
    before = await event_count(org_db)
    await east.press("确认")
    assert east.texts[-1] == "累计到位资金将达 4亿元，超过签约额 3亿元，需要确认后才能保存。"
    assert await event_count(org_db) == before
    assert (await project_named(org_db, "宁德时代")).funds_wan == 20_000


# -- notes and problems -------------------------------------------------------------------------

async def test_a_progress_note_with_next_steps(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.press("进展情况")
    assert east.texts[-1] == "请输入进展情况："
    await east.say("已完成第二轮洽谈,企业认可园区配套")
    assert east.texts[-1] == "下一步推进计划（可跳过）：" and east.labels == ["跳过"]
    await east.say("下周赴企业总部对接")
    assert east.texts[-1] == "已记录“宁德时代”的进展。"
    [note] = await events(org_db, ev.NOTE_ADDED)
    assert note.payload == {"text": "已完成第二轮洽谈,企业认可园区配套", "next_steps": "下周赴企业总部对接"}
    await east.say("查询 宁德时代")
    assert "进展：已完成第二轮洽谈,企业认可园区配套" in east.text


async def test_a_note_without_next_steps(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.press("进展情况")
    await east.say("进展顺利")  # inside a flow 进展 is an answer, not the command
    await east.press("跳过")
    [note] = await events(org_db, ev.NOTE_ADDED)
    assert note.payload == {"text": "进展顺利", "next_steps": None}


async def test_an_empty_note_is_asked_again(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.press("进展情况")
    before = await event_count(org_db)
    await east.say(" ")
    assert east.texts == ["请输入进展情况："]
    assert await event_count(org_db) == before


async def test_a_problem_for_city_coordination(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.press("问题（提请调度）")
    assert east.texts[-1] == "请描述需要市级协调的问题："
    await east.say("用地指标不足,需市自然资源局协调")
    assert east.texts[-1] == "已记录“宁德时代”的问题，将纳入月调度。"
    [problem] = await events(org_db, ev.PROBLEM_RAISED)
    assert problem.payload == {"text": "用地指标不足,需市自然资源局协调", "needs_city": True}
    await east.say("查询 宁德时代")
    assert "待协调问题：用地指标不足,需市自然资源局协调" in east.text


async def test_notes_and_problems_are_kept_as_typed(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.press("问题（提请调度）")
    await east.say("用地指标不足，需市自然资源局协调（急）")
    [problem] = await events(org_db, ev.PROBLEM_RAISED)
    assert problem.payload["text"] == "用地指标不足，需市自然资源局协调（急）"
    await east.say("进展 宁德时代")
    await east.press("进展情况")
    await east.say("已完成第二轮洽谈，企业认可园区配套")
    await east.say("下周赴企业总部对接；请发改委参加")
    [note] = await events(org_db, ev.NOTE_ADDED)
    assert note.payload == {"text": "已完成第二轮洽谈，企业认可园区配套", "next_steps": "下周赴企业总部对接；请发改委参加"}
    await east.say("查询 宁德时代")
    assert "待协调问题：用地指标不足，需市自然资源局协调（急）" in east.text
    assert "进展：已完成第二轮洽谈，企业认可园区配套" in east.text


async def test_an_unclear_action_is_asked_again(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    await east.say("进展 宁德时代")
    await east.say("随便看看")
    assert east.texts == ["请点选下面的一个选项，或回复选项前的数字。", "“宁德时代”（当前：线索）要更新什么？"]


async def test_the_office_updates_any_units_project(org_db: Database, east: Person, catl) -> None:  # noqa: ANN001
    office = await registered(org_db, east.conv, "王办公")
    await office.say("进展 宁德时代")
    await office.press("进展情况")
    await office.say("办公室核实：企业已注册")
    await office.press("跳过")
    assert office.texts[-1] == "已记录“宁德时代”的进展。"
    [note] = await events(org_db, ev.NOTE_ADDED)
    assert note.actor == (await member(org_db, "王办公")).id
