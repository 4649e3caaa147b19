"""Updates: what tests inject (messages, button presses, redeliveries) and getUpdates serving them.

An update stays pending until a later getUpdates confirms it with a higher offset, as on
Telegram; a long poll waits for a change and ends in a 409 when another poll or a webhook
takes over.
"""

from __future__ import annotations

import asyncio
import copy
import re
import time
import zlib
from typing import Any

from tests.fakes.telegram.protocol import ApiError, Params, bad
from tests.fakes.telegram.state import FakeState, Pending

# Update types Telegram delivers when allowed_updates is not specified (or empty).
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# The one entity the frameworks read in a user's text: PTB's CommandHandler needs it.
_BOT_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


def _u16(text: str) -> int:
    """Length in UTF-16 code units: Telegram's unit for entity offsets/lengths."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entities Telegram attaches to a user's plain message."""
    return [{"type": "bot_command", "offset": _u16(text[:m.start()]), "length": _u16(m.group())}
            for m in _BOT_COMMAND.finditer(text)]


class Updates(FakeState):
    """Injected updates and getUpdates."""

    # ------------------------------------------------------------------ injecting

    def _next_update_id(self) -> int:
        self._update_counter += 1
        return self._update_counter

    def _enqueue(self, update: dict[str, Any], *, forced: bool = False) -> int:
        uid = int(update["update_id"])
        self._history[uid] = update
        self._pending.append(Pending(copy.deepcopy(update), forced=forced))
        self._notify()
        return uid

    @staticmethod
    def _user(user_id: int, first_name: str, username: str | None, language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def inject_message(self, chat_id: int, user_id: int, text: str, *, first_name: str = "测试",
                       username: str | None = None, chat_type: str | None = None, title: str | None = None,
                       language_code: str | None = "zh-hans") -> int:
        """Queue a ``message`` update from a user; returns its update_id.

        "/cmd" and "/cmd@bot" get a bot_command entity, as Telegram detects it. Negative chat
        ids are groups (``-100`` + 10 digits: supergroup) unless ``chat_type`` says otherwise.
        """
        user = self._user(user_id, first_name, username, language_code)
        chat = self._ensure_chat(chat_id, chat_type, title, first_name=first_name, username=username)
        msg: dict[str, Any] = {"message_id": self._next_message_id(chat_id), "from": user,
                               "chat": copy.deepcopy(chat), "date": int(time.time()), "text": text}
        entities = command_entities(text)
        if entities:
            msg["entities"] = entities
        self._messages[(chat_id, msg["message_id"])] = msg
        return self._enqueue({"update_id": self._next_update_id(), "message": copy.deepcopy(msg)})

    def inject_callback(self, chat_id: int, user_id: int, message_id: int, data: str, *,
                        first_name: str = "测试", username: str | None = None) -> int:
        """Queue a ``callback_query`` update for a button press on the bot's message
        ``message_id`` (its current state, reply_markup included)."""
        msg = self._messages.get((chat_id, message_id))
        if msg is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        cq_id = str(4_000_000_000_000_000_000 + next(self._callback_counter))
        self._open_callbacks.add(cq_id)
        query = {
            "id": cq_id,
            "from": self._user(user_id, first_name, username, "zh-hans"),
            "message": copy.deepcopy(msg),
            "chat_instance": str(zlib.crc32(f"chat_instance:{chat_id}".encode()) * 7919),
            "data": data,
        }
        return self._enqueue({"update_id": self._next_update_id(), "callback_query": query})

    def redeliver(self, update_id: int) -> None:
        """Deliver an already delivered update again, same update_id (duplicate delivery):
        re-queued for getUpdates (delivered once more even though it was confirmed), or
        POSTed to the webhook again."""
        update = self._history.get(update_id)
        if update is None:
            raise KeyError(f"unknown update_id {update_id}")
        self._enqueue(copy.deepcopy(update), forced=True)

    def _register_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """An update a test built itself: give it an id and remember its message and query."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id()
        else:
            self._update_counter = max(self._update_counter, int(update["update_id"]))
        msg = update.get("message")
        if isinstance(msg, dict) and isinstance(msg.get("chat"), dict) and "message_id" in msg:
            chat_id = msg["chat"].get("id")
            if chat_id is not None:
                self._chats.setdefault(chat_id, copy.deepcopy(msg["chat"]))
                self._messages.setdefault((chat_id, msg["message_id"]), copy.deepcopy(msg))
                if isinstance(msg["message_id"], int):
                    current = self._message_counters.get(chat_id, 0)
                    self._message_counters[chat_id] = max(current, msg["message_id"])
        cq = update.get("callback_query")
        if isinstance(cq, dict) and "id" in cq:
            self._open_callbacks.add(str(cq["id"]))
        return update

    def _allowed(self, update: dict[str, Any]) -> bool:
        utype = next((key for key in update if key != "update_id"), None)
        if not self._allowed_updates:
            return utype not in _NOT_DEFAULT_UPDATES
        return utype in self._allowed_updates

    def _set_allowed_updates(self, p: Params) -> None:
        allowed = p.json("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise bad("can't parse allowed_updates JSON object")
            self._allowed_updates = [str(a) for a in allowed] or None

    # ------------------------------------------------------------------ getUpdates

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset > 0:
            self._pending = [p for p in self._pending if p.update_id >= offset or p.forced]
        else:
            self._pending = self._pending[offset:]  # keep the last -offset updates

    def _take_updates(self, limit: int) -> list[dict[str, Any]]:
        kept: list[Pending] = []
        batch: list[dict[str, Any]] = []
        for p in self._pending:
            if not self._allowed(p.update):
                continue  # dropped for good, as by Telegram
            kept.append(p)
            if len(batch) < limit:
                batch.append(copy.deepcopy(p.update))
                p.forced = False  # delivered: from now on confirmable
        self._pending = kept
        return batch

    async def _api_getUpdates(self, p: Params) -> Any:
        if self._webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = p.int("offset")
        limit = max(1, min(100, p.int("limit", default=100) or 100))
        timeout = min(3600.0, max(0.0, p.number("timeout", default=0.0)))
        self._set_allowed_updates(p)
        self._poll_generation += 1
        generation = self._poll_generation
        self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        waiting = False
        try:
            while True:
                event = self._changed
                assert event is not None
                if self._poll_generation != generation:
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                        "make sure that only one bot instance is running")
                batch = self._take_updates(limit)
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._closing_now() or self._webhook is not None:
                    return batch
                if not waiting:
                    waiting = True
                    self._active_polls += 1
                    self._notify()
                await self._wait_change(event, remaining)
        finally:
            if waiting:
                self._active_polls -= 1
