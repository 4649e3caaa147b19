"""One HTTP round trip to the WeCom API: the session, redirects refused, errcodes, secrets redacted.

Secrets: the corp secret, the access token and robot webhook keys travel in query strings, so
any text that reaches an exception message is redacted and exceptions from aiohttp are never
chained (their ``str`` may contain the URL).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, Self

import aiohttp

from bot.channels.wecom.contract import (
    DEFAULT_BASE_URL,
    WeComApiError,
    WeComMaybeSent,
    WeComNetworkError,
    WeComRateLimited,
    WeComTooLarge,
)

#: 45009 API frequency limit, 45033 concurrency limit: caller should back off.
_RATE_LIMIT_ERRCODES = frozenset({45009, 45033})
_SECRET_QUERY = re.compile(r"(access_token|corpsecret|key)=[^&\s'\"]*", re.IGNORECASE)


class WeComTransport:
    """The HTTP session and the request every WeCom call makes; `WeComClient` builds on it."""

    def __init__(self, base_url: str, *, session: aiohttp.ClientSession | None, timeout: float) -> None:
        base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if not base.startswith(("https://", "http://")):
            raise ValueError("base_url must start with https:// or http://")
        self.base_url = base
        self._session = session
        self._owns_session = session is None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        # Robot webhook keys are bearer credentials too; remember them for redaction.
        self._robot_keys: set[str] = set()

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
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

    def _secrets(self) -> Iterable[str | None]:
        """Every credential this client knows; the token cache adds the secret and the token."""
        return self._robot_keys

    def _redact(self, text: str) -> str:
        text = _SECRET_QUERY.sub(lambda m: f"{m.group(1)}=***", text)
        for value in self._secrets():
            if value:
                text = text.replace(value, "***")
        return text

    # ---------------------------------------------------------------- HTTP

    async def _request_bytes(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str],
        json_body: Any = None,
        data: Any = None,
        max_bytes: int | None = None,
    ) -> tuple[bytes, Mapping[str, str]]:
        """One HTTP round trip; returns the body and the headers, or raises WeComNetworkError."""
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
                status = resp.status
                headers = dict(resp.headers)
                if max_bytes is not None and (resp.content_length or 0) > max_bytes:
                    raise WeComTooLarge(f"{method} {path} answered more than {max_bytes} bytes")
                raw = await resp.read() if max_bytes is None else await _read_at_most(resp, max_bytes, f"{method} {path}")
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            # `from None`: aiohttp's message may embed the URL with the token/secret.
            cls = WeComNetworkError if isinstance(exc, aiohttp.ClientConnectorError) else WeComMaybeSent
            raise cls(
                f"{method} {path} failed: {type(exc).__name__}: {self._redact(str(exc))}"
            ) from None
        if not 200 <= status < 300:
            raise WeComNetworkError(f"{method} {path} returned HTTP {status}")
        return raw, headers

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
        raw, _ = await self._request_bytes(method, path, params=params, json_body=json_body, data=data)
        return json_object(raw, f"{method} {path}")

    def _raise_for_errcode(self, payload: Mapping[str, Any], path: str) -> None:
        errcode = errcode_of(payload)
        if errcode == 0:
            return
        errmsg = self._redact(str(payload.get("errmsg", "")))
        cls = WeComRateLimited if errcode in _RATE_LIMIT_ERRCODES else WeComApiError
        raise cls(errcode, errmsg, path=path)


async def _read_at_most(resp: aiohttp.ClientResponse, max_bytes: int, what: str) -> bytes:
    """The body, refused as soon as it grows past ``max_bytes`` (a download is never held whole first)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise WeComTooLarge(f"{what} answered more than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def json_object(raw: bytes, what: str) -> dict[str, Any]:
    """WeCom's JSON answer as a dict, or WeComNetworkError."""
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise WeComNetworkError(f"{what} returned a non-JSON body") from None
    if not isinstance(payload, dict):
        raise WeComNetworkError(f"{what} returned JSON that is not an object")
    return payload


def errcode_of(payload: Mapping[str, Any]) -> int:
    # WeCom sends an int; tolerate a numeric string and treat junk as an error.
    try:
        return int(payload.get("errcode", 0) or 0)
    except (TypeError, ValueError):
        return -1


def media_form(filename: str, data: bytes) -> aiohttp.FormData:
    """A one-use multipart body with the file as field ``media``, for both media upload APIs."""
    # Quotes/backslashes/newlines would break the Content-Disposition header.
    safe_name = re.sub(r'["\\\r\n]', "_", filename or "upload") or "upload"
    # quote_fields=False sends the filename as raw UTF-8, which WeCom
    # displays correctly; percent-encoding would show "%E6%8B%9B…".
    form = aiohttp.FormData(quote_fields=False)
    form.add_field("media", data, filename=safe_name, content_type="application/octet-stream")
    return form


def check_utf8_len(content: str, limit: int, what: str) -> None:
    if not isinstance(content, str):
        raise TypeError(f"{what} must be str")
    size = len(content.encode("utf-8"))
    if size > limit:
        raise ValueError(f"{what} is {size} bytes, limit {limit} (UTF-8); split it")
