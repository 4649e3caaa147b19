"""The bot's two file methods, sendPhoto (charts, PNG) and sendDocument (台账 xlsx): multipart uploads
as PTB and aiogram send them; files are kept in memory only (the bot never reads one back)."""

from __future__ import annotations

import copy
import mimetypes
import time
from typing import Any

from tests.fakes.telegram.messages import Messages, refuse_parse_mode
from tests.fakes.telegram.protocol import Params, bad
from tests.fakes.telegram.records import SentMessage, UploadedFile
from tests.fakes.telegram.state import StoredFile


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG header (what the bot's charts are)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


class Files(Messages):
    """sendPhoto and sendDocument."""

    def _upload(self, p: Params, name: str) -> UploadedFile:
        value = p.get(name)
        if value is None:
            raise bad(f"there is no {name} in the request")
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad("file must be non-empty")
            return value
        if isinstance(value, str):
            if value.startswith("attach://"):
                raise bad("wrong HTTP URL specified")
            raise bad(f"the fake accepts an uploaded {name} only (the bot never sends a file_id or URL)")
        raise bad(f"wrong type of the {name} field")

    def _store(self, upload: UploadedFile, mime_type: str | None, kind: str) -> StoredFile:
        file_id, unique = self._next_file_ids(kind)
        return StoredFile(file_id, unique, upload.data, upload.filename, mime_type)

    def _caption(self, p: Params) -> tuple[str | None, dict[str, Any]]:
        caption = p.str("caption")
        refuse_parse_mode(p)
        if caption is None:
            return None, {}
        if len(caption) > 1024:
            raise bad("message caption is too long")
        return caption, {"caption": caption}

    def _record_file(self, method: str, p: Params, chat_id: int, msg: dict[str, Any], caption: str | None,
                     markup: dict[str, Any] | None, stored: StoredFile) -> dict[str, Any]:
        self._sent.append(SentMessage(
            method=method, chat_id=chat_id, message_id=msg["message_id"], caption=caption, reply_markup=markup,
            photo=stored.data if method == "sendPhoto" else None,
            document=stored.data if method == "sendDocument" else None,
            filename=stored.filename, mime_type=stored.mime_type, file_id=stored.file_id,
            time=time.monotonic(), params=dict(p.values), message=copy.deepcopy(msg)))
        return copy.deepcopy(msg)

    async def _api_sendPhoto(self, p: Params) -> Any:
        chat_id, chat = self._target_chat(p)
        upload = self._upload(p, "photo")
        caption, content = self._caption(p)
        markup = self._markup(p)
        self._check_rate(chat_id, chat)
        ctype = upload.content_type
        stored = self._store(upload, ctype if ctype and ctype.startswith("image/") else "image/jpeg", "photos")
        w, h = png_size(stored.data) or (800, 600)
        size = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "width": w, "height": h,
                "file_size": len(stored.data)}
        msg = self._new_bot_message(chat_id, chat, {"photo": [size], **content}, markup)
        return self._record_file("sendPhoto", p, chat_id, msg, caption, markup, stored)

    async def _api_sendDocument(self, p: Params) -> Any:
        chat_id, chat = self._target_chat(p)
        upload = self._upload(p, "document")
        caption, content = self._caption(p)
        markup = self._markup(p)
        self._check_rate(chat_id, chat)
        mime = upload.content_type
        if not mime or mime == "application/octet-stream":
            mime = (mimetypes.guess_type(upload.filename)[0] if upload.filename else None) or mime
        stored = self._store(upload, mime, "documents")
        document: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                                    "file_size": len(stored.data)}
        if stored.filename:
            document["file_name"] = stored.filename
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        msg = self._new_bot_message(chat_id, chat, {"document": document, **content}, markup)
        return self._record_file("sendDocument", p, chat_id, msg, caption, markup, stored)
