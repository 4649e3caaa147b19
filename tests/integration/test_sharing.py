"""The sharing use cases on both engines: every refusal writes nothing, the credit split is frozen
at acceptance, two heads pressing 接收 at once accept once, and a rebuild reproduces every table."""
from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from core import sharing as sh
from core.clock import FixedClock
from core.errors import Refusal
from core.names import normalize_company_name
from core.org import OrgConfig
from core.roles import Role
from core.stages import Stage
from core.usecases import org as org_uc
from core.usecases import projects as uc
from core import projects as project_rules
from core.usecases import leads as leads_uc
from core.usecases import sharing as share_uc
from storage.database import Database
from storage.projectors import rebuild
from storage.repositories.sharing import credit_splits
from storage.schema import schema
from tests.conversation import conversations, event_count, events, ledger_ok, registered
from tests.helpers import MINI_ORG, dump, member, setup_org

pytestmark = pytest.mark.asyncio


async def run(db: Database, who: str, fn: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
    """One command by a named member, in its own unit of work, committed."""
    actor = await member(db, who)
    async with db.uow() as uow:
        result = await fn(uow, actor, *args, **kwargs)
        await uow.commit()
    return result


async def refused(db: Database, code: str, who: str, fn: Callable[..., Awaitable[Any]], *args: Any,
                  **kwargs: Any) -> Refusal:
    before = await event_count(db)
    with pytest.raises(Refusal) as caught:
        await run(db, who, fn, *args, **kwargs)
    assert caught.value.code == code, caught.value
    assert await event_count(db) == before, "a refusal must write nothing"
    return caught.value


async def lead(db: Database, who: str, name: str, *, industry: str | None = "电子信息制造",
               duplicate_of: int | None = None) -> int:
    actor = await member(db, who)
    draft = leads_uc.LeadDraft(name=name, normalized_name=normalize_company_name(name), owner_unit=actor.unit,
                         industry=industry, intended_wan=200_000, contact="王经理 13800000000")
    async with db.uow() as uow:
        project, _ = await leads_uc.register_lead(uow, actor, leads_uc.LogLead(draft, duplicate_of=duplicate_of))
        await uow.commit()
    return project.id


async def project(db: Database, project_id: int) -> Any:
    async with db.uow(readonly=True) as uow:
        return await uow.projects.get(project_id)


async def transfer(db: Database, transfer_id: int) -> sh.Transfer:
    async with db.uow(readonly=True) as uow:
        found = await uow.sharing.transfer(transfer_id)
    assert found is not None
    return found


async def add_member(db: Database, name: str, unit: str, role: Role) -> None:
    async with db.uow() as uow:
        await org_uc.add_member(uow, org_uc.AddMember(name=name, unit=unit, role=role))
        await uow.commit()


def modified_org(**rule: int) -> OrgConfig:
    raw = tomllib.loads(MINI_ORG.read_text(encoding="utf-8"))
    raw["credit_rules"][0].update(rule)
    return OrgConfig.model_validate(raw)


# -- refusals -----------------------------------------------------------------------------------

async def test_every_transfer_refusal_writes_nothing(db: Database) -> None:
    await setup_org(db)
    pid = await lead(db, "李驻深", "比亚迪电子有限公司")
    propose = share_uc.propose_transfer
    await refused(db, "transfer_to_self", "李驻深", propose, share_uc.ProposeTransfer(pid, "zhu_sz", "不想做了"))
    await refused(db, "transfer_bad_receiver", "李驻深", propose, share_uc.ProposeTransfer(pid, "office", "请办公室接手"))
    await refused(db, "transfer_bad_receiver", "李驻深", propose, share_uc.ProposeTransfer(pid, "leadership", "请领导接手"))
    await refused(db, "unknown_unit", "李驻深", propose, share_uc.ProposeTransfer(pid, "nowhere", "理由"))
    await refused(db, "transfer_needs_reason", "李驻深", propose, share_uc.ProposeTransfer(pid, "east", "   "))
    await refused(db, "transfer_not_yours", "西小张", propose, share_uc.ProposeTransfer(pid, "west", "我们想要"))
    await refused(db, "route_not_yours", "西小张", share_uc.route_investor, share_uc.RouteInvestor(pid, "west", "我们想要"))
    await refused(db, "project_unknown", "李驻深", propose, share_uc.ProposeTransfer(99_999, "east", "理由"))

    first = await run(db, "李驻深", propose, share_uc.ProposeTransfer(pid, "east", "东区有配套"))
    assert (first.status, first.from_unit, first.to_unit, first.kind) == (sh.PENDING, "zhu_sz", "east", "transfer")
    await refused(db, "transfer_pending_exists", "李驻深", propose, share_uc.ProposeTransfer(pid, "west", "再试西区"))
    for who in ("东小李", "西区长", "李驻深", "深圳主任"):  # a member, another head, the proposer, the owner's head
        await refused(db, "transfer_not_receiver_head", who, share_uc.accept_transfer, share_uc.AcceptTransfer(first.id))
        await refused(db, "transfer_not_receiver_head", who, share_uc.refuse_transfer, share_uc.RefuseTransfer(first.id, "不要"))
    await refused(db, "transfer_withdraw_not_yours", "西小张", share_uc.withdraw_transfer, share_uc.WithdrawTransfer(first.id))
    await refused(db, "transfer_refusal_needs_reason", "东区长", share_uc.refuse_transfer, share_uc.RefuseTransfer(first.id, ""))
    await refused(db, "transfer_unknown", "东区长", share_uc.accept_transfer, share_uc.AcceptTransfer(99_999))

    accepted = await run(db, "东区长", share_uc.accept_transfer, share_uc.AcceptTransfer(first.id))
    assert accepted.status == sh.ACCEPTED
    await refused(db, "transfer_already_accepted", "东区长", share_uc.accept_transfer, share_uc.AcceptTransfer(first.id))  # double acceptance
    await refused(db, "transfer_already_accepted", "王办公", share_uc.accept_transfer, share_uc.AcceptTransfer(first.id))
    await refused(db, "transfer_already_accepted", "东区长", share_uc.refuse_transfer, share_uc.RefuseTransfer(first.id, "晚了"))
    await refused(db, "transfer_already_accepted", "李驻深", share_uc.withdraw_transfer, share_uc.WithdrawTransfer(first.id))
    # Now the district is responsible: transferring to it again is to itself; the owner may still propose.
    await refused(db, "transfer_to_self", "李驻深", propose, share_uc.ProposeTransfer(pid, "east", "再给东区"))

    withdrawn = await run(db, "东小李", propose, share_uc.ProposeTransfer(pid, "west", "西区更合适"))
    await run(db, "东小李", share_uc.withdraw_transfer, share_uc.WithdrawTransfer(withdrawn.id))
    # Accepting a withdrawn transfer:
    await refused(db, "transfer_already_withdrawn", "西区长", share_uc.accept_transfer, share_uc.AcceptTransfer(withdrawn.id))
    await refused(db, "transfer_already_withdrawn", "西区长", share_uc.refuse_transfer, share_uc.RefuseTransfer(withdrawn.id, "不要"))
    await refused(db, "transfer_already_withdrawn", "东小李", share_uc.withdraw_transfer, share_uc.WithdrawTransfer(withdrawn.id))

    declined = await run(db, "东小李", propose, share_uc.ProposeTransfer(pid, "west", "西区更合适"))
    await run(db, "西区长", share_uc.refuse_transfer, share_uc.RefuseTransfer(declined.id, "没有化工园区以外的用地"))
    assert (await transfer(db, declined.id)).decision_reason == "没有化工园区以外的用地"
    await refused(db, "transfer_already_refused", "西区长", share_uc.accept_transfer, share_uc.AcceptTransfer(declined.id))

    async with db.uow() as uow:
        await uc.change_stage(uow, await member(db, "东小李"), uc.ChangeStage(pid, Stage.TERMINATED, reason="企业放弃"))
        await uow.commit()
    await refused(db, "transfer_terminated", "东小李", propose, share_uc.ProposeTransfer(pid, "west", "理由"))
    assert (await project(db, pid)).responsible_unit == "east"
    assert await ledger_ok(db)


async def test_a_terminated_project_cannot_be_accepted_and_the_office_may_decide(db: Database) -> None:
    await setup_org(db)
    dropped = await lead(db, "东小李", "某某化工有限公司")
    offer = await run(db, "东小李", share_uc.propose_transfer, share_uc.ProposeTransfer(dropped, "west", "化工园区"))
    async with db.uow() as uow:
        await uc.change_stage(uow, await member(db, "东小李"), uc.ChangeStage(dropped, Stage.TERMINATED, reason="企业放弃"))
        await uow.commit()
    await refused(db, "transfer_terminated", "西区长", share_uc.accept_transfer, share_uc.AcceptTransfer(offer.id))

    pid = await lead(db, "李驻深", "宁德时代新能源科技股份有限公司")
    # The zone has no head: the office decides for it.
    offer = await run(db, "李驻深", share_uc.route_investor, share_uc.RouteInvestor(pid, "hitech", "数字经济配套"))
    assert offer.kind == "route"
    await run(db, "王办公", share_uc.accept_transfer, share_uc.AcceptTransfer(offer.id))
    p = await project(db, pid)
    assert (p.owner_unit, p.responsible_unit, p.responsible_person) == ("zhu_sz", "hitech", None)


async def test_interest_and_supporting_refusals(db: Database) -> None:
    await setup_org(db)
    pid = await lead(db, "东小李", "华为技术有限公司")
    await refused(db, "interest_own_project", "东区长", share_uc.mark_interest, share_uc.MarkInterest(pid))
    await refused(db, "sharing_not_a_working_unit", "赵市长", share_uc.mark_interest, share_uc.MarkInterest(pid))
    await refused(db, "sharing_not_a_working_unit", "王办公", share_uc.join_as_supporting, share_uc.JoinAsSupporting(pid))
    await run(db, "西小张", share_uc.mark_interest, share_uc.MarkInterest(pid))
    await refused(db, "interest_already", "西区长", share_uc.mark_interest, share_uc.MarkInterest(pid))  # once per unit
    await refused(db, "supporting_own_project", "东小李", share_uc.join_as_supporting, share_uc.JoinAsSupporting(pid))
    await run(db, "工信小刘", share_uc.join_as_supporting, share_uc.JoinAsSupporting(pid))
    await refused(db, "supporting_already", "工信小刘", share_uc.join_as_supporting, share_uc.JoinAsSupporting(pid))
    async with db.uow(readonly=True) as uow:
        assert [i.unit for i in await uow.sharing.interests(pid)] == ["west"]
        assert await uow.sharing.supporting_units(pid) == ["gongxin"]
    async with db.uow() as uow:
        await uc.change_stage(uow, await member(db, "东小李"), uc.ChangeStage(pid, Stage.TERMINATED, reason="企业放弃"))
        await uow.commit()
    await refused(db, "interest_terminated", "长沙小周", share_uc.mark_interest, share_uc.MarkInterest(pid))


async def test_xuancheng_rule_holds_in_the_use_case_whatever_the_chat_did(db: Database) -> None:
    await setup_org(db)
    pid = await lead(db, "东小李", "满帮集团有限公司")
    # While it is only a lead the department may register it (as a suspected duplicate).
    early = await lead(db, "工信小刘", "满帮集团", duplicate_of=pid)
    assert (await project(db, early)).duplicate_of == pid
    async with db.uow() as uow:
        await uc.change_stage(uow, await member(db, "东小李"), uc.ChangeStage(pid, Stage.NEGOTIATING))
        await uow.commit()
    before = await event_count(db)
    with pytest.raises(Refusal) as caught:
        await lead(db, "长沙小周", "满帮集团(贵州)有限公司", duplicate_of=pid)
    assert caught.value.code == "lead_held_by_county" and caught.value.params["unit"] == "东区"
    assert await event_count(db) == before
    # A district is not bound by it: it registers, and a claim opens for the office.
    other = await lead(db, "西小张", "满帮集团有限公司", duplicate_of=pid)
    async with db.uow(readonly=True) as uow:
        claims = await uow.sharing.open_claims()
    assert [(c.project_id, c.other_project_id, c.reason) for c in claims] == [
        (early, pid, "name"), (other, pid, "name")]


async def test_claim_refusals_and_a_decision_that_changes_the_owner_freezes_its_credit(db: Database) -> None:
    await setup_org(db)
    first = await lead(db, "东小李", "奇瑞汽车股份有限公司")
    second = await lead(db, "长沙小周", "奇瑞汽车", duplicate_of=first)
    async with db.uow(readonly=True) as uow:
        [claim] = await uow.sharing.open_claims()
    await refused(db, "claim_office_only", "东区长", share_uc.resolve_claim, share_uc.ResolveClaim(claim.id, first))
    await refused(db, "claim_unknown", "王办公", share_uc.resolve_claim, share_uc.ResolveClaim(99_999, first))
    await refused(db, "claim_bad_choice", "王办公", share_uc.resolve_claim, share_uc.ResolveClaim(claim.id, 12_345))
    decided = await run(db, "王办公", share_uc.resolve_claim, share_uc.ResolveClaim(claim.id, second, "长沙办事处 9 月已在长沙拜访"))
    assert (decided.status, decided.first_contact_unit) == (sh.RESOLVED, "zhu_cs")
    await refused(db, "claim_already_resolved", "王办公", share_uc.resolve_claim, share_uc.ResolveClaim(claim.id, first))
    kept = await project(db, first)
    assert (kept.owner_unit, kept.responsible_unit, kept.duplicate_of) == ("zhu_cs", "east", None)
    assert (await project(db, second)).duplicate_of == first
    async with db.uow(readonly=True) as uow:
        credit = await uow.sharing.credit(first)
    assert credit is not None and (credit.owner_unit, credit.host_unit, credit.owner_pct, credit.host_pct,
                                   credit.rule_code) == ("zhu_cs", "east", 100, 50, "city_unit_to_county")


# -- credit -------------------------------------------------------------------------------------

async def test_credit_snapshot_survives_a_later_rule_change(db: Database, clock: FixedClock) -> None:
    await setup_org(db)
    pid = await lead(db, "李驻深", "吉利汽车有限公司")
    offer = await run(db, "李驻深", share_uc.propose_transfer, share_uc.ProposeTransfer(pid, "east", "东区有整车配套"))
    await run(db, "东区长", share_uc.accept_transfer, share_uc.AcceptTransfer(offer.id))
    [accepted] = await events(db, sh.TRANSFER_ACCEPTED)
    assert accepted.payload["credit"] == {"rule_code": "city_unit_to_county", "rule_name": "市直单位引进落户区县",
                                          "owner_unit": "zhu_sz", "host_unit": "east", "owner_pct": 100,
                                          "host_pct": 50}

    clock.advance(days=1)
    async with db.uow() as uow:
        assert await org_uc.configure_org(uow, org_uc.ConfigureOrg(modified_org(owner_pct=80, host_pct=30)))
        await uow.commit()
    async with db.uow(readonly=True) as uow:
        assert (await uow.org.config()).credit_rules[0].host_pct == 30
        snapshot = (await credit_splits(uow.session))[pid]
    assert (snapshot.owner_pct, snapshot.host_pct, snapshot.rule_code, snapshot.source_seq) == (
        100, 50, "city_unit_to_county", accepted.seq)

    # A transfer accepted under the new rule records the new split; the old one stays as it was.
    later = await lead(db, "长沙小周", "长城汽车有限公司")
    offer = await run(db, "长沙小周", share_uc.propose_transfer, share_uc.ProposeTransfer(later, "west", "西区用地"))
    await run(db, "西区长", share_uc.accept_transfer, share_uc.AcceptTransfer(offer.id))
    async with db.uow(readonly=True) as uow:
        splits = await uow.sharing.credits()
    assert {k: (v.owner_pct, v.host_pct) for k, v in splits.items()} == {pid: (100, 50), later: (80, 30)}

    # Rebuilding every projection from the ledger gives the same split: it lives in the events.
    before = await dump(db, schema().projection_tables)
    async with db.uow() as uow:
        await rebuild(uow.session)
        await uow.commit()
    assert await dump(db, schema().projection_tables) == before


async def test_no_rule_means_the_host_counts_it_and_a_way_back_home_counts_once(db: Database) -> None:
    await setup_org(db)
    pid = await lead(db, "东小李", "腾讯云计算有限公司")
    offer = await run(db, "东小李", share_uc.propose_transfer, share_uc.ProposeTransfer(pid, "west", "西区数据中心"))
    await run(db, "西区长", share_uc.accept_transfer, share_uc.AcceptTransfer(offer.id))
    p = await project(db, pid)
    sees = {name: project_rules.can_see_contact(await member(db, name), p) for name in ("东小李", "西小张", "高新小陈", "王办公")}
    assert sees == {"东小李": True, "西小张": True, "高新小陈": False, "王办公": True}
    back = await run(db, "西小张", share_uc.propose_transfer, share_uc.ProposeTransfer(pid, "east", "回到东区"))
    await run(db, "东区长", share_uc.accept_transfer, share_uc.AcceptTransfer(back.id))
    async with db.uow(readonly=True) as uow:
        credit = await uow.sharing.credit(pid)
        history = [t.status for t in await uow.sharing.transfers(pid)]
    assert credit is not None and (credit.owner_pct, credit.host_pct, credit.rule_code) == (100, 0, None)
    assert history == [sh.ACCEPTED, sh.ACCEPTED]


# -- races --------------------------------------------------------------------------------------

async def test_two_heads_pressing_accept_at_once_accept_once(db: Database) -> None:
    await setup_org(db)
    await add_member(db, "东副区长", "east", Role.UNIT_HEAD)
    other_db = Database(db.url, db.clock)
    try:
        one = await registered(db, conversations(db), "东区长")
        two = await registered(other_db, conversations(other_db), "东副区长")
        for round_ in range(4):
            pid = await lead(db, "李驻深", f"并发测试{round_}号有限公司")
            offer = await run(db, "李驻深", share_uc.propose_transfer, share_uc.ProposeTransfer(pid, "east", "东区配套"))
            await asyncio.gather(one.payload(f"s:tr_ok:{offer.id}"), two.payload(f"s:tr_ok:{offer.id}"))
            replies = sorted([one.text, two.text])
            assert replies[0].startswith("已接收“并发测试"), replies
            assert replies[1] == "这个流转已被东区接收，无需重复操作。", replies
            accepted = [e for e in await events(db, sh.TRANSFER_ACCEPTED) if e.project_id == pid]
            assert len(accepted) == 1
            assert (await transfer(db, offer.id)).decided_by in {(await member(db, n)).id for n in ("东区长", "东副区长")}
        assert await ledger_ok(db)
    finally:
        await other_db.dispose()


async def test_accept_racing_withdraw_one_wins(db: Database) -> None:
    await setup_org(db)
    other_db = Database(db.url, db.clock)
    try:
        head = await registered(db, conversations(db), "东区长")
        owner = await registered(other_db, conversations(other_db), "李驻深")
        pid = await lead(db, "李驻深", "比亚迪汽车工业有限公司")
        offer = await run(db, "李驻深", share_uc.propose_transfer, share_uc.ProposeTransfer(pid, "east", "东区配套"))
        await asyncio.gather(head.payload(f"s:tr_ok:{offer.id}"), owner.payload(f"s:tr_wd:{offer.id}"))
        final = await transfer(db, offer.id)
        decided = [e for e in await events(db) if e.type in (sh.TRANSFER_ACCEPTED, sh.TRANSFER_WITHDRAWN)]
        assert len(decided) == 1
        if final.status == sh.ACCEPTED:
            assert owner.text == "这个流转已被东区接收，无需重复操作。"
            assert (await project(db, pid)).responsible_unit == "east"
        else:
            assert final.status == sh.WITHDRAWN
            assert head.text == "这个流转已被发起单位撤回，不能再接收或拒绝。"
            assert (await project(db, pid)).responsible_unit == "zhu_sz"
    finally:
        await other_db.dispose()
