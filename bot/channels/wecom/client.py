"""Narrow async client for the WeCom (企业微信) / 政务微信 server API.

Only what the zsbot channel needs: access-token management (tokens.py), application
messages (text, markdown, image, file) and temporary media upload (here), and group-robot
(webhook) messages (robots.py), over one HTTP round trip (transport.py). 政务微信
deployments serve the same API from their own host, so every URL is built from
``base_url`` (default ``https://qyapi.weixin.qq.com``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

import aiohttp

from bot.channels.wecom.contract import (
    APP_MARKDOWN_MAX_BYTES,
    APP_TEXT_MAX_BYTES,
    MEDIA_MAX_BYTES,
    MEDIA_MIN_BYTES,
    WeComApiError,
)
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
