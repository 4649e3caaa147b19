"""Questions in chat on the scripted October (tests/integration/test_ranking.py), asked on 5 November:
every figure is checked against the ranking (`rank_month` over the Figures port), the export's project
rows, or a hand calculation from the seed rules — never against the answering code itself."""
from __future__ import annotations

from fractions import Fraction

import pytest

from core.clock import FixedClock
from core.messages import SendText
from core.stages import Stage
from reports.ranking import rank_month
from reports.ranking_text import format_value
from storage.database import Database
from storage.queries.export import all_projects
from tests.conftest import local
from tests.conversation import TZ, Person, conversations, registered
from tests.integration.test_ranking import october

pytestmark = pytest.mark.asyncio


def text_of(replies: list) -> str:
    return "\n".join(r.text for r in replies if isinstance(r, SendText))


async def ranked(db: Database, month: str) -> tuple[dict[str, dict[str, Fraction | None]], str]:
    """Each unit's indicator values as `/rank` computes them for `month`, and the ledger head line."""
    async with db.uow(readonly=True) as uow:
        found = await uow.figures.month(month, TZ)
    assert found is not None
    cfg, facts = found
    ranking = rank_month(cfg, facts)
    values = {u.unit: {i.code: i.value for i in u.indicators} for g in ranking.groups for u in g.units}
    return values, f"账本链头 #{facts.head_seq} {(facts.head_hash or '')[:16]}"


async def asked(db: Database, clock: FixedClock, name: str) -> Person:
    await october(db, clock)
    clock.set(local(2026, 11, 5, 10))
    return await registered(db, conversations(db), name)


async def test_a_months_funds_equal_the_rankings_and_the_drill_down_adds_up(db: Database, clock: FixedClock) -> None:
    mayor = await asked(db, clock, "赵市长")
    values, head = await ranked(db, "2026-10")
    text = text_of(await mayor.say("10月东区到位资金多少？"))
    assert text == f"2026年10月，东区到位资金为 {format_value(values['east']['funds_in_place'], '万元')}。\n{head}"
    assert "3亿元" in text and mayor.labels == ["怎么算的"]
    why = text_of(await mayor.press("怎么算的"))
    assert why.startswith("【2026年10月 东区 · 到位资金】3亿元")
    assert why.count("\n#") == 2 and "2亿元" in why and "1亿元" in why and why.endswith("与排名中的数值一致。")


async def test_this_month_is_the_growth_since_last_months_end(db: Database, clock: FixedClock) -> None:
    mayor = await asked(db, clock, "赵市长")
    october_values, _ = await ranked(db, "2026-10")
    november_values, head = await ranked(db, "2026-11")
    grown = november_values["east"]["funds_in_place"] - october_values["east"]["funds_in_place"]  # type: ignore[operator]
    assert grown == 5_000  # the 1 November 5000万
    text = text_of(await mayor.say("本月东区到位资金多少"))
    assert text == f"本月（截至目前），东区到位资金为 5000万元。\n{head}"
    why = text_of(await mayor.press("怎么算的"))
    assert why.startswith("【2026年11月 东区 · 到位资金】5000万元") and why.count("\n#") == 1
    assert why.endswith("与排名中的数值一致。")


async def test_top_three_this_year_follow_the_rankings_values(db: Database, clock: FixedClock) -> None:
    mayor = await asked(db, clock, "赵市长")
    values, head = await ranked(db, "2026-11")
    text = text_of(await mayor.say("今年区县到位资金前三是谁？"))
    order = sorted(("east", "west", "hitech"), key=lambda u: -values[u]["funds_in_place"])  # type: ignore[operator]
    names = {"east": "东区", "west": "西区", "hitech": "高新区"}
    expected = [f"{i}. {names[u]} {format_value(values[u]['funds_in_place'], '万元')}" for i, u in enumerate(order, 1)]
    assert text.split("\n") == ["今年以来（截至目前），区县到位资金前3名：", *expected, head]
    # By hand: 东区 2亿+1亿+5000万; 高新区 50% of 驻深圳's 1亿; 西区's hotel became manufacturing in November: 8000万.
    assert [values[u]["funds_in_place"] for u in order] == [35_000, 8_000, 5_000]


async def test_contract_amounts_signed_by_hand(db: Database, clock: FixedClock) -> None:
    mayor = await asked(db, clock, "赵市长")
    text = text_of(await mayor.say("10月区县签约额前三"))
    # 东区 5亿; 高新区 hosts 驻深圳's 3亿 at 50%; 西区 1亿.
    assert text.split("\n")[1:4] == ["1. 东区 5亿元", "2. 高新区 1.5亿元", "3. 西区 1亿元"]
    why = text_of(await mayor.press("怎么算的：东区"))
    assert why.startswith("【2026年10月 东区 · 签约额】5亿元") and why.endswith("与排名中的数值一致。")


async def test_the_city_counts_each_project_once(db: Database, clock: FixedClock) -> None:
    mayor = await asked(db, clock, "赵市长")
    text = text_of(await mayor.say("全市今年到位资金多少"))
    # 东区 3.5亿 + 西区 8000万 (manufacturing since November) + 驻深圳's 1亿 once + the guaranteed-return pipe 0.
    assert text.startswith("今年以来（截至目前），全市到位资金为 5.3亿元。")


