"""The fake Bot API's HTTP side: ``{base}/bot{token}/{method}`` on 127.0.0.1, routing to the methods.

Answers are Telegram's: ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code",
"description"[, "parameters"]}`` with the same HTTP status; an unknown method is 404, a wrong
token 401, and method names match case-insensitively.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Self

import aiohttp
from aiohttp import web

from tests.fakes.ratelimits import RateLimiter
from tests.fakes.telegram.files import Files
from tests.fakes.telegram.protocol import TOKEN_RE, ApiError, Described, Params, json_dumps, normalize, read_params
from tests.fakes.telegram.records import RequestRecord
from tests.fakes.telegram.user_files import UserFiles
from tests.fakes.telegram.webhook import Webhook

DEFAULT_TOKEN = "123456:TEST-token"
_API_PATH_RE = re.compile(r"/bot([^/]*)/([^/]*)/?")
_FILE_PATH_RE = re.compile(r"/file/bot([^/]*)/(.+)")


class FakeTelegram(Files, UserFiles, Webhook):
    """A fake Telegram Bot API server (see tests/fakes/telegram/__init__.py)."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, bot_username: str = "zsbot_test_bot",
                 bot_first_name: str = "招商助手", enforce_limits: bool = False,
                 global_per_second: int | None = 30, per_chat_per_second: int | None = 1,
                 group_per_minute: int | None = 20, webhook_max_attempts: int = 3,
                 webhook_retry_delay: float = 0.05, webhook_timeout: float = 5.0, host: str = "127.0.0.1") -> None:
        if not TOKEN_RE.fullmatch(token):
            raise ValueError(f"not a Telegram-looking token: {token!r}")
        bot_user = {
            "id": int(token.split(":", 1)[0]), "is_bot": True, "first_name": bot_first_name,
            "username": bot_username, "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False,
        }
        super().__init__(bot_user, RateLimiter(per_second=global_per_second, per_chat_per_second=per_chat_per_second,
                                               group_per_minute=group_per_minute))
        self.token = token
        self.host = host
        self.port: int | None = None
        self.enforce_limits = enforce_limits
        self.webhook_max_attempts = max(1, webhook_max_attempts)
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout
        # Each ``_api_<Name>`` implements Bot API method <Name>.
        self._methods: dict[str, tuple[str, Callable[[Params], Any]]] = {
            attr[len("_api_"):].lower(): (attr[len("_api_"):], getattr(self, attr))
            for attr in dir(self) if attr.startswith("_api_")}
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._worker: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ addresses

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (aiogram: ``TelegramAPIServer.from_base(base_url)``)."""
        if self.port is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def ptb_base_url(self) -> str:
        """``base_url`` for ``telegram.Bot`` / ``ApplicationBuilder().base_url(...)``."""
        return f"{self.base_url}/bot"

    @property
    def ptb_base_file_url(self) -> str:
        return f"{self.base_url}/file/bot"

    @property
    def api_url(self) -> str:
        """``{base_url}/bot{token}`` -- append ``/{method}``."""
        return f"{self.base_url}/bot{self.token}"

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._runner is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self._client = aiohttp.ClientSession()
        self._worker = asyncio.create_task(self._webhook_worker(), name="fake-telegram-webhook")

    async def stop(self) -> None:
        if self._runner is None:
            return
        assert self._closing is not None
        self._closing.set()
        self._notify()
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except (asyncio.CancelledError, Exception):
                pass
            self._worker = None
        await self._runner.cleanup()
        self._runner = None
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        f = _FILE_PATH_RE.fullmatch(request.path)
        if f is not None and request.method == "GET":
            # A download: the token must be the bot's; the path is one getFile answered.
            data = self.file_bytes(f.group(2)) if f.group(1) == self.token else None
            self._notify()
            if data is None:
                return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
            return web.Response(body=data, content_type="application/octet-stream")
        m = _API_PATH_RE.fullmatch(request.path)
        method_raw = m.group(2) if m else request.path
        canonical = self._methods.get(method_raw.lower(), (method_raw, None))[0]
        started = time.monotonic()
        params: dict[str, Any] = {}
        raw_body: bytes | None = None
        try:
            if m is None or not TOKEN_RE.fullmatch(m.group(1)):
                raise ApiError(404, "Not Found")
            if m.group(1) != self.token or self._token_rejected:
                raise ApiError(401, "Unauthorized")
            params = normalize(await read_params(request))
            body, status = await self._call(canonical, params)
        except ApiError as e:
            body, status = e.body(), e.status
        except Exception as e:  # noqa: BLE001 - the fake must never crash
            self.errors.append(e)
            body, status = {"ok": False, "error_code": 500, "description": "Internal Server Error"}, 500
        if isinstance(body, bytes):
            raw_body = body
        self.requests.append(RequestRecord(canonical, params, started, status))
        self._notify()
        if raw_body is not None:
            return web.Response(body=raw_body, status=status, content_type="text/html")
        return web.json_response(body, status=status, dumps=json_dumps)

    async def _call(self, canonical: str, params: dict[str, Any]) -> tuple[Any, int]:
        """Run one API method after its injected delay and fault; returns (JSON body or raw bytes, status)."""
        entry = self._methods.get(canonical.lower())
        if entry is None:
            raise ApiError(404, "Not Found")
        await self._delay_for(canonical, params)
        raw = self._fault_for(canonical)
        if raw is not None:
            return raw
        result = await entry[1](Params(params))
        if isinstance(result, Described):
            return {"ok": True, "result": result.value, "description": result.description}, 200
        return {"ok": True, "result": result}, 200
