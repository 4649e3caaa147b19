"""A fake Telegram Bot API server for end-to-end tests.

:class:`FakeTelegram` is an aiohttp web application bound to ``127.0.0.1`` on a random free
port.  It speaks the real Bot API protocol (``{base}/bot{token}/{method}``, GET or POST,
query string / JSON / form-urlencoded / multipart bodies, ``{"ok": ..., "result": ...}``
answers with Telegram's status codes and error descriptions), so the *real*
python-telegram-bot and aiogram clients can be pointed at it over real HTTP::

    async with FakeTelegram() as fake:
        # python-telegram-bot
        bot = telegram.Bot(fake.token, base_url=fake.ptb_base_url,
                           base_file_url=fake.ptb_base_file_url)
        # aiogram
        session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
        abot = aiogram.Bot(fake.token, session=session)

The test side is plain Python: ``inject_message`` / ``inject_callback`` / ``inject_raw``
queue updates (served by ``getUpdates`` or POSTed to the webhook), ``sent()`` /
``edits`` / ``callback_answers`` / ``commands`` / ``requests`` show what the bot did,
``wait_for`` / ``wait_sent`` wait for it without polling, and ``fail_next`` /
``delay_next`` / ``reject_token`` / ``enforce_limits`` inject faults.

Everything runs on the test's event loop; no threads.
"""

from __future__ import annotations

import asyncio
import copy
import html
import itertools
import json
import mimetypes
import re
import socket
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import aiohttp
from aiohttp import web

from tests.fakes.ratelimits import RateLimiter

__all__ = [
    "DEFAULT_TOKEN",
    "CallbackAnswer",
    "EditRecord",
    "FakeTelegram",
    "RequestRecord",
    "SentMessage",
    "UploadedFile",
]

DEFAULT_TOKEN = "123456:TEST-token"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_API_PATH_RE = re.compile(r"/bot([^/]*)/([^/]*)/?")
_FILE_PATH_RE = re.compile(r"/file/bot([^/]*)/(.+)")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")