async def test_the_composite_rank_is_the_rank_commands(db: Database, clock: FixedClock) -> None:
    east = await asked(db, clock, "东小李")
    text = text_of(await east.say("我们排第几？"))
    async with db.uow(readonly=True) as uow:
        found = await uow.figures.month("2026-10", TZ)
    assert found is not None
    group = rank_month(*found, group="districts").group("districts")
    me = next(u for u in group.units if u.unit == "east")
    assert text.startswith(f"2026年10月，东区在区县综合排名第{me.rank}（共3个单位）")
    assert east.labels == ["看完整排名"]
    assert text_of(await east.press("看完整排名")).startswith("【2026年10月招商考核排名 · 区县】")


async def test_counts_by_stage_equal_the_export(db: Database, clock: FixedClock) -> None:
    mayor = await asked(db, clock, "赵市长")
    async with db.uow(readonly=True) as uow:
        rows = await all_projects(uow.session)
    for question, unit, stage in (("东区有几个开工项目？", "east", Stage.STARTED),
                                  ("全市有多少个签约阶段的项目", None, Stage.SIGNED),
                                  ("高新区已签约的项目有几个", "hitech", Stage.SIGNED)):
        expected = sum(1 for p in rows if p.stage is stage and unit in (None, p.responsible_unit, p.owner_unit))
        assert f"共 {expected} 个" in text_of(await mayor.say(question)), question
    listed = text_of(await mayor.say("全市签约阶段的项目有哪些"))
    assert "西部大酒店" in listed and "深圳云计算有限公司" in listed and "东方电子有限公司" not in listed


async def test_a_unit_member_gets_published_figures_only(db: Database, clock: FixedClock) -> None:
    west = await asked(db, clock, "西小张")
    text = text_of(await west.say("本月东区到位资金多少"))
    assert text.startswith("（其他单位本月的数字尚未公布，以下按已结束的月份统计。）\n2026年10月，东区到位资金为 3亿元。")
    # Their own unit: this month, as it stands. No money came in November, but the hotel (70%) was
    # re-categorised as manufacturing (100%): the year-to-date figure grew by 8000万 × 30%.
    assert text_of(await west.say("本月我们到位资金多少")).startswith("本月（截至目前），西区到位资金为 2400万元。")
    why = text_of(await west.press("怎么算的"))
    assert "本月没有构成这个数字的账本事件" in why and why.endswith("另有 2400万元：此前登记的事件按本期末的项目属性"
                                                           "（计数系数、成果共享）重新折算的差额，合计 2400万元，与排名口径一致。")
    # A crafted button is judged on the sender, not on its payload.
    crafted = await west.send(west.inbound(payload="s:why:2026-11-11 east funds_in_place"))
    assert text_of(crafted).startswith("（其他单位本月的数字尚未公布")


async def test_what_it_cannot_answer_it_says_and_shows_two_examples(db: Database, clock: FixedClock) -> None:
    mayor = await asked(db, clock, "赵市长")
    for question in ("今天天气怎么样？", "近30天签约了几个项目？", "东区怎么样？", "有多少？"):
        text = text_of(await mayor.say(question))
        assert "可以这样问：" in text and "出错" not in text, question
    assert "“近30天”" in text_of(await mayor.say("近30天签约了几个项目？"))
    # Small talk that is no question keeps the general reply; so does a lead typed without 线索.
    assert "登记线索" in text_of(await mayor.say("你好"))
    assert "登记线索" in text_of(await mayor.say("比亚迪股份有限公司 新能源汽车零部件 投资20亿"))
    # A figure named without a question word is still a question.
    assert text_of(await mayor.say("10月东区到位资金")).startswith("2026年10月，东区到位资金为 3亿元。")


async def test_trips_and_late_reports_answer_without_errors(db: Database, clock: FixedClock) -> None:
    mayor = await asked(db, clock, "赵市长")
    assert "外出招商 0 次" in text_of(await mayor.say("赵市长今年外出招商几次"))
    late = text_of(await mayor.say("上个月哪些单位半月报迟报了？"))
    assert late.startswith("2026年10月") or late.startswith("上月"), late


async def test_a_new_event_is_in_the_next_answer_and_a_closed_month_stays(db: Database, clock: FixedClock) -> None:
    from core.usecases import projects as uc
    from tests.integration.test_ranking import act

    mayor = await asked(db, clock, "赵市长")
    assert "5000万元" in text_of(await mayor.say("本月东区到位资金多少"))
    october_text = text_of(await mayor.say("10月东区到位资金多少"))
    async with db.uow(readonly=True) as uow:
        [east] = [p for p in await all_projects(uow.session) if p.name == "东方电子有限公司"]
    clock.set(local(2026, 11, 5, 11))
    await act(db, "东小李", uc.add_funds, uc.AddFunds(east.id, 1_000))
    clock.set(local(2026, 11, 5, 12))
    assert "6000万元" in text_of(await mayor.say("本月东区到位资金多少"))
    assert text_of(await mayor.say("10月东区到位资金多少")) == october_text


async def test_transfers_waiting_are_those_accept_lists(db: Database, clock: FixedClock) -> None:
    from core.usecases import sharing as sh
    from tests.integration.test_ranking import act

    ids = await october(db, clock)
    clock.set(local(2026, 11, 3, 10))
    await act(db, "西小张", sh.propose_transfer, sh.ProposeTransfer(ids["west"], "east", "东区有酒店用地"))
    clock.set(local(2026, 11, 5, 10))
    east = await registered(db, conversations(db), "东小李")
    text = text_of(await east.say("我们有几个流转待接收？"))
    assert text.split("\n") == ["东区待接收的流转和分流（1个）：", f"· #{ids['west']} 西部大酒店：流转 西区 → 东区，已等 2 天"]
    west = await registered(db, conversations(db), "西小张")
    assert text_of(await west.say("我们有待接收的流转吗？")) == "西区目前没有待接收的流转或分流。"
