"""Files people send the bot: a photo or a document in a message (``inject_photo`` / ``inject_document``),
``getFile`` answering its ``file_path`` (or "file is too big" above the Bot API's 20 MB), and the bytes at
``{base}/file/bot{token}/{file_path}``, where both frameworks download them."""

from __future__ import annotations

import copy
import time
from typing import Any

from tests.fakes.telegram.protocol import Params, bad
from tests.fakes.telegram.state import StoredFile
from tests.fakes.telegram.updates import Updates

# A bot downloads at most 20 MB through the Bot API (getFile's documented limit).
DOWNLOAD_LIMIT = 20 * 1024 * 1024


class UserFiles(Updates):
    """The photos and documents users send, getFile, and the download path."""

    def _keep_user_file(self, kind: str, data: bytes, filename: str | None, mime_type: str | None) -> StoredFile:
        file_id, unique = self._next_file_ids(kind)
        stored = StoredFile(file_id, unique, data, filename, mime_type)
        suffix = (filename or "").rsplit(".", 1)[-1] if filename and "." in filename else "jpg"
        self._user_files[file_id] = stored
        self._file_paths[f"{kind}/file_{len(self._file_paths)}.{suffix}"] = file_id
        return stored

    def _file_message(self, chat_id: int, user_id: int, content: dict[str, Any], caption: str | None,
                      first_name: str) -> int:
        user = self._user(user_id, first_name, None, "zh-hans")
        chat = self._ensure_chat(chat_id, first_name=first_name)
        msg: dict[str, Any] = {"message_id": self._next_message_id(chat_id), "from": user,
                               "chat": copy.deepcopy(chat), "date": int(time.time()), **content}
        if caption is not None:
            msg["caption"] = caption
        self._messages[(chat_id, msg["message_id"])] = msg
        return self._enqueue({"update_id": self._next_update_id(), "message": copy.deepcopy(msg)})

    def inject_photo(self, chat_id: int, user_id: int, data: bytes, *, caption: str | None = None,
                     first_name: str = "测试") -> int:
        """A photo as Telegram delivers it: several sizes, the largest last (here a thumbnail and the original)."""
        thumb = self._keep_user_file("photos", data[:64], None, "image/jpeg")
        full = self._keep_user_file("photos", data, None, "image/jpeg")
        sizes = [{"file_id": f.file_id, "file_unique_id": f.file_unique_id, "width": w, "height": h,
                  "file_size": len(f.data)} for f, w, h in ((thumb, 90, 67), (full, 1280, 960))]
        return self._file_message(chat_id, user_id, {"photo": sizes}, caption, first_name)

    def inject_document(self, chat_id: int, user_id: int, data: bytes, file_name: str, mime_type: str | None, *,
                        caption: str | None = None, first_name: str = "测试", file_size: int | None = None) -> int:
        """A document; `file_size` declares another size than the bytes (a file too big to download)."""
        stored = self._keep_user_file("documents", data, file_name, mime_type)
        document: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                                    "file_name": file_name, "file_size": file_size or len(data)}
        if mime_type:
            document["mime_type"] = mime_type
        if file_size is not None:
            self._declared_sizes[stored.file_id] = file_size
        return self._file_message(chat_id, user_id, {"document": document}, caption, first_name)

    async def _api_getFile(self, p: Params) -> Any:
        file_id = p.str("file_id", required=True)
        stored = self._user_files.get(file_id or "")
        if stored is None:
            raise bad("invalid file_id")
        size = self._declared_sizes.get(stored.file_id, len(stored.data))
        if size > DOWNLOAD_LIMIT:
            raise bad("file is too big")
        path = next(path for path, fid in self._file_paths.items() if fid == stored.file_id)
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": size,
                "file_path": path}

    def file_bytes(self, path: str) -> bytes | None:
        """The bytes a download of `path` (getFile's file_path) gets, None when there is no such file."""
        file_id = self._file_paths.get(path)
        self.downloads.append(path)
        return self._user_files[file_id].data if file_id else None
