"""Sessions and CSRF: the cookie is `session id . HMAC`, the row behind it lives in `web_sessions`;
a form's token is an HMAC of the session id, so a page from another site cannot post for a member."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web

from core.errors import Refusal
from core.usecases.web_login import digest, redeem_link, session_member
from web.config import WebConfig
from web.render import CONFIG, CSRF, DB, MEMBER, SESSION, page, problem, t

COOKIE = "zsbot_session"
PUBLIC = ("/login", "/static/", "/font/", "/favicon.ico")
TOUCH_EVERY = timedelta(seconds=60)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def sign(cfg: WebConfig, value: str) -> str:
    return hmac.new(cfg.secret, value.encode("utf-8"), hashlib.sha256).hexdigest()


def cookie_value(cfg: WebConfig, session_id: str) -> str:
    return f"{session_id}.{sign(cfg, 'session:' + session_id)}"


def read_cookie(cfg: WebConfig, raw: str | None) -> str | None:
    """The session id, or None for a missing or tampered cookie."""
    if not raw or "." not in raw:
        return None
    session_id, _, mac = raw.rpartition(".")
    return session_id if hmac.compare_digest(mac, sign(cfg, "session:" + session_id)) else None


def csrf_token(cfg: WebConfig, session_id: str) -> str:
    return sign(cfg, "csrf:" + session_id)


def address(request: web.Request) -> str:
    """The client's address; behind a proxy on the same host, the one it forwards (X-Forwarded-For)."""
    remote = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded and remote in ("127.0.0.1", "::1"):
        return forwarded.split(",")[-1].strip()
    return remote


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every page but the login is for a member with a live session; POSTs carry the form's CSRF token."""
    if request.path.startswith(PUBLIC):
        return await handler(request)
    cfg, db = request.app[CONFIG], request.app[DB]
    session_id = read_cookie(cfg, request.cookies.get(COOKIE))
    found = None
    if session_id is not None:
        async with db.uow(readonly=True) as uow:
            found = await session_member(uow, session_id, cfg.idle)
    if found is None:
        tampered = request.cookies.get(COOKIE) is not None and session_id is None
        response = await page(request, "login_needed.html", {"tampered": tampered,
                                                             "expired": session_id is not None}, status=401)
        if request.cookies.get(COOKIE) is not None:
            response.del_cookie(COOKIE, path="/")
        return response
    member, session = found
    assert session_id is not None  # a session was found by it
    request[MEMBER], request[SESSION] = member, session_id
    request[CSRF] = csrf_token(cfg, session_id)
    if request.method == "POST":
        form = await request.post()
        if not hmac.compare_digest(str(form.get("csrf", "")), request[CSRF]):
            return await problem(request, 403, t("web.csrf"), t("web.csrf_hint"))
    now = db.clock.now()
    if now - session.last_seen >= TOUCH_EVERY:
        async with db.uow() as uow:
            await uow.web.touch_session(session.id_hash, now)
            await uow.commit()
    return await handler(request)


async def login_page(request: web.Request) -> web.StreamResponse:
    """GET /login?t=TOKEN: a button that spends the link. GET never spends it, so a chat app that
    previews the link (Telegram, WeCom fetch it) cannot use it up before the member clicks."""
    token = request.query.get("t", "")
    if not token:
        return await page(request, "login_needed.html", {"tampered": False, "expired": False}, status=401)
    return await page(request, "login.html", {"token": token})


async def login_post(request: web.Request) -> web.StreamResponse:
    cfg, db = request.app[CONFIG], request.app[DB]
    form = await request.post()
    try:
        async with db.uow() as uow:
            member, session_id = await redeem_link(uow, str(form.get("t", "")), address(request))
            await uow.commit()
    except Refusal as refusal:
        return await problem(request, 410 if refusal.code == "web_link_expired" else 400,
                             t(f"refusal.{refusal.code}"), t("web.get_link"))
    response = web.Response(status=303, headers={"Location": "/"})
    response.set_cookie(COOKIE, cookie_value(cfg, session_id), httponly=True, samesite="Lax",
                        secure=cfg.secure_cookie, path="/")
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    db = request.app[DB]
    async with db.uow() as uow:
        await uow.web.end_session(digest(request[SESSION]), uow.clock.now())
        await uow.web.audit(uow.clock.now(), request[MEMBER].id, "logout", "", address(request))
        await uow.commit()
    response = await page(request, "logged_out.html", {})
    response.del_cookie(COOKIE, path="/")
    return response

