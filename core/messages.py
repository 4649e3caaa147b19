"""The whole contract between channels and the core: Inbound in, Outbound actions back."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field


class ChatType(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


class Attachment(BaseModel):
    """A photo or file a person sent. The channel downloads it (bounded by the size limit) before the core
    runs, so no network call happens inside the unit of work that holds the ledger lock; `problem` says why
    there are no bytes (too large to fetch, the type refused before fetching, the download failed)."""

    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")

    name: str
    mime_type: str = ""
    size: int | None = None             # as the channel declared it, before any download
    data: bytes | None = None
    problem: Literal["too_large", "type", "unavailable"] | None = None


class Inbound(BaseModel):
    """What a person did: typed text, pressed a button or sent a file, in one chat of one channel."""

    model_config = ConfigDict(frozen=True)

    channel: str
    chat_id: str
    chat_type: ChatType = ChatType.PRIVATE
    sender_id: str
    sender_name: str = ""
    text: str | None = None
    payload: str | None = None          # a pressed button's payload; never trusted for authorisation
    message_id: str | None = None       # the message typed, or the one holding the pressed button
    at: datetime
    update_id: str | None = None        # the channel's delivery id, for exactly-once handling
    attachment: Attachment | None = None  # a photo or file, already downloaded (text: its caption)


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    payload: str


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")


class SendText(_Action):
    kind: Literal["text"] = "text"
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()


class EditText(_Action):
    """Replace a message the bot sent (a confirm card after 确认); channels without edits resend."""

    kind: Literal["edit"] = "edit"
    message_id: str
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    chosen: str = ""                    # the pressed choice's label, for channels that mark the button itself


class SendPhoto(_Action):
    kind: Literal["photo"] = "photo"
    data: bytes
    filename: str = "chart.png"
    caption: str = ""


class SendFile(_Action):
    kind: Literal["file"] = "file"
    data: bytes
    filename: str
    caption: str = ""


Outbound = Annotated[Union[SendText, EditText, SendPhoto, SendFile], Field(discriminator="kind")]


class Delivery(BaseModel):
    """An Outbound aimed at a chat: what the outbox stores and a channel sends."""

    model_config = ConfigDict(frozen=True)

    channel: str
    chat_id: str
    action: Outbound


def buttons_in(action: SendText | EditText) -> list[Button]:
    return [b for row in action.buttons for b in row]
