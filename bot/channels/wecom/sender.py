"""WeCom (企业微信) / 政务微信: sending — the outbox's `deliver` and the replies' calls, mapped to its errors.

Chat ids are WeCom account ids (application messages) or `robot:<unit code>` (the unit's group robot
from the org file; the key is looked up when sending, never stored in the outbox). A prompt with 1..6
short choices is a button_interaction template card whose keys are the core's button payloads
(cards.py); more choices, long labels, cards switched off (`ZSBOT_WECOM_CARDS=off`) or a deployment that
answers template_card with "invalid message type" (learned once under `auto`) get today's numbered list.
`EditText` (the core's "已选：…" after a press) greys out the pressed card's buttons with "✓ 确认" through
message/update_template_card and the press's response code; after a typed choice there is no card to
update and it is skipped.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from bot.channels.wecom.cards import button_card, new_task_id, replace_name, response_code_of
from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.contract import (
    APP_TEXT_MAX_BYTES,
    CHANNEL,
    ERRCODE_INVALID_MSGTYPE,
    ROBOT_MARKDOWN_MAX_BYTES,
    WeComApiError,
    WeComMaybeSent,
    WeComNetworkError,
    WeComRateLimited,
)
from bot.channels.wecom.render import app_text, choices_text, robot_text, split_bytes
from core.delivery import Action, Ambiguous, Permanent, RetryAfter, Transient
from core.groups import ROBOT_PREFIX
from core.messages import EditText, SendFile, SendPhoto, SendText
from core.ports import UnitOfWork

log = logging.getLogger("zsbot.wecom")

RobotKey = Callable[[str], Awaitable[str | None]]
Sent = SendText | SendPhoto | SendFile  # what reaches WeCom as a message; EditText updates a card
CardsMode = Literal["auto", "on", "off"]


class WeComSender:
    """Sends an action to a WeCom account or a unit's group robot (the outbox's ChannelSender)."""

    channel = CHANNEL
    rate_limit_backoff = 60.0  # seconds to wait after errcode 45009 (WeCom names no retry time)

    def __init__(self, client: WeComClient, *, robot_key: RobotKey, cards: CardsMode = "auto") -> None:
        self.client = client
        self.robot_key = robot_key
        self.cards = cards
        # Under `auto`: set when this deployment answered a card with "invalid message type"; from then
        # on its prompts are numbered lists (until the bot restarts and tries a card once more).
        self.cards_unsupported = False

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith(ROBOT_PREFIX)

    async def deliver(self, chat_id: str, action: Action) -> None:
        if isinstance(action, EditText):
            if not chat_id.startswith(ROBOT_PREFIX):
                await self._mark_pressed(chat_id, action)
            return
        if chat_id.startswith(ROBOT_PREFIX):
            await self._to_robot(chat_id.removeprefix(ROBOT_PREFIX), action)
        elif not chat_id or "|" in chat_id or chat_id.startswith("@"):
            raise Permanent("not a single WeCom account id")  # "a|b" or "@all" would reach many
        else:
            await self._to_member(chat_id, action)

    async def _to_member(self, user: str, action: Sent) -> None:
        if isinstance(action, SendText):
            if action.buttons and await self._as_card(user, action):
                return
            await self._texts(user, app_text(action))
            return
        kind: Literal["image", "file"] = "image" if isinstance(action, SendPhoto) else "file"
        media_id = await _mapped(self.client.upload_media(kind, action.filename, action.data),
                                 self.rate_limit_backoff, visible=False)
        send = self.client.send_image if kind == "image" else self.client.send_file
        await _mapped(send(user, media_id), self.rate_limit_backoff)
        await self._caption(action, lambda text: self._to_member(user, SendText(text=text)))

    async def _texts(self, user: str, text: str) -> None:
        for part in split_bytes(text, APP_TEXT_MAX_BYTES):
            await _mapped(self.client.send_text(user, part), self.rate_limit_backoff)

    async def _as_card(self, user: str, action: SendText) -> bool:
        """Send the prompt as a button card; False when it goes as the numbered list instead."""
        if self.cards == "off" or (self.cards == "auto" and self.cards_unsupported):
            return False
        plan = button_card(action, new_task_id())
        if plan is None:
            return False
        if plan.text_before:
            await self._texts(user, plan.text_before)
        if not await _mapped(self._send_card(user, plan.card), self.rate_limit_backoff):
            if self.cards == "auto" and not self.cards_unsupported:
                log.warning("WeCom answered template_card with errcode %s: choices go as numbered lists "
                            "(set ZSBOT_WECOM_CARDS=off to skip the try)", ERRCODE_INVALID_MSGTYPE)
                self.cards_unsupported = True
            # The text went already when it was too long for the card: then only the choices follow.
            await self._texts(user, choices_text(action) if plan.text_before else app_text(action))
        return True

    async def _send_card(self, user: str, card: dict[str, Any]) -> bool:
        """True when sent; False when this deployment has no template cards ("invalid message type")."""
        try:
            await self.client.send_template_card(user, card)
        except WeComApiError as exc:
            if exc.errcode == ERRCODE_INVALID_MSGTYPE:
                return False
            raise
        return True

    async def _mark_pressed(self, user: str, action: EditText) -> None:
        """Grey out the pressed card's buttons with the choice (✓ 确认); a typed choice has no card."""
        code = response_code_of(action.message_id)
        if code is None:
            return
        try:
            await _mapped(self.client.update_template_card(user, code, replace_name(action.chosen)),
                          self.rate_limit_backoff)
        except Permanent as exc:
            # A used or expired (72 h) code: the choice was made all the same; the card stays as it was.
            log.info("pressed card of %s not updated: %s", user, exc)

    async def _to_robot(self, unit: str, action: Sent) -> None:
        key = await self.robot_key(unit)
        if not key:
            raise Permanent(f"unit {unit!r} has no group robot in the org file")
        backoff = self.rate_limit_backoff
        if isinstance(action, SendText):
            for part in split_bytes(robot_text(action), ROBOT_MARKDOWN_MAX_BYTES):
                await _mapped(self.client.robot_send_markdown(key, part), backoff)
            return
        if isinstance(action, SendPhoto):
            await _mapped(self.client.robot_send_image(key, action.data), backoff)
        else:
            media_id = await _mapped(self.client.robot_upload_media(key, action.filename, action.data),
                                     backoff, visible=False)
            await _mapped(self.client.robot_send_file(key, media_id), backoff)
        await self._caption(action, lambda text: self._to_robot(unit, SendText(text=text)))

    @staticmethod
    async def _caption(action: SendPhoto | SendFile, send: Callable[[str], Awaitable[None]]) -> None:
        # The outbox and the replies split captions into messages of their own (core.delivery);
        # one arriving here anyway still reaches the person, after the picture.
        if action.caption:
            await send(action.caption)


async def _mapped(call: Awaitable[Any], backoff: float, *, visible: bool = True) -> Any:
    """The client's failures as the outbox understands them. `visible`: the call shows the person
    something, so a request that may have arrived must not be repeated."""
    try:
        return await call
    except WeComRateLimited:
        raise RetryAfter(backoff) from None
    except WeComMaybeSent as exc:
        raise (Ambiguous if visible else Transient)(str(exc)) from None
    except WeComNetworkError as exc:
        raise Transient(str(exc)) from None
    except WeComApiError as exc:
        # -1 is WeCom's "system busy"; every other errcode is an answer retrying will not change.
        raise (Transient if exc.errcode == -1 else Permanent)(str(exc)) from None
    except ValueError as exc:  # too large, empty: refused before any request
        raise Permanent(str(exc)) from None


def org_robot_keys(uow_factory: Callable[..., UnitOfWork]) -> RobotKey:
    """Robot keys from the organisation in force: a key changed with `zsbot init --org` applies at once."""

    async def robot_key(unit: str) -> str | None:
        async with uow_factory(readonly=True) as uow:
            cfg = await uow.org.config()
        if cfg is None or not cfg.has_unit(unit):
            return None
        return cfg.unit(unit).robot_webhook_key

    return robot_key
