"""What the outbox records about a row that did not simply go out is Chinese, on both engines:
each failure a channel can report, a give-up after retries, and a recipient with no chat at all
(from the calendar and from a sharing push)."""
from __future__ import annotations

import pytest

from core.clock import FixedClock
from core.delivery import Ambiguous, Permanent, RetryAfter, SendError, Transient
from core.messages import SendText
from core.usecases.org import BindIdentity, bind_identity
from handlers import sharing_pushes
from reminders.outbox import Limits, OutboxSender
from storage.database import Database
from tests.calendar_support import local, outbox, setup_calendar_org, tick_at
from tests.helpers import member

pytestmark = pytest.mark.asyncio

FAILURES: dict[str, Exception] = {
    "c-429": RetryAfter(5),
    "c-blocked": Permanent("Forbidden: bot was blocked by the user"),
    "c-timeout": Ambiguous("timed out"),
    "c-flaky": Transient("connection reset"),
    "c-odd": SendError("odd reply"),
    "c-bug": ValueError("bug in adapter"),
    "c-ok": None,  # type: ignore[dict-item]
}


class ScriptedSender:
    """Each chat fails the same way every time (or, for c-ok, succeeds)."""

    def is_group(self, chat_id: str) -> bool:
        return False

    async def deliver(self, chat_id: str, action: object) -> None:
        failure = FAILURES[chat_id]
        if failure is not None:
            raise failure


async def test_every_failure_is_recorded_with_a_chinese_reason(db: Database) -> None:
    await setup_calendar_org(db, bind=False)
    people = ["东小李", "西小张", "高新小陈", "工信小刘", "李驻深", "长沙小周", "王办公"]
    async with db.uow() as uow:
        for name, chat in zip(people, FAILURES, strict=True):
            m = await member(db, name)
            await bind_identity(uow, m, BindIdentity(channel="console", external_id=chat, chat_id=chat))
            await uow.outbox.enqueue_member(f"test:{chat}", "test", m.id, SendText(text="测试推送"))
        await uow.commit()
    assert isinstance(db.clock, FixedClock)
    sender = OutboxSender(db.uow, {"console": ScriptedSender()}, db.clock, Limits(max_attempts=2))
    await sender.drain()
    first = {r.chat_id: (r.status, r.last_error) for r in await outbox(db)}
    assert first == {
        "c-429": ("pending", "平台限流（429），5 秒后重试"),
        "c-blocked": ("failed", "平台拒绝发送（Forbidden: bot was blocked by the user）"),
        "c-timeout": ("failed", "读取超时，可能已经送达，不再重试（timed out）"),
        "c-flaky": ("pending", "连接失败，稍后重试（connection reset）"),
        "c-odd": ("failed", "发送出错（odd reply）"),
        "c-bug": ("failed", "内部错误（ValueError: bug in adapter）"),
        "c-ok": ("sent", None),
    }
    db.clock.advance(seconds=10)
    sender.pace.chat_next.clear()  # the pacing is not the subject here: try every chat again now
    await sender.drain()
    second = {r.chat_id: (r.status, r.last_error) for r in await outbox(db)}
    assert second["c-flaky"] == ("failed", "已尝试 2 次，放弃发送（connection reset）")
    assert second["c-429"] == ("pending", "平台限流（429），5 秒后重试")


async def test_a_recipient_with_no_chat_is_recorded_in_chinese_from_the_calendar_and_from_sharing(
        db: Database) -> None:
    await setup_calendar_org(db, bind=False)
    east = await member(db, "东小李")
    async with db.uow() as uow:
        await bind_identity(uow, east, BindIdentity(channel="console", external_id="c-east", chat_id="c-east"))
        await uow.commit()
    await tick_at(db, local(2026, 12, 7, 9, 0))
    reminders = {r.member_id: r for r in await outbox(db, "report.reminder")}
    west = await member(db, "西小张")
    assert reminders[east.id].status == "pending" and reminders[east.id].last_error is None
    assert reminders[west.id].status == "undeliverable"
    assert reminders[west.id].last_error == "该成员没有在启用的渠道上绑定聊天"
    async with db.uow(readonly=True) as uow:
        decided = await uow.calendar.statuses([f"report.reminder:2026-12-10@2026-12-07:m{west.id}"])
    assert decided == {f"report.reminder:2026-12-10@2026-12-07:m{west.id}": "undeliverable"}

    async with db.uow() as uow:
        await sharing_pushes.push(uow, "transfer:99:proposed", "transfer_proposed", [west], "测试流转")
        await uow.commit()
    (row,) = await outbox(db, "transfer_proposed")
    assert (row.status, row.last_error) == ("undeliverable", "该成员没有在启用的渠道上绑定聊天；绑定后送达（届时已过时则不发）")
