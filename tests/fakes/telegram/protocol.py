"""The Bot API's wire format as the fake reads and answers it: parameters in, Telegram's error shape out.

Clients send parameters in the query string, a JSON body, a form or a multipart body (PTB and
aiogram both send JSON-valued fields as JSON strings inside forms); `normalize` turns all of them
into one dict and `Params` reads it with Telegram's own 400 descriptions.
"""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.telegram.records import UploadedFile

TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
# Fields Telegram expects as JSON-serialized objects/arrays, and the ints and bools the bot's
# two frameworks send as form strings.
_JSON_FIELDS = frozenset({"reply_markup", "allowed_updates", "commands", "scope"})
_INT_FIELDS = frozenset({"chat_id", "message_id", "offset", "limit", "cache_time"})
_BOOL_FIELDS = frozenset({"disable_notification", "show_alert", "drop_pending_updates"})
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """An error answer: becomes ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def too_many(retry_after: int, description: str | None = None, extra: dict[str, Any] | None = None) -> ApiError:
    """Telegram's flood-control answer: the wait is in ``parameters.retry_after``."""
    return ApiError(429, description or f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after, **(extra or {})})


class Described:
    """A successful result carrying a Telegram ``description`` (setWebhook, deleteWebhook)."""

    __slots__ = ("description", "value")

    def __init__(self, value: Any, description: str) -> None:
        self.value = value
        self.description = description


def json_dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


async def read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus body (JSON, form or multipart), as Telegram accepts them all."""
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
                    raise bad("parameters must be a JSON object")
                params.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                params[key] = _form_value(key, value)
        else:
            await request.read()
    except ApiError:
        raise
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    except (ValueError, UnicodeDecodeError, aiohttp.ClientPayloadError, AssertionError) as e:
        raise bad(f"can't parse request body: {type(e).__name__}") from None
    return params


def _form_value(key: str, value: Any) -> Any:
    if isinstance(value, web.FileField):
        return UploadedFile(key, value.filename, value.content_type, value.file.read())
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return value


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode the JSON-string fields and coerce well-known int/bool fields; never raises.

    Values that cannot be coerced are left as they were, so the methods can answer 400.
    """
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in _JSON_FIELDS:
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            elif key in _INT_FIELDS:
                if re.fullmatch(r"-?\d+", value.strip()):
                    value = int(value.strip())
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
            name = value[len("attach://"):]
            attached = out.get(name)
            if isinstance(attached, UploadedFile):
                out[key] = attached
                if name != key:
                    out.pop(name, None)
    return out


class Params:
    """Typed reads of one call's parameters, failing with Telegram's descriptions."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def get(self, name: str) -> Any:
        value = self.values.get(name)
        return None if value == "" else value

    def str(self, name: str, *, required: bool = False, empty: str | None = None) -> str | None:
        value = self.get(name)
        if value is None:
            if required:
                raise bad(empty or f"{name} is empty")
            return None
        if isinstance(value, (dict, list, UploadedFile)):
            raise bad(f"field \"{name}\" must be of type String")
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def int(self, name: str, *, required: bool = False, default: int | None = None) -> int | None:
        value = self.get(name)
        if value is None:
            if required:
                raise bad(f"{name} is empty")
            return default
        if isinstance(value, bool):
            raise bad(f"field \"{name}\" must be of type Integer")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        raise bad(f"field \"{name}\" must be of type Integer")

    def number(self, name: str, *, default: float = 0.0) -> float:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            raise bad(f"field \"{name}\" must be of type Integer")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad(f"field \"{name}\" must be of type Integer") from None

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
        raise bad(f"field \"{name}\" must be of type Boolean")

    def json(self, name: str, *, error: str | None = None) -> Any:
        value = self.get(name)
        if value is None:
            return None
        if isinstance(value, str):  # not decodable by normalize
            raise bad(error or f"can't parse {name} JSON object")
        return value

    def chat_id(self) -> int:
        """The bot addresses chats by numeric id only (never @channelusername)."""
        value = self.get("chat_id")
        if value is None:
            raise bad("chat_id is empty")
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("chat not found")
        return value
