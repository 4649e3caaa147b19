"""Driving the conversation core in tests: a person typing and pressing buttons in one chat.

`Person.say("线索 …")` and `Person.press("确认")` go through `Conversations.handle` exactly as a
channel's messages would (a fresh update id each time); the replies are kept for assertions.
"""
from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.messages import Attachment, Button, ChatType, EditText, Inbound, SendFile, SendPhoto, SendText
from core.records import Event, Member
from core.usecases.org import BindIdentity, bind_identity
from handlers.router import Conversations
from reminders.calendar import workdays
from storage import ledger
from storage.database import Database
from storage.ledger import row_to_event
from storage.tables.ledger import EventRow
from storage.tables.operational import OutboxRow
from tests.helpers import member, setup_org

TZ = ZoneInfo("Asia/Shanghai")
INTERNAL_ERROR = "抱歉，系统出了点问题"
Reply = SendText | EditText | SendPhoto | SendFile
_ids = itertools.count(1)


# -- fixtures: import them into a test module (`from tests.conversation import org_db, org_template`) ------

@pytest.fixture(scope="session")
def org_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the mini organisation and its demo members, made once per session."""
    path = tmp_path_factory.mktemp("org") / "org.db"
    shutil.copy(sqlite_template, path)

    async def load() -> None:
        db = Database(f"sqlite:///{path}", FixedClock(datetime(2026, 11, 2, 10, tzinfo=TZ)))
        await setup_org(db)
        await db.dispose()

    asyncio.run(load())
    return path


@pytest.fixture
async def org_db(org_template: Path, tmp_path: Path, clock: FixedClock) -> AsyncIterator[Database]:
    """SQLite with the mini organisation loaded; the clock stands at 2026-11-02 10:00 Shanghai (a Monday)."""
    path = tmp_path / "conversations.db"
    shutil.copy(org_template, path)
    db = Database(f"sqlite:///{path}", clock)
    yield db
    await db.dispose()


def conversations(db: Database, **kwargs: Any) -> Conversations:
    """A conversation core over `db`, as one bot process would build it."""
    return Conversations(db.uow, tz=TZ, workdays=workdays, timeout=kwargs.pop("timeout", timedelta(minutes=30)), **kwargs)


class Person:
    """One sender in one chat. `buttons=False` plays a channel without buttons (WeCom): numbers only."""

    def __init__(self, db: Database, conv: Conversations, *, sender_id: str, channel: str = "console",
                 chat_id: str | None = None, chat_type: ChatType = ChatType.PRIVATE, name: str = "",
                 buttons: bool = True) -> None:
        self.db, self.conv = db, conv
        self.sender_id, self.channel, self.name = sender_id, channel, name
        self.chat_id = chat_id or sender_id
        self.chat_type = chat_type
        self.buttons_ok = buttons
        self.replies: list[Reply] = []
        self.last_buttons: list[Button] = []
        self.last_message_id = ""

    # -- acting ---------------------------------------------------------------------------------
    def inbound(self, *, text: str | None = None, payload: str | None = None, update_id: str | None = None,
                message_id: str | None = None, attachment: Attachment | None = None) -> Inbound:
        n = next(_ids)
        return Inbound(channel=self.channel, chat_id=self.chat_id, chat_type=self.chat_type,
                       sender_id=self.sender_id, sender_name=self.name, text=text, payload=payload,
                       message_id=message_id or f"msg{n}", at=self.db.clock.now(),
                       update_id=update_id or f"{self.channel}:{self.sender_id}:{n}", attachment=attachment)

    async def send(self, inbound: Inbound) -> list[Reply]:
        self.replies = await self.conv.handle(inbound)
        self.last_message_id = inbound.message_id or ""
        for r in self.replies:
            if isinstance(r, SendText) and r.buttons:
                self.last_buttons = [b for row in r.buttons for b in row]
        return self.replies

    async def say(self, text: str) -> list[Reply]:
        return await self.send(self.inbound(text=text))

    async def file(self, name: str, data: bytes, mime: str = "", *, caption: str | None = None,
                   problem: str | None = None) -> list[Reply]:
        """Send a photo or file as a channel hands it over: already downloaded (or with the reason it is not)."""
        attachment = Attachment(name=name, mime_type=mime, size=len(data), data=None if problem else data,
                                problem=problem)  # type: ignore[arg-type]
        return await self.send(self.inbound(text=caption, attachment=attachment))

    async def press(self, label: str) -> list[Reply]:
        """Press the button with this label (or whose label starts with it) from the last buttons shown."""
        if not self.buttons_ok:
            raise AssertionError("this channel has no buttons: type the number")
        button = self.button(label)
        return await self.send(self.inbound(payload=button.payload))

    async def payload(self, payload: str) -> list[Reply]:
        """A button press with any payload at all: a forged or stale one included."""
        return await self.send(self.inbound(payload=payload))

    # -- reading --------------------------------------------------------------------------------
    def button(self, label: str) -> Button:
        exact = [b for b in self.last_buttons if b.label == label]
        found = exact or [b for b in self.last_buttons if b.label.startswith(label) or label in b.label]
        assert found, f"no button {label!r} among {[b.label for b in self.last_buttons]}"
        return found[0]

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.replies if isinstance(r, (SendText, EditText))]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def labels(self) -> list[str]:
        """Labels of the buttons in this turn's replies."""
        return [b.label for r in self.replies if isinstance(r, SendText) for row in r.buttons for b in row]

    def number_of(self, label: str) -> str:
        """The number a channel without buttons shows in front of a choice (1-based)."""
        labels = [b.label for b in self.last_buttons]
        return str(labels.index(self.button(label).label) + 1)


