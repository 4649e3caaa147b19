"""Evidence through Telegram: the real python-telegram-bot and aiogram download a photo and a document
(getFile, then the file path) from the fake Bot API before the core runs; refusals never download; a
file is sent back on request with the same bytes."""
from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from storage.tables.evidence import BlobRow
from tests.e2e.test_telegram import FRAMEWORKS, invite, next_message, press, start_bot
from tests.fakes.telegram import FakeTelegram
from tests.helpers import signed_with_funds

pytestmark = pytest.mark.asyncio
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
PDF = b"%PDF-1.7\n" + b"0123456789" * 300


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def blobs(db) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    async with db.uow(readonly=True) as uow:
        return {r.sha256: bytes(r.data) for r in (await uow.session.execute(select(BlobRow))).scalars()}


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_photos_and_documents_are_attached_and_sent_back(db_url: str, fake: FakeTelegram, framework: str) -> None:
    rt = await start_bot(db_url, fake, framework)
    chat = user = 5301
    try:
        fake.inject_message(chat, user, f"/start {await invite(rt.db, 'east')}")
        await next_message(fake, chat, 0)
        pid, _ = await signed_with_funds(rt.db, "东小李", "贵州华芯半导体有限公司")

        # A photo with no project named and no flow open: the bot asks which project, fetches nothing.
        fake.inject_photo(chat, user, JPEG)
        assert "附件 #项目编号" in (await next_message(fake, chat, 1)).text
        assert fake.downloads == []

        fake.inject_message(chat, user, f"附件 #{pid}")
        listing = await next_message(fake, chat, 2)
        assert "还没有凭证" in listing.text and listing.button_texts == ["完成"]

        fake.inject_photo(chat, user, JPEG)
        kept = await next_message(fake, chat, 3)
        assert f"已附到 #{pid} 贵州华芯半导体有限公司" in kept.text and ".jpg" in kept.text
        fake.inject_document(chat, user, PDF, "银行进账单.pdf", "application/pdf")
        assert "银行进账单.pdf" in (await next_message(fake, chat, 4)).text
        assert set(await blobs(rt.db)) == {hashlib.sha256(JPEG).hexdigest(), hashlib.sha256(PDF).hexdigest()}

        # Refused before any download: a type outside the allow-list, a file over 20 MB.
        downloads = len(fake.downloads)
        fake.inject_document(chat, user, b"MZ\x90\x00", "setup.exe", "application/x-msdownload")
        assert "不能作为凭证" in (await next_message(fake, chat, 5)).text
        fake.inject_document(chat, user, PDF, "扫描件.pdf", "application/pdf", file_size=25 * 1024 * 1024)
        assert "超过 20 MB" in (await next_message(fake, chat, 6)).text
        assert len(fake.downloads) == downloads and len(await blobs(rt.db)) == 2

        # 附件 #id lists both; a button sends the PDF back, byte for byte.
        fake.inject_message(chat, user, f"附件 #{pid}")
        listing = await next_message(fake, chat, 7)
        assert "凭证（2 个）" in listing.text
        assert listing.button_texts == ["取回 1", "取回 2", "完成"] and "2. 银行进账单.pdf" in listing.text
        press(fake, chat, user, listing, "取回 2")
        sent = await fake.wait_for(lambda: [m for m in fake.sent(chat) if m.method == "sendDocument"])
        assert sent[0].document == PDF and sent[0].filename == "银行进账单.pdf"
    finally:
        await rt.shutdown()


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_photo_in_the_funds_flow_is_the_reports_evidence(db_url: str, fake: FakeTelegram,
                                                                 framework: str) -> None:
    """到位资金 through buttons, then a photo: it lands on that project, and the office's 核实 shows it."""
    rt = await start_bot(db_url, fake, framework)
    chat = user = 5302
    try:
        fake.inject_message(chat, user, f"/start {await invite(rt.db, 'east')}")
        await next_message(fake, chat, 0)
        pid, _ = await signed_with_funds(rt.db, "东小李", "贵州华芯半导体有限公司", funds_wan=None)
        fake.inject_message(chat, user, "进展 贵州华芯")
        action = await next_message(fake, chat, 1)
        press(fake, chat, user, action, "到位资金")
        # The amount question has no buttons: it is edited into the pressed message (fold_into_edit).
        await fake.wait_for(lambda: any("新增到位资金" in (e.text or "") for e in fake.edits))
        fake.inject_message(chat, user, "5000万")
        confirm = await next_message(fake, chat, 2)
        press(fake, chat, user, confirm, "确认")
        asked = await next_message(fake, chat, 3)
        assert "待核实" in asked.text and "即附到" in asked.text
        fake.inject_photo(chat, user, JPEG, caption="银行进账单")
        assert f"已附到 #{pid}" in (await next_message(fake, chat, 4)).text
        async with rt.db.uow(readonly=True) as uow:
            files = await uow.evidence.files(pid)
            reports = await uow.evidence.reports_of(pid)
        assert [f.channel for f in files] == ["telegram"] and [r.status for r in reports] == ["pending"]
    finally:
        await rt.shutdown()
