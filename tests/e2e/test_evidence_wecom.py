"""Evidence through WeCom over real HTTP: an encrypted image or file callback, the media fetched with
media/get before the core runs (only when it would be kept, bounded by the size limit), a repeated
MsgId kept once, and a file sent back through media/upload when its card button is pressed."""
from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest

from storage.tables.evidence import BlobRow
from tests.e2e.test_wecom import Bot, fake, start_bot  # noqa: F401  (fake: a fixture)
from tests.fakes.wecom_api import FakeWeCom, media_message_xml
from tests.helpers import signed_with_funds

pytestmark = pytest.mark.asyncio
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
PDF = b"%PDF-1.7\n" + b"0123456789" * 300


@pytest.fixture
async def bot(db_url: str, fake: FakeWeCom) -> AsyncIterator[Bot]:  # noqa: F811
    running = await start_bot(db_url, fake, attachment_max_mb=1)
    try:
        yield running
    finally:
        await running.rt.shutdown()


async def send_media(bot: Bot, user: str, kind: str, name: str, data: bytes, msg_id: int | None = None) -> list[str]:
    media_id = bot.fake.add_media(kind, name, data)
    if msg_id is None:
        bot.msg_id += 1
        msg_id = bot.msg_id
    xml = media_message_xml(user, kind, media_id, msg_id, bot.fake.agent_id, to_user=bot.fake.corp_id)
    before = len(bot.to(user))
    assert await bot.fake.post_callback(bot.url, xml, crypto=bot.crypto) == (200, "")
    await bot.rt.channel.idle()
    return [str(m.get("content")) for m in bot.to(user)[before:]]


def media_gets(fake: FakeWeCom) -> int:
    return fake.api_calls.count("/cgi-bin/media/get")


async def test_images_and_files_are_attached_once_and_sent_back(bot: Bot) -> None:
    user = "liuqiang"
    await bot.register(user)
    pid, _ = await signed_with_funds(bot.db, "东小李", "贵州华芯半导体有限公司")

    # No project named or open: the bot asks which, and fetches nothing.
    assert "附件 #项目编号" in (await send_media(bot, user, "image", "", JPEG))[0]
    assert media_gets(bot.fake) == 0

    await bot.ask(user, f"附件 #{pid}")
    replies = await send_media(bot, user, "image", "", JPEG, msg_id=8_000_000_000_000_000_001)
    assert f"已附到 #{pid} 贵州华芯半导体有限公司" in replies[0]
    # WeCom retries a callback it thinks unanswered: the same MsgId has no second effect.
    assert await send_media(bot, user, "image", "", JPEG, msg_id=8_000_000_000_000_000_001) == []
    assert "验资报告.pdf" in (await send_media(bot, user, "file", "验资报告.pdf", PDF))[0]
    async with bot.db.uow(readonly=True) as uow:
        files = await uow.evidence.files(pid)
        assert [f.channel for f in files] == ["wecom", "wecom"]
        assert await uow.evidence.blob(files[1].sha256) == PDF

    # Over ZSBOT_ATTACHMENT_MAX_MB (1 here): refused while downloading, nothing kept; a type not allowed too.
    assert "超过 1 MB" in (await send_media(bot, user, "file", "扫描件.pdf", PDF * 400))[0]
    assert "不能作为凭证" in (await send_media(bot, user, "file", "tool.exe", b"MZ\x90\x00"))[0]
    async with bot.db.uow(readonly=True) as uow:
        assert len(await uow.evidence.files(pid)) == 2
        assert len((await uow.session.execute(BlobRow.__table__.select())).all()) == 2

    # The listing is a card; pressing 取回 sends the PDF back through media/upload, byte for byte.
    await bot.ask(user, f"附件 #{pid}")
    card = bot.last_card(user)
    assert [b["text"] for b in card.card["button_list"]] == ["取回 1", "取回 2", "完成"]
    await bot.press(user, card, "取回 2")
    back = [m for m in bot.to(user) if m["msgtype"] == "file"]
    assert back and back[-1]["media"] == PDF and hashlib.sha256(back[-1]["media"]).hexdigest() == files[1].sha256


async def test_a_stranger_s_image_is_never_fetched(bot: Bot) -> None:
    replies = await send_media(bot, "stranger01", "image", "", JPEG)
    assert replies and "邀请码" in replies[0]
    assert media_gets(bot.fake) == 0
