"""Honest notices (issue 16), on both engines: a push whose subject was settled before its turn is
dropped with a Chinese reason instead of sent (a 首谈认定 already resolved, a transfer already
withdrawn), and a notice that found no chat waits for the chat its member binds."""
from __future__ import annotations

from core.clock import FixedClock
from core.delivery import Action
from reminders.outbox import OutboxSender
from reminders.staleness import STALE
from reminders.names import OTHER_KINDS, known_kinds
from storage.database import Database
from tests.calendar_support import outbox
from tests.conversation import Person, conversations, logged_lead, registered
from tests.helpers import setup_org


class Recorder:
    """The console channel as the outbox sees it: what was delivered, by chat."""

    channel = "console"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def is_group(self, chat_id: str) -> bool:
        return False

    async def deliver(self, chat_id: str, action: Action) -> None:
        self.sent.append((chat_id, getattr(action, "text", "")))


async def drain(db: Database) -> Recorder:
    assert isinstance(db.clock, FixedClock)
    recorder = Recorder()
    await OutboxSender(db.uow, {"console": recorder}, db.clock).drain()
    return recorder


def test_every_push_kind_states_when_it_goes_stale() -> None:
    assert set(known_kinds()) | set(OTHER_KINDS) <= set(STALE)


async def test_a_claim_push_resolved_before_its_turn_is_dropped(db: Database) -> None:
    await setup_org(db)
    conv = conversations(db)
    east = await registered(db, conv, "东小李")
    west = await registered(db, conv, "西小张")
    office = await registered(db, conv, "王办公")
    first = await logged_lead(east, "宁德时代 新能源汽车零部件 投资5亿 来源驻点")
    await west.say("线索 宁德时代 新能源汽车零部件 投资3亿 来源驻点")
    await west.press("仍然登记")
    await west.press("确认")
    [queued] = await outbox(db, "claim_opened")
    assert queued.status == "pending"
    claim_id = queued.key.split(":")[1]
    await office.say(f"/claims {claim_id} {first.id}")  # decided from another device before the push went out
    assert "首谈单位为东区" in office.text
    sent = await drain(db)
    [dropped] = await outbox(db, "claim_opened")
    assert (dropped.status, dropped.last_error) == ("dropped", f"首谈认定 #{claim_id} 已处理，不再发送")
    assert not any(f"首谈认定 #{claim_id}：" in text for _, text in sent.sent)
    # The decision itself is news that stays true: sent to whoever has a chat (the heads have none yet).
    assert {r.status for r in await outbox(db, "claim_resolved") if r.chat_id} == {"sent"}


async def test_a_notice_waits_for_the_chat_its_member_binds_unless_it_went_stale(db: Database) -> None:
    await setup_org(db)
    conv = conversations(db)
    east = await registered(db, conv, "东小李")
    p = await logged_lead(east, "中铝股份有限公司 现代化工 投资12亿 来源驻点")
    # 西区长 has no chat yet: the proposal and a second notice wait, and the reply says so.
    await east.say("流转")
    await east.press(f"#{p.id}")
    await east.say("西区")
    await east.say("西区有化工园区")
    await east.press("确认")
    assert east.texts[-1] == "已提出流转：“中铝股份有限公司”→西区，西区长还没有绑定聊天，通知会在绑定后送达，等待接收。"
    [proposal] = await outbox(db, "transfer_proposed")
    assert proposal.status == "undeliverable"
    west_lead = await logged_lead(await registered(db, conv, "西小张"), "贵州磷化集团 现代化工 投资8亿 来源驻点")
    await east.payload(f"s:interest:{west_lead.id}")
    assert east.text == "已关注“贵州磷化集团”，西区长还没有绑定聊天，通知会在绑定后送达。"
    # The proposal is withdrawn meanwhile: its notice is stale by the time 西区长 binds.
    await east.say("流转")
    await east.press(f"#{p.id}")
    await east.press("撤回流转")
    head: Person = await registered(db, conv, "西区长")
    rows = {r.kind: r for r in await outbox(db)}
    assert (rows["transfer_proposed"].status, rows["transfer_proposed"].chat_id) == ("pending", head.chat_id)
    assert (rows["sharing_interest"].status, rows["sharing_interest"].chat_id) == ("pending", head.chat_id)
    sent = await drain(db)
    rows = {r.kind: r for r in await outbox(db)}
    assert rows["sharing_interest"].status == "sent"
    assert (rows["transfer_proposed"].status, rows["transfer_proposed"].last_error) == (
        "dropped", f"流转 #{rows['transfer_proposed'].key.split(':')[1]} 已接收、退回或撤回，不再发送")
    assert [chat for chat, _ in sent.sent].count(head.chat_id) == len(
        [r for r in await outbox(db) if r.chat_id == head.chat_id and r.status == "sent"])
