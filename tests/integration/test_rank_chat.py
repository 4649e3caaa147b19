"""/rank 排名 in chat: the sender's peer group for the last complete month, their unit marked, the
chart attached, the same figures `zsbot report ranking` prints, ending with the ledger head."""
from __future__ import annotations

import pytest

from core.clock import FixedClock
from core.messages import SendPhoto, SendText
from handlers.flows.rank import parse_month_arg
from reports.ranking_text import render_ranking
from reports.ranking import rank_month
from storage.database import Database
from storage.queries.rankings import month_facts
from storage.queries.report_rates import report_counter
from tests.conftest import local
from tests.conversation import TZ, Person, conversations, registered
from tests.integration.test_ranking import october



def text_of(replies: list) -> str:
    return "\n".join(r.text for r in replies if isinstance(r, SendText))


async def test_rank_gives_the_senders_group_for_last_month_with_the_chart(db: Database, clock: FixedClock) -> None:
    await october(db, clock)
    clock.set(local(2026, 11, 5, 10))
    west = await registered(db, conversations(db), "西小张")
    replies = await west.say("排名")
    text = text_of(replies)
    assert text.startswith("【2026年10月招商考核排名 · 区县】")
    lines = text.split("\n")
    # Ranks by the hand calculation of test_ranking: 东区 1, 西区 2 (marked as the sender's), 高新区 3.
    assert [line.split(" ")[0] for line in lines if line and line[0] in "123▶"] == ["1.", "▶", "3."]
    assert any(line.startswith("▶ 2. 西区（本单位）") and "到位资金 5600万元" in line for line in lines)
    assert "驻深圳" not in text  # only the sender's peer group
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config_as_of(local(2026, 11, 1))
        facts = await month_facts(uow.session, "2026-10", TZ, reports=report_counter(TZ))
        head = (facts.head_seq, facts.head_hash)
    assert cfg is not None
    assert text == render_ranking(rank_month(cfg, facts, group="districts"), group="districts", highlight="west")
    assert lines[-1] == f"账本链头 #{head[0]} {head[1][:16]}"
    [chart] = [r for r in replies if isinstance(r, SendPhoto)]
    assert chart.data.startswith(b"\x89PNG") and chart.filename == "排名2026-10.png"
    assert chart.caption == "2026年10月综合得分（本单位以橙色标出）"


async def test_another_group_and_month_and_the_refusals(db: Database, clock: FixedClock) -> None:
    await october(db, clock)
    clock.set(local(2026, 11, 5, 10))
    east = await registered(db, conversations(db), "东小李")
    offices = text_of(await east.say("/rank 2026-10 驻外办事处"))
    assert offices.startswith("【2026年10月招商考核排名 · 驻外办事处】") and "1. 驻深圳办事处 100.00分" in offices
    assert text_of(await east.say("排名 10月")).startswith("【2026年10月招商考核排名 · 区县】")
    # The current month is not over: one sentence saying what to type instead.
    assert text_of(await east.say("排名 11月")) == (
        "2026年11月还没结束，排名按月末的账本计算。请发“排名”看上个月，或写出已结束的月份，如“排名 2026-10”。")
    unknown = text_of(await east.say("排名 乡镇"))
    assert unknown.startswith("没有“乡镇”这个考核组。可选：") and "区县" in unknown
    # A month before any data: an empty ranking, no chart.
    empty = await east.say("排名 2025-03")
    assert "2025年3月没有任何单位有计入考核的数字（各项指标均为0或无数据），本月排名为空。" in text_of(empty) and not [r for r in empty if isinstance(r, SendPhoto)]


async def test_a_stranger_gets_no_ranking(db: Database, clock: FixedClock) -> None:
    await october(db, clock)
    stranger = Person(db, conversations(db), sender_id="nobody", name="路人")
    text = text_of(await stranger.say("排名"))
    assert "排名" not in text and "区县" not in text and "邀请码" in text


def test_month_arguments() -> None:
    from datetime import date

    today = date(2026, 11, 5)
    assert parse_month_arg("2026-10", today) == "2026-10"
    assert parse_month_arg("2026年9月", today) == "2026-09"
    assert parse_month_arg("12月", today) == "2025-12"   # December is last year's when asked in November
    assert parse_month_arg("10月份", today) == "2026-10"
    assert parse_month_arg("13月", today) is None and parse_month_arg("区县", today) is None


async def test_a_leader_sees_every_group_and_picks_one_with_a_button(db: Database, clock: FixedClock) -> None:
    await october(db, clock)
    clock.set(local(2026, 11, 5, 10))
    mayor = await registered(db, conversations(db), "赵市长")
    everything = text_of(await mayor.say("排名"))
    assert "▍区县" in everything and "▍市直部门" in everything and "▍驻外办事处" in everything
    assert mayor.labels == ["区县", "市直部门", "驻外办事处"]
    assert [r.caption for r in mayor.replies if isinstance(r, SendPhoto)] == ["2026年10月各考核组综合得分"]
    picked = await mayor.press("驻外办事处")
    assert text_of(picked).startswith("【2026年10月招商考核排名 · 驻外办事处】")
    assert [r.caption for r in picked if isinstance(r, SendPhoto)] == ["2026年10月综合得分"]
    # Without buttons (WeCom) the same choice is made by number.
    wecom = await registered(db, conversations(db), "赵市长", channel="wecom", buttons=False)
    await wecom.say("排名")
    assert text_of(await wecom.say(wecom.number_of("区县"))).startswith("【2026年10月招商考核排名 · 区县】")


async def test_every_group_answers_to_its_name_code_and_aliases(db: Database, clock: FixedClock) -> None:
    """The demo organisation: 排名 区县 (the example in 帮助), the full name with full-width brackets, 部门, 驻外."""
    from core.org_file import load_org
    from tests.helpers import DEMO_ORG, setup_org

    await setup_org(db, load_org(DEMO_ORG.read_text(encoding="utf-8"), str(DEMO_ORG)))
    clock.set(local(2026, 11, 5, 10))
    leader = await registered(db, conversations(db), "何振宇")
    for typed, name in [("排名 区县", "区（市、县）、开发区"), ("排名 区（市、县）、开发区", "区（市、县）、开发区"),
                        ("排名 区(市、县)、开发区", "区（市、县）、开发区"), ("排名 districts", "区（市、县）、开发区"),
                        ("排名 10月 开发区", "区（市、县）、开发区"), ("排名 部门", "市直部门"),
                        ("排名 市直部门", "市直部门"), ("排名 驻外", "驻外办事处"), ("排名 办事处 2026-10", "驻外办事处")]:
        text = text_of(await leader.say(typed))
        assert text.startswith(f"【2026年10月招商考核排名 · {name}】"), (typed, text)
    unknown = text_of(await leader.say("排名 乡镇"))
    assert unknown == "没有“乡镇”这个考核组。可选：区（市、县）、开发区、市直部门、驻外办事处。"


def test_an_alias_two_groups_share_is_refused() -> None:
    from core.org_file import ConfigError, load_org
    from tests.helpers import MINI_ORG

    text = MINI_ORG.read_text(encoding="utf-8").replace('aliases = ["部门", "市直"]', 'aliases = ["部门", "区县"]')
    with pytest.raises(ConfigError, match="区县"):
        load_org(text, str(MINI_ORG))
