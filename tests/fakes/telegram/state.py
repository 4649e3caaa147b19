"""What the fake Telegram holds (chats, messages, pending updates, records) and how tests wait on it.

Every change calls `_notify`, which wakes `wait_for`: tests wait for a condition, never poll.
The other modules are mixins over this state, combined in server.py.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import threading
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.ratelimits import RateLimiter
from tests.fakes.telegram.records import CallbackAnswer, EditRecord, RequestRecord, SentMessage


@dataclass
class Pending:
    update: dict[str, Any]
    forced: bool = False  # re-delivered: deliver once even if its id was confirmed
    attempts: int = 0

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    filename: str | None
    mime_type: str | None


def scope_key(scope: Any) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True, ensure_ascii=False)


class FakeState:
    """The fake's data and records; `FakeTelegram` (server.py) adds the HTTP side and the methods."""

    def __init__(self, bot_user: dict[str, Any], rate_limiter: RateLimiter) -> None:
        self.bot_user = bot_user
        self.rate_limiter = rate_limiter
        # records (read by tests)
        self.requests: list[RequestRecord] = []
        self.edits: list[EditRecord] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.webhook_deliveries: list[tuple[int, int]] = []
        self.errors: list[BaseException] = []  # internal errors of the fake (should stay empty)
        self._sent: list[SentMessage] = []
        self._last_commands: dict[str, Any] | None = None
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        # state
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._message_counters: dict[int, int] = {}
        self._file_counter = itertools.count(1)
        # files users sent (user_files.py): by file_id, and getFile's file_path → file_id
        self._user_files: dict[str, StoredFile] = {}
        self._file_paths: dict[str, str] = {}
        self._declared_sizes: dict[str, int] = {}
        self.downloads: list[str] = []
        self._update_counter = 100_000
        self._callback_counter = itertools.count(1)
        self._history: dict[int, dict[str, Any]] = {}
        self._pending: list[Pending] = []
        self._allowed_updates: list[str] | None = None
        self._open_callbacks: set[str] = set()
        self._webhook: dict[str, Any] | None = None
        self._poll_generation = 0
        self._active_polls = 0
        # injected faults (faults.py)
        self._faults: dict[str, deque[Any]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._chat_delays: dict[str, deque[float]] = {}
        self._waiting: set[object] = set()  # calls waiting out an injected delay
        self._dropped: set[object] = set()  # ...of which these end without effect (drop_in_flight)
        self._blocked: set[int] = set()
        self._migrated: dict[int, int] = {}
        self._token_rejected = False
        # runtime (server.py)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._changed: asyncio.Event | None = None
        self._closing: asyncio.Event | None = None

    # ------------------------------------------------------------------ change signal

    def _notify(self) -> None:
        if self._changed is None or self._loop is None:
            return
        if threading.get_ident() != self._loop_thread:
            self._loop.call_soon_threadsafe(self._notify)
            return
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_change(self, event: asyncio.Event, timeout: float | None) -> None:
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass

    def _closing_now(self) -> bool:
        return self._closing is not None and self._closing.is_set()

    async def _sleep(self, seconds: float) -> None:
        """Sleep that ends early when the server stops."""
        if seconds <= 0:
            return
        assert self._closing is not None
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            pass

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked whenever the fake's state changes)
        and return its value; raise ``TimeoutError`` after ``timeout`` seconds."""
        if self._changed is None:
            raise RuntimeError("FakeTelegram is not started")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(f"{r.method}->{r.http_status}" for r in self.requests[-8:]) or "none"
                raise TimeoutError(f"condition not met within {timeout}s (recent requests: {recent})")
            await self._wait_change(event, remaining)

    async def wait_sent(self, chat_id: int | str | None = None, count: int = 1,
                        timeout: float = 5.0) -> list[SentMessage]:
        """Wait until at least ``count`` messages in total were sent to ``chat_id`` (any chat
        if None) and return all of them."""

        def ready() -> list[SentMessage] | None:
            found = self.sent(chat_id)
            return found if len(found) >= count else None

        return await self.wait_for(ready, timeout)

    async def wait_request(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RequestRecord]:
        """Wait until ``method`` was called at least ``count`` times; return those calls."""

        def ready() -> list[RequestRecord] | None:
            found = self.calls(method)
            return found if len(found) >= count else None

        return await self.wait_for(ready, timeout)

    # ------------------------------------------------------------------ reading records

    def sent(self, chat_id: int | str | None = None) -> list[SentMessage]:
        """Messages the bot sent, oldest first, optionally only to ``chat_id``."""
        if chat_id is None:
            return list(self._sent)
        return [m for m in self._sent if m.chat_id == chat_id]

    def last_sent(self, chat_id: int | str | None = None) -> SentMessage:
        found = self.sent(chat_id)
        if not found:
            raise LookupError(f"nothing was sent to {chat_id!r}")
        return found[-1]

    @property
    def commands(self) -> dict[str, Any] | None:
        """The last setMyCommands payload: ``{"commands", "scope", "language_code"}``."""
        return copy.deepcopy(self._last_commands)

    def commands_for(self, scope: dict[str, Any] | None = None,
                     language_code: str | None = None) -> list[dict[str, Any]]:
        """The command list currently set for ``scope``/``language_code``."""
        return copy.deepcopy(self._commands.get((scope_key(scope), language_code or ""), []))

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current state (after edits) of a message in a chat, as Telegram holds it."""
        msg = self._messages.get((chat_id, message_id))
        return copy.deepcopy(msg) if msg is not None else None

    @property
    def webhook_url(self) -> str | None:
        return self._webhook["url"] if self._webhook else None

    @property
    def webhook_secret(self) -> str | None:
        return self._webhook.get("secret_token") if self._webhook else None

    @property
    def allowed_updates(self) -> list[str] | None:
        """The last allowed_updates a getUpdates or setWebhook set (None: Telegram's default)."""
        return list(self._allowed_updates) if self._allowed_updates else None

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(p.update) for p in self._pending]

    @property
    def active_polls(self) -> int:
        """How many getUpdates calls are currently long-polling."""
        return self._active_polls

    @property
    def violations(self) -> int:
        return self.rate_limiter.violations

    def calls(self, method: str) -> list[RequestRecord]:
        key = method.lower()
        return [r for r in self.requests if r.method.lower() == key]

    # ------------------------------------------------------------------ chats

    def _ensure_chat(self, chat_id: int, chat_type: str | None = None, title: str | None = None, *,
                     first_name: str = "测试", username: str | None = None) -> dict[str, Any]:
        chat = self._chats.get(chat_id)
        if chat is not None and chat_type is None and title is None:
            return chat
        if chat_type is None:
            if chat_id > 0:
                chat_type = "private"
            elif str(chat_id).startswith("-100") and len(str(chat_id)) >= 14:
                chat_type = "supergroup"
            else:
                chat_type = "group"
        chat = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
            if username:
                chat["username"] = username
        else:
            chat["title"] = title or f"测试群{abs(chat_id)}"
        self._chats[chat_id] = chat
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        n = self._message_counters.get(chat_id, 0) + 1
        self._message_counters[chat_id] = n
        return n

    def _next_file_ids(self, kind: str) -> tuple[str, str]:
        """(file_id, file_unique_id) shaped like Telegram's for a photo or a document."""
        n = next(self._file_counter)
        prefix = "AgACAgUAAxkBAAI" if kind == "photos" else "BQACAgUAAxkBAAI"
        return f"{prefix}{n:06d}{zlib.crc32(f'{kind}:{n}'.encode()):010d}", f"AQAD{n:06d}"
