"""/pool, /transfer, /route, 接收/拒绝, /claims and /history through `Conversations.handle` on SQLite:
what people see, who is pushed, and that buttons never authorise anyone."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core import sharing as sh
from core.clock import FixedClock
from core.messages import SendText
from reminders.ticker import Ticker
from storage.database import Database
from storage.tables.operational import OutboxRow
from tests.conversation import Person, conversations, event_count, events, logged_lead, registered
from tests.helpers import setup_org

pytestmark = pytest.mark.asyncio
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def org_db(sqlite_db: Database) -> Database:
    await setup_org(sqlite_db)
    return sqlite_db


async def person(db: Database, name: str, **kwargs: object) -> Person:
    return await registered(db, conversations(db), name, **kwargs)  # type: ignore[arg-type]


async def pushes(db: Database, kind: str) -> list[tuple[str, SendText]]:
    """(member name, message) of each queued push of a kind, oldest first."""
    async with db.uow(readonly=True) as uow:
        rows = (await uow.session.execute(select(OutboxRow).where(OutboxRow.kind == kind)
                                          .order_by(OutboxRow.id))).scalars().all()
        names = {m.id: m.name for m in await uow.org.members()}
        return [(names[r.member_id], SendText.model_validate_json(r.action)) for r in rows]


async def propose(p: Person, project_id: int, *, group: str, unit: str, reason: str) -> None:
    """/transfer, the project, a unit through its peer group, a typed reason, 确认."""
    await p.say("/transfer")
    await p.press(f"#{project_id}")
    await p.press(group)
    await p.press(unit)
    await p.say(reason)
    await p.press("确认")


# -- the pool -----------------------------------------------------------------------------------

async def test_pool_shows_leads_city_wide_without_contacts_and_marks_interest(org_db: Database) -> None:
    east = await person(org_db, "东小李")
    west = await person(org_db, "西小张")
    mine = await logged_lead(east, "华为技术有限公司 电子信息制造 投资5亿 来源驻点招商 联系人张三 13800138000")
    org_db.clock.advance(minutes=5)  # type: ignore[attr-defined]
    theirs = await logged_lead(west, "贵州磷化集团 现代化工 投资8亿 来源以商招商")

    await east.say("线索池")
    assert east.texts[-1].splitlines()[1:3] == [
        f"· #{theirs.id} 贵州磷化集团｜现代化工｜8亿元｜线索｜首报：西区",
        f"· #{mine.id} 华为技术有限公司｜电子信息制造｜5亿元｜线索｜首报：东区｜本单位",  # issue 16: marked
    ]
    assert "张三" not in east.text and "13800138000" not in east.text
    assert east.labels == [f"关注 #{theirs.id}"]  # not its own lead
    assert east.texts[-1].endswith("想参与就点下面的“关注”，首报单位会收到通知；要接手项目请与首报单位商量后由其发起流转。")

    await east.press(f"关注 #{theirs.id}")
    # 西区长 has no chat bound: not "notified", but told when they bind one (issue 16).
    assert east.text == "已关注“贵州磷化集团”，西区长还没有绑定聊天，通知会在绑定后送达。"
    [(to, note)] = await pushes(org_db, "sharing_interest")
    assert to == "西区长" and note.text == "东区（东小李）关注了“贵州磷化集团”，可联系对方协同推进。"
    before = await event_count(org_db)
    await east.payload(f"s:interest:{theirs.id}")  # a stale button pressed again
    assert east.text == "本单位已经关注了“贵州磷化集团”。" and await event_count(org_db) == before
    await east.payload(f"s:interest:{mine.id}")  # a forged payload for its own lead
    assert east.text == "“华为技术有限公司”是本单位的项目，无需关注。"

    await west.say("/pool 化工")
    assert "线索池（现代化工，最新 1 条" in west.text and "｜1 家关注" in west.text and west.labels == []
    # Only its own lead there: no 关注 button, and the text promises none (issue 16).
    assert "想参与" not in west.text and west.text.endswith(
        "以上线索是本单位的或已关注的，没有可以关注的新线索；要接手项目请与首报单位商量后由其发起流转。")
    await east.say("线索池")
    assert f"#{theirs.id} 贵州磷化集团｜现代化工｜8亿元｜线索｜首报：西区｜1 家关注｜已关注" in east.text
    assert east.labels == [] and "想参与" not in east.text
    mayor = await person(org_db, "赵市长")
    await mayor.say("线索池")
    assert mayor.labels == [] and "想参与" not in mayor.text and mayor.text.endswith("市领导和大招商办在此查看。")
    await west.say("/pool 造船")
    assert west.text.startswith("没有“造船”这个产业链。可选：电子信息制造、")


# -- transfer, refusal with a reason, withdraw -------------------------------------------------

async def test_transfer_refused_with_a_reason_the_owner_reads(org_db: Database) -> None:
    east = await person(org_db, "东小李")
    west_head = await person(org_db, "西区长")
    p = await logged_lead(east, "中铝股份有限公司 现代化工 投资12亿 来源以商招商")
    await east.say("流转")
    await east.press(f"#{p.id}")
    assert east.text.endswith("“中铝股份有限公司”（现由东区负责）流转给哪个单位？\n推荐（产业导向与同产业链落地情况）：\n"
                              "· 西区：产业导向含“现代化工”")
    await east.say("东区")  # typed: its own unit
    assert east.texts[0] == "项目现在就由东区负责，不能流转给自己。请选择其他单位。"
    await east.press("区县")
    assert east.labels == ["西区", "高新区", "返回"]
    await east.press("西区")
    assert east.text.endswith("请说明流转给西区的理由（对方会看到）：")
    await east.say("西区有化工园区")
    await east.press("确认")
    assert east.texts[-1] == "已提出流转：“中铝股份有限公司”→西区，已通知西区长，等待接收。"
    [(to, push)] = await pushes(org_db, "transfer_proposed")
    assert to == "西区长" and "东区（东小李）提请把“中铝股份有限公司”（线索，现代化工，意向 12亿元）流转给西区。" in push.text

    west_head.last_buttons = list(push.buttons[0])
    await west_head.press("拒绝")
    assert west_head.text == "请说明拒绝接收“中铝股份有限公司”的原因（会告知东区）："
    await west_head.say("园区用地已满")
    assert west_head.text == "已拒绝接收“中铝股份有限公司”，原因已告知东区。"
    told = await pushes(org_db, "transfer_refused")
    assert [n for n, _ in told] == ["东小李", "东区长"]
    assert told[0][1].text.startswith("西区（西区长）拒绝接收“中铝股份有限公司”。原因：园区用地已满")
    [refusal] = await events(org_db, sh.TRANSFER_REFUSED)
    assert refusal.payload["reason"] == "园区用地已满" and refusal.project_id == p.id


async def test_buttons_never_authorise_and_typed_commands_work_without_buttons(org_db: Database) -> None:
    zhu = await person(org_db, "李驻深")
    west_member = await person(org_db, "西小张")
    west_head = await person(org_db, "西区长", buttons=False)
    p = await logged_lead(zhu, "宁德时代新能源科技股份有限公司 新能源汽车零部件 投资30亿 来源驻点招商")
    await propose(zhu, p.id, group="区县", unit="西区", reason="西区有电池材料")
    [tr] = await events(org_db, sh.TRANSFER_PROPOSED)
    before = await event_count(org_db)

    await west_member.payload(f"s:tr_ok:{tr.seq}")  # a member of the receiving unit, not its head
    assert west_member.text == "只有西区的单位负责人（或大招商办）可以接收或拒绝这个流转。"
    await west_member.payload(f"s:tr_no:{tr.seq}")
    assert west_member.text == "只有西区的单位负责人（或大招商办）可以接收或拒绝这个流转。"
    await west_member.payload("s:tr_ok:abc")
    assert west_member.text.startswith("这个按钮已过期")
    assert await event_count(org_db) == before

    await west_head.say("接收")  # no number: what waits for me
    assert west_head.text.startswith("等待接收的流转（1 个）：\n"
                                     f"· 流转 #{tr.seq} “宁德时代新能源科技股份有限公司”：驻深圳办事处→西区，理由：西区有电池材料")
    await west_head.say(f"接收 {tr.seq}")
    assert west_head.text.startswith("已接收“宁德时代新能源科技股份有限公司”，现由西区负责")
    await west_head.say(f"接收 #{tr.seq}")
    assert west_head.text == "这个流转已被西区接收，无需重复操作。"
    assert len(await events(org_db, sh.TRANSFER_ACCEPTED)) == 1


async def test_pending_transfer_can_be_withdrawn_and_the_receiver_is_told(org_db: Database) -> None:
    east = await person(org_db, "东小李")
    p = await logged_lead(east, "满帮集团 现代服务业 投资3亿 来源以商招商")
    await propose(east, p.id, group="驻外办事处", unit="驻深圳办事处", reason="深圳总部对接")
    await east.say(f"/transfer {p.name}")
    assert "“满帮集团”已有" in east.text and "等待驻深圳办事处接收（理由：深圳总部对接）。要撤回吗？" in east.text
    await east.press("撤回流转")
    assert east.texts[-1] == "已撤回“满帮集团”给驻深圳办事处的流转。"
    [(to, note)] = await pushes(org_db, "transfer_withdrawn")
    assert to == "深圳主任" and note.text == "东区（东小李）已撤回“满帮集团”的流转，无需处理。"
    head = await person(org_db, "深圳主任")
    [tr] = await events(org_db, sh.TRANSFER_PROPOSED)
    await head.payload(f"s:tr_ok:{tr.seq}")
    assert head.text == "这个流转已被发起单位撤回，不能再接收或拒绝。"


async def test_route_is_for_the_owner_and_the_office(org_db: Database) -> None:
    east = await person(org_db, "东小李")
    west = await person(org_db, "西小张")
    office = await person(org_db, "王办公")
    p = await logged_lead(east, "吉利汽车 新能源汽车零部件 投资9亿 来源展会活动")
    await west.say(f"分流 {p.name}")
    assert west.text == "“吉利汽车”的首报单位是东区，只有首报单位或大招商办可以分流。"
    await office.say(f"分流 {p.name}")
    assert "把“吉利汽车”分流给哪个单位？" in office.text and "市直部门" in office.labels
    await office.press("驻外办事处")
    await office.press("驻长沙办事处")
    # No reason suggested for 驻长沙: the question does not promise one (issue 16).
    assert office.texts[-1] == "请说明分流给驻长沙办事处的理由（对方会看到）："
    assert not any("推荐理由" in label for label in office.labels)
    await office.say("长沙有整车厂资源")
    await office.press("确认")
    # 驻长沙 has no head: the office itself is asked to decide, so someone always can.
    assert office.texts[-1] == ("已分流：“吉利汽车”→驻长沙办事处，驻长沙办事处没有负责人，"
                                "由您（大招商办）决定接收与否（发“接收”处理），等待接收。")


async def test_claims_are_for_the_office(org_db: Database) -> None:
    east = await person(org_db, "东小李")
    office = await person(org_db, "王办公")
    await east.say("/claims")
    assert east.text == "首谈认定由大招商办处理。如对项目归属有异议，请联系大招商办。"
    await office.say("认定")
    assert office.text == "没有待处理的首谈认定。"
    await east.payload("s:claim:1:2")  # a forged decision button
    assert east.text == "首谈认定由大招商办处理。如对项目归属有异议，请联系大招商办。"


async def test_history_of_an_unknown_project(org_db: Database) -> None:
    east = await person(org_db, "东小李")
    await east.say("历史 不存在的公司")
    assert east.text == "没有找到与“不存在的公司”相关的项目。可以换个说法，或发“线索 不存在的公司”登记。"


# -- reminders ----------------------------------------------------------------------------------

async def test_pending_transfer_reminds_the_head_after_two_working_days_and_the_office_after_five(
        org_db: Database, clock: FixedClock) -> None:
    ticker = Ticker(org_db.uow, tz=TZ)
    await ticker.tick()  # the calendar starts watching on Monday 2 November 2026
    east = await person(org_db, "东小李")
    await person(org_db, "王办公")  # bound to a chat, so the office's push is deliverable
    p = await logged_lead(east, "中国电子 电子信息制造 投资6亿 来源以商招商")
    early = await logged_lead(east, "奇瑞汽车 新能源汽车零部件 投资4亿 来源以商招商")
    clock.set(datetime(2026, 11, 2, 10, 30, tzinfo=TZ))  # Monday
    await propose(east, p.id, group="区县", unit="西区", reason="西区配套")
    await propose(east, early.id, group="区县", unit="西区", reason="西区配套")
    [late_tr, early_tr] = [e.seq for e in await events(org_db, sh.TRANSFER_PROPOSED)]

    async def tick(*args: int) -> list[str]:
        decisions = await ticker.tick(datetime(*args, tzinfo=TZ))
        return sorted(d.push.kind for d in decisions if d.status == "queued" and d.push.kind.startswith("transfer"))

    assert await tick(2026, 11, 4, 9) == []            # Wednesday 9:00: due at 10:30
    west_head = await person(org_db, "西区长")
    await west_head.payload(f"s:tr_ok:{early_tr}")   # decided in time: never reminded
    assert await tick(2026, 11, 5, 9) == ["transfer.remind_head"]  # Thursday's check
    [(to, note)] = await pushes(org_db, "transfer.remind_head")
    assert to == "西区长" and note.text == ("提醒：以下流转已等待超过 2 个工作日，请尽快接收或拒绝：\n"
                                         f"· 流转 #{late_tr} “中国电子”：东区→西区，11月2日提出，理由：西区配套")
    assert [b.payload for b in note.buttons[0]] == [f"s:tr_ok:{late_tr}", f"s:tr_no:{late_tr}"]
    assert await tick(2026, 11, 6, 9) == []            # reminded once
    assert await tick(2026, 11, 9, 9) == []            # Monday 9:00: five working days end at 10:30
    assert await tick(2026, 11, 10, 9) == ["transfer.remind_office"]
    [(office, escalation)] = await pushes(org_db, "transfer.remind_office")
    assert office == "王办公" and escalation.text.startswith("督办：以下流转超过 5 个工作日仍未处理")
    assert f"流转 #{late_tr} “中国电子”" in escalation.text and "奇瑞汽车" not in escalation.text
    assert await tick(2026, 11, 11, 9) == []
    assert await tick(2026, 11, 11, 9) + await tick(2026, 11, 12, 9) == []


async def test_a_withdrawn_transfer_is_not_reminded(org_db: Database) -> None:
    ticker = Ticker(org_db.uow, tz=TZ)
    await ticker.tick()
    east = await person(org_db, "东小李")
    await person(org_db, "西区长")
    await person(org_db, "王办公")
    p = await logged_lead(east, "中国电子 电子信息制造 投资6亿 来源以商招商")
    await propose(east, p.id, group="区县", unit="西区", reason="西区配套")
    await east.say(f"/transfer {p.name}")
    await east.press("撤回流转")
    for day in range(3, 13):
        await ticker.tick(datetime(2026, 11, day, 9, tzinfo=TZ))
    assert await pushes(org_db, "transfer.remind_head") == []
    assert await pushes(org_db, "transfer.remind_office") == []
