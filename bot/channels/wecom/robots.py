"""Group robots (群机器人): markdown, images and files posted with a webhook key, no access token."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from bot.channels.wecom.contract import (
    MEDIA_MAX_BYTES,
    MEDIA_MIN_BYTES,
    ROBOT_IMAGE_MAX_BYTES,
    ROBOT_MARKDOWN_MAX_BYTES,
    WeComApiError,
)
from bot.channels.wecom.transport import WeComTransport, check_utf8_len, media_form


class WeComRobots(WeComTransport):
    """The robot half of `WeComClient`: the key authenticates, and is redacted like a token."""

    async def robot_send_markdown(self, webhook_key: str, content: str) -> dict[str, Any]:
        """Post markdown through a group robot (no access token; the key authenticates).

        Raises ValueError beyond 4096 UTF-8 bytes: the caller splits messages.
        """
        check_utf8_len(content, ROBOT_MARKDOWN_MAX_BYTES, "robot markdown content")
        return await self._robot_post(webhook_key, {"msgtype": "markdown", "markdown": {"content": content}})

    async def robot_send_image(self, webhook_key: str, data: bytes) -> dict[str, Any]:
        """Post a JPG/PNG image (at most 2 MB) through a group robot: base64 and md5 in the body."""
        if not isinstance(data, (bytes, bytearray)) or not 0 < len(data) <= ROBOT_IMAGE_MAX_BYTES:
            raise ValueError(f"robot image must be 1..{ROBOT_IMAGE_MAX_BYTES} bytes")
        image = {"base64": base64.b64encode(bytes(data)).decode("ascii"), "md5": hashlib.md5(data).hexdigest()}
        return await self._robot_post(webhook_key, {"msgtype": "image", "image": image})

    async def robot_upload_media(self, webhook_key: str, filename: str, data: bytes) -> str:
        """Upload a file for a group robot (/cgi-bin/webhook/upload_media) and return its media_id."""
        self._check_robot_key(webhook_key)
        if not isinstance(data, (bytes, bytearray)) or not MEDIA_MIN_BYTES <= len(data) <= MEDIA_MAX_BYTES["file"]:
            raise ValueError(f"robot file must be {MEDIA_MIN_BYTES}..{MEDIA_MAX_BYTES['file']} bytes")
        form = media_form(filename, bytes(data))
        path = "/cgi-bin/webhook/upload_media"
        payload = await self._request_json("POST", path, params={"key": webhook_key, "type": "file"}, data=form)
        self._raise_for_errcode(payload, path)
        media_id = payload.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise WeComApiError(-1, "webhook/upload_media answer has no media_id", path=path)
        return media_id

    async def robot_send_file(self, webhook_key: str, media_id: str) -> dict[str, Any]:
        """Post a file uploaded with :meth:`robot_upload_media` through the same robot."""
        return await self._robot_post(webhook_key, {"msgtype": "file", "file": {"media_id": media_id}})

    def _check_robot_key(self, webhook_key: str) -> None:
        if not webhook_key:
            raise ValueError("webhook_key is required")
        self._robot_keys.add(webhook_key)

    async def _robot_post(self, webhook_key: str, body: dict[str, Any]) -> dict[str, Any]:
        self._check_robot_key(webhook_key)
        path = "/cgi-bin/webhook/send"
        payload = await self._request_json("POST", path, params={"key": webhook_key}, json_body=body)
        self._raise_for_errcode(payload, path)
        return payload
