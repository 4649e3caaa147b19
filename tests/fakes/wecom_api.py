"""An in-process fake of the WeCom (企业微信 / 政务微信) server API, for tests.

``FakeWeCom`` is a real aiohttp server on 127.0.0.1 (random port) that speaks
the subset of the API zsbot uses — gettoken, message/send, media/upload and
group-robot webhook/send — with WeCom's errcodes, records everything it
receives, and can be scripted to fail.  It also plays WeCom *toward* a bot:
``post_callback`` / ``verify_url`` build correctly encrypted and signed
callback requests (optionally tampered) and send them to the bot's URL.

Point a client at ``fake.base_url`` exactly as production points at
``https://qyapi.weixin.qq.com`` or a 政务微信 host.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.wecom.crypto import WeComCrypto

__all__ = ["FakeWeCom", "click_event_xml", "text_message_xml"]

ROBOT_MARKDOWN_MAX_BYTES = 4096
ROBOT_MESSAGES_PER_MINUTE = 20


def _cdata(value: str) -> str:
    # "]]>" cannot appear inside CDATA; split it across two sections.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_message_xml(
    from_user: str,
    content: str,
    msg_id: int | str,
    agent_id: int | str,
    *,
    to_user: str,
    create_time: int | None = None,
) -> str:
    """Inner (decrypted) XML of a text message from ``from_user`` to the app."""
    ts = int(time.time()) if create_time is None else create_time
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{ts}</CreateTime>"
        f"<MsgType>{_cdata('text')}</MsgType>"
        f"<Content>{_cdata(content)}</Content>"
        f"<MsgId>{msg_id}</MsgId>"
        f"<AgentID>{agent_id}</AgentID></xml>"
    )


def click_event_xml(
    from_user: str,
    event_key: str,
    agent_id: int | str,
    *,
    to_user: str,
    create_time: int | None = None,
) -> str:
    """Inner XML of a custom-menu click event."""
    ts = int(time.time()) if create_time is None else create_time
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{ts}</CreateTime>"
        f"<MsgType>{_cdata('event')}</MsgType>"
        f"<Event>{_cdata('click')}</Event>"
        f"<EventKey>{_cdata(event_key)}</EventKey>"
        f"<AgentID>{agent_id}</AgentID></xml>"
    )


@dataclass
class _ScriptedFailure:
    path_suffix: str
    errcode: int
    remaining: int
    errmsg: str


@dataclass
class StoredMedia:
    media_id: str
    kind: str
    filename: str | None
    data: bytes


class FakeWeCom:
    """Fake WeCom API server.  Use ``async with FakeWeCom() as fake: ...``.

    Recorded traffic:
      * ``token_requests`` — one dict per gettoken call (corpid, secret_ok, token)
      * ``sent`` — accepted message/send calls: touser, msgtype, agentid,
        content (text/markdown), media_id, media (bytes), filename
      * ``uploads`` / ``media`` — stored uploads, by order / by media_id
      * ``robot_messages`` — accepted webhook posts: key, msgtype, content (images and
        files also: data, filename)
      * ``api_calls`` — every request path hit (including refused ones)
    """

    def __init__(
        self,
        *,
        corp_id: str = "ww0fakecorp000001",
        secret: str = "fake-corp-secret-0123456789abcdef",
        agent_id: int = 1000002,
        token_expires_in: int = 7200,
        robot_rate_limit: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.token_expires_in = token_expires_in
        self.robot_rate_limit = robot_rate_limit
        self.clock = clock
        self.token_requests: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.uploads: list[StoredMedia] = []
        self.media: dict[str, StoredMedia] = {}
        self.robot_messages: list[dict[str, Any]] = []
        self.api_calls: list[str] = []
        self.robot_keys: set[str] = set()
        self._tokens: dict[str, float] = {}  # token -> expiry on self.clock
        self._robot_windows: dict[str, deque[float]] = {}
        self._failures: list[_ScriptedFailure] = []
        self._oauth_codes: dict[str, str] = {}  # one-time OAuth code -> userid
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._http: aiohttp.ClientSession | None = None

    # ------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeWeCom is not started")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/cgi-bin/gettoken", self._h_gettoken)
        app.router.add_post("/cgi-bin/message/send", self._h_message_send)
        app.router.add_get("/cgi-bin/auth/getuserinfo", self._h_getuserinfo)
        app.router.add_post("/cgi-bin/media/upload", self._h_media_upload)
        app.router.add_post("/cgi-bin/webhook/send", self._h_webhook_send)
        app.router.add_post("/cgi-bin/webhook/upload_media", self._h_webhook_upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._port = None

    async def __aenter__(self) -> FakeWeCom:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -------------------------------------------------------------- control

    def fail_next(self, path_suffix: str, errcode: int, times: int = 1, errmsg: str | None = None) -> None:
        """Answer the next ``times`` requests whose path ends with ``path_suffix`` with ``errcode``."""
        self._failures.append(
            _ScriptedFailure(path_suffix, errcode, times, errmsg or f"scripted error {errcode}")
        )

    def add_robot(self, key: str | None = None) -> str:
        """Register a group robot; returns its webhook key."""
        key = key or secrets.token_hex(16)
        self.robot_keys.add(key)
        return key

    def oauth_code(self, userid: str) -> str:
        """What WeCom appends to the redirect_uri after 网页授权 for `userid` (single use, as WeCom's)."""
        code = "fake-code-" + secrets.token_hex(8)
        self._oauth_codes[code] = userid
        return code

    def expire_tokens(self) -> None:
        """Make every issued token expired (next use answers 42001)."""
        for token in self._tokens:
            self._tokens[token] = float("-inf")

    def revoke_tokens(self) -> None:
        """Forget every issued token (next use answers 40014)."""
        self._tokens.clear()

    @property
    def issued_tokens(self) -> list[str]:
        return list(self._tokens)

    def text_message_xml(
        self,
        from_user: str,
        content: str,
        msg_id: int | str,
        agent_id: int | str | None = None,
        *,
        to_user: str | None = None,
        create_time: int | None = None,
    ) -> str:
        """:func:`text_message_xml` defaulting to this fake's corp id and agent id."""
        return text_message_xml(
            from_user,
            content,
            msg_id,
            self.agent_id if agent_id is None else agent_id,
            to_user=to_user or self.corp_id,
            create_time=create_time,
        )

    def click_event_xml(
        self,
        from_user: str,
        event_key: str,
        agent_id: int | str | None = None,
        *,
        to_user: str | None = None,
        create_time: int | None = None,
    ) -> str:
        """:func:`click_event_xml` defaulting to this fake's corp id and agent id."""
        return click_event_xml(
            from_user,
            event_key,
            self.agent_id if agent_id is None else agent_id,
            to_user=to_user or self.corp_id,
            create_time=create_time,
        )

    # ------------------------------------------------------ playing WeCom

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        return self._http

    async def post_callback(
        self,
        url: str,
        inner_xml: str,
        *,
        crypto: WeComCrypto,
        tamper: str | None = None,
        timestamp: str | None = None,
        nonce: str | None = None,
    ) -> tuple[int, str]:
        """POST an encrypted, signed callback to a bot's URL; return (status, body).

        ``tamper``: None; "signature" (wrong msg_signature); "corpid" (payload
        addressed to another corp, correctly signed); "ciphertext" (not a whole
        number of AES blocks, correctly signed); "xml" (envelope with a
        DOCTYPE/external entity, correctly signed).
        A passive reply in the body can be read with ``crypto.decrypt_reply_xml``.
        """
        if tamper not in (None, "signature", "corpid", "ciphertext", "xml"):
            raise ValueError(f"unknown tamper mode {tamper!r}")
        ts = timestamp or str(int(time.time()))
        nc = nonce or str(secrets.randbelow(10**10))
        receive_id = "wx_not_this_corp_id" if tamper == "corpid" else None
        encrypted, signature = crypto.encrypt(inner_xml, nonce=nc, timestamp=ts, receive_id=receive_id)
        if tamper == "ciphertext":
            raw = base64.b64decode(encrypted)[:-3]
            encrypted = base64.b64encode(raw).decode("ascii")
            signature = crypto.signature(ts, nc, encrypted)
        if tamper == "signature":
            signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
        envelope = (
            f"<xml><ToUserName>{_cdata(crypto.receive_id)}</ToUserName>"
            f"<Encrypt>{_cdata(encrypted)}</Encrypt>"
            f"<AgentID>{_cdata(str(self.agent_id))}</AgentID></xml>"
        )
        if tamper == "xml":
            envelope = (
                '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                f"<xml><ToUserName>&xxe;</ToUserName><Encrypt>{_cdata(encrypted)}</Encrypt></xml>"
            )
        params = {"msg_signature": signature, "timestamp": ts, "nonce": nc}
        async with self._client().post(
            url, params=params, data=envelope.encode("utf-8"), headers={"Content-Type": "text/xml"}
        ) as resp:
            return resp.status, await resp.text()

    async def verify_url(
        self,
        url: str,
        crypto: WeComCrypto,
        echostr_plain: str,
        *,
        tamper: str | None = None,
    ) -> tuple[int, str]:
        """Do the GET URL-verification handshake against a bot; return (status, body).

        A correct bot answers 200 with exactly ``echostr_plain``.
        ``tamper`` may be "signature" or "corpid".
        """
        if tamper not in (None, "signature", "corpid"):
            raise ValueError(f"unknown tamper mode {tamper!r}")
        ts = str(int(time.time()))
        nc = str(secrets.randbelow(10**10))
        receive_id = "wx_not_this_corp_id" if tamper == "corpid" else None
        echostr, signature = crypto.encrypt(echostr_plain, nonce=nc, timestamp=ts, receive_id=receive_id)
        if tamper == "signature":
            signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
        params = {"msg_signature": signature, "timestamp": ts, "nonce": nc, "echostr": echostr}
        async with self._client().get(url, params=params) as resp:
            return resp.status, await resp.text()

    # ------------------------------------------------------------ handlers

    @staticmethod
    def _answer(errcode: int, errmsg: str = "ok", **extra: Any) -> web.Response:
        # WeCom answers HTTP 200 with an errcode for every API-level failure.
        return web.json_response({"errcode": errcode, "errmsg": errmsg, **extra})

    def _scripted(self, path: str) -> web.Response | None:
        self.api_calls.append(path)
        for failure in self._failures:
            if failure.remaining > 0 and path.endswith(failure.path_suffix):
                failure.remaining -= 1
                self._failures = [f for f in self._failures if f.remaining > 0]
                return self._answer(failure.errcode, failure.errmsg)
        return None

    def _check_token(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        if not token or token not in self._tokens:
            return self._answer(40014, "invalid access_token")
        if self.clock() >= self._tokens[token]:
            return self._answer(42001, "access_token expired")
        return None

    async def _h_gettoken(self, request: web.Request) -> web.Response:
        if (scripted := self._scripted(request.path)) is not None:
            return scripted
        corpid = request.query.get("corpid", "")
        secret_ok = secrets.compare_digest(request.query.get("corpsecret", ""), self.secret)
        record: dict[str, Any] = {"corpid": corpid, "secret_ok": secret_ok, "token": None}
        self.token_requests.append(record)
        if corpid != self.corp_id:
            return self._answer(40013, "invalid corpid")
        if not secret_ok:
            return self._answer(40001, "invalid credential")
        token = "fake-token-" + secrets.token_hex(12)
        self._tokens[token] = self.clock() + self.token_expires_in
        record["token"] = token
        return self._answer(0, "ok", access_token=token, expires_in=self.token_expires_in)

    async def _h_getuserinfo(self, request: web.Request) -> web.Response:
        if (scripted := self._scripted(request.path)) is not None:
            return scripted
        if (refused := self._check_token(request)) is not None:
            return refused
        userid = self._oauth_codes.pop(request.query.get("code", ""), None)
        if userid is None:
            return self._answer(40029, "invalid code")
        return self._answer(0, "ok", userid=userid, user_ticket="fake-ticket")

    async def _h_message_send(self, request: web.Request) -> web.Response:
        if (scripted := self._scripted(request.path)) is not None:
            return scripted
        if (refused := self._check_token(request)) is not None:
            return refused
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self._answer(47001, "data format error")
        if not isinstance(body, dict):
            return self._answer(47001, "data format error")
        if body.get("agentid") != self.agent_id:
            return self._answer(40056, "invalid agentid")
        touser = body.get("touser")
        if not touser:
            return self._answer(81013, "user & party & tag all invalid")
        msgtype = body.get("msgtype")
        part = body.get(msgtype) if isinstance(msgtype, str) else None
        if not isinstance(part, dict):
            return self._answer(40008, "invalid message type")
        record: dict[str, Any] = {
            "touser": touser,
            "msgtype": msgtype,
            "agentid": body["agentid"],
            "content": None,
            "media_id": None,
            "media": None,
            "filename": None,
        }
        if msgtype in ("text", "markdown"):
            content = part.get("content")
            if not content:
                return self._answer(44004, "empty content")
            record["content"] = content
        elif msgtype in ("image", "file"):
            stored = self.media.get(str(part.get("media_id")))
            if stored is None:
                return self._answer(40007, "invalid media_id")
            record.update(media_id=stored.media_id, media=stored.data, filename=stored.filename)
        else:
            return self._answer(40008, "invalid message type")
        self.sent.append(record)
        return self._answer(0, "ok", invaliduser="", msgid=secrets.token_hex(8))

    async def _h_media_upload(self, request: web.Request) -> web.Response:
        if (scripted := self._scripted(request.path)) is not None:
            return scripted
        if (refused := self._check_token(request)) is not None:
            return refused
        kind = request.query.get("type", "")
        if kind not in ("image", "voice", "video", "file"):
            return self._answer(40004, "invalid media type")
        try:
            reader = await request.multipart()
        except (AssertionError, ValueError, KeyError):
            return self._answer(41005, "media data missing")
        stored: StoredMedia | None = None
        async for field in reader:
            if isinstance(field, aiohttp.BodyPartReader) and field.name == "media":
                data = bytes(await field.read())
                stored = StoredMedia(
                    media_id="fake-media-" + secrets.token_hex(10),
                    kind=kind,
                    filename=field.filename,
                    data=data,
                )
        if stored is None or not stored.data:
            return self._answer(41005, "media data missing")
        self.uploads.append(stored)
        self.media[stored.media_id] = stored
        return self._answer(0, "ok", type=kind, media_id=stored.media_id, created_at=str(int(time.time())))

    async def _h_webhook_send(self, request: web.Request) -> web.Response:
        if (scripted := self._scripted(request.path)) is not None:
            return scripted
        key = request.query.get("key", "")
        if key not in self.robot_keys:
            return self._answer(93000, "invalid webhook url")
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self._answer(40035, "invalid parameter")
        msgtype = body.get("msgtype") if isinstance(body, dict) else None
        if msgtype in ("image", "file"):
            return self._robot_media(key, msgtype, body.get(msgtype))
        if msgtype not in ("text", "markdown"):
            return self._answer(40008, "invalid message type")
        content = (body.get(msgtype) or {}).get("content", "")
        if not isinstance(content, str) or not content:
            return self._answer(44004, "empty content")
        limit = ROBOT_MARKDOWN_MAX_BYTES if msgtype == "markdown" else 2048
        if len(content.encode("utf-8")) > limit:
            return self._answer(40058, "content exceed max length")
        if (limited := self._robot_rate(key)) is not None:
            return limited
        self.robot_messages.append({"key": key, "msgtype": msgtype, "content": content})
        return self._answer(0, "ok")

    def _robot_media(self, key: str, msgtype: str, part: Any) -> web.Response:
        """An image (base64 + md5 of the bytes) or a file (media_id from webhook/upload_media)."""
        if not isinstance(part, dict):
            return self._answer(40008, "invalid message type")
        if msgtype == "image":
            try:
                data = base64.b64decode(str(part.get("base64", "")), validate=True)
            except ValueError:
                return self._answer(40009, "invalid image size")
            if not data or len(data) > 2 * 1024 * 1024 or hashlib.md5(data).hexdigest() != part.get("md5"):
                return self._answer(40009, "invalid image size")
            filename = None
        else:
            stored = self.media.get(str(part.get("media_id")))
            if stored is None:
                return self._answer(40007, "invalid media_id")
            data, filename = stored.data, stored.filename
        if (limited := self._robot_rate(key)) is not None:
            return limited
        self.robot_messages.append({"key": key, "msgtype": msgtype, "content": "", "data": data,
                                    "filename": filename})
        return self._answer(0, "ok")

    async def _h_webhook_upload(self, request: web.Request) -> web.Response:
        if (scripted := self._scripted(request.path)) is not None:
            return scripted
        if request.query.get("key", "") not in self.robot_keys:
            return self._answer(93000, "invalid webhook url")
        if request.query.get("type") != "file":
            return self._answer(40004, "invalid media type")
        reader = await request.multipart()
        async for field in reader:
            if isinstance(field, aiohttp.BodyPartReader) and field.name == "media":
                stored = StoredMedia("fake-robot-media-" + secrets.token_hex(10), "file", field.filename,
                                     bytes(await field.read()))
                self.uploads.append(stored)
                self.media[stored.media_id] = stored
                return self._answer(0, "ok", type="file", media_id=stored.media_id)
        return self._answer(41005, "media data missing")

    def _robot_rate(self, key: str) -> web.Response | None:
        if self.robot_rate_limit:
            now = self.clock()
            window = self._robot_windows.setdefault(key, deque())
            while window and now - window[0] >= 60.0:
                window.popleft()
            if len(window) >= ROBOT_MESSAGES_PER_MINUTE:
                return self._answer(45009, "api freq out of limit")
            window.append(now)
        return None