async def registered(db: Database, conv: Conversations, name: str, *, channel: str = "console",
                     sender_id: str | None = None, buttons: bool = True) -> Person:
    """A demo member of the mini organisation, bound to a private chat on `channel`."""
    m = await member(db, name)
    external = sender_id or f"{channel}-{m.id}"
    async with db.uow() as uow:
        if await uow.org.identity(channel, external) is None:
            await bind_identity(uow, m, BindIdentity(channel=channel, external_id=external, chat_id=external))
            await uow.commit()
    return Person(db, conv, sender_id=external, channel=channel, name=m.name, buttons=buttons)


async def event_count(db: Database) -> int:
    async with db.uow(readonly=True) as uow:
        return (await uow.session.execute(select(func.count()).select_from(EventRow))).scalar_one()


async def events(db: Database, type: str | None = None) -> list[Event]:
    async with db.uow(readonly=True) as uow:
        q = select(EventRow).order_by(EventRow.seq)
        if type is not None:
            q = q.where(EventRow.type == type)
        return [row_to_event(r) for r in (await uow.session.execute(q)).scalars()]


async def outbox_rows(db: Database, kind: str | None = None) -> list[Any]:
    """Outbox rows as plain rows (columns by name), readable after the unit of work is closed."""
    table = OutboxRow.__table__
    async with db.uow(readonly=True) as uow:
        q = select(table).order_by(table.c.id)
        if kind is not None:
            q = q.where(table.c.kind == kind)
        return list((await uow.session.execute(q)).all())


async def ledger_ok(db: Database) -> bool:
    async with db.uow(readonly=True) as uow:
        return (await ledger.verify(uow.session)).ok


async def project_named(db: Database, name: str) -> Any:
    async with db.uow(readonly=True) as uow:
        found = [p for pid, _ in await uow.projects.names() if (p := await uow.projects.get(pid)).name == name]
    assert len(found) == 1, (name, found)
    return found[0]


async def projects(db: Database) -> list[Any]:
    async with db.uow(readonly=True) as uow:
        return await uow.projects.many(sorted(pid for pid, _ in await uow.projects.names()))


async def state_of(db: Database, m: Member | int) -> Any:
    key = f"m{m if isinstance(m, int) else m.id}"
    async with db.uow(readonly=True) as uow:
        return await uow.conversations.load(key)


def flat(texts: Sequence[str]) -> str:
    return "\n".join(texts)


async def logged_lead(person: Person, line: str) -> Any:
    """Log a one-line lead that needs nothing more than 确认; the project it created."""
    await person.say(f"线索 {line}")
    assert person.labels[:3] == ["确认", "修改", "取消"], person.text
    await person.press("确认")
    assert "已登记线索" in person.text, person.text
    async with person.db.uow(readonly=True) as uow:
        newest = max(pid for pid, _ in await uow.projects.names())
        return await uow.projects.get(newest)
