"""Narrow async client for the WeCom (企业微信) / 政务微信 server API.

Only what the zsbot channel needs: access-token management, application
messages (text, markdown, image, file), temporary media upload, and group-robot
(webhook) markdown.  政务微信 deployments serve the same API from their own
host, so every URL is built from ``base_url`` (default
``https://qyapi.weixin.qq.com``).

Token handling: the token from ``/cgi-bin/gettoken`` is cached and refreshed
a little before it expires (5 minutes for the usual 7200 s lifetime); an API
answer with errcode 40001 / 40014 / 42001 drops it and the call is retried
exactly once with a fresh token.  A single ``asyncio.Lock`` guarantees one
in-flight refresh however many coroutines call at once.

Secrets: the corp secret, the access token and robot webhook keys travel in
query strings, so any text that reaches an exception message is redacted and
exceptions from aiohttp are never chained (their ``str`` may contain the URL).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Literal

import aiohttp

__all__ = [
    "DEFAULT_BASE_URL",
    "APP_MARKDOWN_MAX_BYTES",
    "APP_TEXT_MAX_BYTES",
    "ROBOT_MARKDOWN_MAX_BYTES",
    "WeComApiError",
    "WeComClient",
    "WeComMaybeSent",
    "WeComNetworkError",
    "WeComRateLimited",
]

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
#: Application text/markdown bodies: WeCom truncates text and rejects markdown
#: beyond 2048 UTF-8 bytes, so we refuse early and let the caller split.
APP_TEXT_MAX_BYTES = 2048
APP_MARKDOWN_MAX_BYTES = 2048
#: Group-robot markdown limit (errcode 40058 beyond it).
ROBOT_MARKDOWN_MAX_BYTES = 4096
#: Group-robot images: JPG/PNG of at most 2 MB before base64.
ROBOT_IMAGE_MAX_BYTES = 2 * 1024 * 1024
#: Temporary media size limits documented for /cgi-bin/media/upload.
_MEDIA_MAX_BYTES = {"image": 10 * 1024 * 1024, "file": 20 * 1024 * 1024}
_MEDIA_MIN_BYTES = 5

#: errcodes meaning "this access token is no good": 40001 invalid credential,
#: 40014 invalid access_token, 42001 access_token expired.
_TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
#: 45009 API frequency limit, 45033 concurrency limit: caller should back off.
_RATE_LIMIT_ERRCODES = frozenset({45009, 45033})
#: Refresh this long before expiry (clamped to half the lifetime for short tokens).
_REFRESH_MARGIN_S = 300.0

_SECRET_QUERY = re.compile(r"(access_token|corpsecret|key)=[^&\s'\"]*", re.IGNORECASE)


class WeComApiError(Exception):
    """WeCom answered with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str, *, path: str = "") -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path
        where = f" ({path})" if path else ""
        super().__init__(f"WeCom API error {errcode}{where}: {errmsg}")


class WeComRateLimited(WeComApiError):
    """errcode 45009 / 45033: too many calls; back off before retrying."""


class WeComNetworkError(Exception):
    """Transport failure: connection, timeout, non-2xx HTTP status or a non-JSON body."""


class WeComMaybeSent(WeComNetworkError):
    """The request may have reached WeCom (a timeout, a dropped connection): a retry could duplicate it.

    The plain WeComNetworkError means it did not (the connection never opened, or an HTTP error status).
    """


