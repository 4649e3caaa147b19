"""Replies survive a crash between the commit and the reply (issue 17): they are stored with the update's
record, forgotten once the channel sent them, and otherwise go through the outbox once — when the update
is delivered again after the lease, or at the pick-up — unless they are older than the window."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import TypeAdapter
from sqlalchemy import select

from core.clock import FixedClock
from core.messages import Outbound, SendText
from handlers.stored_replies import resend_unsent
from storage.database import Database
from storage.tables.operational import OutboxRow
from tests.conversation import Person, conversations
from tests.helpers import setup_org

LEASE = timedelta(seconds=30)
_ACTION: TypeAdapter[Outbound] = TypeAdapter(Outbound)


async def queued(db: Database) -> list[tuple[str, str, str]]:
    """(key, chat, text) of the outbox's rows, in order."""
    async with db.uow(readonly=True) as uow:
        rows = (await uow.session.execute(select(OutboxRow.key, OutboxRow.kind, OutboxRow.chat_id, OutboxRow.action)
                                          .order_by(OutboxRow.id))).all()
    found = []
    for key, kind, chat_id, stored in rows:
        action = _ACTION.validate_json(stored)
        assert kind == "reply"
        found.append((key, chat_id, action.text if isinstance(action, SendText) else ""))
    return found


def texts(replies: list[Outbound]) -> list[str]:
    return [r.text for r in replies if isinstance(r, SendText)]


async def test_replies_sent_and_marked_are_never_sent_again(db: Database, clock: FixedClock) -> None:
    await setup_org(db)
    conv = conversations(db)
    stranger = Person(db, conv, sender_id="501", channel="telegram")
    hello = stranger.inbound(text="你好")
    first = await conv.handle(hello)
    assert texts(first), "a stranger is told how to join"
    await conv.replied(hello)
    clock.advance(hours=2)
    assert await conv.handle(hello) == []  # a redelivery: no effect, no reply
    assert await resend_unsent(db.uow, "telegram") == (0, 0)
    assert await queued(db) == []


async def test_a_redelivery_after_a_crash_sends_the_stored_replies_once(db: Database, clock: FixedClock) -> None:
    await setup_org(db)
    conv = conversations(db, reply_lease=LEASE)
    stranger = Person(db, conv, sender_id="502", channel="telegram")
    hello = stranger.inbound(text="你好")
    replies = await conv.handle(hello)  # committed; the process dies before the channel sends them
    assert await conv.handle(hello) == []  # within the lease the sender may still be sending them
    assert await queued(db) == []
    clock.advance(seconds=31)
    assert await conv.handle(hello) == []  # the channel's answer comes through the outbox
    after = await queued(db)
    assert [(chat, text) for _, chat, text in after] == [("502", text) for text in texts(replies)]
    assert all(key.startswith(f"unsent:telegram:{hello.update_id}:") for key, _, _ in after)
    assert await conv.handle(hello) == []
    assert await resend_unsent(db.uow, "telegram", lease=LEASE) == (0, 0)
    assert await queued(db) == after  # once


async def test_the_pickup_sends_what_a_crash_left_within_the_window_and_drops_older(
        db: Database, clock: FixedClock) -> None:
    await setup_org(db)
    conv = conversations(db, reply_lease=LEASE)
    old = Person(db, conv, sender_id="503", channel="telegram")
    await conv.handle(old.inbound(text="你好"))
    clock.advance(hours=2)
    recent = Person(db, conv, sender_id="504", channel="telegram")
    replies = await conv.handle(recent.inbound(text="你好"))
    other_channel = Person(db, conv, sender_id="505", channel="wecom")
    await conv.handle(other_channel.inbound(text="你好"))
    assert await resend_unsent(db.uow, "telegram", lease=LEASE) == (0, 1)  # the recent one is still leased
    clock.advance(seconds=31)
    assert await resend_unsent(db.uow, "telegram", lease=LEASE) == (1, 0)
    assert [(chat, text) for _, chat, text in await queued(db)] == [("504", text) for text in texts(replies)]
    assert await resend_unsent(db.uow, "telegram", lease=LEASE) == (0, 0)
    assert await resend_unsent(db.uow, "wecom", lease=LEASE) == (1, 0)  # each process picks up its own channel


async def stored(db: Database) -> set[str]:
    """The updates whose replies are stored and not marked sent."""
    async with db.uow(readonly=True) as uow:
        found = await uow.updates.unsent("telegram", stored_before=uow.clock.now() + timedelta(days=1))
    return {r.update_id for r in found}


async def test_marks_ride_with_the_next_message_and_are_written_alone_when_nothing_follows(
        db: Database, clock: FixedClock) -> None:
    await setup_org(db)
    conv = conversations(db, reply_lease=LEASE, reply_linger=0.05)
    people = [Person(db, conv, sender_id=str(600 + i), channel="telegram") for i in range(8)]
    inbounds = [p.inbound(text="你好") for p in people]
    for inbound in inbounds[:3]:
        assert await conv.handle(inbound)
    for inbound in inbounds[:3]:
        await conv.replied(inbound)  # gathered, not a transaction each
    assert await stored(db) == {i.update_id for i in inbounds[:3]}
    assert await conv.handle(inbounds[3])  # its transaction writes the three marks
    assert await stored(db) == {inbounds[3].update_id}

    # Nothing follows: the mark is written alone a moment later; and at close what is left.
    await conv.replied(inbounds[3])
    for _ in range(100):
        if not await stored(db):
            break
        await asyncio.sleep(0.02)
    assert await stored(db) == set()
    closing = conversations(db, reply_lease=LEASE, reply_linger=3600)
    for inbound in inbounds[4:]:
        assert await closing.handle(inbound)
        await closing.replied(inbound)
    assert await stored(db) == {inbounds[-1].update_id}  # the others rode with the next one
    await closing.close()
    clock.advance(seconds=31)
    assert await resend_unsent(db.uow, "telegram", lease=LEASE) == (0, 0)
    assert await queued(db) == []
