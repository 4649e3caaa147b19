"""Faults tests inject: errors (429 with retry_after, 5xx, raw proxy pages), delays, a revoked
token, a blocked user, a migrated group, and Telegram's rate limits when ``enforce_limits``."""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram.protocol import DEFAULT_DESCRIPTIONS, ApiError, too_many
from tests.fakes.telegram.state import FakeState


@dataclass
class Fault:
    status: int = 429
    retry_after: int | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    raw_body: bytes | None = None


class Faults(FakeState):
    """Fault injection: the test-facing calls, and what `FakeTelegram._call` applies."""

    enforce_limits: bool

    def fail_next(self, method: str, *, status: int = 429, retry_after: int = 1, description: str | None = None,
                  times: int = 1, parameters: dict[str, Any] | None = None,
                  raw_body: str | bytes | None = None) -> None:
        """Make the next ``times`` calls of ``method`` ("*" = any) fail with ``status``.

        429 answers carry ``parameters.retry_after`` exactly like Telegram; ``raw_body``
        replaces the JSON body (e.g. an HTML 502 page from a proxy)."""
        if raw_body is not None and isinstance(raw_body, str):
            raw_body = raw_body.encode()
        fault = Fault(status=status, retry_after=retry_after if status == 429 else None,
                      description=description, parameters=parameters, raw_body=raw_body)
        self._faults.setdefault(method.lower(), deque()).extend(copy.copy(fault) for _ in range(times))

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Delay the next ``times`` calls of ``method`` ("*" = any) by ``seconds`` before
        processing them (the call still takes effect if the client gave up)."""
        self._delays.setdefault(method.lower(), deque()).extend([seconds] * times)

    def delay_chat(self, chat_id: int | str, seconds: float, times: int = 1) -> None:
        """Delay the next ``times`` calls addressed to ``chat_id`` (any method) by ``seconds``:
        one person's slow reply, while calls for other chats go through at once."""
        self._chat_delays.setdefault(str(chat_id), deque()).extend([seconds] * times)

    def drop_in_flight(self) -> int:
        """The calls now waiting out an injected delay end without effect (answered 502): a request
        whose client went away before it got through, as when the bot is killed mid-call. How many."""
        self._dropped |= self._waiting
        return len(self._waiting)

    def reject_token(self) -> None:
        """All subsequent calls answer 401 Unauthorized (revoked token)."""
        self._token_rejected = True

    def block(self, chat_id: int) -> None:
        """Sends to ``chat_id`` answer 403 "Forbidden: bot was blocked by the user"."""
        self._blocked.add(chat_id)

    def migrate_chat(self, chat_id: int, new_chat_id: int) -> None:
        """The group was upgraded: sends to it answer 400 with migrate_to_chat_id."""
        self._migrated[chat_id] = new_chat_id

    # ------------------------------------------------------------------ applied by the server

    async def _delay_for(self, method: str, params: dict[str, Any]) -> None:
        delay = _take(self._delays, method) or 0.0
        chat_delays = self._chat_delays.get(str(params.get("chat_id")))
        if chat_delays:
            delay += chat_delays.popleft()
        if delay:
            call = object()
            self._waiting.add(call)
            try:
                await self._sleep(delay)
            finally:
                self._waiting.discard(call)
            if call in self._dropped:
                self._dropped.discard(call)
                raise ApiError(502, "Bad Gateway")

    def _fault_for(self, method: str) -> tuple[bytes, int] | None:
        """Raise the next injected error for ``method``; a raw body is returned, to be sent as it is."""
        fault = _take(self._faults, method)
        if fault is None:
            return None
        if fault.raw_body is not None:
            return fault.raw_body, fault.status
        if fault.status == 429:
            ra = fault.retry_after if fault.retry_after is not None else 1
            raise too_many(ra, fault.description, fault.parameters)
        raise ApiError(fault.status, fault.description or DEFAULT_DESCRIPTIONS.get(fault.status, "Error"),
                       fault.parameters)

    def _check_recipient(self, chat_id: int) -> None:
        if chat_id in self._migrated:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": self._migrated[chat_id]})
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _check_rate(self, chat_id: int, chat: dict[str, Any]) -> None:
        if not self.enforce_limits:
            return
        retry_after = self.rate_limiter.check(chat_id, is_group=chat.get("type") in ("group", "supergroup"))
        if retry_after is not None:
            raise too_many(retry_after)


def _take(queues: dict[str, deque[Any]], method: str) -> Any:
    for key in (method.lower(), "*"):
        queue = queues.get(key)
        if queue:
            return queue.popleft()
    return None