class WeComClient:
    """Async client for one WeCom self-built application (corp id + secret + agent id)."""

    def __init__(
        self,
        base_url: str,
        corp_id: str,
        secret: str,
        agent_id: int,
        *,
        session: aiohttp.ClientSession | None = None,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 15.0,
    ) -> None:
        base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if not base.startswith(("https://", "http://")):
            raise ValueError("base_url must start with https:// or http://")
        if not corp_id or not secret:
            raise ValueError("corp_id and secret are required")
        self.base_url = base
        self.corp_id = corp_id
        self.agent_id = int(agent_id)
        self._secret = secret
        self._session = session
        self._owns_session = session is None
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._token: str | None = None
        self._token_refresh_at = 0.0
        self._token_lock = asyncio.Lock()
        # Robot webhook keys are bearer credentials too; remember them for redaction.
        self._robot_keys: set[str] = set()

    def __repr__(self) -> str:
        return f"WeComClient(base_url={self.base_url!r}, corp_id={self.corp_id!r}, agent_id={self.agent_id})"

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> WeComClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client created it (a passed-in one is the caller's)."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        # Created lazily: a ClientSession must be born inside the running loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._owns_session = True
        return self._session

    # ------------------------------------------------------------ redaction

    def _redact(self, text: str) -> str:
        text = _SECRET_QUERY.sub(lambda m: f"{m.group(1)}=***", text)
        for value in (self._secret, self._token, *self._robot_keys):
            if value:
                text = text.replace(value, "***")
        return text

    # ---------------------------------------------------------------- HTTP

    async def _request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str],
        json_body: Any = None,
        data: Any = None,
    ) -> dict[str, Any]:
        """One HTTP round trip; returns the decoded JSON object or raises WeComNetworkError."""
        url = f"{self.base_url}{path}"
        try:
            async with self._get_session().request(
                method,
                url,
                params=params,
                json=json_body,
                data=data,
                timeout=self._timeout,
                allow_redirects=False,  # a redirect would carry the token elsewhere
            ) as resp:
                raw = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            # `from None`: aiohttp's message may embed the URL with the token/secret.
            cls = WeComNetworkError if isinstance(exc, aiohttp.ClientConnectorError) else WeComMaybeSent
            raise cls(
                f"{method} {path} failed: {type(exc).__name__}: {self._redact(str(exc))}"
            ) from None
        if not 200 <= status < 300:
            raise WeComNetworkError(f"{method} {path} returned HTTP {status}")
        try:
            payload = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise WeComNetworkError(f"{method} {path} returned a non-JSON body") from None
        if not isinstance(payload, dict):
            raise WeComNetworkError(f"{method} {path} returned JSON that is not an object")
        return payload

    def _raise_for_errcode(self, payload: Mapping[str, Any], path: str) -> None:
        errcode = _errcode(payload)
        if errcode == 0:
            return
        errmsg = self._redact(str(payload.get("errmsg", "")))
        cls = WeComRateLimited if errcode in _RATE_LIMIT_ERRCODES else WeComApiError
        raise cls(errcode, errmsg, path=path)

    # --------------------------------------------------------------- token

    def _token_valid(self) -> bool:
        return self._token is not None and self._clock() < self._token_refresh_at

    async def _get_token(self) -> str:
        if self._token_valid():
            assert self._token is not None
            return self._token
        async with self._token_lock:
            # Re-check: another coroutine may have refreshed while we waited.
            if self._token_valid():
                assert self._token is not None
                return self._token
            path = "/cgi-bin/gettoken"
            payload = await self._request_json(
                "GET", path, params={"corpid": self.corp_id, "corpsecret": self._secret}
            )
            # Here 40001 means a wrong secret: raise, never loop on a refresh.
            self._raise_for_errcode(payload, path)
            token = payload.get("access_token")
            if not isinstance(token, str) or not token:
                raise WeComApiError(-1, "gettoken answer has no access_token", path=path)
            try:
                expires_in = float(payload.get("expires_in", 7200))
            except (TypeError, ValueError):
                expires_in = 7200.0
            margin = min(_REFRESH_MARGIN_S, expires_in / 2)
            self._token = token
            self._token_refresh_at = self._clock() + expires_in - margin
            return token

    async def ensure_token(self) -> None:
        """Fetch (or reuse) the access token: checks the corp id, the secret and the host at start-up."""
        await self._token_or_not_sent()

    async def _token_or_not_sent(self) -> str:
        try:
            return await self._get_token()
        except WeComMaybeSent as exc:
            # Only the token request was in doubt: the call it was for has not been made.
            raise WeComNetworkError(str(exc)) from None

    def _invalidate_token(self, token: str) -> None:
        # Only drop the token that failed: if a concurrent caller already
        # refreshed, keep the new one instead of triggering a second refresh.
        if self._token == token:
            self._token = None
            self._token_refresh_at = 0.0

    async def _call_with_token(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data_factory: Callable[[], Any] | None = None,
    ) -> dict[str, Any]:
        """Call an access-token API, refreshing the token and retrying once if WeCom rejects it."""
        for attempt in (1, 2):
            token = await self._token_or_not_sent()
            query = {**(params or {}), "access_token": token}
            # Multipart bodies are single-use in aiohttp: build a fresh one per attempt.
            data = data_factory() if data_factory is not None else None
            payload = await self._request_json(method, path, params=query, json_body=json_body, data=data)
            if attempt == 1 and _errcode(payload) in _TOKEN_ERRCODES:
                self._invalidate_token(token)
                continue
            self._raise_for_errcode(payload, path)
            return payload
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------ messages

    async def _send(self, touser: str, msgtype: str, body: dict[str, Any]) -> dict[str, Any]:
        if not touser:
            raise ValueError("touser is required")
        message = {"touser": touser, "msgtype": msgtype, "agentid": self.agent_id, msgtype: body}
        return await self._call_with_token("POST", "/cgi-bin/message/send", json_body=message)

    async def send_text(self, touser: str, content: str) -> dict[str, Any]:
        """Send a text message; ``touser`` is "user1|user2" or "@all". Returns WeCom's answer."""
        _check_utf8_len(content, APP_TEXT_MAX_BYTES, "text content")
        return await self._send(touser, "text", {"content": content})

    async def send_markdown(self, touser: str, content: str) -> dict[str, Any]:
        """Send a markdown message (rendered in the WeCom client only, not in WeChat)."""
        _check_utf8_len(content, APP_MARKDOWN_MAX_BYTES, "markdown content")
        return await self._send(touser, "markdown", {"content": content})

    async def send_image(self, touser: str, media_id: str) -> dict[str, Any]:
        """Send an image previously uploaded with :meth:`upload_media` ("image")."""
        return await self._send(touser, "image", {"media_id": media_id})

    async def send_file(self, touser: str, media_id: str) -> dict[str, Any]:
        """Send a file previously uploaded with :meth:`upload_media` ("file")."""
        return await self._send(touser, "file", {"media_id": media_id})

    async def upload_media(self, kind: Literal["image", "file"], filename: str, data: bytes) -> str:
        """Upload temporary media (valid 3 days) and return its media_id."""
        if kind not in _MEDIA_MAX_BYTES:
            raise ValueError("kind must be 'image' or 'file'")
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("data must be bytes")
        if not _MEDIA_MIN_BYTES <= len(data) <= _MEDIA_MAX_BYTES[kind]:
            raise ValueError(
                f"{kind} must be {_MEDIA_MIN_BYTES}..{_MEDIA_MAX_BYTES[kind]} bytes, got {len(data)}"
            )
        # Quotes/backslashes/newlines would break the Content-Disposition header.
        safe_name = re.sub(r'["\\\r\n]', "_", filename or "upload") or "upload"
        blob = bytes(data)

        def make_form() -> aiohttp.FormData:
            # quote_fields=False sends the filename as raw UTF-8, which WeCom
            # displays correctly; percent-encoding would show "%E6%8B%9B…".
            form = aiohttp.FormData(quote_fields=False)
            form.add_field("media", blob, filename=safe_name, content_type="application/octet-stream")
            return form

        payload = await self._call_with_token(
            "POST", "/cgi-bin/media/upload", params={"type": kind}, data_factory=make_form
        )
        media_id = payload.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise WeComApiError(-1, "media/upload answer has no media_id", path="/cgi-bin/media/upload")
        return media_id

    # --------------------------------------------------------------- robot

    async def robot_send_markdown(self, webhook_key: str, content: str) -> dict[str, Any]:
        """Post markdown through a group robot (no access token; the key authenticates).

        Raises ValueError beyond 4096 UTF-8 bytes: the caller splits messages.
        """
        _check_utf8_len(content, ROBOT_MARKDOWN_MAX_BYTES, "robot markdown content")
        return await self._robot_post(webhook_key, {"msgtype": "markdown", "markdown": {"content": content}})

    async def robot_send_image(self, webhook_key: str, data: bytes) -> dict[str, Any]:
        """Post a JPG/PNG image (at most 2 MB) through a group robot: base64 and md5 in the body."""
        if not isinstance(data, (bytes, bytearray)) or not 0 < len(data) <= ROBOT_IMAGE_MAX_BYTES:
            raise ValueError(f"robot image must be 1..{ROBOT_IMAGE_MAX_BYTES} bytes")
        image = {"base64": base64.b64encode(bytes(data)).decode("ascii"), "md5": hashlib.md5(data).hexdigest()}
        return await self._robot_post(webhook_key, {"msgtype": "image", "image": image})

    async def robot_upload_media(self, webhook_key: str, filename: str, data: bytes) -> str:
        """Upload a file for a group robot (/cgi-bin/webhook/upload_media) and return its media_id."""
        self._check_robot_key(webhook_key)
        if not isinstance(data, (bytes, bytearray)) or not _MEDIA_MIN_BYTES <= len(data) <= _MEDIA_MAX_BYTES["file"]:
            raise ValueError(f"robot file must be {_MEDIA_MIN_BYTES}..{_MEDIA_MAX_BYTES['file']} bytes")
        safe_name = re.sub(r'["\\\r\n]', "_", filename or "upload") or "upload"
        form = aiohttp.FormData(quote_fields=False)
        form.add_field("media", bytes(data), filename=safe_name, content_type="application/octet-stream")
        path = "/cgi-bin/webhook/upload_media"
        payload = await self._request_json("POST", path, params={"key": webhook_key, "type": "file"}, data=form)
        self._raise_for_errcode(payload, path)
        media_id = payload.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise WeComApiError(-1, "webhook/upload_media answer has no media_id", path=path)
        return media_id

    async def robot_send_file(self, webhook_key: str, media_id: str) -> dict[str, Any]:
        """Post a file uploaded with :meth:`robot_upload_media` through the same robot."""
        return await self._robot_post(webhook_key, {"msgtype": "file", "file": {"media_id": media_id}})

    def _check_robot_key(self, webhook_key: str) -> None:
        if not webhook_key:
            raise ValueError("webhook_key is required")
        self._robot_keys.add(webhook_key)

    async def _robot_post(self, webhook_key: str, body: dict[str, Any]) -> dict[str, Any]:
        self._check_robot_key(webhook_key)
        path = "/cgi-bin/webhook/send"
        payload = await self._request_json("POST", path, params={"key": webhook_key}, json_body=body)
        self._raise_for_errcode(payload, path)
        return payload


def _errcode(payload: Mapping[str, Any]) -> int:
    # WeCom sends an int; tolerate a numeric string and treat junk as an error.
    try:
        return int(payload.get("errcode", 0) or 0)
    except (TypeError, ValueError):
        return -1


def _check_utf8_len(content: str, limit: int, what: str) -> None:
    if not isinstance(content, str):
        raise TypeError(f"{what} must be str")
    size = len(content.encode("utf-8"))
    if size > limit:
        raise ValueError(f"{what} is {size} bytes, limit {limit} (UTF-8); split it")
