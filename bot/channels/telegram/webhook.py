"""The Telegram webhook endpoint for either backend: a constant-time secret check, 200 only once kept."""
from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.channels.telegram.contract import SECRET_HEADER, Backend
from core.errors import Unavailable

log = logging.getLogger("zsbot.telegram")


def webhook_app(backend: Backend, secret: str, path: str = "/telegram") -> web.Application:
    app = web.Application(client_max_size=1 << 20)
    app.router.add_post(path, _make_handler(backend, secret))
    return app


def _make_handler(backend: Backend, secret: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    expected = secret.encode("utf-8")

    async def handler(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        if not hmac.compare_digest(given, expected):
            return web.Response(status=401, text="unauthorized")
        try:
            data = json.loads(await request.read())
            update = backend.parse(data)
        except Exception:
            return web.Response(status=400, text="bad update")
        try:
            # Answered only after the update is handled and recorded: a 200 means "kept".
            await backend.dispatch(update)
        except Unavailable as exc:
            log.warning("webhook update not kept (%s); Telegram will deliver it again", exc)
            return web.Response(status=503, text="retry")
        except Exception:
            log.exception("webhook update failed; Telegram will deliver it again")
            return web.Response(status=500, text="retry")
        return web.Response(status=200, text="ok")

    return handler
