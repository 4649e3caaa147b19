"""核查 through the chat, on both engines: who verifies whose reported funds (the office for districts and
departments, a district's head for its team, never one's own unit or report), 核实 with evidence, a
corrected amount, 退回 and 重新提交; who may read a project's evidence; a stage that needs evidence first;
overdue reports reminded to the verifier and shown to the office."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core import events as ev
from core.clock import FixedClock
from core.errors import Refusal
from core.messages import SendPhoto
from core.org_file import load_org
from core.usecases import evidence as uc
from reminders.ticker import Ticker
from storage.database import Database
from tests.conversation import TZ, Person, conversations, events, outbox_rows, registered
from tests.helpers import MINI_ORG, member, setup_org, signed_with_funds

pytestmark = pytest.mark.asyncio
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
EXTRA = """
[[units]]
code = "east_team"
name = "东区招商一队"
kind = "team"
parent = "east"

[[members]]
name = "东一队员"
unit = "east_team"
role = "member"

[[members]]
name = "李办公"
unit = "office"
role = "office_admin"

[verification]
remind_after_workdays = 3
evidence_stages = {stages}

[verification.verifiers]
team = "parent_head"
"""


async def org(db: Database, stages: str = "[]") -> None:
    text = MINI_ORG.read_text(encoding="utf-8") + EXTRA.format(stages=stages)
    await setup_org(db, load_org(text, "verification_org"))


async def person(db: Database, name: str) -> Person:
    return await registered(db, conversations(db), name)


async def status(db: Database, seq: int) -> str:
    async with db.uow(readonly=True) as uow:
        report = await uow.evidence.report(seq)
    assert report is not None
    return report.status


async def test_the_office_verifies_a_district_report_with_its_evidence(db: Database) -> None:
    await org(db)
    pid, seq = await signed_with_funds(db, "东小李", "贵州华芯半导体有限公司")
    li, office = await person(db, "东小李"), await person(db, "王办公")
    await li.say(f"附件 #{pid}")
    await li.file("银行进账单.jpg", JPEG, "image/jpeg")
    assert "已附到" in li.text

    await office.say("核实")
    assert "等您核实的到位资金 1 笔" in office.text and "贵州华芯半导体有限公司（东区）5000万元" in office.text
    await office.press("1.")
    assert "东区上报 5000万元（东小李" in office.text and "1. 银行进账单.jpg" in office.text
    await office.press("取回 1")
    photos = [r for r in office.replies if isinstance(r, SendPhoto)]
    assert photos and photos[0].data == JPEG
    await office.press("核实")
    assert "已核实：“贵州华芯半导体有限公司”5000万元" in office.text and "没有等您核实" in office.text
    assert await status(db, seq) == "verified"
    [told] = await outbox_rows(db, "funds_verified")
    assert "已核实为 5000万元" in told.action  # the reporter is told, through the outbox

    # The unit's head cannot verify his own unit's report, nor anyone his own.
    head = await member(db, "东区长")
    _, other = await signed_with_funds(db, "东区长", "东区自报项目")
    async with db.uow() as uow:
        assert await uc.queue_for(uow, head) == []
        with pytest.raises(Refusal) as own:
            await uc.verify_funds(uow, head, uc.VerifyFunds(other))
        assert own.value.code == "verify_own_report"


async def test_a_team_report_is_verified_by_the_district_head_not_the_office(db: Database) -> None:
    await org(db)
    pid, seq = await signed_with_funds(db, "东一队员", "一队引进的项目")
    office = await member(db, "王办公")
    async with db.uow() as uow:
        assert [r.seq for r in await uc.queue_for(uow, office)] == []
        with pytest.raises(Refusal) as refused:
            await uc.verify_funds(uow, office, uc.VerifyFunds(seq))
        assert refused.value.code == "verify_not_yours"
    west = await person(db, "西区长")
    await west.say(f"核实 {seq}")  # another verifier's report, named by its number: not opened
    assert west.text == "这笔上报不由您核实（核实人按组织配置的 [verification] 确定）。"
    head = await person(db, "东区长")
    await head.say("核实")
    assert "一队引进的项目（东区招商一队）5000万元" in head.text
    await head.press("1.")
    await head.press("更正金额")
    await head.say("3000万")
    assert "请写明更正理由" in head.text
    await head.say("进账单只有3000万")
    assert "已核实：“一队引进的项目”3000万元" in head.text
    [verified] = await events(db, ev.FUNDS_VERIFIED)
    assert verified.payload == {"funds_seq": seq, "reported_wan": 5000, "verified_wan": 3000,
                                "reason": "进账单只有3000万"}
    # The head of the district reads the team's evidence as its verifier; the west's head does not.
    async with db.uow(readonly=True) as uow:
        assert await uc.verifies_project(uow, await member(db, "东区长"), pid)
        assert not await uc.verifies_project(uow, await member(db, "西区长"), pid)


async def test_returned_then_resubmitted_with_more_evidence(db: Database) -> None:
    await org(db)
    pid, seq = await signed_with_funds(db, "西小张", "西部化工新材料")
    office, zhang = await person(db, "王办公"), await person(db, "西小张")
    await office.say("核实")
    await office.press("1.")
    await office.press("退回")
    await office.say("缺银行进账单")
    assert "已退回“西部化工新材料”，已通知西区" in office.text
    assert await status(db, seq) == "returned"
    [told] = await outbox_rows(db, "funds_returned")
    assert "被退回：缺银行进账单" in told.action and f"s:resubmit:{seq}" in told.action

    li = await person(db, "东小李")
    await li.payload(f"s:resubmit:{seq}")  # another unit's button, forged: refused before anything opens
    assert li.text == "您只能登记或更新本单位的项目（该项目属于其他单位）。"
    await zhang.say("核实")  # a member's view: the unit's returned reports, each with 重新提交
    assert "西部化工新材料 5000万元：缺银行进账单" in zhang.text
    await zhang.press("重新提交")
    assert "现在发送的照片或文件都附到该项目" in zhang.text
    await zhang.file("进账单.jpg", JPEG, "image/jpeg")
    assert f"已附到 #{pid}" in zhang.text
    await zhang.say("已补银行进账单")
    assert "已重新提交“西部化工新材料”5000万元" in zhang.text
    assert await status(db, seq) == "pending"

    await office.say("核实")
    await office.press("1.")
    assert "重新提交说明：已补银行进账单" in office.text and "1. 进账单.jpg" in office.text
    await office.press("核实")
    assert await status(db, seq) == "verified"
    async with db.uow() as uow:  # decided once: a second decision is refused
        with pytest.raises(Refusal) as again:
            await uc.return_funds(uow, await member(db, "李办公"), uc.ReturnFunds(seq, "再看看"))
        assert again.value.code == "funds_already_verified"
    kinds = [e.type for e in await events(db) if e.type.startswith("funds.")]
    assert kinds == [ev.FUNDS_RETURNED, ev.FUNDS_RESUBMITTED, ev.FUNDS_VERIFIED]


async def test_the_office_s_own_report_is_verified_by_another_admin(db: Database) -> None:
    await org(db)
    _, seq = await signed_with_funds(db, "王办公", "办公室自己引进的项目")
    async with db.uow() as uow:
        with pytest.raises(Refusal) as own:
            await uc.verify_funds(uow, await member(db, "王办公"), uc.VerifyFunds(seq))
        assert own.value.code == "verify_own_report"
        assert [r.seq for r in await uc.queue_for(uow, await member(db, "李办公"))] == [seq]
        await uc.verify_funds(uow, await member(db, "李办公"), uc.VerifyFunds(seq))
        await uow.commit()
    assert await status(db, seq) == "verified"


async def test_another_unit_cannot_read_the_evidence(db: Database) -> None:
    await org(db)
    pid, _ = await signed_with_funds(db, "东小李", "贵州华芯半导体有限公司")
    li = await person(db, "东小李")
    await li.say(f"附件 #{pid}")
    await li.file("进账单.jpg", JPEG, "image/jpeg")
    async with db.uow(readonly=True) as uow:
        seq = (await uow.evidence.files(pid))[0].seq
    zhang = await person(db, "西小张")
    await zhang.say(f"附件 #{pid}")
    assert zhang.text == "这是东区的项目凭证，只有本单位、核实人、领导和大招商办可以查看。"
    await zhang.payload(f"s:file:{seq}")  # a forged button: the sender decides, not the payload
    assert not [r for r in zhang.replies if isinstance(r, SendPhoto)] and "只有本单位" in zhang.text
    await zhang.file("我的.jpg", JPEG, "image/jpeg", caption=f"附件 #{pid}")
    assert "只能登记或更新本单位的项目" in zhang.text
    await zhang.say(f"查询 #{pid}")
    assert "凭证 1 个（仅本单位、核实人和大招商办可见）" in zhang.text and "进账单.jpg" not in zhang.text
    mayor = await person(db, "赵市长")
    await mayor.payload(f"s:file:{seq}")
    assert [r.data for r in mayor.replies if isinstance(r, SendPhoto)] == [JPEG]


async def test_signing_needs_evidence_when_the_org_file_says_so(db: Database) -> None:
    await org(db, stages='["signed"]')
    li = await person(db, "东小李")
    await li.say("线索 贵州华芯半导体 电子信息制造 投资5亿 来源驻点")
    await li.press("确认")
    await li.say("进展 贵州华芯")
    await li.press("阶段变更")
    await li.press("签约")
    await li.say("3亿")
    assert "变更到签约前先上传凭证" in li.text
    await li.press("已上传，继续")
    assert "还没有收到本阶段的凭证" in li.text
    await li.file("签约协议.pdf", b"%PDF-1.7 agreement", "application/pdf")
    assert "已附到" in li.text and "请继续回答" in li.text
    await li.press("已上传，继续")
    assert "确认将“贵州华芯半导体”从【线索】变更为【签约】" in li.text
    await li.press("确认")
    assert "现为【签约】" in li.text
    # The use case holds the rule for every writer, not only this dialogue.
    async with db.uow() as uow:
        from core.names import normalize_company_name
        from core.stages import Stage
        from core.usecases import leads, projects

        east = await member(db, "东小李")
        p = await leads.log_lead(uow, east, leads.LogLead(leads.LeadDraft(
            name="无凭证项目", normalized_name=normalize_company_name("无凭证项目"), owner_unit="east")))
        with pytest.raises(Refusal) as refused:
            await projects.change_stage(uow, east, projects.ChangeStage(p.id, Stage.SIGNED, contract_wan=100))
        assert refused.value.code == "stage_needs_evidence"


async def test_overdue_reports_are_reminded_to_the_verifier_and_shown_to_the_office(db: Database,
                                                                                  clock: FixedClock) -> None:
    await org(db)
    await signed_with_funds(db, "东一队员", "一队引进的项目")      # waits for 东区长
    await signed_with_funds(db, "西小张", "西部化工新材料")        # waits for the office
    for name in ("东区长", "王办公", "李办公"):
        await person(db, name)  # bound to a chat, so the pushes are queued
    ticker = Ticker(db.uow, tz=TZ)
    # Reported on Monday 2 November: by Thursday 9:00 three working days have passed (not yet over).
    await ticker.tick(clock.now() + timedelta(days=3))
    assert await outbox_rows(db, "funds.remind_verifier") == [] and await outbox_rows(db, "funds.overdue_office") == []
    clock.advance(days=4)  # Friday 6 November, four working days
    await ticker.tick(clock.now())
    [head] = await outbox_rows(db, "funds.remind_verifier")
    assert "有 1 笔到位资金等您核实已超过 3 个工作日" in head.action and "一队引进的项目" in head.action
    office = await outbox_rows(db, "funds.overdue_office")
    assert len(office) == 2  # each office admin
    assert "由东区负责人核实" in office[0].action and "由大招商办核实" in office[0].action


async def test_a_verified_report_corrected_in_chat_waits_again_at_its_new_amount(db: Database) -> None:
    await org(db)
    pid, seq = await signed_with_funds(db, "东小李", "贵州华芯半导体有限公司")
    li, office = await person(db, "东小李"), await person(db, "王办公")
    await office.say("核实")
    await office.press("1.")
    await office.press("核实")
    assert await status(db, seq) == "verified"

    await li.say(f"修改 #{pid} 到位资金")
    await li.press(li.labels[0])
    await li.say("3000万")
    await li.say("进账单金额看错了")
    await li.press("确认")
    assert li.texts[-1] == "这笔到位资金已经核查过，更正后重新进入待核实，核实人确认后按新金额计入。"
    assert await status(db, seq) == "pending"
    await office.say("核实")
    assert "等您核实的到位资金 1 笔" in office.text and "贵州华芯半导体有限公司（东区）3000万元" in office.text
