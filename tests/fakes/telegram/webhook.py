"""The webhook side: setWebhook / deleteWebhook, and delivering pending updates by POST with the
secret header, retried on a non-2xx answer, as Telegram does. A method call in the webhook's
answer is not executed: the bot answers "ok" and sends its replies through the API."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from tests.fakes.telegram.protocol import Described, Params, bad, json_dumps
from tests.fakes.telegram.updates import Updates

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_UNSET: Any = object()


class Webhook(Updates):
    """Webhook registration and delivery."""

    webhook_max_attempts: int
    webhook_retry_delay: float
    webhook_timeout: float
    _client: aiohttp.ClientSession | None

    async def post_to_webhook(self, update: dict[str, Any], *, secret: str | None = _UNSET,
                              url: str | None = None) -> int:
        """POST ``update`` directly to the webhook (``url`` or the one set by setWebhook)
        with the configured secret (default), a chosen one, or none (``secret=None``).
        Returns the HTTP status (0 if the connection failed); also recorded in
        ``webhook_deliveries``."""
        target = url or self.webhook_url
        if not target:
            raise RuntimeError("no webhook set and no url given")
        update = self._register_update(update)
        self._history[int(update["update_id"])] = update
        if secret is _UNSET:
            secret = self.webhook_secret
        status = await self._post_update(target, update, secret)
        self.webhook_deliveries.append((int(update["update_id"]), status))
        self._notify()
        return status

    async def _post_update(self, url: str, update: dict[str, Any], secret: str | None) -> int:
        assert self._client is not None
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        try:
            async with self._client.post(url, data=json_dumps(update).encode("utf-8"), headers=headers,
                                         timeout=aiohttp.ClientTimeout(total=self.webhook_timeout)) as resp:
                await resp.read()
                return resp.status
        except (aiohttp.ClientError, TimeoutError, OSError):
            return 0

    async def _webhook_worker(self) -> None:
        assert self._changed is not None
        while not self._closing_now():
            event = self._changed
            webhook = self._webhook
            if webhook is None or not self._pending:
                await self._wait_change(event, None)
                continue
            entry = self._pending[0]
            if not self._allowed(entry.update):
                self._pending.pop(0)
                continue
            status = await self._post_update(webhook["url"], entry.update, webhook.get("secret_token"))
            entry.attempts += 1
            self.webhook_deliveries.append((entry.update_id, status))
            ok = 200 <= status < 300
            if (ok or entry.attempts >= self.webhook_max_attempts) and entry in self._pending:
                self._pending.remove(entry)
            self._notify()
            if not ok and entry.attempts < self.webhook_max_attempts:
                await self._sleep(self.webhook_retry_delay)

    async def _api_setWebhook(self, p: Params) -> Any:
        url = p.str("url")
        drop = p.bool("drop_pending_updates")
        if not url:
            return await self._api_deleteWebhook(p)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(secret):
            raise bad("secret token contains unallowed characters")
        self._set_allowed_updates(p)
        same = self._webhook is not None and self._webhook["url"] == url
        if drop:
            self._pending.clear()
        self._webhook = {"url": url, "secret_token": secret}
        self._poll_generation += 1  # a waiting getUpdates ends
        return Described(True, "Webhook is already set" if same else "Webhook was set")

    async def _api_deleteWebhook(self, p: Params) -> Any:
        had = self._webhook is not None
        self._webhook = None
        if p.bool("drop_pending_updates"):
            self._pending.clear()
        return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")
