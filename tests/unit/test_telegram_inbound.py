"""Each framework converts back to JSON only what bot/channels/telegram/inbound.py reads of an update: the core gets
the same Inbound as from the whole update, for every kind of update it takes."""
from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import Update
from telegram import Update as PtbUpdate

from bot.channels.telegram.aiogram import _READ
from bot.channels.telegram.inbound import inbound_from_update
from bot.channels.telegram.ptb import read

USER = {"id": 7001, "is_bot": False, "first_name": "明", "last_name": "李", "username": "liming", "language_code": "zh"}
CHAT = {"id": 7001, "type": "private", "first_name": "明", "last_name": "李", "username": "liming"}
GROUP = {"id": -1001, "type": "supergroup", "title": "驻深圳办"}
CARD = {"message_id": 55, "date": 1765000000, "chat": CHAT, "from": {"id": 1, "is_bot": True, "first_name": "招商助手"},
        "text": "请确认：星海新能源 新能源汽车零部件 投资20亿",
        "reply_markup": {"inline_keyboard": [[{"text": "确认", "callback_data": "lead:ok"},
                                              {"text": "修改", "callback_data": "lead:edit"},
                                              {"text": "取消", "callback_data": "lead:cancel"}]]}}

UPDATES: list[dict[str, Any]] = [
    {"update_id": 1, "message": {"message_id": 10, "date": 1765000000, "chat": CHAT, "from": USER,
                                 "text": "/lead 星海新能源 新能源汽车零部件 投资20亿 来源驻点",
                                 "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}},
    {"update_id": 2, "message": {"message_id": 11, "date": 1765000100, "chat": GROUP, "from": {**USER, "last_name": None},
                                 "text": "今年前三"}},
    {"update_id": 3, "message": {"message_id": 12, "date": 1765000200, "chat": CHAT, "from": USER, "caption": "到位凭证",
                                 "photo": [{"file_id": "small", "file_unique_id": "u-small", "width": 90, "height": 60,
                                            "file_size": 1200},
                                           {"file_id": "big", "file_unique_id": "u-big-abcdefghijkl", "width": 1280,
                                            "height": 853, "file_size": 98000}]}},
    {"update_id": 4, "message": {"message_id": 13, "date": 1765000300, "chat": CHAT, "from": USER,
                                 "document": {"file_id": "doc", "file_unique_id": "u-doc", "file_name": "台账.xlsx",
                                              "mime_type": "application/vnd.openxmlformats-officedocument."
                                                           "spreadsheetml.sheet", "file_size": 4096}}},
    {"update_id": 5, "callback_query": {"id": "cb-1", "from": USER, "chat_instance": "ci", "message": CARD,
                                        "data": "lead:ok"}},
    {"update_id": 6, "message": {"message_id": 14, "date": 1765000400, "chat": CHAT,
                                 "from": {"id": 7002, "is_bot": False, "first_name": "", "username": "wang"},
                                 "sticker": {"file_id": "s", "file_unique_id": "us", "type": "regular", "width": 512,
                                             "height": 512, "is_animated": False, "is_video": False}}},
    # A press on a message too old for Telegram to show again: its chat and id only, dated 0.
    {"update_id": 7, "callback_query": {"id": "cb-2", "from": USER, "chat_instance": "ci", "data": "lead:cancel",
                                        "message": {"message_id": 56, "date": 0, "chat": CHAT}}},
]


def check(data: dict[str, Any], whole: Any, part: Any) -> None:
    assert part == whole
    if data["update_id"] in (1, 3, 4, 5):
        assert part is not None and part.inbound.sender_name == "明 李"
    if data["update_id"] == 3:
        assert part is not None and part.file is not None and part.file.file_id == "big"
        assert part.inbound.text == "到位凭证"
    if data["update_id"] == 4:
        assert part is not None and part.file is not None and part.file.name == "台账.xlsx"
    if data["update_id"] == 5:
        assert part is not None and part.inbound.payload == "lead:ok" and part.callback_query_id == "cb-1"
        assert part.inbound.message_id == "55"


@pytest.mark.parametrize("data", UPDATES, ids=lambda d: str(d["update_id"]))
def test_what_aiogram_dumps_gives_the_inbound_of_the_whole_update(data: dict[str, Any]) -> None:
    update = Update.model_validate(data)
    whole = inbound_from_update(update.model_dump(mode="json", by_alias=True, exclude_none=True))
    check(data, whole, inbound_from_update(update.model_dump(mode="json", by_alias=True, exclude_none=True,
                                                             include=_READ)))


@pytest.mark.parametrize("data", UPDATES, ids=lambda d: str(d["update_id"]))
def test_what_ptb_reads_gives_the_inbound_of_the_whole_update(data: dict[str, Any]) -> None:
    update = PtbUpdate.de_json(data, None)
    check(data, inbound_from_update(update.to_dict()), inbound_from_update(read(update)))
