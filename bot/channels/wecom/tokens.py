"""The access token: fetched once, shared by concurrent callers, refreshed before it expires.

The token from ``/cgi-bin/gettoken`` is cached and refreshed a little before it expires (5 minutes
for the usual 7200 s lifetime); an API answer with errcode 40001 / 40014 / 42001 drops it and the
call is retried exactly once with a fresh token. A single ``asyncio.Lock`` guarantees one in-flight
refresh however many coroutines call at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import aiohttp

from bot.channels.wecom.contract import WeComApiError, WeComMaybeSent, WeComNetworkError
from bot.channels.wecom.transport import WeComTransport, errcode_of, json_object

#: errcodes meaning "this access token is no good": 40001 invalid credential,
#: 40014 invalid access_token, 42001 access_token expired.
_TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
#: Refresh this long before expiry (clamped to half the lifetime for short tokens).
_REFRESH_MARGIN_S = 300.0


class WeComTokenCache(WeComTransport):
    """One application's credentials (corp id + secret) and the token they buy."""

    def __init__(
        self,
        base_url: str,
        corp_id: str,
        secret: str,
        *,
        session: aiohttp.ClientSession | None,
        clock: Callable[[], float],
        timeout: float,
    ) -> None:
        super().__init__(base_url, session=session, timeout=timeout)
        if not corp_id or not secret:
            raise ValueError("corp_id and secret are required")
        self.corp_id = corp_id
        self._secret = secret
        self._clock = clock
        self._token: str | None = None
        self._token_refresh_at = 0.0
        self._token_lock = asyncio.Lock()

    def _secrets(self) -> Iterable[str | None]:
        return (self._secret, self._token, *super()._secrets())

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
            if attempt == 1 and errcode_of(payload) in _TOKEN_ERRCODES:
                self._invalidate_token(token)
                continue
            self._raise_for_errcode(payload, path)
            return payload
        raise AssertionError("unreachable")  # pragma: no cover

    async def _download_with_token(
        self, path: str, *, params: Mapping[str, str], max_bytes: int
    ) -> tuple[bytes, Mapping[str, str]]:
        """GET a file (media/get): its bytes and headers; WeCom's JSON error answer raises as usual."""
        for attempt in (1, 2):
            token = await self._token_or_not_sent()
            raw, headers = await self._request_bytes(
                "GET", path, params={**params, "access_token": token}, max_bytes=max_bytes
            )
            # A file comes with Content-Disposition; an error is a JSON object without it.
            if any(k.lower() == "content-disposition" for k in headers):
                return raw, headers
            payload = json_object(raw, f"GET {path}")
            if attempt == 1 and errcode_of(payload) in _TOKEN_ERRCODES:
                self._invalidate_token(token)
                continue
            self._raise_for_errcode(payload, path)
            raise WeComApiError(-1, "media/get answered neither a file nor an error", path=path)
        raise AssertionError("unreachable")  # pragma: no cover
