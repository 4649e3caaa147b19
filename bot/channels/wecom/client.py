"""Narrow async client for the WeCom (企业微信) / 政务微信 server API.

Only what the zsbot channel needs: access-token management (tokens.py), application
messages (text, markdown, image, file, template cards and their update) and temporary media
upload and download (here), and group-robot (webhook) messages (robots.py), over one HTTP round trip (transport.py). 政务微信
deployments serve the same API from their own host, so every URL is built from
``base_url`` (default ``https://qyapi.weixin.qq.com``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from urllib.parse import unquote
from typing import Any, Literal

import aiohttp

from bot.channels.wecom.contract import (
    APP_MARKDOWN_MAX_BYTES,
    APP_TEXT_MAX_BYTES,
    MEDIA_MAX_BYTES,
    MEDIA_MIN_BYTES,
    WeComApiError,
)
from bot.channels.wecom.cards import TASK_ID
from bot.channels.wecom.robots import WeComRobots
from bot.channels.wecom.tokens import WeComTokenCache
from bot.channels.wecom.transport import check_utf8_len, media_form

__all__ = ["WeComClient"]


class WeComClient(WeComTokenCache, WeComRobots):
    """Async client for one WeCom self-built application (corp id + secret + agent id)."""

    def __init__(
        self,
        base_url: str,
        corp_id: str,
        secret: str,
        agent_id: int,
        *,
        session: aiohttp.ClientSession | None = None,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 15.0,
    ) -> None:
        super().__init__(base_url, corp_id, secret, session=session, clock=clock, timeout=timeout)
        self.agent_id = int(agent_id)

    def __repr__(self) -> str:
        return f"WeComClient(base_url={self.base_url!r}, corp_id={self.corp_id!r}, agent_id={self.agent_id})"

    # ------------------------------------------------------------ messages

    async def _send(self, touser: str, msgtype: str, body: dict[str, Any]) -> dict[str, Any]:
        if not touser:
            raise ValueError("touser is required")
        message = {"touser": touser, "msgtype": msgtype, "agentid": self.agent_id, msgtype: body}
        return await self._call_with_token("POST", "/cgi-bin/message/send", json_body=message)

    async def send_text(self, touser: str, content: str) -> dict[str, Any]:
        """Send a text message; ``touser`` is "user1|user2" or "@all". Returns WeCom's answer."""
        check_utf8_len(content, APP_TEXT_MAX_BYTES, "text content")
        return await self._send(touser, "text", {"content": content})

    async def send_markdown(self, touser: str, content: str) -> dict[str, Any]:
        """Send a markdown message (rendered in the WeCom client only, not in WeChat)."""
        check_utf8_len(content, APP_MARKDOWN_MAX_BYTES, "markdown content")
        return await self._send(touser, "markdown", {"content": content})

    async def send_image(self, touser: str, media_id: str) -> dict[str, Any]:
        """Send an image previously uploaded with :meth:`upload_media` ("image")."""
        return await self._send(touser, "image", {"media_id": media_id})

    async def send_file(self, touser: str, media_id: str) -> dict[str, Any]:
        """Send a file previously uploaded with :meth:`upload_media` ("file")."""
        return await self._send(touser, "file", {"media_id": media_id})

    async def send_template_card(self, touser: str, card: dict[str, Any]) -> dict[str, Any]:
        """Send a template card (cards.button_card builds one); the answer carries its response_code."""
        if not TASK_ID.fullmatch(str(card.get("task_id", ""))):
            raise ValueError("a template card needs a task_id of [0-9A-Za-z_-@], at most 128 bytes")
        return await self._send(touser, "template_card", card)

    async def update_template_card(self, touser: str, response_code: str, replace_name: str) -> dict[str, Any]:
        """Grey out the buttons of the card a press's ``response_code`` belongs to, showing ``replace_name``.

        A response code updates once, within 72 hours; only ``touser``'s copy of the card changes.
        """
        if not touser or not response_code or not replace_name:
            raise ValueError("touser, response_code and replace_name are required")
        body = {"userids": [touser], "agentid": self.agent_id, "response_code": response_code,
                "button": {"replace_name": replace_name}}
        return await self._call_with_token("POST", "/cgi-bin/message/update_template_card", json_body=body)

    # --------------------------------------------------------------- media

    async def user_of_code(self, code: str) -> str | None:
        """企业微信网页授权: the userid behind an OAuth `code` (cgi-bin/auth/getuserinfo); None when WeCom
        refuses the code (used, expired, made up) or names no member of the corp (an OpenId instead)."""
        try:
            payload = await self._call_with_token("GET", "/cgi-bin/auth/getuserinfo", params={"code": code})
        except WeComApiError:
            return None
        userid = payload.get("userid") or payload.get("UserId")
        return str(userid) if userid else None

    async def upload_media(self, kind: Literal["image", "file"], filename: str, data: bytes) -> str:
        """Upload temporary media (valid 3 days) and return its media_id."""
        if kind not in MEDIA_MAX_BYTES:
            raise ValueError("kind must be 'image' or 'file'")
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("data must be bytes")
        if not MEDIA_MIN_BYTES <= len(data) <= MEDIA_MAX_BYTES[kind]:
            raise ValueError(
                f"{kind} must be {MEDIA_MIN_BYTES}..{MEDIA_MAX_BYTES[kind]} bytes, got {len(data)}"
            )
        blob = bytes(data)
        payload = await self._call_with_token(
            "POST", "/cgi-bin/media/upload", params={"type": kind}, data_factory=lambda: media_form(filename, blob)
        )
        media_id = payload.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise WeComApiError(-1, "media/upload answer has no media_id", path="/cgi-bin/media/upload")
        return media_id

    async def get_media(self, media_id: str, *, max_bytes: int = MEDIA_MAX_BYTES["file"]) -> tuple[str, bytes]:
        """Download temporary media (a received image or file's MediaId): its file name and bytes."""
        if not media_id:
            raise ValueError("media_id is required")
        data, headers = await self._download_with_token(
            "/cgi-bin/media/get", params={"media_id": media_id}, max_bytes=max_bytes
        )
        return _filename(headers) or media_id, data


_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)


def _filename(headers: Mapping[str, str]) -> str | None:
    """The file name in Content-Disposition (WeCom sends `attachment; filename="a.jpg"`)."""
    value = next((v for k, v in headers.items() if k.lower() == "content-disposition"), "")
    names = _FILENAME.findall(value)
    if not names:
        return None
    # Prefer filename* (RFC 5987, percent-encoded UTF-8) when both are there; no path parts either way.
    name = unquote(names[-1]).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or None
