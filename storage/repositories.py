"""Reads of the current-state tables, returned as core records, and the operational stores."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pydantic import TypeAdapter

from core.delivery import Pending, split_action
from core.messages import Delivery, Outbound
from core.org import OrgConfig
from core.ports import ConversationState
from core.project_list import ProjectPage, ProjectQuery
from core.records import Event, Identity, Invite, Member, Note, Project, Trip, UnitRecord
from core.roles import Role, UnitKind
from core.stages import Stage
from storage import upsert
from storage.ledger import row_to_event
from storage.projections import FLAG_COLUMNS
from storage.session_connection import SessionConnection
from storage.tables import (
    ConversationRow,
    EventRow,
    IdentityRow,
    InviteRow,
    MemberRow,
    NoteRow,
    OrgConfigRow,
    OutboxRow,
    ProcessedUpdateRow,
    ProjectRow,
    TripRow,
    UnitRow,
)


_ACTION: TypeAdapter[Outbound] = TypeAdapter(Outbound)

# The reads every message makes, built once: constructing a statement costs more than running it here.
_MEMBERS = MemberRow.__table__
NO_CHAT = "no_chat"  # the reason code of an undeliverable row whose caller gave no (Chinese) reason
_IDENTITIES = IdentityRow.__table__
_MEMBER = select(_MEMBERS).where(_MEMBERS.c.id == bindparam("id"))
_SENDER = (select(_IDENTITIES.c.member_id, _IDENTITIES.c.chat_id, _MEMBERS)
           .outerjoin(_MEMBERS, _MEMBERS.c.id == _IDENTITIES.c.member_id)
           .where(_IDENTITIES.c.channel == bindparam("channel"), _IDENTITIES.c.external_id == bindparam("external_id")))
_CONVERSATION = select(ConversationRow.__table__).where(ConversationRow.__table__.c.key == bindparam("key"))
_CLEAR_CONVERSATION = delete(ConversationRow.__table__).where(ConversationRow.__table__.c.key == bindparam("key"))
_CONFIG_DIGEST = select(OrgConfigRow.digest).order_by(OrgConfigRow.seq.desc()).limit(1)
_CONFIG_BODY = (select(OrgConfigRow.body).where(OrgConfigRow.digest == bindparam("digest"))
                .order_by(OrgConfigRow.seq.desc()).limit(1))
# Parsed configurations by digest, shared by every unit of work in the process (OrgConfig is frozen).
_PARSED: dict[str, OrgConfig] = {}


def to_member(r: MemberRow) -> Member:
    return Member(id=r.id, name=r.name, unit=r.unit, role=Role(r.role), active=r.active, title=r.title or "",
                  trip_quota=r.trip_quota, reporter=r.reporter)


def to_project(r: ProjectRow) -> Project:
    flags = frozenset(name for name, col in FLAG_COLUMNS.items() if getattr(r, col))
    return Project(
        id=r.id, name=r.name, normalized_name=r.normalized_name, credit_code=r.credit_code, industry=r.industry,
        stage=Stage(r.stage), category=r.category, source=r.source, contact=r.contact,
        intended_wan=r.intended_wan, contract_wan=r.contract_wan, planned_wan=r.planned_wan, funds_wan=r.funds_wan,
        foreign_wan=r.foreign_wan, foreign_currency=r.foreign_currency, flags=flags, owner_unit=r.owner_unit,
        responsible_unit=r.responsible_unit, responsible_person=r.responsible_person,
        leader_member_id=r.leader_member_id, created_by=r.created_by, created_at=r.created_at,
        updated_at=r.updated_at, terminated_reason=r.terminated_reason, duplicate_of=r.duplicate_of,
        content=r.content, next_steps=r.next_steps)


def to_note(r: NoteRow) -> Note:
    return Note(id=r.id, project_id=r.project_id, at=r.at, author_id=r.author_id, kind=r.kind, text=r.text,
                next_steps=r.next_steps, resolved_at=r.resolved_at)


class SqlOrgRepository:
    def __init__(self, session: AsyncSession, conn: SessionConnection | None = None) -> None:
        self.s = session
        self.c: AsyncSession | SessionConnection = session if conn is None else conn
        self._config: OrgConfig | None = None

    async def config(self) -> OrgConfig | None:
        """The configuration in force. Every message asks: the digest is read each time (another
        process may have loaded a new file), the body parsed only when the digest is new."""
        if self._config is None:
            digest = (await self.c.execute(_CONFIG_DIGEST)).scalar()
            if digest is not None:
                self._config = _PARSED.get(digest)
            if digest is not None and self._config is None:
                body = (await self.c.execute(_CONFIG_BODY, {"digest": digest})).scalar()
                self._config = OrgConfig.model_validate(json.loads(body))
                if len(_PARSED) >= 8:  # a process sees few configurations; tests see many databases
                    _PARSED.clear()
                _PARSED[digest] = self._config
        return self._config

    async def config_as_of(self, at: datetime) -> OrgConfig | None:
        """The configuration in force at an instant: rankings of a past month use that month's rules.
        Before the first configuration was recorded, that first one is the best account of the rules."""
        row = (await self.s.execute(select(OrgConfigRow).where(OrgConfigRow.at < at)
                                    .order_by(OrgConfigRow.seq.desc()).limit(1))).scalar()
        if row is None:
            row = (await self.s.execute(select(OrgConfigRow).order_by(OrgConfigRow.seq).limit(1))).scalar()
        return None if row is None else OrgConfig.model_validate(json.loads(row.body))

    async def config_digest(self) -> str | None:
        return (await self.s.execute(select(OrgConfigRow.digest).order_by(OrgConfigRow.seq.desc()).limit(1))).scalar()

    async def units(self) -> list[UnitRecord]:
        rows = (await self.s.execute(select(UnitRow).where(UnitRow.active).order_by(UnitRow.sort_order))).scalars()
        return [UnitRecord(r.code, r.name, UnitKind(r.kind), r.parent, r.peer_group) for r in rows]

    async def member(self, member_id: int) -> Member | None:
        row = (await self.c.execute(_MEMBER, {"id": member_id})).first()
        return None if row is None else to_member(row)

    async def members(self, *, unit: str | None = None, role: Role | None = None) -> list[Member]:
        q = select(MemberRow).where(MemberRow.active).order_by(MemberRow.id)
        if unit is not None:
            q = q.where(MemberRow.unit == unit)
        if role is not None:
            q = q.where(MemberRow.role == role.value)
        return [to_member(r) for r in (await self.s.execute(q)).scalars()]

    async def identity(self, channel: str, external_id: str) -> Identity | None:
        found = await self.sender(channel, external_id)
        return None if found is None else found[0]

    async def sender(self, channel: str, external_id: str) -> tuple[Identity, Member | None] | None:
        """Who wrote: the identity bound to this channel account and its member, in one read."""
        row = (await self.c.execute(_SENDER, {"channel": channel, "external_id": external_id})).first()
        if row is None:
            return None
        identity = Identity(channel, external_id, row.member_id, row.chat_id)
        member = None if row.id is None else to_member(row)
        return identity, member

    async def identities_of(self, member_id: int) -> list[Identity]:
        rows = (await self.s.execute(select(IdentityRow).where(IdentityRow.member_id == member_id)
                                     .order_by(IdentityRow.bound_at))).scalars()
        return [Identity(r.channel, r.external_id, r.member_id, r.chat_id) for r in rows]

    async def invite_by_hash(self, code_hash: str) -> Invite | None:
        row = (await self.s.execute(select(InviteRow).where(InviteRow.code_hash == code_hash))).scalar()
        if row is None:
            return None
        return Invite(row.id, row.unit, Role(row.role), row.expires_at, row.used_at, row.used_by, row.member_id)


class SqlProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def _list(self, q: Any) -> list[Project]:
        return [to_project(r) for r in (await self.s.execute(q)).scalars()]

    async def get(self, project_id: int) -> Project | None:
        row = await self.s.get(ProjectRow, project_id)
        return None if row is None else to_project(row)

    async def many(self, ids: list[int]) -> list[Project]:
        found = {p.id: p for p in await self._list(select(ProjectRow).where(ProjectRow.id.in_(ids)))}
        return [found[i] for i in ids if i in found]

    async def by_credit_code(self, code: str) -> list[Project]:
        return await self._list(select(ProjectRow).where(ProjectRow.credit_code == code).order_by(ProjectRow.id))

    async def by_normalized_name(self, normalized: str) -> list[Project]:
        return await self._list(select(ProjectRow).where(ProjectRow.normalized_name == normalized)
                                .order_by(ProjectRow.id))

    async def names(self) -> list[tuple[int, str]]:
        rows = await self.s.execute(select(ProjectRow.id, ProjectRow.normalized_name))
        return [(r.id, r.normalized_name) for r in rows]

    async def search(self, query: ProjectQuery) -> ProjectPage:
        from storage.queries_project_list import search_projects

        return await search_projects(self.s, query)

    async def of_unit(self, unit: str, *, live_only: bool = True) -> list[Project]:
        q = select(ProjectRow).where(or_(ProjectRow.responsible_unit == unit, ProjectRow.owner_unit == unit))
        if live_only:
            q = q.where(ProjectRow.stage != Stage.TERMINATED.value)
        return await self._list(q.order_by(ProjectRow.updated_at.desc()))

    async def stale(self, unit: str | None, before: datetime) -> list[Project]:
        q = select(ProjectRow).where(ProjectRow.updated_at < before, ProjectRow.stage != Stage.TERMINATED.value)
        if unit is not None:
            q = q.where(or_(ProjectRow.responsible_unit == unit, ProjectRow.owner_unit == unit))
        return await self._list(q.order_by(ProjectRow.updated_at))

    async def notes(self, project_id: int, *, limit: int = 5) -> list[Note]:
        rows = (await self.s.execute(select(NoteRow).where(NoteRow.project_id == project_id)
                                     .order_by(NoteRow.id.desc()).limit(limit))).scalars()
        return [to_note(r) for r in rows]

    async def open_problems(self, project_id: int) -> list[Note]:
        rows = (await self.s.execute(select(NoteRow).where(
            NoteRow.project_id == project_id, NoteRow.kind == "problem", NoteRow.resolved_at.is_(None))
            .order_by(NoteRow.id))).scalars()
        return [to_note(r) for r in rows]

    async def events(self, project_id: int, *, limit: int | None = None) -> list[Event]:
        q = select(EventRow).where(EventRow.project_id == project_id).order_by(EventRow.seq.desc())
        if limit:
            q = q.limit(limit)
        rows = (await self.s.execute(q)).scalars().all()
        return [row_to_event(r) for r in reversed(rows)]


class SqlTripRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    @staticmethod
    def _trip(r: TripRow) -> Trip:
        return Trip(id=r.id, unit=r.unit, traveller=r.traveller, leader_member_id=r.leader_member_id,
                    destination=r.destination, start_date=r.start_date, end_date=r.end_date,
                    companies=tuple(json.loads(r.companies)), outcome=r.outcome, next_steps=r.next_steps,
                    created_by=r.created_by, at=r.at)

    async def get(self, trip_id: int) -> Trip | None:
        row = await self.s.get(TripRow, trip_id)
        return None if row is None else self._trip(row)

    async def of_unit(self, unit: str) -> list[Trip]:
        rows = (await self.s.execute(select(TripRow).where(TripRow.unit == unit).order_by(TripRow.id))).scalars()
        return [self._trip(r) for r in rows]


class SqlConversationRepository:
    def __init__(self, session: AsyncSession, clock_now: Any, conn: SessionConnection) -> None:
        self.s = session
        self.c = conn  # Core statements on the session's connection skip the ORM's per-call work
        self._now = clock_now

    async def load(self, key: str) -> ConversationState | None:
        row = (await self.c.execute(_CONVERSATION, {"key": key})).first()
        if row is None:
            return None
        return ConversationState(key=row.key, flow=row.flow, step=row.step, data=json.loads(row.data),
                                 version=row.version, expires_at=row.expires_at, channel=row.channel,
                                 chat_id=row.chat_id)

    async def save(self, state: ConversationState) -> None:
        values = dict(key=state.key, flow=state.flow, step=state.step,
                      data=json.dumps(state.data, ensure_ascii=False), version=state.version,
                      expires_at=state.expires_at, updated_at=self._now(), channel=state.channel,
                      chat_id=state.chat_id)
        await self.c.execute(upsert.save_conversation(self.c.dialect.name), values)

    async def clear(self, key: str) -> None:
        await self.c.execute(_CLEAR_CONVERSATION, {"key": key})

    async def expired(self, now: datetime) -> list[ConversationState]:
        rows = (await self.s.execute(select(ConversationRow.key).where(ConversationRow.expires_at <= now))).scalars()
        return [s for k in rows.all() if (s := await self.load(k)) is not None]


class SqlUpdateLog:
    def __init__(self, session: AsyncSession, clock_now: Any, conn: SessionConnection) -> None:
        self.s = session
        self.c = conn
        self._now = clock_now

    async def seen(self, channel: str, update_id: str) -> bool:
        """True when this update was handled in the last 24 hours; otherwise it is recorded as handled now.
        One statement: the row is inserted, or an older one (an id the channel reused) refreshed."""
        now = self._now()
        done = await self.c.execute(upsert.record_update(self.c.dialect.name), {
            "channel": channel, "update_id": update_id, "at": now, "cutoff": now - timedelta(hours=24)})
        return done.rowcount == 0

    async def forget_before(self, before: datetime) -> int:
        done = await self.s.execute(delete(ProcessedUpdateRow).where(ProcessedUpdateRow.at < before))
        return done.rowcount or 0


class SqlOutbox:
    def __init__(self, session: AsyncSession, clock_now: Any, channels: tuple[str, ...] | None = None) -> None:
        self.s = session
        self._now = clock_now
        self.channels = channels  # the channels this deployment runs; None = every channel

    async def enqueue_member(self, key: str, kind: str, member_id: int, action: Any, *,
                             not_before: datetime | None = None, undeliverable: str = NO_CHAT) -> int:
        rows = (await self.s.execute(select(IdentityRow).where(IdentityRow.member_id == member_id)
                                     .order_by(IdentityRow.bound_at))).scalars().all()
        targets = [r for r in rows if self.channels is None or r.channel in self.channels]
        if not targets:
            await self._undeliverable(key, kind, member_id, action, undeliverable)
            return 0
        queued = 0
        for r in targets:
            delivery = Delivery(channel=r.channel, chat_id=r.chat_id, action=action)
            queued += await self.enqueue(f"{key}@{r.channel}", kind, delivery, member_id=member_id,
                                         not_before=not_before)
        return queued

    async def enqueue_unit_groups(self, key: str, kind: str, unit: str, action: Any) -> int:
        from core.groups import ROBOT_CHANNEL, robot_chat_id
        from storage.tables_groups import UnitChatRow

        rows = (await self.s.execute(select(UnitChatRow).where(UnitChatRow.unit == unit)
                                     .order_by(UnitChatRow.bound_at))).scalars().all()
        chats = [(r.channel, r.chat_id) for r in rows]
        cfg = await SqlOrgRepository(self.s).config()
        if cfg is not None and cfg.has_unit(unit) and cfg.unit(unit).robot_webhook_key:
            chats.append((ROBOT_CHANNEL, robot_chat_id(unit)))  # the org file's WeCom group robot
        queued = 0
        for channel, chat_id in dict.fromkeys(chats):
            if self.channels is None or channel in self.channels:
                delivery = Delivery(channel=channel, chat_id=chat_id, action=action)
                queued += await self.enqueue(f"{key}@{channel}:{chat_id}", kind, delivery)
        return queued

    async def _undeliverable(self, key: str, kind: str, member_id: int, action: Any, reason: str) -> None:
        exists = (await self.s.execute(select(func.count()).select_from(OutboxRow).where(OutboxRow.key == key))).scalar()
        if exists:
            return
        now = self._now()
        await self.s.execute(insert(OutboxRow).values(
            key=key, kind=kind, channel="", chat_id="", member_id=member_id, action=action.model_dump_json(),
            status="undeliverable", attempts=0, created_at=now, not_before=now,
            last_error=reason[:500]))

    async def enqueue(self, key: str, kind: str, delivery: Delivery, *, member_id: int | None = None,
                      not_before: datetime | None = None) -> bool:
        parts = split_action(delivery.channel, delivery.action)
        if len(parts) > 1:
            # One row per part: a retry of a later part never re-sends an earlier one.
            first = await self._enqueue_one(key, kind, delivery.model_copy(update={"action": parts[0]}),
                                            member_id=member_id, not_before=not_before)
            if first:
                for i, part in enumerate(parts[1:], 2):
                    await self._enqueue_one(f"{key}#{i}", kind, delivery.model_copy(update={"action": part}),
                                            member_id=member_id, not_before=not_before)
            return first
        return await self._enqueue_one(key, kind, delivery, member_id=member_id, not_before=not_before)

    async def _enqueue_one(self, key: str, kind: str, delivery: Delivery, *, member_id: int | None,
                           not_before: datetime | None) -> bool:
        exists = (await self.s.execute(select(func.count()).select_from(OutboxRow).where(OutboxRow.key == key))).scalar()
        if exists:
            return False
        now = self._now()
        try:
            async with self.s.begin_nested():
                await self.s.execute(insert(OutboxRow).values(
                    key=key, kind=kind, channel=delivery.channel, chat_id=delivery.chat_id, member_id=member_id,
                    action=delivery.action.model_dump_json(), status="pending", attempts=0, created_at=now,
                    not_before=not_before or now))
        except IntegrityError:
            # Another process queued the same key first: the push still goes out exactly once.
            return False
        return True

    # -- the sending side ------------------------------------------------------------------------
    async def due(self, now: datetime, channels: tuple[str, ...], *, limit: int = 200) -> list[Pending]:
        """Pending rows whose time has come, oldest first (a chat's pushes keep their order)."""
        rows = (await self.s.execute(
            select(OutboxRow).where(OutboxRow.status == "pending", OutboxRow.not_before <= now,
                                    OutboxRow.channel.in_(channels))
            .order_by(OutboxRow.id).limit(limit))).scalars().all()
        return [Pending(r.id, r.key, Delivery(channel=r.channel, chat_id=r.chat_id,
                                              action=_ACTION.validate_json(r.action)), r.attempts) for r in rows]

    async def mark_sent(self, row_id: int, now: datetime) -> None:
        await self.s.execute(update(OutboxRow.__table__).where(OutboxRow.id == row_id).values(
            status="sent", sent_at=now, attempts=OutboxRow.attempts + 1, last_error=None))

    async def postpone(self, row_id: int, until: datetime, error: str) -> None:
        await self.s.execute(update(OutboxRow.__table__).where(OutboxRow.id == row_id).values(
            not_before=until, attempts=OutboxRow.attempts + 1, last_error=error[:500]))

    async def postpone_chat(self, channel: str, chat_id: str, until: datetime) -> None:
        """A 429 for one chat delays every pending push to that chat, and no other."""
        await self.s.execute(update(OutboxRow.__table__).where(
            OutboxRow.channel == channel, OutboxRow.chat_id == chat_id, OutboxRow.status == "pending",
            OutboxRow.not_before < until).values(not_before=until))

    async def give_up(self, row_id: int, error: str) -> None:
        await self.s.execute(update(OutboxRow.__table__).where(OutboxRow.id == row_id).values(
            status="failed", attempts=OutboxRow.attempts + 1, last_error=error[:500]))
