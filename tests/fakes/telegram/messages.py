"""Text messages and what comes with them: getMe, sendMessage, editMessageText, inline keyboards,
answerCallbackQuery and setMyCommands — the methods the bot calls besides files and updates.

No parse_mode is rendered: the bot sends plain text, so a parse_mode is refused with a 400
rather than stored unrendered (a test would then pass on text Telegram would show differently).
"""

from __future__ import annotations

import copy
import re
import time
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.telegram.faults import Faults
from tests.fakes.telegram.protocol import Params, bad
from tests.fakes.telegram.records import CallbackAnswer, EditRecord, SentMessage
from tests.fakes.telegram.state import scope_key

_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_INLINE_BUTTON_ACTIONS = frozenset({
    "callback_data", "url", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "callback_game", "pay", "web_app", "copy_text"})


def refuse_parse_mode(p: Params) -> None:
    if p.str("parse_mode"):
        raise bad("parse_mode is not rendered by the fake (the bot sends plain text)")


class Messages(Faults):
    """The text-message methods."""

    # ------------------------------------------------------------------ shared by every send

    def _target_chat(self, p: Params) -> tuple[int, dict[str, Any]]:
        chat_id = p.chat_id()
        self._check_recipient(chat_id)
        return chat_id, self._ensure_chat(chat_id)

    def _markup(self, p: Params) -> dict[str, Any] | None:
        """An inline keyboard, checked as Telegram does (the bot sends no other keyboard)."""
        markup = p.json("reply_markup", error="can't parse reply keyboard markup JSON object")
        if markup is None:
            return None
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            raise bad("can't parse reply keyboard markup JSON object")
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return markup

    def _new_bot_message(self, chat_id: int, chat: dict[str, Any], content: dict[str, Any],
                         markup: dict[str, Any] | None) -> dict[str, Any]:
        msg: dict[str, Any] = {"message_id": self._next_message_id(chat_id), "from": copy.deepcopy(self.bot_user),
                               "chat": copy.deepcopy(chat), "date": int(time.time()), **content}
        if markup:
            msg["reply_markup"] = copy.deepcopy(markup)
        self._messages[(chat_id, msg["message_id"])] = msg
        return msg

    # ------------------------------------------------------------------ methods

    async def _api_getMe(self, p: Params) -> Any:
        return copy.deepcopy(self.bot_user)

    async def _api_sendMessage(self, p: Params) -> Any:
        chat_id, chat = self._target_chat(p)
        text = p.str("text", required=True, empty="message text is empty")
        assert text is not None
        refuse_parse_mode(p)
        if not text.strip():
            raise bad("message text is empty")
        if len(text) > 4096:
            raise bad("message is too long")
        markup = self._markup(p)
        self._check_rate(chat_id, chat)
        msg = self._new_bot_message(chat_id, chat, {"text": text}, markup)
        self._sent.append(SentMessage(
            method="sendMessage", chat_id=chat_id, message_id=msg["message_id"], text=text, reply_markup=markup,
            time=time.monotonic(), params=dict(p.values), message=copy.deepcopy(msg)))
        return copy.deepcopy(msg)

    async def _api_editMessageText(self, p: Params) -> Any:
        text = p.str("text", required=True, empty="text must be non-empty")
        assert text is not None
        refuse_parse_mode(p)
        if not text.strip():
            raise bad("text must be non-empty")
        if len(text) > 4096:
            raise bad("MESSAGE_TOO_LONG")
        markup = self._markup(p)
        chat_id = p.chat_id()
        message_id = p.int("message_id")
        if message_id is None:
            raise bad("message identifier is not specified")
        msg = self._messages.get((chat_id, message_id))
        if msg is None:
            raise bad("message to edit not found")
        if msg.get("from", {}).get("id") != self.bot_user["id"]:
            raise bad("message can't be edited")
        if "text" not in msg:
            raise bad("there is no text in the message to edit")
        if msg.get("text") == text and msg.get("reply_markup") == (markup or None):
            raise bad("message is not modified: specified new message content and reply markup are "
                      "exactly the same as a current content and reply markup of the message")
        msg["text"] = text
        if markup:
            msg["reply_markup"] = copy.deepcopy(markup)
        else:
            msg.pop("reply_markup", None)  # an edit without reply_markup removes the keyboard
        msg["edit_date"] = int(time.time())
        self.edits.append(EditRecord(method="editMessageText", chat_id=chat_id, message_id=message_id, text=text,
                                     reply_markup=markup, time=time.monotonic(), params=dict(p.values)))
        return copy.deepcopy(msg)

    async def _api_answerCallbackQuery(self, p: Params) -> Any:
        cq_id = p.str("callback_query_id", required=True)
        assert cq_id is not None
        if cq_id not in self._open_callbacks:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = p.str("text")
        if text is not None and len(text) > 200:
            raise bad("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(cq_id)  # a query can be answered once
        self.callback_answers.append(CallbackAnswer(
            callback_query_id=cq_id, text=text, show_alert=p.bool("show_alert"), url=p.str("url"),
            cache_time=p.int("cache_time"), time=time.monotonic()))
        return True

    async def _api_setMyCommands(self, p: Params) -> Any:
        commands = p.json("commands", error="can't parse commands JSON object")
        if commands is None:
            raise bad("commands is empty")  # Telegram: parameter "commands" is required
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad("too many commands specified")
        for c in commands:
            if not isinstance(c, dict):
                raise bad("can't parse BotCommand JSON object")
            cmd, desc = c.get("command"), c.get("description")
            if not isinstance(cmd, str) or not _COMMAND_RE.fullmatch(cmd):
                raise bad("BOT_COMMAND_INVALID")
            if not isinstance(desc, str) or not desc.strip() or len(desc) > 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        scope = p.json("scope", error="can't parse BotCommandScope JSON object")
        if scope is not None and (not isinstance(scope, dict) or "type" not in scope):
            raise bad("can't parse BotCommandScope JSON object")
        lang = p.str("language_code") or ""
        key = (scope_key(scope), lang)
        if commands:
            self._commands[key] = copy.deepcopy(commands)
        else:
            self._commands.pop(key, None)
        self._last_commands = {"commands": copy.deepcopy(commands), "scope": copy.deepcopy(scope),
                               "language_code": lang or None}
        return True


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str) or not text:
        raise bad("can't parse inline keyboard button: Text must be non-empty")
    if not _INLINE_BUTTON_ACTIONS.intersection(button):
        raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https", "tg") or not (parts.netloc or parts.scheme == "tg"):
            raise bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