# Update types Telegram delivers when allowed_updates is not specified (or empty).
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# Parameters that Telegram expects as JSON-serialized objects/arrays.  Clients send them as
# JSON strings inside form fields (PTB and aiogram both do), or natively inside a JSON body.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "reply_parameters",
        "entities",
        "caption_entities",
        "link_preview_options",
        "media",
        "results",
        "options",
        "permissions",
        "explanation_entities",
        "menu_button",
        "rights",
        "message_ids",
        "reaction",
        "input_message_content",
    }
)
_INT_FIELDS = frozenset(
    {
        "message_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "message_thread_id",
        "user_id",
        "max_connections",
        "width",
        "height",
        "duration",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_BUTTON_ACTIONS = frozenset(
    {
        "callback_data",
        "url",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "callback_game",
        "pay",
        "web_app",
        "copy_text",
    }
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


# --------------------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:  # keep request logs readable
        return f"UploadedFile({self.filename!r}, {len(self.data)} bytes, {self.content_type!r})"


@dataclass
class SentMessage:
    """One message the bot sent (sendMessage / sendPhoto / sendDocument).

    ``text``/``caption`` are exactly what the bot sent (markup included); the rendered
    text Telegram would show is :attr:`plain_text` and the entities are in ``message``.
    """

    method: str
    chat_id: int | str
    message_id: int
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    photo: bytes | None = None
    document: bytes | None = None
    filename: str | None = None
    mime_type: str | None = None
    file_id: str | None = None
    time: float = 0.0
    params: dict[str, Any] = field(default_factory=dict, repr=False)
    message: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def plain_text(self) -> str | None:
        """Text (or caption) after parse_mode rendering, as Telegram stores it."""
        return self.message.get("text", self.message.get("caption"))

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """Inline keyboard rows (empty if none)."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard")
        return rows if isinstance(rows, list) else []

    @property
    def button_texts(self) -> list[str]:
        return [b.get("text", "") for row in self.buttons for b in row if isinstance(b, dict)]

    @property
    def callback_datas(self) -> list[str]:
        return [
            b["callback_data"]
            for row in self.buttons
            for b in row
            if isinstance(b, dict) and "callback_data" in b
        ]


@dataclass
class EditRecord:
    """One successful edit (editMessageText / editMessageReplyMarkup / editMessageCaption)."""

    method: str
    chat_id: int | str | None
    message_id: int | None
    inline_message_id: str | None = None
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    time: float = 0.0
    params: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class CallbackAnswer:
    callback_query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None
    time: float = 0.0


class RequestRecord(NamedTuple):
    """One API call: canonical method name, normalized params, monotonic time, HTTP status."""

    method: str
    params: dict[str, Any]
    time: float
    http_status: int


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes | None
    filename: str | None
    mime_type: str | None
    file_path: str


@dataclass
class _Pending:
    update: dict[str, Any]
    forced: bool = False  # re-delivered: deliver once even if its id was confirmed
    attempts: int = 0

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])


@dataclass
class _Fault:
    status: int = 429
    retry_after: int | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    raw_body: bytes | None = None
    delay: float = 0.0


class _Result:
    """A successful result carrying a Telegram ``description`` (setWebhook & co.)."""

    __slots__ = ("description", "value")

    def __init__(self, value: Any, description: str) -> None:
        self.value = value
        self.description = description


class ApiError(Exception):
    """An error answer: becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _too_many(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


# --------------------------------------------------------------------------------------
# text formatting (parse_mode) -- enough of Telegram's parsers to catch real mistakes
# --------------------------------------------------------------------------------------


class _ParseError(Exception):
    pass


def _u16(text: str) -> int:
    """Length in UTF-16 code units: Telegram's unit for entity offsets/lengths."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, s: str) -> None:
        if s:
            self.parts.append(s)
            self.pos += _u16(s)

    def entity(self, etype: str, start: int, **extra: Any) -> None:
        length = self.pos - start
        if length > 0:
            self.entities.append({"type": etype, "offset": start, "length": length, **extra})

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        ents = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), ents


_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|lt|gt|amp|quot);")
_HTML_ATTR_RE = re.compile(r"""([A-Za-z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    b = _Builder()
    stack: list[dict[str, Any]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "<":
            off = _byte_offset(src, i)
            j = src.find(">", i + 1)
            if j == -1:
                raise _ParseError(f"Unclosed start tag at byte offset {off}")
            inner = src[i + 1 : j]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise _ParseError(f"Unexpected end tag at byte offset {off}")
                tag = stack.pop()
                if name and name != tag["name"]:
                    raise _ParseError(
                        f'Unmatched end tag at byte offset {off}, expected "</{tag["name"]}>", '
                        f'found "</{name}>"'
                    )
                if tag["type"]:
                    b.entity(tag["type"], tag["offset"], **tag["extra"])
            else:
                # like TDLib: the tag name runs to the first space or '>'
                k = i + 1
                while k < n and not src[k].isspace() and src[k] != ">":
                    k += 1
                if k >= n:
                    raise _ParseError(f"Unclosed start tag at byte offset {off}")
                name = src[i + 1 : k].lower()
                if name not in _HTML_TAGS:
                    raise _ParseError(f'Unsupported start tag "{name}" at byte offset {off}')
                attr_text = src[k:j]
                attrs = {
                    a.lower(): html.unescape(v1 or v2 or v3)
                    for a, v1, v2, v3 in _HTML_ATTR_RE.findall(attr_text)
                }
                etype: str | None = _HTML_TAGS[name]
                extra: dict[str, Any] = {}
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise _ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {off}')
                if name == "a":
                    href = attrs.get("href", "")
                    if not href:
                        etype = None
                    elif href.startswith("tg://user?id="):
                        uid = href.split("=", 1)[1]
                        if uid.isdigit():
                            etype = "text_mention"
                            extra = {"user": {"id": int(uid), "is_bot": False, "first_name": ""}}
                        else:
                            etype = None
                    else:
                        extra = {"url": href}
                elif name == "tg-emoji":
                    if "emoji-id" not in attrs:
                        raise _ParseError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {off}')
                    extra = {"custom_emoji_id": attrs["emoji-id"]}
                elif name == "blockquote" and "expandable" in attr_text:
                    etype = "expandable_blockquote"
                elif name == "code" and stack and stack[-1]["name"] == "pre":
                    lang = attrs.get("class", "")
                    if lang.startswith("language-"):
                        stack[-1]["extra"]["language"] = lang[len("language-") :]
                        etype = None
                stack.append({"name": name, "type": etype, "offset": b.pos, "extra": extra})
            i = j + 1
        elif c == "&":
            m = _HTML_ENTITY_RE.match(src, i)
            if m is None:
                b.add("&")
                i += 1
                continue
            ref = m.group(1)
            if ref in _HTML_NAMED:
                b.add(_HTML_NAMED[ref])
            else:
                cp = int(ref[2:], 16) if ref[1:2] in ("x", "X") else int(ref[1:])
                if 0 < cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF:
                    b.add(chr(cp))
                else:
                    b.add(m.group(0))
            i = m.end()
        else:
            j = i
            while j < n and src[j] not in "<&":
                j += 1
            b.add(src[i:j])
            i = j
    if stack:
        raise _ParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1]["name"]}"'
        )
    return b.result()


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "*": ("bold", "Bold"),
    "_": ("italic", "Italic"),
    "__": ("underline", "Underline"),
    "~": ("strikethrough", "Strikethrough"),
    "||": ("spoiler", "Spoiler"),
    "[": ("text_link", "TextUrl"),
}


def _parse_markdown_v2(src: str) -> tuple[str, list[dict[str, Any]]]:
    b = _Builder()
    stack: list[dict[str, Any]] = []
    i, n = 0, len(src)
    line_start = True
    quote_start: int | None = None

    def reserved(ch: str) -> _ParseError:
        return _ParseError(
            f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
        )

    def read_until(start: int, closer: str, what: str, off: int) -> tuple[str, int]:
        """Read code/pre/url content (only ` and \\ escapes) up to ``closer``."""
        out: list[str] = []
        j = start
        while j < n:
            if src[j] == "\\" and j + 1 < n:
                out.append(src[j + 1])
                j += 2
            elif src.startswith(closer, j):
                return "".join(out), j + len(closer)
            else:
                out.append(src[j])
                j += 1
        raise _ParseError(f"Can't find end of {what} entity at byte offset {off}")

    while i < n:
        c = src[i]
        off = _byte_offset(src, i)
        if line_start and c == ">":
            quote_start = b.pos if quote_start is None else quote_start
            i += 1
            line_start = False
            continue
        if line_start and quote_start is not None:
            # previous line was quoted, this one is not: close the blockquote
            b.pos -= 1  # the newline is not part of the quote
            b.entity("blockquote", quote_start)
            b.pos += 1
            quote_start = None
        line_start = False
        if c == "\\":
            if i + 1 < n and 1 <= ord(src[i + 1]) <= 126:
                b.add(src[i + 1])
                i += 2
            else:
                b.add("\\")
                i += 1
            continue
        if c == "`":
            if src.startswith("```", i):
                content, i = read_until(i + 3, "```", "PreCode", off)
                lang = None
                if "\n" in content:
                    first, rest = content.split("\n", 1)
                    if first and re.fullmatch(r"[\w+#.-]+", first):
                        lang, content = first, rest
                start = b.pos
                b.add(content)
                b.entity("pre", start, **({"language": lang} if lang else {}))
            else:
                content, i = read_until(i + 1, "`", "Code", off)
                start = b.pos
                b.add(content)
                b.entity("code", start)
            continue
        if c == "[":
            stack.append({"marker": "[", "offset": b.pos, "byte": off})
            i += 1
            continue
        if c == "]":
            if not stack or stack[-1]["marker"] != "[":
                raise reserved("]")
            if not src.startswith("(", i + 1):
                raise reserved("]")
            url, i = read_until(i + 2, ")", "TextUrl", off)
            opened = stack.pop()
            b.entity("text_link", opened["offset"], url=url)
            continue
        marker = None
        if src.startswith("__", i):
            marker = "__"
        elif src.startswith("||", i):
            marker = "||"
        elif c in "*_~":
            marker = c
        if marker is not None:
            for k in range(len(stack) - 1, -1, -1):
                if stack[k]["marker"] == marker:
                    opened = stack.pop(k)
                    b.entity(_MDV2_NAMES[marker][0], opened["offset"])
                    break
            else:
                stack.append({"marker": marker, "offset": b.pos, "byte": off})
            i += len(marker)
            continue
        if c in _MDV2_RESERVED:
            raise reserved(c)
        b.add(c)
        line_start = c == "\n"
        i += 1
    if stack:
        top = stack[-1]
        raise _ParseError(
            f"Can't find end of {_MDV2_NAMES[top['marker']][1]} entity at byte offset {top['byte']}"
        )
    if quote_start is not None:
        b.entity("blockquote", quote_start)
    return b.result()


def _parse_markdown(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Legacy ``Markdown``: *bold* _italic_ `code` ```pre``` [text](url), no nesting."""
    b = _Builder()
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        off = _byte_offset(src, i)
        if c == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            b.add(src[i + 1])
            i += 2
        elif c in "*_`":
            closer = "```" if src.startswith("```", i) else c
            j = src.find(closer, i + len(closer))
            if j == -1:
                raise _ParseError(f"Can't find end of the entity starting at byte offset {off}")
            content = src[i + len(closer) : j]
            etype = {"*": "bold", "_": "italic", "`": "code", "```": "pre"}[closer]
            start = b.pos
            b.add(content)
            b.entity(etype, start)
            i = j + len(closer)
        elif c == "[":
            m = re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(src, i)
            if m is None:
                raise _ParseError(f"Can't find end of the entity starting at byte offset {off}")
            start = b.pos
            b.add(m.group(1))
            b.entity("text_link", start, url=m.group(2))
            i = m.end()
        else:
            b.add(c)
            i += 1
    return b.result()


_AUTO_ENTITY_RES: list[tuple[str, re.Pattern[str]]] = [
    ("bot_command", re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("url", re.compile(r"https?://[^\s]+")),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{5,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w+")),
]


def auto_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram attaches to a user's plain message: bot_command, url, mention,
    hashtag (offsets in UTF-16 units)."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for etype, pattern in _AUTO_ENTITY_RES:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            found.append((s, e, etype))
    found.sort()
    return [
        {"type": etype, "offset": _u16(text[:s]), "length": _u16(text[s:e])}
        for s, e, etype in found
    ]


def _render(
    text: str, parse_mode: str | None, entities: Any
) -> tuple[str, list[dict[str, Any]]]:
    if entities not in (None, ""):
        if not isinstance(entities, list):
            raise _bad("can't parse entities JSON object")
        return text, entities
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    try:
        if mode == "html":
            return _parse_html(text)
        if mode == "markdownv2":
            return _parse_markdown_v2(text)
        if mode == "markdown":
            return _parse_markdown(text)
    except _ParseError as e:
        raise _bad(f"can't parse entities: {e}") from None
    raise _bad("unsupported parse_mode")


# --------------------------------------------------------------------------------------
# request parameters
# --------------------------------------------------------------------------------------


def _normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode the JSON-string fields and coerce well-known int/bool fields; never raises.

    Values that cannot be coerced are left as they were, so the handlers can answer 400.
    """
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in _JSON_FIELDS:
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            elif key in _INT_FIELDS or key in ("chat_id", "from_chat_id"):
                stripped = value.strip()
                if re.fullmatch(r"-?\d+", stripped):
                    value = int(stripped)
            elif key in _BOOL_FIELDS:
                low = value.strip().lower()
                if low in ("true", "1"):
                    value = True
                elif low in ("false", "0", ""):
                    value = False
        out[key] = value
    # top-level attach://name references (aiogram uploads every InputFile this way)
    for key, value in list(out.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            name = value[len("attach://") :]
            attached = out.get(name)
            if isinstance(attached, UploadedFile):
                out[key] = attached
                if name != key:
                    out.pop(name, None)
    return out


class _Params:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def get(self, name: str) -> Any:
        value = self.values.get(name)
        return None if value == "" else value

    def str(self, name: str, *, required: bool = False, empty: str | None = None) -> str | None:
        value = self.get(name)
        if value is None:
            if required:
                raise _bad(empty or f"{name} is empty")
            return None
        if isinstance(value, (dict, list, UploadedFile)):
            raise _bad(f"field \"{name}\" must be of type String")
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def int(self, name: str, *, required: bool = False, default: int | None = None) -> int | None:
        value = self.get(name)
        if value is None:
            if required:
                raise _bad(f"{name} is empty")
            return default
        if isinstance(value, bool):
            raise _bad(f"field \"{name}\" must be of type Integer")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        raise _bad(f"field \"{name}\" must be of type Integer")

    def number(self, name: str, *, default: float = 0.0) -> float:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            raise _bad(f"field \"{name}\" must be of type Integer")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad(f"field \"{name}\" must be of type Integer") from None

    def bool(self, name: str, *, default: bool = False) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str) and value.strip().lower() in ("true", "1", "false", "0"):
            return value.strip().lower() in ("true", "1")
        raise _bad(f"field \"{name}\" must be of type Boolean")

    def json(self, name: str, *, error: str | None = None) -> Any:
        value = self.get(name)
        if value is None:
            return None
        if isinstance(value, str):  # not decodable by _normalize
            raise _bad(error or f"can't parse {name} JSON object")
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        value = self.get(name)
        if value is None:
            raise _bad(f"{name} is empty")
        if isinstance(value, bool) or isinstance(value, (dict, list, UploadedFile)):
            raise _bad("chat not found")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"@[A-Za-z0-9_]{4,32}", value.strip()):
            return value.strip()
        raise _bad("chat not found")


# --------------------------------------------------------------------------------------
# misc helpers
# --------------------------------------------------------------------------------------


def _image_size(data: bytes | None) -> tuple[int, int] | None:
    if not data:
        return None
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h = int.from_bytes(data[i + 5 : i + 7], "big")
                w = int.from_bytes(data[i + 7 : i + 9], "big")
                return w, h
            i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def _update_type(update: dict[str, Any]) -> str | None:
    for key in update:
        if key != "update_id":
            return key
    return None


def _json_dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _scope_key(scope: Any) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True, ensure_ascii=False)


_UNSET: Any = object()


# --------------------------------------------------------------------------------------
# the fake server
# --------------------------------------------------------------------------------------


class FakeTelegram:
    """A fake Telegram Bot API server (see the module docstring)."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "zsbot_test_bot",
        bot_first_name: str = "招商助手",
        enforce_limits: bool = False,
        global_per_second: int | None = 30,
        per_chat_per_second: int | None = 1,
        group_per_minute: int | None = 20,
        webhook_max_attempts: int = 3,
        webhook_retry_delay: float = 0.05,
        webhook_timeout: float = 5.0,
        strict_chats: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        if not _TOKEN_RE.fullmatch(token):
            raise ValueError(f"not a Telegram-looking token: {token!r}")
        self.token = token
        self.host = host
        self.port: int | None = None
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.enforce_limits = enforce_limits
        self.rate_limiter = RateLimiter(
            per_second=global_per_second,
            per_chat_per_second=per_chat_per_second,
            group_per_minute=group_per_minute,
        )
        self.webhook_max_attempts = max(1, webhook_max_attempts)
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout
        self.strict_chats = strict_chats

        # records (read by tests)
        self.requests: list[RequestRecord] = []
        self.edits: list[EditRecord] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.chat_actions: list[tuple[int | str, str, float]] = []
        self.deleted: list[tuple[int | str, int]] = []
        self.webhook_deliveries: list[tuple[int, int]] = []
        self.errors: list[BaseException] = []  # internal errors of the fake (should stay empty)
        self._sent: list[SentMessage] = []
        self._last_commands: dict[str, Any] | None = None
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}

        # state
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._message_counters: dict[int | str, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_paths: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._update_counter = 100_000
        self._callback_counter = itertools.count(1)
        self._history: dict[int, dict[str, Any]] = {}
        self._pending: list[_Pending] = []
        self._allowed_updates: list[str] | None = None
        self._open_callbacks: set[str] = set()
        self._blocked: set[int | str] = set()
        self._migrated: dict[int | str, int] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._chat_delays: dict[str, deque[float]] = {}
        self._token_rejected = False
        self._webhook: dict[str, Any] | None = None
        self._webhook_last_error: tuple[int, str] | None = None
        self._poll_generation = 0
        self._active_polls = 0

        self._methods: dict[str, tuple[str, Callable[[_Params], Any]]] = {}
        for attr in dir(self):
            if attr.startswith("_api_"):
                canonical = attr[len("_api_") :]
                self._methods[canonical.lower()] = (canonical, getattr(self, attr))

        # runtime
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._worker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._changed: asyncio.Event | None = None
        self._closing: asyncio.Event | None = None

    # ------------------------------------------------------------------ lifecycle

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
        site = web.SockSite(runner, sock)
        await site.start()
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

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

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
                recent = ", ".join(
                    f"{r.method}->{r.http_status}" for r in self.requests[-8:]
                ) or "none"
                raise TimeoutError(
                    f"condition not met within {timeout}s (recent requests: {recent})"
                )
            await self._wait_change(event, remaining)

    async def wait_sent(
        self, chat_id: int | str | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until at least ``count`` messages in total were sent to ``chat_id`` (any chat
        if None) and return all of them."""

        def ready() -> list[SentMessage] | None:
            found = self.sent(chat_id)
            return found if len(found) >= count else None

        return await self.wait_for(ready, timeout)

    async def wait_request(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RequestRecord]:
        """Wait until ``method`` was called at least ``count`` times; return those calls."""
        key = method.lower()

        def ready() -> list[RequestRecord] | None:
            found = [r for r in self.requests if r.method.lower() == key]
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

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str | None = None
    ) -> list[dict[str, Any]]:
        """The command list currently set for ``scope``/``language_code``."""
        return copy.deepcopy(self._commands.get((_scope_key(scope), language_code or ""), []))

    def message(self, chat_id: int | str, message_id: int) -> dict[str, Any] | None:
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

    def clear_records(self) -> None:
        """Forget what was recorded (sent, edits, answers, requests, deliveries)."""
        self._sent.clear()
        self.edits.clear()
        self.callback_answers.clear()
        self.chat_actions.clear()
        self.deleted.clear()
        self.requests.clear()
        self.webhook_deliveries.clear()

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        times: int = 1,
        parameters: dict[str, Any] | None = None,
        raw_body: str | bytes | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*" = any) fail with ``status``.

        429 answers carry ``parameters.retry_after`` exactly like Telegram; ``raw_body``
        replaces the JSON body (e.g. an HTML 502 page from a proxy)."""
        if raw_body is not None and isinstance(raw_body, str):
            raw_body = raw_body.encode()
        fault = _Fault(
            status=status,
            retry_after=retry_after if status == 429 else None,
            description=description,
            parameters=parameters,
            raw_body=raw_body,
        )
        self._faults.setdefault(method.lower(), deque()).extend(
            copy.copy(fault) for _ in range(times)
        )

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Delay the next ``times`` calls of ``method`` ("*" = any) by ``seconds`` before
        processing them (the call still takes effect if the client gave up)."""
        self._delays.setdefault(method.lower(), deque()).extend([seconds] * times)

    def delay_chat(self, chat_id: int | str, seconds: float, times: int = 1) -> None:
        """Delay the next ``times`` calls addressed to ``chat_id`` (any method) by ``seconds``:
        one person's slow reply, while calls for other chats go through at once."""
        self._chat_delays.setdefault(str(chat_id), deque()).extend([seconds] * times)

    def reject_token(self) -> None:
        """All subsequent calls answer 401 Unauthorized (revoked token)."""
        self._token_rejected = True

    def accept_token(self) -> None:
        self._token_rejected = False

    def block(self, chat_id: int | str) -> None:
        """Sends to ``chat_id`` answer 403 "Forbidden: bot was blocked by the user"."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int | str) -> None:
        self._blocked.discard(chat_id)

    def migrate_chat(self, chat_id: int, new_chat_id: int) -> None:
        """The group was upgraded: sends to it answer 400 with migrate_to_chat_id."""
        self._migrated[chat_id] = new_chat_id

    def add_chat(
        self,
        chat_id: int | str,
        *,
        chat_type: str | None = None,
        title: str | None = None,
        first_name: str = "测试",
        username: str | None = None,
    ) -> dict[str, Any]:
        """Register a chat (needed for sends when ``strict_chats=True``)."""
        return copy.deepcopy(
            self._ensure_chat(chat_id, chat_type, title, first_name=first_name, username=username)
        )

    # ------------------------------------------------------------------ injecting updates

    def _next_update_id(self) -> int:
        self._update_counter += 1
        return self._update_counter

    def _enqueue(self, update: dict[str, Any], *, forced: bool = False) -> int:
        uid = int(update["update_id"])
        self._history[uid] = update
        self._pending.append(_Pending(copy.deepcopy(update), forced=forced))
        self._notify()
        return uid

    def _user(
        self,
        user_id: int,
        first_name: str,
        username: str | None,
        language_code: str | None,
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def inject_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        first_name: str = "测试",
        username: str | None = None,
        chat_type: str | None = None,
        title: str | None = None,
        entities: list[dict[str, Any]] | None = _UNSET,
        reply_to: int | None = None,
        language_code: str | None = "zh-hans",
        extra: dict[str, Any] | None = None,
    ) -> int:
        """Queue a ``message`` update from a user; returns its update_id.

        ``entities`` defaults to what Telegram would detect (bot_command for "/cmd" and
        "/cmd@bot", url, mention, hashtag); pass ``[]`` or ``None`` for none.  Negative
        chat ids are groups (``-100`` + 10 digits: supergroup) unless ``chat_type`` says
        otherwise.  ``extra`` is merged into the message (e.g. ``{"photo": [...]}``).
        """
        user = self._user(user_id, first_name, username, language_code)
        chat = self._ensure_chat(chat_id, chat_type, title, first_name=first_name, username=username)
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": user,
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
            "text": text,
        }
        ents = auto_entities(text) if entities is _UNSET else entities
        if ents:
            msg["entities"] = ents
        if reply_to is not None:
            replied = self._messages.get((chat_id, reply_to))
            if replied is None:
                raise KeyError(f"no message {reply_to} in chat {chat_id}")
            msg["reply_to_message"] = self._strip_reply(replied)
        if extra:
            msg.update(copy.deepcopy(extra))
        self._messages[(chat_id, msg["message_id"])] = msg
        return self._enqueue({"update_id": self._next_update_id(), "message": copy.deepcopy(msg)})

    def inject_document(
        self,
        chat_id: int,
        user_id: int,
        data: bytes,
        filename: str,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        first_name: str = "测试",
        username: str | None = None,
        chat_type: str | None = None,
    ) -> int:
        """Queue a message with a document the user sent (downloadable via getFile)."""
        stored = self._store_file(data, filename, mime_type, kind="documents")
        document = self._document_obj(stored)
        user = self._user(user_id, first_name, username, "zh-hans")
        chat = self._ensure_chat(chat_id, chat_type, None, first_name=first_name, username=username)
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": user,
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
            "document": document,
        }
        if caption:
            msg["caption"] = caption
        self._messages[(chat_id, msg["message_id"])] = msg
        return self._enqueue({"update_id": self._next_update_id(), "message": copy.deepcopy(msg)})

    def inject_callback(
        self,
        chat_id: int,
        user_id: int,
        message_id: int,
        data: str,
        *,
        first_name: str = "测试",
        username: str | None = None,
    ) -> int:
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

    def inject_raw(self, update: dict[str, Any]) -> int:
        """Queue an arbitrary update (``update_id`` is assigned if missing)."""
        update = self._register_update(update)
        return self._enqueue(update)

    def redeliver(self, update_id: int) -> None:
        """Deliver an already delivered update again, same update_id (duplicate delivery):
        re-queued for getUpdates (delivered once more even though it was confirmed), or
        POSTed to the webhook again."""
        update = self._history.get(update_id)
        if update is None:
            raise KeyError(f"unknown update_id {update_id}")
        self._enqueue(copy.deepcopy(update), forced=True)

    def _register_update(self, update: dict[str, Any]) -> dict[str, Any]:
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id()
        else:
            self._update_counter = max(self._update_counter, int(update["update_id"]))
        for key in ("message", "edited_message", "channel_post"):
            msg = update.get(key)
            if isinstance(msg, dict) and isinstance(msg.get("chat"), dict) and "message_id" in msg:
                chat_id = msg["chat"].get("id")
                if chat_id is not None:
                    self._chats.setdefault(chat_id, copy.deepcopy(msg["chat"]))
                    self._messages.setdefault((chat_id, msg["message_id"]), copy.deepcopy(msg))
                    current = self._message_counters.get(chat_id, 0)
                    if isinstance(msg["message_id"], int):
                        self._message_counters[chat_id] = max(current, msg["message_id"])
        cq = update.get("callback_query")
        if isinstance(cq, dict) and "id" in cq:
            self._open_callbacks.add(str(cq["id"]))
        return update

    async def post_to_webhook(
        self,
        update: dict[str, Any],
        *,
        secret: str | None = _UNSET,
        url: str | None = None,
    ) -> int:
        """POST ``update`` directly to the webhook (``url`` or the one set by setWebhook)
        with the configured secret (default), a chosen one, or none (``secret=None``).
        Returns the HTTP status (0 if the connection failed); also recorded in
        ``webhook_deliveries``.  Method calls in the answer body are executed."""
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

    # ------------------------------------------------------------------ chats & messages

    def _ensure_chat(
        self,
        chat_id: int | str,
        chat_type: str | None = None,
        title: str | None = None,
        *,
        first_name: str = "测试",
        username: str | None = None,
    ) -> dict[str, Any]:
        chat = self._chats.get(chat_id)
        if chat is not None and chat_type is None and title is None:
            return chat
        if isinstance(chat_id, str):
            name = chat_id.lstrip("@")
            chat = {
                "id": -1_000_000_000_000 - zlib.crc32(name.encode()) % 10**9,
                "type": chat_type or "channel",
                "title": title or name,
                "username": name,
            }
        else:
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

    def _next_message_id(self, chat_id: int | str) -> int:
        n = self._message_counters.get(chat_id, 0) + 1
        self._message_counters[chat_id] = n
        return n

    @staticmethod
    def _strip_reply(msg: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(msg)
        out.pop("reply_to_message", None)
        return out

    def _target_chat(self, p: _Params) -> tuple[int | str, dict[str, Any]]:
        chat_id = p.chat_id()
        if chat_id in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.strict_chats and chat_id not in self._chats:
            raise _bad("chat not found")
        return chat_id, self._ensure_chat(chat_id)

    def _check_rate(self, chat_id: int | str, chat: dict[str, Any]) -> None:
        if not self.enforce_limits:
            return
        is_group = chat.get("type") in ("group", "supergroup")
        retry_after = self.rate_limiter.check(chat_id, is_group=is_group)
        if retry_after is not None:
            raise _too_many(retry_after)

    def _reply_to(self, p: _Params, chat_id: int | str) -> dict[str, Any] | None:
        params = p.json("reply_parameters")
        if params is not None and not isinstance(params, dict):
            raise _bad("can't parse reply parameters JSON object")
        if params:
            message_id = params.get("message_id")
            allow = bool(params.get("allow_sending_without_reply"))
            target_chat = params.get("chat_id", chat_id)
        else:
            message_id = p.int("reply_to_message_id")
            allow = p.bool("allow_sending_without_reply")
            target_chat = chat_id
        if message_id is None:
            return None
        replied = self._messages.get((target_chat, message_id))
        if replied is None:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return self._strip_reply(replied)

    def _markup(self, p: _Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = p.json("reply_markup", error="can't parse reply keyboard markup JSON object")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            for row in rows:
                for button in row:
                    self._check_inline_button(button)
            return markup
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("can't parse reply keyboard markup JSON object")
            for row in rows:
                for button in row:
                    text = button if isinstance(button, str) else (
                        button.get("text") if isinstance(button, dict) else None
                    )
                    if not isinstance(text, str) or not text:
                        raise _bad("can't parse keyboard button: Text must be non-empty")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise _bad("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        text = button.get("text")
        if not isinstance(text, str) or not text:
            raise _bad("can't parse inline keyboard button: Text must be non-empty")
        actions = _INLINE_BUTTON_ACTIONS.intersection(button)
        if not actions:
            raise _bad(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise _bad("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            parts = urlsplit(url) if isinstance(url, str) else None
            if parts is None or parts.scheme not in ("http", "https", "tg") or not (
                parts.netloc or parts.scheme == "tg"
            ):
                raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    @staticmethod
    def _echo_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
        # Telegram only returns inline keyboards in Message.reply_markup
        if markup and "inline_keyboard" in markup:
            return copy.deepcopy(markup)
        return None

    def _new_bot_message(
        self,
        chat_id: int | str,
        chat: dict[str, Any],
        content: dict[str, Any],
        markup: dict[str, Any] | None,
        reply: dict[str, Any] | None,
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {"message_id": self._next_message_id(chat_id)}
        if chat.get("type") == "channel":
            msg["sender_chat"] = copy.deepcopy(chat)
        else:
            msg["from"] = copy.deepcopy(self.bot_user)
        msg["chat"] = copy.deepcopy(chat)
        msg["date"] = int(time.time())
        if reply is not None:
            msg["reply_to_message"] = reply
        msg.update(content)
        echoed = self._echo_markup(markup)
        if echoed:
            msg["reply_markup"] = echoed
        self._messages[(chat_id, msg["message_id"])] = msg
        return msg

    def _editable_message(self, p: _Params) -> tuple[int | str, dict[str, Any]]:
        chat_id = p.chat_id()
        message_id = p.int("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        msg = self._messages.get((chat_id, message_id))
        if msg is None:
            raise _bad("message to edit not found")
        if msg.get("from", {}).get("id") != self.bot_user["id"] and "sender_chat" not in msg:
            raise _bad("message can't be edited")
        return chat_id, msg

    # ------------------------------------------------------------------ files

    def _store_file(
        self, data: bytes | None, filename: str | None, mime_type: str | None, *, kind: str
    ) -> _StoredFile:
        n = next(self._file_counter)
        prefix = {"photos": "AgACAgUAAxkBAAI", "documents": "BQACAgUAAxkBAAI"}.get(kind, "CQACAgUAAxkBAAI")
        file_id = f"{prefix}{n:06d}{zlib.crc32(f'{kind}:{n}'.encode()):010d}"
        unique = f"AQAD{n:06d}"
        ext = ""
        if filename and "." in filename:
            ext = filename.rsplit(".", 1)[1]
        elif kind == "photos":
            ext = "jpg"
        path = f"{kind}/file_{n}{'.' + ext if ext else ''}"
        stored = _StoredFile(file_id, unique, data, filename, mime_type, path)
        self._files[file_id] = stored
        self._file_paths[path] = stored
        return stored

    def add_file(self, data: bytes, filename: str, mime_type: str | None = None) -> dict[str, Any]:
        """Store a file (as if a user had sent it) and return a Document object for it."""
        return self._document_obj(self._store_file(data, filename, mime_type, kind="documents"))

    @staticmethod
    def _document_obj(stored: _StoredFile) -> dict[str, Any]:
        doc: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.filename:
            doc["file_name"] = stored.filename
        if stored.mime_type:
            doc["mime_type"] = stored.mime_type
        if stored.data is not None:
            doc["file_size"] = len(stored.data)
        return doc

    def _input_file(self, p: _Params, name: str) -> tuple[bytes | None, str | None, str | None, _StoredFile | None]:
        """(data, filename, content_type, existing stored file) for a file parameter."""
        value = p.get(name)
        if value is None:
            raise _bad(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            if not value.data:
                raise _bad("file must be non-empty")
            return value.data, value.filename, value.content_type, None
        if isinstance(value, str):
            if value.startswith("attach://"):
                raise _bad("wrong HTTP URL specified")
            stored = self._files.get(value)
            if stored is not None:
                return stored.data, stored.filename, stored.mime_type, stored
            return None, None, None, None  # an unknown file_id or an URL: accepted
        raise _bad(f"wrong type of the {name} field")

    def _caption(self, p: _Params) -> tuple[str | None, dict[str, Any]]:
        caption = p.str("caption")
        if caption is None:
            return None, {}
        plain, ents = _render(caption, p.str("parse_mode"), p.json("caption_entities"))
        if len(plain) > 1024:
            raise _bad("message caption is too long")
        content: dict[str, Any] = {"caption": plain}
        if ents:
            content["caption_entities"] = ents
        return caption, content

    # ------------------------------------------------------------------ HTTP

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query.items())
        if request.method not in ("POST", "PUT", "PATCH") or not request.body_exists:
            return params
        ctype = request.content_type
        try:
            if ctype == "application/json":
                raw = await request.read()
                if raw.strip():
                    body = json.loads(raw)
                    if not isinstance(body, dict):
                        raise _bad("parameters must be a JSON object")
                    params.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, value in form.items():
                    params[key] = self._form_value(key, value)
            else:
                await request.read()
        except ApiError:
            raise
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        except (ValueError, UnicodeDecodeError, aiohttp.ClientPayloadError, AssertionError) as e:
            raise _bad(f"can't parse request body: {type(e).__name__}") from None
        return params

    @staticmethod
    def _form_value(key: str, value: Any) -> Any:
        if isinstance(value, web.FileField):
            return UploadedFile(key, value.filename, value.content_type, value.file.read())
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).decode("utf-8", "replace")
        return value

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method.lower(), "*"):
            queue = self._faults.get(key)
            if queue:
                return queue.popleft()
        return None

    def _take_delay(self, method: str) -> float:
        for key in (method.lower(), "*"):
            queue = self._delays.get(key)
            if queue:
                return queue.popleft()
        return 0.0

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        m_file = _FILE_PATH_RE.fullmatch(path)
        if m_file is not None:
            return self._serve_file(m_file.group(1), m_file.group(2))
        m = _API_PATH_RE.fullmatch(path)
        method_raw = m.group(2) if m else path
        canonical = self._methods.get(method_raw.lower(), (method_raw, None))[0]
        started = time.monotonic()
        params: dict[str, Any] = {}
        raw_body: bytes | None = None
        try:
            if m is None:
                raise ApiError(404, "Not Found")
            token = m.group(1)
            if not _TOKEN_RE.fullmatch(token):
                raise ApiError(404, "Not Found")
            if token != self.token or self._token_rejected:
                raise ApiError(401, "Unauthorized")
            params = _normalize(await self._read_params(request))
            body, status = await self._call(canonical, params)
        except ApiError as e:
            body, status = e.body(), e.status
        except Exception as e:  # noqa: BLE001 - the fake must never crash
            self.errors.append(e)
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            status = 500
        if isinstance(body, bytes):
            raw_body = body
        if canonical.lower() == "logout" and status == 200:
            self._token_rejected = True
        self.requests.append(RequestRecord(canonical, params, started, status))
        self._notify()
        if raw_body is not None:
            return web.Response(body=raw_body, status=status, content_type="text/html")
        return web.json_response(body, status=status, dumps=_json_dumps)

    async def _call(self, canonical: str, params: dict[str, Any]) -> tuple[Any, int]:
        """Run one API method; returns (JSON body or raw bytes, status)."""
        entry = self._methods.get(canonical.lower())
        if entry is None:
            raise ApiError(404, "Not Found")
        delay = self._take_delay(canonical)
        chat_delays = self._chat_delays.get(str(params.get("chat_id")))
        if chat_delays:
            delay += chat_delays.popleft()
        if delay:
            await self._sleep(delay)
        fault = self._take_fault(canonical)
        if fault is not None:
            if fault.raw_body is not None:
                return fault.raw_body, fault.status
            if fault.status == 429:
                ra = fault.retry_after if fault.retry_after is not None else 1
                err = ApiError(
                    429,
                    fault.description or f"Too Many Requests: retry after {ra}",
                    {"retry_after": ra, **(fault.parameters or {})},
                )
            else:
                err = ApiError(
                    fault.status,
                    fault.description or _DEFAULT_DESCRIPTIONS.get(fault.status, "Error"),
                    fault.parameters,
                )
            raise err
        result = await entry[1](_Params(params))
        if isinstance(result, _Result):
            return {"ok": True, "result": result.value, "description": result.description}, 200
        return {"ok": True, "result": result}, 200

    def _serve_file(self, token: str, file_path: str) -> web.Response:
        if token != self.token or self._token_rejected:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._file_paths.get(file_path)
        if stored is None or stored.data is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # ------------------------------------------------------------------ webhook delivery

    async def _post_update(self, url: str, update: dict[str, Any], secret: str | None) -> int:
        assert self._client is not None
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        try:
            async with self._client.post(
                url,
                data=_json_dumps(update).encode("utf-8"),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as resp:
                status = resp.status
                if 200 <= status < 300:
                    await self._webhook_reply(resp)
                else:
                    self._webhook_last_error = (int(time.time()), f"Wrong response from the webhook: {status} {resp.reason}")
                return status
        except (aiohttp.ClientError, TimeoutError, OSError) as e:
            self._webhook_last_error = (int(time.time()), f"Connection failed: {type(e).__name__}")
            return 0

    async def _webhook_reply(self, resp: aiohttp.ClientResponse) -> None:
        """Telegram executes a method call returned in the webhook answer body."""
        try:
            params: dict[str, Any] = {}
            if resp.content_type == "application/json":
                body = await resp.json(content_type=None)
                if isinstance(body, dict):
                    params = body
            elif resp.content_type == "multipart/form-data":
                reader = aiohttp.MultipartReader.from_response(resp)
                async for part in reader:
                    if part is None or not isinstance(part, aiohttp.BodyPartReader):
                        continue
                    data = await part.read(decode=True)
                    if part.filename:
                        params[part.name or ""] = UploadedFile(
                            part.name or "", part.filename,
                            part.headers.get("Content-Type"), bytes(data)
                        )
                    else:
                        params[part.name or ""] = bytes(data).decode("utf-8", "replace")
            elif resp.content_type == "application/x-www-form-urlencoded":
                params = dict(parse_qsl(await resp.text()))
            method = params.pop("method", None)
            if not isinstance(method, str) or not method:
                return
        except Exception:  # noqa: BLE001 - garbage answers are ignored, as by Telegram
            return
        canonical = self._methods.get(method.lower(), (method, None))[0]
        started = time.monotonic()
        params = _normalize(params)
        try:
            if self._token_rejected:
                raise ApiError(401, "Unauthorized")
            _, status = await self._call(canonical, params)
        except ApiError as e:
            status = e.status
        except Exception as e:  # noqa: BLE001
            self.errors.append(e)
            status = 500
        self.requests.append(RequestRecord(canonical, params, started, status))

    def _allowed(self, update: dict[str, Any]) -> bool:
        utype = _update_type(update)
        if not self._allowed_updates:
            return utype not in _NOT_DEFAULT_UPDATES
        return utype in self._allowed_updates

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
            if ok or entry.attempts >= self.webhook_max_attempts:
                if entry in self._pending:
                    self._pending.remove(entry)
            self._notify()
            if not ok and entry.attempts < self.webhook_max_attempts:
                await self._sleep(self.webhook_retry_delay)

    # ------------------------------------------------------------------ getUpdates

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset > 0:
            self._pending = [
                p for p in self._pending if p.update_id >= offset or p.forced
            ]
        else:
            self._pending = self._pending[offset:]  # keep the last -offset updates

    def _take_updates(self, limit: int) -> list[dict[str, Any]]:
        kept: list[_Pending] = []
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

    # ------------------------------------------------------------------ API methods
    # Each ``_api_<Name>`` implements Bot API method <Name> (matched case-insensitively).

    async def _api_getMe(self, p: _Params) -> Any:
        return copy.deepcopy(self.bot_user)

    async def _api_getUpdates(self, p: _Params) -> Any:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = p.int("offset")
        limit = max(1, min(100, p.int("limit", default=100) or 100))
        timeout = min(3600.0, max(0.0, p.number("timeout", default=0.0)))
        allowed = p.json("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise _bad("can't parse allowed_updates JSON object")
            self._allowed_updates = [str(a) for a in allowed] or None
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
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
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

    async def _api_sendMessage(self, p: _Params) -> Any:
        chat_id, chat = self._target_chat(p)
        text = p.str("text", required=True, empty="message text is empty")
        assert text is not None
        parse_mode = p.str("parse_mode")
        plain, ents = _render(text, parse_mode, p.json("entities"))
        if not plain.strip():
            raise _bad("message text is empty")
        if len(plain) > 4096:
            raise _bad("message is too long")
        markup = self._markup(p)
        reply = self._reply_to(p, chat_id)
        self._check_rate(chat_id, chat)
        content: dict[str, Any] = {"text": plain}
        if ents:
            content["entities"] = ents
        lpo = p.json("link_preview_options")
        if isinstance(lpo, dict) and lpo:
            content["link_preview_options"] = lpo
        msg = self._new_bot_message(chat_id, chat, content, markup, reply)
        self._sent.append(
            SentMessage(
                method="sendMessage",
                chat_id=chat_id,
                message_id=msg["message_id"],
                text=text,
                parse_mode=parse_mode,
                reply_markup=markup,
                reply_to_message_id=reply["message_id"] if reply else None,
                time=time.monotonic(),
                params=dict(p.values),
                message=copy.deepcopy(msg),
            )
        )
        return copy.deepcopy(msg)

    async def _api_sendPhoto(self, p: _Params) -> Any:
        chat_id, chat = self._target_chat(p)
        data, filename, ctype, existing = self._input_file(p, "photo")
        caption, content = self._caption(p)
        markup = self._markup(p)
        reply = self._reply_to(p, chat_id)
        self._check_rate(chat_id, chat)
        stored = existing or self._store_file(
            data, filename, ctype if ctype and ctype.startswith("image/") else "image/jpeg",
            kind="photos",
        )
        w, h = _image_size(stored.data) or (800, 600)
        scale = min(1.0, 90 / max(w, h, 1))
        thumb = self._store_file(stored.data, stored.filename, stored.mime_type, kind="photos")
        sizes = [
            {"file_id": thumb.file_id, "file_unique_id": thumb.file_unique_id,
             "width": max(1, round(w * scale)), "height": max(1, round(h * scale)),
             **({"file_size": len(thumb.data)} if thumb.data is not None else {})},
            {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
             "width": w, "height": h,
             **({"file_size": len(stored.data)} if stored.data is not None else {})},
        ]
        content = {"photo": sizes, **content}
        msg = self._new_bot_message(chat_id, chat, content, markup, reply)
        self._sent.append(
            SentMessage(
                method="sendPhoto",
                chat_id=chat_id,
                message_id=msg["message_id"],
                caption=caption,
                parse_mode=p.str("parse_mode"),
                reply_markup=markup,
                reply_to_message_id=reply["message_id"] if reply else None,
                photo=data,
                filename=filename,
                mime_type=stored.mime_type,
                file_id=stored.file_id,
                time=time.monotonic(),
                params=dict(p.values),
                message=copy.deepcopy(msg),
            )
        )
        return copy.deepcopy(msg)

    async def _api_sendDocument(self, p: _Params) -> Any:
        chat_id, chat = self._target_chat(p)
        data, filename, ctype, existing = self._input_file(p, "document")
        caption, content = self._caption(p)
        markup = self._markup(p)
        reply = self._reply_to(p, chat_id)
        self._check_rate(chat_id, chat)
        if existing is None:
            mime = ctype
            if not mime or mime == "application/octet-stream":
                mime = (mimetypes.guess_type(filename or "")[0] if filename else None) or mime
            existing = self._store_file(data, filename, mime, kind="documents")
        content = {"document": self._document_obj(existing), **content}
        msg = self._new_bot_message(chat_id, chat, content, markup, reply)
        self._sent.append(
            SentMessage(
                method="sendDocument",
                chat_id=chat_id,
                message_id=msg["message_id"],
                caption=caption,
                parse_mode=p.str("parse_mode"),
                reply_markup=markup,
                reply_to_message_id=reply["message_id"] if reply else None,
                document=data,
                filename=filename or existing.filename,
                mime_type=existing.mime_type,
                file_id=existing.file_id,
                time=time.monotonic(),
                params=dict(p.values),
                message=copy.deepcopy(msg),
            )
        )
        return copy.deepcopy(msg)

    async def _api_getFile(self, p: _Params) -> Any:
        file_id = p.str("file_id", required=True)
        stored = self._files.get(file_id or "")
        if stored is None:
            raise _bad("invalid file_id")
        out: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.data is not None:
            out["file_size"] = len(stored.data)
        return out

    def _record_edit(
        self, method: str, p: _Params, chat_id: Any, message_id: Any, *, text: str | None = None,
        caption: str | None = None, markup: dict[str, Any] | None = None,
    ) -> None:
        self.edits.append(
            EditRecord(
                method=method,
                chat_id=chat_id,
                message_id=message_id,
                inline_message_id=p.str("inline_message_id"),
                text=text,
                caption=caption,
                parse_mode=p.str("parse_mode"),
                reply_markup=markup,
                time=time.monotonic(),
                params=dict(p.values),
            )
        )

    @staticmethod
    def _not_modified() -> ApiError:
        return _bad(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )

    async def _api_editMessageText(self, p: _Params) -> Any:
        text = p.str("text", required=True, empty="text must be non-empty")
        assert text is not None
        plain, ents = _render(text, p.str("parse_mode"), p.json("entities"))
        if not plain.strip():
            raise _bad("text must be non-empty")
        if len(plain) > 4096:
            raise _bad("MESSAGE_TOO_LONG")
        markup = self._markup(p, inline_only=True)
        if p.get("inline_message_id") is not None:
            self._record_edit("editMessageText", p, None, None, text=text, markup=markup)
            return True
        chat_id, msg = self._editable_message(p)
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        new_markup = self._echo_markup(markup)
        if (
            msg.get("text") == plain
            and msg.get("entities", []) == ents
            and msg.get("reply_markup") == new_markup
        ):
            raise self._not_modified()
        msg["text"] = plain
        if ents:
            msg["entities"] = ents
        else:
            msg.pop("entities", None)
        if new_markup:
            msg["reply_markup"] = new_markup
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = int(time.time())
        self._record_edit("editMessageText", p, chat_id, msg["message_id"], text=text, markup=markup)
        return copy.deepcopy(msg)

    async def _api_editMessageCaption(self, p: _Params) -> Any:
        caption, content = self._caption(p)
        markup = self._markup(p, inline_only=True)
        if p.get("inline_message_id") is not None:
            self._record_edit("editMessageCaption", p, None, None, caption=caption, markup=markup)
            return True
        chat_id, msg = self._editable_message(p)
        if "text" in msg:
            raise _bad("there is no caption in the message to edit")
        new_markup = self._echo_markup(markup)
        if (
            msg.get("caption") == content.get("caption")
            and msg.get("caption_entities", []) == content.get("caption_entities", [])
            and msg.get("reply_markup") == new_markup
        ):
            raise self._not_modified()
        msg.pop("caption", None)
        msg.pop("caption_entities", None)
        msg.update(content)
        if new_markup:
            msg["reply_markup"] = new_markup
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = int(time.time())
        self._record_edit("editMessageCaption", p, chat_id, msg["message_id"], caption=caption, markup=markup)
        return copy.deepcopy(msg)

    async def _api_editMessageReplyMarkup(self, p: _Params) -> Any:
        markup = self._markup(p, inline_only=True)
        if p.get("inline_message_id") is not None:
            self._record_edit("editMessageReplyMarkup", p, None, None, markup=markup)
            return True
        chat_id, msg = self._editable_message(p)
        new_markup = self._echo_markup(markup)
        if msg.get("reply_markup") == new_markup:
            raise self._not_modified()
        if new_markup:
            msg["reply_markup"] = new_markup
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = int(time.time())
        self._record_edit("editMessageReplyMarkup", p, chat_id, msg["message_id"], markup=markup)
        return copy.deepcopy(msg)

    async def _api_deleteMessage(self, p: _Params) -> Any:
        chat_id = p.chat_id()
        message_id = p.int("message_id", required=True)
        if self._messages.pop((chat_id, message_id), None) is None:
            raise _bad("message to delete not found")
        self.deleted.append((chat_id, message_id))  # type: ignore[arg-type]
        return True

    async def _api_answerCallbackQuery(self, p: _Params) -> Any:
        cq_id = p.str("callback_query_id", required=True)
        if cq_id not in self._open_callbacks:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = p.str("text")
        if text is not None and len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(cq_id)  # a query can be answered once
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=cq_id,  # type: ignore[arg-type]
                text=text,
                show_alert=p.bool("show_alert"),
                url=p.str("url"),
                cache_time=p.int("cache_time"),
                time=time.monotonic(),
            )
        )
        return True

    async def _api_sendChatAction(self, p: _Params) -> Any:
        chat_id, _chat = self._target_chat(p)
        action = p.str("action", required=True)
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((chat_id, action, time.monotonic()))  # type: ignore[arg-type]
        return True

    def _scope(self, p: _Params) -> tuple[dict[str, Any] | None, str]:
        scope = p.json("scope", error="can't parse BotCommandScope JSON object")
        if scope is not None and (not isinstance(scope, dict) or "type" not in scope):
            raise _bad("can't parse BotCommandScope JSON object")
        return scope, p.str("language_code") or ""

    async def _api_setMyCommands(self, p: _Params) -> Any:
        commands = p.json("commands", error="can't parse commands JSON object")
        if commands is None:
            raise _bad("commands is empty")  # Telegram: parameter "commands" is required
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        for c in commands:
            if not isinstance(c, dict):
                raise _bad("can't parse BotCommand JSON object")
            cmd, desc = c.get("command"), c.get("description")
            if not isinstance(cmd, str) or not _COMMAND_RE.fullmatch(cmd):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(desc, str) or not desc.strip() or len(desc) > 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        scope, lang = self._scope(p)
        key = (_scope_key(scope), lang)
        if commands:
            self._commands[key] = copy.deepcopy(commands)
        else:
            self._commands.pop(key, None)
        self._last_commands = {
            "commands": copy.deepcopy(commands),
            "scope": copy.deepcopy(scope),
            "language_code": lang or None,
        }
        return True

    async def _api_getMyCommands(self, p: _Params) -> Any:
        scope, lang = self._scope(p)
        return copy.deepcopy(self._commands.get((_scope_key(scope), lang), []))

    async def _api_deleteMyCommands(self, p: _Params) -> Any:
        scope, lang = self._scope(p)
        self._commands.pop((_scope_key(scope), lang), None)
        return True

    async def _api_setWebhook(self, p: _Params) -> Any:
        url = p.str("url")
        drop = p.bool("drop_pending_updates")
        if not url:
            had = self._webhook is not None
            self._webhook = None
            if drop:
                self._pending.clear()
            return _Result(True, "Webhook was deleted" if had else "Webhook is already deleted")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(secret):
            raise _bad("secret token contains unallowed characters")
        max_connections = p.int("max_connections", default=40)
        if not 1 <= (max_connections or 40) <= 100:
            raise _bad("bad webhook: max_connections must be between 1 and 100")
        allowed = p.json("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise _bad("can't parse allowed_updates JSON object")
            self._allowed_updates = [str(a) for a in allowed] or None
        same = self._webhook is not None and self._webhook["url"] == url
        if drop:
            self._pending.clear()
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": max_connections,
            "ip_address": p.str("ip_address"),
        }
        self._webhook_last_error = None
        self._poll_generation += 1  # a waiting getUpdates ends
        return _Result(True, "Webhook is already set" if same else "Webhook was set")

    async def _api_deleteWebhook(self, p: _Params) -> Any:
        had = self._webhook is not None
        self._webhook = None
        if p.bool("drop_pending_updates"):
            self._pending.clear()
        return _Result(True, "Webhook was deleted" if had else "Webhook is already deleted")

    async def _api_getWebhookInfo(self, p: _Params) -> Any:
        info: dict[str, Any] = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook:
            info["max_connections"] = self._webhook["max_connections"]
            info["ip_address"] = self._webhook.get("ip_address") or "127.0.0.1"
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            if self._webhook_last_error:
                info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    async def _api_getChat(self, p: _Params) -> Any:
        chat_id = p.chat_id()
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad("chat not found")
        return {
            **copy.deepcopy(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
            },
        }

    async def _api_close(self, p: _Params) -> Any:
        return True

    async def _api_logOut(self, p: _Params) -> Any:
        return True  # the token is rejected afterwards (see _handle)

    # Accepted and recorded (in ``requests``) without further behaviour.
    async def _api_setMyDescription(self, p: _Params) -> Any:
        return True

    async def _api_setMyShortDescription(self, p: _Params) -> Any:
        return True

    async def _api_setMyName(self, p: _Params) -> Any:
        return True

    async def _api_setChatMenuButton(self, p: _Params) -> Any:
        return True

    async def _api_setMyDefaultAdministratorRights(self, p: _Params) -> Any:
        return True

