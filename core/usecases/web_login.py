"""Logging in to the web console without a password: a one-time link (10 minutes, single use,
192 random bits, only its hash stored) opens a session whose id the browser keeps in a signed cookie."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from core.errors import Refusal
from core.ports import UnitOfWork
from core.records import Member
from core.web_access import WebSession

LINK_TTL = timedelta(minutes=10)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


async def issue_link(uow: UnitOfWork, member: Member) -> str:
    """A new login token for the member; the caller builds the URL and commits."""
    if not member.active:
        raise Refusal("web_member_inactive")
    token = secrets.token_urlsafe(24)
    now = uow.clock.now()
    await uow.web.add_link(digest(token), member.id, now, now + LINK_TTL)
    return token


async def redeem_link(uow: UnitOfWork, token: str, address: str) -> tuple[Member, str]:
    """Spend a link and open a session: (member, session id). Refused before anything is written."""
    key = digest(token.strip())
    link = await uow.web.link(key)
    now = uow.clock.now()
    if link is None:
        raise Refusal("web_link_unknown")
    if link.used_at is not None:
        raise Refusal("web_link_used")
    if link.expires_at <= now:
        raise Refusal("web_link_expired")
    member = await uow.org.member(link.member_id)
    if member is None or not member.active:
        raise Refusal("web_member_inactive")
    await uow.web.use_link(key, now)
    return member, await _open_session(uow, member, "一次性链接", address)


async def redeem_bound_identity(uow: UnitOfWork, channel: str, external_id: str, address: str
                                ) -> tuple[Member, str]:
    """企业微信网页授权: the member bound to this WeCom userid gets a session, as a spent link would."""
    identity = await uow.org.identity(channel, external_id)
    if identity is None:
        raise Refusal("web_wecom_unbound")
    member = await uow.org.member(identity.member_id)
    if member is None or not member.active:
        raise Refusal("web_member_inactive")
    return member, await _open_session(uow, member, "企业微信网页授权", address)


async def _open_session(uow: UnitOfWork, member: Member, how: str, address: str) -> str:
    now = uow.clock.now()
    session_id = secrets.token_urlsafe(32)
    await uow.web.add_session(digest(session_id), member.id, now)
    await uow.web.audit(now, member.id, "login", how, address)
    return session_id


async def session_member(uow: UnitOfWork, session_id: str, idle: timedelta) -> tuple[Member, WebSession] | None:
    """The member behind a live session, or None (unknown, logged out, idle too long, member gone)."""
    session = await uow.web.session(digest(session_id))
    if session is None or session.ended_at is not None or session.last_seen + idle <= uow.clock.now():
        return None
    member = await uow.org.member(session.member_id)
    if member is None or not member.active:
        return None
    return member, session
