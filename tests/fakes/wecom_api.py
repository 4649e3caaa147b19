"""An in-process fake of the WeCom (企业微信 / 政务微信) server API, for tests.

``FakeWeCom`` is a real aiohttp server on 127.0.0.1 (random port) that speaks
the subset of the API zsbot uses — gettoken, message/send (text, markdown,
image, file and template_card, the card checked against WeCom's documented
required fields and limits), message/update_template_card, media/upload,
media/get and group-robot webhook/send — with WeCom's errcodes, records
everything it receives, and can be scripted to fail.  It also plays WeCom *toward* a bot:
``post_callback`` / ``verify_url`` build correctly encrypted and signed
callback requests (optionally tampered) and send them to the bot's URL, and
``card_event_xml`` is a person pressing a button of a card it received.

Point a client at ``fake.base_url`` exactly as production points at
``https://qyapi.weixin.qq.com`` or a 政务微信 host.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

from bot.channels.wecom.crypto import WeComCrypto

__all__ = ["FakeWeCom", "card_event_xml", "click_event_xml", "media_message_xml", "text_message_xml"]

ROBOT_MARKDOWN_MAX_BYTES = 4096
ROBOT_MESSAGES_PER_MINUTE = 20
RESPONSE_CODE_SECONDS = 72 * 3600


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


def card_event_xml(
    from_user: str,
    event_key: str,
    task_id: str,
    response_code: str,
    agent_id: int | str,
    *,
    to_user: str,
    card_type: str = "button_interaction",
    selected_items: dict[str, list[str]] | None = None,
    create_time: int | None = None,
) -> str:
    """Inner XML of a template_card_event: ``from_user`` pressed the button ``event_key`` of card
    ``task_id`` (for a vote card: its submit button, with the options chosen per question)."""
    ts = int(time.time()) if create_time is None else create_time
    selected = "".join(
        f"<SelectedItem><QuestionKey>{_cdata(question)}</QuestionKey><OptionIds>"
        + "".join(f"<OptionId>{_cdata(option)}</OptionId>" for option in options)
        + "</OptionIds></SelectedItem>"
        for question, options in (selected_items or {}).items()
    )
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{ts}</CreateTime>"
        f"<MsgType>{_cdata('event')}</MsgType>"
        f"<Event>{_cdata('template_card_event')}</Event>"
        f"<EventKey>{_cdata(event_key)}</EventKey>"
        f"<TaskId>{_cdata(task_id)}</TaskId>"
        f"<CardType>{_cdata(card_type)}</CardType>"
        f"<ResponseCode>{_cdata(response_code)}</ResponseCode>"
        f"<AgentID>{agent_id}</AgentID>"
        f"<SelectedItems>{selected}</SelectedItems></xml>"
    )


def media_message_xml(
    from_user: str, kind: str, media_id: str, msg_id: int | str, agent_id: int | str, *, to_user: str,
    create_time: int | None = None,
) -> str:
    """Inner XML of an image or file message (MsgType image / file with its MediaId)."""
    ts = int(time.time()) if create_time is None else create_time
    extra = "<PicUrl><![CDATA[https://example.invalid/pic]]></PicUrl>" if kind == "image" else ""
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{ts}</CreateTime>"
        f"<MsgType>{_cdata(kind)}</MsgType>{extra}"
        f"<MediaId>{_cdata(media_id)}</MediaId>"
        f"<MsgId>{msg_id}</MsgId>"
        f"<AgentID>{agent_id}</AgentID></xml>"
    )


_TASK_ID = re.compile(r"[0-9A-Za-z_@-]{1,128}")


def card_problem(card: Any) -> str | None:
    """What WeCom would refuse in a button_interaction or vote_interaction card (its documented required
    fields and limits, the advised lengths taken as limits), or None."""
    if not isinstance(card, dict):
        return "template_card must be an object"
    card_type = card.get("card_type")
    if card_type not in ("button_interaction", "vote_interaction"):
        return f"card_type {card_type!r} is not served by this fake"
    task_id = card.get("task_id")
    if not isinstance(task_id, str) or not _TASK_ID.fullmatch(task_id):
        return "task_id must be 1..128 of [0-9A-Za-z_-@]"
    main_title = card.get("main_title") if isinstance(card.get("main_title"), dict) else {}
    title = main_title.get("title")
    if not isinstance(title, str) or not title.strip():
        return "main_title.title is required"
    if len(title) > 36:
        return "main_title.title is longer than 36 characters"
    if len(str(main_title.get("desc", ""))) > 44:
        return "main_title.desc is longer than 44 characters"
    if card_type == "vote_interaction":
        return _vote_problem(card)
    sub = card.get("sub_title_text")
    if sub is not None and (not isinstance(sub, str) or len(sub) > 160):
        return "sub_title_text is longer than 160 characters"
    horizontal = card.get("horizontal_content_list", [])
    if not isinstance(horizontal, list) or len(horizontal) > 6:
        return "horizontal_content_list has more than 6 items"
    for item in horizontal:
        if not isinstance(item, dict) or not isinstance(item.get("keyname"), str) or not item["keyname"]:
            return "horizontal_content_list.keyname is required"
        if len(item["keyname"]) > 5 or len(str(item.get("value", ""))) > 30:
            return "horizontal_content_list keyname over 5 or value over 30 characters"
    buttons = card.get("button_list")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 6:
        return "button_list must have 1..6 buttons"
    keys = []
    for button in buttons:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str) or not button["text"]:
            return "button_list.text is required"
        if len(button["text"]) > 10:
            return "button_list.text is longer than 10 characters"
        key = button.get("key")
        if button.get("type", 0) == 0 and (not isinstance(key, str) or not key):
            return "button_list.key is required"
        if isinstance(key, str) and len(key.encode("utf-8")) > 1024:
            return "button_list.key is longer than 1024 bytes"
        keys.append(key)
    if len(set(keys)) != len(keys):
        return "button_list keys must be unique"
    return None


def _vote_problem(card: dict[str, Any]) -> str | None:
    extra = set(card) - {"card_type", "source", "main_title", "task_id", "checkbox", "submit_button", "replace_text"}
    if extra:
        return f"vote_interaction has no {sorted(extra)}"
    checkbox = card.get("checkbox")
    if not isinstance(checkbox, dict):
        return "checkbox is required"
    question = checkbox.get("question_key")
    if not isinstance(question, str) or not question or len(question.encode("utf-8")) > 1024:
        return "checkbox.question_key is required, at most 1024 bytes"
    options = checkbox.get("option_list")
    if not isinstance(options, list) or not 1 <= len(options) <= 20:
        return "checkbox.option_list must have 1..20 options"
    ids = []
    for option in options:
        if not isinstance(option, dict) or not isinstance(option.get("id"), str) or not option["id"]:
            return "checkbox.option_list.id is required"
        if len(option["id"].encode("utf-8")) > 128:
            return "checkbox.option_list.id is longer than 128 bytes"
        if not isinstance(option.get("text"), str) or not option["text"] or len(option["text"]) > 17:
            return "checkbox.option_list.text is required, at most 17 characters"
        ids.append(option["id"])
    if len(set(ids)) != len(ids):
        return "checkbox.option_list ids must be unique"
    submit = card.get("submit_button")
    if not isinstance(submit, dict) or not isinstance(submit.get("key"), str) or not submit["key"]:
        return "submit_button.key is required"
    if len(str(submit.get("text", ""))) > 10 or len(submit["key"].encode("utf-8")) > 1024:
        return "submit_button text over 10 characters or key over 1024 bytes"
    return None


@dataclass
class SentCard:
    touser: str
    task_id: str
    card: dict[str, Any]
    replaced_with: str | None = None  # the pressed card's greyed-out button text, once updated


@dataclass
class _ResponseCode:
    touser: str
    task_id: str
    issued_at: float
    used: bool = False


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
        #: Template cards, by task id; ``supports_cards=False`` answers them 40008 (older deployments).
        self.cards: dict[str, SentCard] = {}
        self.card_updates: list[dict[str, Any]] = []
        self.supports_cards = True
        self._response_codes: dict[str, _ResponseCode] = {}
        self._tokens: dict[str, float] = {}  # token -> expiry on self.clock
        self._robot_windows: dict[str, deque[float]] = {}
        self._failures: list[_ScriptedFailure] = []
        self._holds: list[tuple[str, float]] = []
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
        app.router.add_post("/cgi-bin/message/update_template_card", self._h_update_card)
        app.router.add_get("/cgi-bin/auth/getuserinfo", self._h_getuserinfo)
        app.router.add_post("/cgi-bin/media/upload", self._h_media_upload)
        app.router.add_get("/cgi-bin/media/get", self._h_media_get)
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

    def hold_next(self, path_suffix: str, seconds: float) -> None:
        """The next call to ``path_suffix`` waits ``seconds``, then answers "system busy" (-1) without
        taking effect: a bot killed meanwhile never got its message through."""
        self._holds.append((path_suffix, seconds))

    async def _held(self, path: str) -> web.Response | None:
        for i, (suffix, seconds) in enumerate(self._holds):
            if path.endswith(suffix):
                del self._holds[i]
                self.api_calls.append(path)
                await asyncio.sleep(seconds)
                return self._answer(-1, "system busy")
        return None

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

    def press(self, from_user: str, task_id: str, event_key: str, *, create_time: int | None = None) -> str:
        """``from_user`` presses ``event_key`` on card ``task_id``: the event XML, with a fresh response code.

        Neither the user nor the key is checked against the card — a forged press is a test's to make.
        """
        code = "rc_" + secrets.token_urlsafe(24)
        self._response_codes[code] = _ResponseCode(from_user, task_id, self.clock())
        return card_event_xml(from_user, event_key, task_id, code, self.agent_id, to_user=self.corp_id,
                              create_time=create_time)

    def vote(self, from_user: str, task_id: str, option_id: str, *, create_time: int | None = None) -> str:
        """``from_user`` chooses ``option_id`` on vote card ``task_id`` and presses its submit button."""
        card = self.cards[task_id].card
        code = "rc_" + secrets.token_urlsafe(24)
        self._response_codes[code] = _ResponseCode(from_user, task_id, self.clock())
        return card_event_xml(from_user, card["submit_button"]["key"], task_id, code, self.agent_id,
                              to_user=self.corp_id, card_type="vote_interaction",
                              selected_items={card["checkbox"]["question_key"]: [option_id]},
                              create_time=create_time)

    def cards_to(self, user: str) -> list[SentCard]:
        return [c for c in self.cards.values() if c.touser == user]

    def add_media(self, kind: str, filename: str, data: bytes) -> str:
        """Media a person sent to the application (an image or a file): its MediaId for media/get."""
        stored = StoredMedia("fake-in-" + secrets.token_hex(10), kind, filename, data)
        self.media[stored.media_id] = stored
        return stored.media_id

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
        if (held := await self._held(request.path)) is not None:
            return held
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
        elif msgtype == "template_card" and self.supports_cards:
            if (problem := card_problem(part)) is not None:
                return self._answer(40058, f"invalid template_card: {problem}")
            if part["task_id"] in self.cards:
                return self._answer(40058, "task_id already used by this application")
            if "|" in touser or touser.startswith("@"):
                return self._answer(40058, "this fake sends a card to one person")
            self.cards[part["task_id"]] = SentCard(touser, part["task_id"], part)
            record["card"] = part
            self.sent.append(record)
            code = "rc_" + secrets.token_urlsafe(24)
            self._response_codes[code] = _ResponseCode(touser, part["task_id"], self.clock())
            return self._answer(0, "ok", invaliduser="", msgid=secrets.token_hex(8), response_code=code)
        else:
            return self._answer(40008, "invalid message type")
        self.sent.append(record)
        return self._answer(0, "ok", invaliduser="", msgid=secrets.token_hex(8))

    async def _h_update_card(self, request: web.Request) -> web.Response:
        """Grey out a card's buttons with ``button.replace_name``: one call per response code, 72 hours."""
        if (scripted := self._scripted(request.path)) is not None:
            return scripted
        if (refused := self._check_token(request)) is not None:
            return refused
        try:
            body = json.loads(await request.read())
        except ValueError:
            return self._answer(47001, "data format error")
        if not isinstance(body, dict) or body.get("agentid") != self.agent_id:
            return self._answer(40056, "invalid agentid")
        issued = self._response_codes.get(str(body.get("response_code", "")))
        if issued is None or issued.used or self.clock() - issued.issued_at > RESPONSE_CODE_SECONDS:
            return self._answer(40058, "invalid response_code: unknown, used or older than 72 hours")
        name = (body.get("button") or {}).get("replace_name") if isinstance(body.get("button"), dict) else None
        if not isinstance(name, str) or not name:
            return self._answer(40058, "button.replace_name is required")
        users = body.get("userids")
        if not isinstance(users, list) or issued.touser not in users:
            return self._answer(81013, "user & party & tag all invalid")
        issued.used = True
        card = self.cards.get(issued.task_id)
        if card is not None and card.touser == issued.touser:
            card.replaced_with = name
        self.card_updates.append({"task_id": issued.task_id, "touser": issued.touser, "replace_name": name})
        return self._answer(0, "ok", invaliduser=[])

    async def _h_media_get(self, request: web.Request) -> web.Response:
        """The bytes of a media id, as WeCom serves them: the file with Content-Disposition, or a JSON error."""
        if (scripted := self._scripted(request.path)) is not None:
            return scripted
        if (refused := self._check_token(request)) is not None:
            return refused
        stored = self.media.get(request.query.get("media_id", ""))
        if stored is None:
            return self._answer(40007, "invalid media_id")
        name = stored.filename or stored.media_id
        ascii_name = name.encode("ascii", "replace").decode("ascii").replace('"', "_")
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
        return web.Response(body=stored.data, content_type="application/octet-stream",
                            headers={"Content-Disposition": disposition})

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
