"""Sessions and CSRF: the cookie is `session id . HMAC`, the row behind it lives in `web_sessions`;
a form's token is an HMAC of the session id, so a page from another site cannot post for a member."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web

from core.errors import Refusal
from core.roles import Role
import secrets
from urllib.parse import quote, urlencode

from core.usecases.web_login import digest, redeem_bound_identity, redeem_link, session_member
from web.config import WebConfig
from web.render import CONFIG, CSRF, DB, MEMBER, SESSION, page, problem, t

COOKIE = "zsbot_session"
OAUTH_COOKIE = "zsbot_oauth"      # the `state` of a WeCom authorisation under way, signed
OAUTH_SECONDS = 600
IN_WECOM = "wxwork"               # WeCom's in-app browser (wxwork/…; 政务微信 builds wxworklocal/…) in its User-Agent
PUBLIC = ("/login", "/static/", "/font/", "/favicon.ico")
TOUCH_EVERY = timedelta(seconds=60)
UPLOAD_PATH, UPLOAD_MAX = "/org/import", 16 * 1024 * 1024   # web/pages_import.py: the office's 台账 upload
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
    if found is None and cfg.wecom is not None and request.method == "GET" and IN_WECOM in request.headers.get(
            "User-Agent", ""):
        return web.Response(status=302, headers={"Location": "/login/wecom"})  # inside WeCom: no link needed
    if found is None:
        tampered = request.cookies.get(COOKIE) is not None and session_id is None
        response = await page(request, "login_needed.html", {"tampered": tampered, "expired": session_id is not None,
                                                             "wecom": cfg.wecom is not None}, status=401)
        if request.cookies.get(COOKIE) is not None:
            response.del_cookie(COOKIE, path="/")
        return response
    member, session = found
    assert session_id is not None  # a session was found by it
    if request.method == "POST" and request.path == UPLOAD_PATH and member.role is Role.OFFICE_ADMIN:
        request = request.clone(client_max_size=UPLOAD_MAX)  # the 台账 upload; every other body stays small
    request[MEMBER], request[SESSION] = member, session_id
    request[CSRF] = csrf_token(cfg, session_id)
    if request.method == "POST":
        try:
            form = await request.post()
        except web.HTTPRequestEntityTooLarge:
            return await problem(request, 413, t("web.too_large"), t("web.too_large_hint"))
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
        return await page(request, "login_needed.html", {"tampered": False, "expired": False,
                                                         "wecom": request.app[CONFIG].wecom is not None}, status=401)
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
    return _logged_in(cfg, session_id)


def _logged_in(cfg: WebConfig, session_id: str) -> web.Response:
    response = web.Response(status=303, headers={"Location": "/"})
    response.set_cookie(COOKIE, cookie_value(cfg, session_id), httponly=True, samesite="Lax",
                        secure=cfg.secure_cookie, path="/")
    return response


async def wecom_start(request: web.Request) -> web.StreamResponse:
    """GET /login/wecom: off to 企业微信网页授权 (snsapi_base: no consent screen inside WeCom) with a fresh
    `state`, which this browser keeps in a signed cookie until WeCom sends it back."""
    cfg = request.app[CONFIG]
    if cfg.wecom is None:
        return await problem(request, 404, t("web.wecom_off"), t("web.wecom_off_hint"))
    state = secrets.token_urlsafe(16)
    query = urlencode({"appid": cfg.wecom.corp_id, "redirect_uri": cfg.base_url.rstrip("/") + "/login/wecom/callback",
                       "response_type": "code", "scope": "snsapi_base", "state": state,
                       "agentid": str(cfg.wecom.agent_id)}, quote_via=quote)
    response = web.Response(status=302, headers={"Location": f"{cfg.wecom.authorize_url}?{query}#wechat_redirect"})
    response.set_cookie(OAUTH_COOKIE, f"{state}.{sign(cfg, 'oauth:' + state)}", httponly=True, samesite="Lax",
                        secure=cfg.secure_cookie, path="/login/wecom", max_age=OAUTH_SECONDS)
    return response


async def wecom_callback(request: web.Request) -> web.StreamResponse:
    """GET /login/wecom/callback?code=…&state=…: the state must be this browser's; the code names a WeCom
    userid (cgi-bin/auth/getuserinfo), and the member bound to it on the wecom channel logs in."""
    cfg, db = request.app[CONFIG], request.app[DB]
    if cfg.wecom is None:
        return await problem(request, 404, t("web.wecom_off"), t("web.wecom_off_hint"))
    raw = request.cookies.get(OAUTH_COOKIE, "")
    state, _, mac = raw.rpartition(".")
    given = request.query.get("state", "")
    if not state or not hmac.compare_digest(mac, sign(cfg, "oauth:" + state)) or not hmac.compare_digest(state, given):
        return await _oauth_refused(request, 400, t("web.wecom_state"), t("web.wecom_state_hint"))
    code = request.query.get("code", "")
    userid = await cfg.wecom.userid(code) if code else None
    if userid is None:
        return await _oauth_refused(request, 403, t("web.wecom_refused"), t("web.wecom_refused_hint"))
    try:
        async with db.uow() as uow:
            _member, session_id = await redeem_bound_identity(uow, cfg.wecom.channel, userid, address(request))
            await uow.commit()
    except Refusal as refusal:
        return await _oauth_refused(request, 403, t(f"refusal.{refusal.code}"), t("web.get_link"))
    response = _logged_in(cfg, session_id)
    response.del_cookie(OAUTH_COOKIE, path="/login/wecom")
    return response


async def _oauth_refused(request: web.Request, status: int, what: str, todo: str) -> web.Response:
    response = await problem(request, status, what, todo)
    response.del_cookie(OAUTH_COOKIE, path="/login/wecom")
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

