"""`uow.org`: the configuration in force (and as of any instant), units, members, identities, invites."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.org import OrgConfig
from core.records import Identity, Invite, Member, UnitRecord
from core.roles import Role, UnitKind
from storage.session_connection import SessionConnection
from storage.tables.org import IdentityRow, InviteRow, MemberRow, OrgConfigRow, UnitRow

# The reads every message makes, built once: constructing a statement costs more than running it here.
_MEMBERS = MemberRow.__table__
_IDENTITIES = IdentityRow.__table__
_MEMBER = select(_MEMBERS).where(_MEMBERS.c.id == bindparam("id"))
_SENDER = (select(_IDENTITIES.c.member_id, _IDENTITIES.c.chat_id, _MEMBERS)
           .outerjoin(_MEMBERS, _MEMBERS.c.id == _IDENTITIES.c.member_id)
           .where(_IDENTITIES.c.channel == bindparam("channel"), _IDENTITIES.c.external_id == bindparam("external_id")))
_CONFIG_DIGEST = select(OrgConfigRow.digest).order_by(OrgConfigRow.seq.desc()).limit(1)
_CONFIG_BODY = (select(OrgConfigRow.body).where(OrgConfigRow.digest == bindparam("digest"))
                .order_by(OrgConfigRow.seq.desc()).limit(1))
# Parsed configurations by digest, shared by every unit of work in the process (OrgConfig is frozen).
_PARSED: dict[str, OrgConfig] = {}


def parsed_config(digest: str, body: str) -> OrgConfig:
    """One parsed configuration per digest in the process: the same object for every reader of it."""
    found = _PARSED.get(digest)
    if found is None:
        found = OrgConfig.model_validate(json.loads(body))
        if len(_PARSED) >= 8:  # a process sees few configurations; tests see many databases
            _PARSED.clear()
        _PARSED[digest] = found
    return found


class _MemberFields(Protocol):
    """A member's columns by name: a MemberRow, or a Core row selected from the members table."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def trip_quota(self) -> int | None: ...
    @property
    def reporter(self) -> bool: ...
    @property
    def active(self) -> bool: ...


def to_member(r: _MemberFields) -> Member:
    return Member(id=r.id, name=r.name, unit=r.unit, role=Role(r.role), active=r.active, title=r.title or "",
                  trip_quota=r.trip_quota, reporter=r.reporter)



class SqlOrgRepository:
    def __init__(self, session: AsyncSession, conn: SessionConnection | None = None) -> None:
        self.s = session
        self.c: AsyncSession | SessionConnection = session if conn is None else conn
        self._config: OrgConfig | None = None

    async def config(self) -> OrgConfig | None:
        """The configuration in force. Every message asks: the digest is read each time (another
        process may have loaded a new file), the body parsed only when the digest is new."""
        if self._config is None:
            await self.config_with_digest((await self.c.execute(_CONFIG_DIGEST)).scalar())
        return self._config

    async def config_with_digest(self, digest: str | None) -> OrgConfig | None:
        """The configuration in force, its digest just read (by `uow.opening`, with the sender): kept for
        this unit of work, and parsed only when the process has not seen the digest before."""
        if digest is None:
            return None
        found = _PARSED.get(digest)
        if found is None:
            # The digest was just read from a configuration row, so that row's body is there.
            body = cast(str, (await self.c.execute(_CONFIG_BODY, {"digest": digest})).scalar())
            found = parsed_config(digest, body)
        self._config = found
        return found

    async def config_as_of(self, at: datetime) -> OrgConfig | None:
        """The configuration in force at an instant: rankings of a past month use that month's rules.
        Before the first configuration was recorded, that first one is the best account of the rules."""
        row = (await self.s.execute(select(OrgConfigRow).where(OrgConfigRow.at < at)
                                    .order_by(OrgConfigRow.seq.desc()).limit(1))).scalar()
        if row is None:
            row = (await self.s.execute(select(OrgConfigRow).order_by(OrgConfigRow.seq).limit(1))).scalar()
        if row is None:
            return None
        return parsed_config(row.digest, row.body)

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

    async def identities(self) -> list[Identity]:
        """Every bound identity (the console's 组织 page, in one query)."""
        rows = (await self.s.execute(select(IdentityRow).order_by(IdentityRow.member_id, IdentityRow.bound_at))).scalars()
        return [Identity(r.channel, r.external_id, r.member_id, r.chat_id) for r in rows]

    async def invite_by_hash(self, code_hash: str) -> Invite | None:
        row = (await self.s.execute(select(InviteRow).where(InviteRow.code_hash == code_hash))).scalar()
        if row is None:
            return None
        return Invite(row.id, row.unit, Role(row.role), row.expires_at, row.used_at, row.used_by, row.member_id)
