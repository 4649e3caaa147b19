"""Ranking day: on 3 November at 09:00 October's ranking goes to each ranked unit's head (or its
reporter), to the unit's group chat, and — with the 台账 workbook — to leaders and the office.
Once: a second tick sends nothing. The figures are those `zsbot report ranking` prints."""
from __future__ import annotations

import io
import json
from collections import Counter

from openpyxl import load_workbook

from core.clock import FixedClock
from core.usecases.groups import BindGroup, bind_group
from core.messages import SendFile
from core.usecases.org import BindIdentity, bind_identity
from reports.ranking_text import render_ranking
from reports.ranking import rank_month
from storage.database import Database
from storage.ledger import check_against
from storage.queries.rankings import month_facts
from storage.queries.report_rates import report_counter
from tests.calendar_support import TZ, local, outbox, recipients, tick_at
from tests.helpers import member
from tests.integration.test_ranking import october


async def bind_everyone(db: Database) -> None:
    async with db.uow() as uow:
        for m in await uow.org.members():
            await bind_identity(uow, m, BindIdentity(channel="console", external_id=f"c{m.id}", chat_id=f"c{m.id}"))
        await uow.commit()


async def october_text(db: Database, group: str | None, unit: str | None) -> str:
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config_as_of(local(2026, 11, 1, 0, 0))
        facts = await month_facts(uow.session, "2026-10", TZ, reports=report_counter(TZ))
    assert cfg is not None
    return render_ranking(rank_month(cfg, facts), group=group, highlight=unit)


async def test_ranking_day_pushes_once_to_heads_groups_leaders_and_the_office(db: Database, clock: FixedClock) -> None:
    await october(db, clock)
    await bind_everyone(db)
    east_head = await member(db, "东区长")
    async with db.uow() as uow:
        await bind_group(uow, east_head, BindGroup(channel="console", chat_id="g-east", title="东区招商群"))
        await uow.commit()

    assert not [d for d in await tick_at(db, local(2026, 11, 3, 8, 59)) if d.push.kind.startswith("ranking")]
    decided = await tick_at(db, local(2026, 11, 3, 9, 0))
    assert Counter(d.push.kind for d in decided if d.push.kind.startswith("ranking")) == {
        "ranking.chart": 8, "ranking.text": 8, "ranking.ledger": 2, "ranking.digest": 2}
    # Heads of ranked units, or the reporter where a unit has no head (市科技局 has no members);
    # the office and the leader.
    assert await recipients(db, "ranking.text") == sorted(
        ["东区长", "西区长", "高新小陈", "工信小刘", "深圳主任", "长沙小周", "王办公", "赵市长"])
    assert await recipients(db, "ranking.ledger") == ["王办公", "赵市长"]

    def row_text(row) -> str:  # noqa: ANN001
        return json.loads(row.action).get("text", "")

    east = await member(db, "东区长")
    [east_text] = [row_text(r) for r in await outbox(db, "ranking.text") if r.member_id == east.id]
    assert east_text == await october_text(db, "districts", "east")
    assert "▶ 1. 东区（本单位）" in east_text
    assert east_text.split("\n")[-1].startswith("账本链头 #")
    leader = await member(db, "赵市长")
    [leader_text] = [row_text(r) for r in await outbox(db, "ranking.text") if r.member_id == leader.id]
    assert leader_text == await october_text(db, None, None)
    assert "▍区县" in leader_text and "▍驻外办事处" in leader_text

    [digest] = [row_text(r) for r in await outbox(db, "ranking.digest") if r.member_id == leader.id]
    assert digest.startswith("【2026年10月领导摘要】时序进度 83.3%")
    # 东区 3亿 + 西区 5600万 (a hotel at 70%) + 高新区 5000万 (half of 驻深圳's project) in the districts.
    assert "区县：到位资金 4.06亿元，时序目标 19.1562亿元，完成 21.2%" in digest
    assert "区县：上月没有排名，无从比较。" in digest  # September had no data
    signings = [line for line in digest.split("\n") if line.startswith("· ") and "合同额" in line]
    assert signings[:2] == ["· 东方电子有限公司（东区）合同额 5亿元", "· 深圳云计算有限公司（高新区）合同额 3亿元"]
    assert "· 赵市长 0/6 次（落后于时序进度）" in digest
    assert digest.split("\n")[-1] == east_text.split("\n")[-1]  # the same ledger head

    # The unit's group chat: the chart, then the text its head got.
    group_rows = [r for r in await outbox(db, "ranking.group")]
    assert [r.chat_id for r in group_rows] == ["g-east", "g-east"]
    assert [json.loads(r.action)["kind"] for r in group_rows] == ["photo", "text"]
    assert row_text(group_rows[1]) == east_text

    # The leader's 台账: the tracked projects of October, with the head line in the caption.
    [ledger] = [r for r in await outbox(db, "ranking.ledger") if r.member_id == leader.id]
    action = json.loads(ledger.action)
    assert action["filename"] == "2026-10月度台账.xlsx" and action["caption"].endswith(east_text.split("\n")[-1])
    book = load_workbook(io.BytesIO(SendFile.model_validate_json(ledger.action).data))
    assert book.sheetnames[:2] == ["台账", "本月事件"]
    names = [c.value for c in book["台账"]["B"]][1:]
    assert "东方电子有限公司" in names and "西部大酒店" in names

    # Once: a later tick the same morning, or a restart, decides nothing more.
    assert not [d for d in await tick_at(db, local(2026, 11, 3, 9, 30)) if d.push.kind.startswith("ranking")]
    assert len(await outbox(db, "ranking.text")) == 8


