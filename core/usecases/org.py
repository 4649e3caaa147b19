"""Configure the organisation, add members, invite and bind people to units.

These run at the command line as often as in a chat, so the actor is a keyword that defaults to
SYSTEM (an operator, no member), after the command.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from core import events as ev
from core.errors import Refusal
from core.org import OrgConfig
from core.ports import UnitOfWork
from core.records import Member
from core.roles import Role
from core.usecases.lookups import append

SYSTEM = None  # events written by an operator at the command line carry no member as actor


@dataclass(frozen=True)
class ConfigureOrg:
    config: OrgConfig


@dataclass(frozen=True)
class AddMember:
    name: str
    unit: str
    role: Role
    title: str = ""
    trip_quota: int | None = None
    reporter: bool = False


@dataclass(frozen=True)
class CreateInvite:
    unit: str
    role: Role
    ttl: timedelta = timedelta(days=7)
    member_id: int | None = None   # binds the redeemer to this member instead of a new one


@dataclass(frozen=True)
class RedeemInvite:
    code: str
    channel: str
    external_id: str
    chat_id: str
    display_name: str


@dataclass(frozen=True)
class BindIdentity:
    channel: str
    external_id: str
    chat_id: str


def config_digest(cfg: OrgConfig) -> str:
    body = json.dumps(cfg.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


async def configure_org(uow: UnitOfWork, cmd: ConfigureOrg, *, actor: int | None = SYSTEM) -> bool:
    """Record a new organisation configuration; False when the same one is already in force."""
    digest = config_digest(cmd.config)
    if await uow.org.config_digest() == digest:
        return False
    await append(uow, ev.OrgConfigured(config=cmd.config.model_dump(mode="json"), digest=digest), actor=actor)
    return True


async def add_member(uow: UnitOfWork, cmd: AddMember, *, actor: int | None = SYSTEM) -> Member:
    cfg = await uow.org.config()
    if cfg is None or not cfg.has_unit(cmd.unit):
        raise Refusal("unknown_unit", unit=cmd.unit)
    payload = ev.MemberAdded(name=cmd.name, unit=cmd.unit, role=cmd.role.value, title=cmd.title,
                             trip_quota=cmd.trip_quota, reporter=cmd.reporter)
    e = await append(uow, payload, actor=actor, unit=cmd.unit)
    return Member(id=e.seq, name=cmd.name, unit=cmd.unit, role=cmd.role, title=cmd.title, trip_quota=cmd.trip_quota,
                  reporter=cmd.reporter)


async def seed_members(uow: UnitOfWork, cfg: OrgConfig) -> int:
    """Add the file's members that are not there yet (same name in the same unit): safe to re-run."""
    existing = {(m.name, m.unit) for m in await uow.org.members()}
    added = 0
    for seed in cfg.members:
        if (seed.name, seed.unit) in existing:
            continue
        await add_member(uow, AddMember(name=seed.name, unit=seed.unit, role=seed.role, title=seed.title,
                                        trip_quota=seed.trip_quota, reporter=seed.reporter))
        added += 1
    return added


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


async def create_invite(uow: UnitOfWork, cmd: CreateInvite, *, actor: int | None = SYSTEM) -> str:
    """A single-use code (192 random bits, URL-safe, fits a Telegram /start payload); only its hash is stored."""
    cfg = await uow.org.config()
    if cfg is None or not cfg.has_unit(cmd.unit):
        raise Refusal("unknown_unit", unit=cmd.unit)
    code = secrets.token_urlsafe(24)
    expires = uow.clock.now() + cmd.ttl
    payload = ev.InviteCreated(code_hash=hash_code(code), unit=cmd.unit, role=cmd.role.value,
                               expires_at=expires.isoformat(), member_id=cmd.member_id)
    await append(uow, payload, actor=actor, unit=cmd.unit)
    return code


async def redeem_invite(uow: UnitOfWork, cmd: RedeemInvite) -> Member:
    """Bind a chat identity to a new member of the invite's unit (or to the member it names).
    No actor: the person redeeming is not a member until this succeeds."""
    if await uow.org.identity(cmd.channel, cmd.external_id) is not None:
        raise Refusal("already_registered")
    invite = await uow.org.invite_by_hash(hash_code(cmd.code.strip()))
    if invite is None:
        raise Refusal("invite_unknown")
    if invite.used_at is not None:
        raise Refusal("invite_used")
    if invite.expires_at <= uow.clock.now():
        raise Refusal("invite_expired")
    if invite.member_id is not None:
        target = await uow.org.member(invite.member_id)
        if target is None or not target.active:
            raise Refusal("invite_unknown")
    else:
        target = await add_member(uow, AddMember(name=cmd.display_name or cmd.external_id, unit=invite.unit,
                                                 role=invite.role))
    await append(uow, ev.InviteUsed(invite_id=invite.id, member_id=target.id), actor=target.id, unit=target.unit)
    await bind_identity(uow, target, BindIdentity(channel=cmd.channel, external_id=cmd.external_id,
                                                  chat_id=cmd.chat_id))
    return target


async def bind_identity(uow: UnitOfWork, member: Member, cmd: BindIdentity) -> None:
    """The member (who is also the actor) is reached at this chat from now on."""
    payload = ev.IdentityBound(member_id=member.id, channel=cmd.channel, external_id=cmd.external_id,
                               chat_id=cmd.chat_id)
    await append(uow, payload, actor=member.id, unit=member.unit)
    # Notices that found no chat wait for this one (issue 16); the outbox sender drops the stale ones.
    await uow.outbox.release_waiting(member.id, cmd.channel, cmd.chat_id)
