"""Configure the organisation, add members, invite and bind people to units."""
from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta

from core import events as ev
from core.errors import Refusal
from core.org import OrgConfig
from core.ports import UnitOfWork
from core.records import Member
from core.roles import Role

SYSTEM = None  # events written by an operator at the command line carry no member as actor


def config_digest(cfg: OrgConfig) -> str:
    body = json.dumps(cfg.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


async def configure_org(uow: UnitOfWork, cfg: OrgConfig, *, actor: int | None = SYSTEM) -> bool:
    """Record a new organisation configuration; False when the same one is already in force."""
    digest = config_digest(cfg)
    if await uow.org.config_digest() == digest:
        return False
    await uow.record(ev.ORG_CONFIGURED, {"config": cfg.model_dump(mode="json"), "digest": digest}, actor=actor)
    return True


async def add_member(uow: UnitOfWork, *, name: str, unit: str, role: Role, title: str = "",
                     trip_quota: int | None = None, reporter: bool = False, actor: int | None = SYSTEM) -> Member:
    cfg = await uow.org.config()
    if cfg is None or not cfg.has_unit(unit):
        raise Refusal("unknown_unit", unit=unit)
    e = await uow.record(ev.MEMBER_ADDED, {"name": name, "unit": unit, "role": role.value, "title": title,
                                           "trip_quota": trip_quota, "reporter": reporter}, actor=actor, unit=unit)
    return Member(id=e.seq, name=name, unit=unit, role=role, title=title, trip_quota=trip_quota, reporter=reporter)


async def seed_members(uow: UnitOfWork, cfg: OrgConfig) -> int:
    """Add the file's members that are not there yet (same name in the same unit): safe to re-run."""
    existing = {(m.name, m.unit) for m in await uow.org.members()}
    added = 0
    for seed in cfg.members:
        if (seed.name, seed.unit) in existing:
            continue
        await add_member(uow, name=seed.name, unit=seed.unit, role=seed.role, title=seed.title,
                         trip_quota=seed.trip_quota, reporter=seed.reporter)
        added += 1
    return added


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


async def create_invite(uow: UnitOfWork, *, unit: str, role: Role, ttl: timedelta = timedelta(days=7),
                        member_id: int | None = None, actor: int | None = SYSTEM) -> str:
    """A single-use code (192 random bits, URL-safe, fits a Telegram /start payload); only its hash is stored."""
    cfg = await uow.org.config()
    if cfg is None or not cfg.has_unit(unit):
        raise Refusal("unknown_unit", unit=unit)
    code = secrets.token_urlsafe(24)
    expires = uow.clock.now() + ttl
    await uow.record(ev.INVITE_CREATED, {"code_hash": hash_code(code), "unit": unit, "role": role.value,
                                         "expires_at": expires.isoformat(), "member_id": member_id},
                     actor=actor, unit=unit)
    return code


async def redeem_invite(uow: UnitOfWork, *, code: str, channel: str, external_id: str, chat_id: str,
                        display_name: str) -> Member:
    """Bind a chat identity to a new member of the invite's unit (or to the member it names)."""
    if await uow.org.identity(channel, external_id) is not None:
        raise Refusal("already_registered")
    invite = await uow.org.invite_by_hash(hash_code(code.strip()))
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
        target = await add_member(uow, name=display_name or external_id, unit=invite.unit, role=invite.role)
    await uow.record(ev.INVITE_USED, {"invite_id": invite.id, "member_id": target.id}, actor=target.id,
                     unit=target.unit)
    await bind_identity(uow, target, channel=channel, external_id=external_id, chat_id=chat_id)
    return target


async def bind_identity(uow: UnitOfWork, member: Member, *, channel: str, external_id: str, chat_id: str) -> None:
    await uow.record(ev.IDENTITY_BOUND, {"member_id": member.id, "channel": channel, "external_id": external_id,
                                         "chat_id": chat_id}, actor=member.id, unit=member.unit)