async def test_a_month_without_data_is_not_pushed(db: Database, clock: FixedClock) -> None:
    from tests.helpers import setup_org

    clock.set(local(2026, 11, 1, 9))
    await setup_org(db)
    await bind_everyone(db)
    decided = await tick_at(db, local(2026, 11, 3, 9, 0))
    ranking = [d for d in decided if d.push.kind.startswith("ranking")]
    assert ranking and {d.status for d in ranking} == {"skipped"}
    assert await outbox(db, "ranking.text") == []


async def test_the_digest_names_who_moved_up_and_down_since_last_month(db: Database, clock: FixedClock) -> None:
    from core.usecases import projects as uc
    from tests.integration.test_ranking import act

    ids = await october(db, clock)
    await bind_everyone(db)
    clock.set(local(2026, 11, 10, 10))
    # 西区 overtakes 东区 in November (more than the contract, confirmed as the chat would ask).
    await act(db, "西小张", uc.add_funds, uc.AddFunds(ids["west"], 60_000, confirmed_over_contract=True))
    await tick_at(db, local(2026, 12, 3, 9, 0))
    leader = await member(db, "赵市长")
    [digest] = [json.loads(r.action)["text"] for r in await outbox(db, "ranking.digest")
                if r.member_id == leader.id and r.key.startswith("ranking.digest:2026-11:")]
    assert "区县：上升最多 西区（第2→第1名）；下降最多 东区（第1→第2名）" in digest
    assert "驻外办事处：名次无变化" in digest


async def test_a_month_whose_projects_count_nothing_is_not_pushed(sqlite_db: Database, clock: FixedClock) -> None:
    # October has a lead in the ledger but nothing signed and no funds: `zsbot report ranking` and /rank call
    # it empty, so ranking day sends no chart, text, digest or 台账 for it.
    from tests.helpers import setup_org
    from tests.integration.test_ranking import lead

    clock.set(local(2026, 9, 30, 9))
    await setup_org(sqlite_db)
    clock.set(local(2026, 10, 3, 9))
    await lead(sqlite_db, "东小李", "东方电子有限公司")
    await bind_everyone(sqlite_db)
    await tick_at(sqlite_db, local(2026, 11, 3, 9, 0))
    async with sqlite_db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        facts = await month_facts(uow.session, "2026-10", TZ, reports=report_counter(TZ))
    assert cfg is not None and facts.groups and rank_month(cfg, facts).empty
    assert not [r for r in await outbox(sqlite_db) if r.kind.startswith("ranking")]


async def test_every_push_that_carries_the_head_records_it_as_a_checkpoint(db: Database, clock: FixedClock) -> None:
    await october(db, clock)
    await bind_everyone(db)
    await tick_at(db, local(2026, 11, 3, 9, 0))
    async with db.uow(readonly=True) as uow:
        points = await uow.chain.checkpoints()
        facts = await month_facts(uow.session, "2026-10", TZ)
    assert sorted(c.via for c in points) == [
        "ranking.chart:2026-10", "ranking.digest:2026-10", "ranking.ledger:2026-10", "ranking.text:2026-10"]
    assert {(c.seq, c.hash) for c in points} == {(facts.head_seq, facts.head_hash)}
    [text] = [json.loads(r.action)["text"] for r in await outbox(db, "ranking.text")][:1]
    assert text.split("\n")[-1] == f"账本链头 #{facts.head_seq} {(facts.head_hash or '')[:16]}"
    await tick_at(db, local(2026, 11, 3, 9, 5))  # decided once: nothing recorded twice
    async with db.uow(readonly=True) as uow:
        assert len(await uow.chain.checkpoints()) == 4
        assert await check_against(uow.session, points) == []


async def test_the_pushed_ranking_comes_back_as_of_its_checkpoint_after_a_later_correction(
        db: Database, clock: FixedClock) -> None:
    from core.usecases import corrections as fix
    from tests.integration.test_ranking import act

    ids = await october(db, clock)
    await bind_everyone(db)
    await tick_at(db, local(2026, 11, 3, 9, 0))
    pushed = [json.loads(r.action)["text"] for r in await outbox(db, "ranking.text")]
    async with db.uow(readonly=True) as uow:
        point = (await uow.chain.checkpoints())[0]
        entry = (await uow.projects.timeline(ids["east"])).funds[0]
    clock.set(local(2026, 12, 5, 10))
    await act(db, "东小李", fix.correct_funds, fix.CorrectFunds(ids["east"], entry.seq, 2_000, "多填了一个零"))
    async with db.uow(readonly=True) as uow:
        cfg, then = await uow.figures.month("2026-10", TZ, as_of=point.published_at)  # type: ignore[misc]
        _, now = await uow.figures.month("2026-10", TZ)  # type: ignore[misc]
    assert (then.head_seq, then.head_hash) == (point.seq, point.hash)
    assert now.head_seq > point.seq   # today's October depends on the December correction
    ranked = rank_month(cfg, then)
    assert any(text == render_ranking(ranked, group=ranked.groups[0].code, highlight=None) or
               text.split("\n")[-1] == f"账本链头 #{then.head_seq} {(then.head_hash or '')[:16]}" for text in pushed)
    assert rank_month(cfg, now) != ranked
