"""The fake Telegram Bot API speaks the protocol: the real python-telegram-bot and aiogram
clients work against it over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import struct
import time
import warnings
import zlib
from typing import Any

import aiohttp
import httpx
import pytest
import telegram
import telegram.error
from aiogram import Bot as AioBot
from aiogram import Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import Command
from aiogram.types import BotCommand, BufferedInputFile
from aiogram.types import InlineKeyboardButton as AioButton
from aiogram.types import InlineKeyboardMarkup as AioMarkup
from aiogram.types import Message as AioMessage
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from tests.fakes.ratelimits import RateLimiter
from tests.fakes.telegram import SECRET_HEADER, FakeTelegram

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

CHAT = 424242  # a private chat (= the user's id)
GROUP = -4001234  # a basic group


def png(width: int, height: int) -> bytes:
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def seconds(value: Any) -> float:
    """PTB 22 RetryAfter.retry_after is an int (deprecated) or a timedelta."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def ptb_retry_after(exc: telegram.error.RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return seconds(exc.retry_after)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
async def fake():
    async with FakeTelegram() as f:
        yield f
        assert f.errors == []  # the fake itself never blew up


def make_ptb(fake: FakeTelegram, token: str | None = None, **kw: Any) -> telegram.Bot:
    return telegram.Bot(
        token or fake.token,
        base_url=fake.ptb_base_url,  # f"{fake.base_url}/bot"
        base_file_url=fake.ptb_base_file_url,  # f"{fake.base_url}/file/bot"
        **kw,
    )


class LocalAiohttpSession(AiohttpSession):
    """AiohttpSession.close() sleeps 250 ms for SSL shutdown; plain local HTTP needs none."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_aio(fake: FakeTelegram, token: str | None = None) -> AioBot:
    session = LocalAiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    return AioBot(token or fake.token, session=session)


@pytest.fixture
async def ptb(fake):
    bot = make_ptb(fake)
    async with bot:  # initialize() calls getMe
        yield bot


@pytest.fixture
async def aio(fake):
    bot = make_aio(fake)
    try:
        yield bot
    finally:
        await bot.session.close()


@pytest.fixture
async def raw(fake):
    async with httpx.AsyncClient(base_url=fake.api_url + "/", timeout=5) as client:
        yield client


# ----------------------------------------------------------------------------- PTB


async def test_ptb_get_me(fake, ptb):
    me = await ptb.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (123456, "zsbot_test_bot", "招商助手", True)
    assert ptb.username == "zsbot_test_bot"
    assert fake.calls("getMe")[0].http_status == 200


async def test_ptb_send_and_edit_with_inline_keyboard(fake, ptb):
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("登记线索", callback_data="lead:new"),
                                InlineKeyboardButton("官网", url="https://example.cn")]])
    msg = await ptb.send_message(CHAT, "你好，欢迎", reply_markup=kb)
    assert msg.message_id == 1
    assert msg.text == "你好，欢迎"
    assert msg.chat.type == "private" and msg.from_user.id == 123456
    assert msg.reply_markup == kb

    sent = fake.sent(CHAT)
    assert len(sent) == 1
    s = sent[0]
    assert (s.method, s.chat_id, s.message_id, s.text, s.parse_mode) == (
        "sendMessage", CHAT, 1, "你好，欢迎", None)
    assert s.plain_text == "你好，欢迎"
    assert s.button_texts == ["登记线索", "官网"] and s.callback_datas == ["lead:new"]

    second = await ptb.send_message(CHAT, "第二条")
    assert second.message_id == 2

    edited = await ptb.edit_message_text("已更新", chat_id=CHAT, message_id=1, reply_markup=kb)
    assert edited.text == "已更新" and edited.edit_date is not None
    assert fake.edits[-1].text == "已更新" and fake.edits[-1].message_id == 1
    with pytest.raises(telegram.error.BadRequest, match="Message is not modified"):
        await ptb.edit_message_text("已更新", chat_id=CHAT, message_id=1, reply_markup=kb)
    # editing without reply_markup removes the keyboard, like Telegram
    edited = await ptb.edit_message_text("已更新", chat_id=CHAT, message_id=1)
    assert edited.reply_markup is None
    assert fake.message(CHAT, 1)["text"] == "已更新"
    with pytest.raises(telegram.error.BadRequest, match="Message to edit not found"):
        await ptb.edit_message_text("x", chat_id=CHAT, message_id=99)


async def test_ptb_send_photo_and_document(fake, ptb):
    image = png(120, 80)
    msg = await ptb.send_photo(CHAT, image, caption="园区照片")
    assert msg.caption == "园区照片"
    assert (msg.photo[-1].width, msg.photo[-1].height) == (120, 80)
    assert msg.photo[-1].file_size == len(image)
    s = fake.last_sent(CHAT)
    assert (s.method, s.photo, s.caption) == ("sendPhoto", image, "园区照片")

    data = b"PK\x03\x04 fake xlsx"
    doc = await ptb.send_document(CHAT, data, filename="线索.xlsx", caption="导出")
    assert doc.document.file_name == "线索.xlsx"
    assert doc.document.file_size == len(data)
    assert doc.document.mime_type.endswith("spreadsheetml.sheet")
    s = fake.last_sent(CHAT)
    assert (s.method, s.document, s.filename, s.caption) == ("sendDocument", data, "线索.xlsx", "导出")


async def test_ptb_get_updates_command_entity_and_offset(fake, ptb):
    uid = fake.inject_message(CHAT, CHAT, "/start@zsbot_test_bot 你好", username="alice")
    updates = await ptb.get_updates()
    assert [u.update_id for u in updates] == [uid]
    m = updates[0].message
    assert m.text == "/start@zsbot_test_bot 你好" and m.from_user.username == "alice"
    assert m.entities[0].type == "bot_command" and m.entities[0].offset == 0
    assert m.entities[0].length == len("/start@zsbot_test_bot")
    assert m.parse_entities() and m.chat.type == "private"

    # unconfirmed updates come again; confirmed (id < offset) ones are dropped
    assert [u.update_id for u in await ptb.get_updates()] == [uid]
    uid2 = fake.inject_message(CHAT, CHAT, "第二条")
    assert [u.update_id for u in await ptb.get_updates(offset=uid + 1)] == [uid2]
    assert await ptb.get_updates(offset=uid2 + 1) == ()
    assert fake.pending_updates == []

    # limit, and redelivery of a confirmed update (duplicate delivery)
    ids = [fake.inject_message(CHAT, CHAT, f"m{i}") for i in range(3)]
    assert [u.update_id for u in await ptb.get_updates(offset=uid2 + 1, limit=2)] == ids[:2]
    assert [u.update_id for u in await ptb.get_updates(offset=ids[-1] + 1)] == []
    fake.redeliver(ids[0])
    assert [u.update_id for u in await ptb.get_updates(offset=ids[-1] + 1)] == [ids[0]]
    assert await ptb.get_updates(offset=ids[-1] + 1) == ()


async def test_ptb_group_chat_message(fake, ptb):
    fake.inject_message(GROUP, 7, "/help@zsbot_test_bot", title="招商一组")
    (u,) = await ptb.get_updates()
    assert u.message.chat.type == "group" and u.message.chat.title == "招商一组"
    sent = await ptb.send_message(GROUP, "帮助")
    assert sent.chat.type == "group" and sent.message_id == 2  # ids are per chat


async def test_ptb_callback_query_roundtrip(fake, ptb):
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="ok:1")]])
    msg = await ptb.send_message(CHAT, "确认吗？", reply_markup=kb)
    uid = fake.inject_callback(CHAT, CHAT, msg.message_id, "ok:1")
    (u,) = await ptb.get_updates()
    assert u.update_id == uid
    cq = u.callback_query
    assert cq.data == "ok:1" and cq.message.message_id == msg.message_id
    assert cq.message.reply_markup == kb
    assert await cq.answer("已确认", show_alert=True)
    assert fake.callback_answers[0].text == "已确认" and fake.callback_answers[0].show_alert
    with pytest.raises(telegram.error.BadRequest, match="Query is too old"):
        await cq.answer()


async def test_ptb_retry_after_and_server_errors(fake, ptb):
    fake.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(telegram.error.RetryAfter) as exc:
        await ptb.send_message(CHAT, "hi")
    assert ptb_retry_after(exc.value) == 3
    assert fake.sent() == []
    fake.fail_next("sendMessage", status=500)
    with pytest.raises(telegram.error.NetworkError):
        await ptb.send_message(CHAT, "hi")
    assert (await ptb.send_message(CHAT, "hi")).message_id == 1
    assert [r.http_status for r in fake.calls("sendMessage")] == [429, 500, 200]


async def test_ptb_read_timeout(fake, ptb):
    fake.delay_next("sendMessage", 0.5)
    with pytest.raises(telegram.error.TimedOut):
        await ptb.send_message(CHAT, "slow", read_timeout=0.1)
    # the slow call still happened server-side, like a real lost answer
    await fake.wait_sent(CHAT, 1, timeout=2)


async def test_ptb_set_my_commands_chinese(fake, ptb):
    cmds = [("start", "开始使用"), ("lead", "登记招商线索"), ("report", "生成周报")]
    assert await ptb.set_my_commands(cmds, language_code="zh")
    assert fake.commands == {
        "commands": [{"command": c, "description": d} for c, d in cmds],
        "scope": None,
        "language_code": "zh",
    }
    assert [(c["command"], c["description"]) for c in fake.commands_for(language_code="zh")] == cmds
    assert fake.commands_for() == []
    scope = telegram.BotCommandScopeAllGroupChats()
    await ptb.set_my_commands([("help", "帮助")], scope=scope)
    assert fake.commands["scope"] == {"type": "all_group_chats"}
    with pytest.raises(telegram.error.BadRequest, match="Bot_command_invalid"):
        await ptb.set_my_commands([("Bad-Command", "x")])


async def test_ptb_wrong_token(fake):
    bot = make_ptb(fake, token="999999:wrong-token")
    with pytest.raises(telegram.error.InvalidToken):
        async with bot:  # initialize() -> getMe -> 401
            pass
    bot = make_ptb(fake)
    async with bot:
        fake.reject_token()
        with pytest.raises(telegram.error.InvalidToken):
            await bot.send_message(CHAT, "x")


async def test_ptb_bad_markup_and_empty_text(fake, ptb):
    # The bot sends plain text: the fake renders no parse_mode and says so rather than store markup.
    with pytest.raises(telegram.error.BadRequest, match="(?i)parse_mode is not rendered by the fake"):
        await ptb.send_message(CHAT, "价格 <100万", parse_mode="HTML")
    assert (await ptb.send_message(CHAT, "价格 <100万 总额 1.5 亿")).text == "价格 <100万 总额 1.5 亿"
    too_long = "线索" * 11 + "x"  # 67 UTF-8 bytes
    with pytest.raises(telegram.error.BadRequest, match="Button_data_invalid"):
        await ptb.send_message(CHAT, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("b", callback_data=too_long)]]))
    with pytest.raises(telegram.error.BadRequest, match="Message text is empty"):
        await ptb.send_message(CHAT, "")
    assert len(fake.sent()) == 1


async def test_ptb_application_polling_end_to_end(fake):
    from telegram.ext import ApplicationBuilder, CommandHandler

    app = ApplicationBuilder().token(fake.token).base_url(fake.ptb_base_url).build()

    async def start(update, context):
        await update.message.reply_text(f"欢迎，{update.effective_user.first_name}")

    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        fake.inject_message(CHAT, CHAT, "/start", first_name="王经理")
        (reply,) = await fake.wait_sent(CHAT, 1)
        assert reply.text == "欢迎，王经理"
        await app.updater.stop()
        await app.stop()


# ----------------------------------------------------------------------------- aiogram


async def test_aiogram_get_me_send_edit(fake, aio):
    me = await aio.get_me()
    assert (me.id, me.username, me.first_name) == (123456, "zsbot_test_bot", "招商助手")

    kb = AioMarkup(inline_keyboard=[[AioButton(text="登记线索", callback_data="lead:new")]])
    msg = await aio.send_message(CHAT, "你好", reply_markup=kb)
    assert msg.message_id == 1 and msg.text == "你好"
    assert msg.reply_markup.model_dump() == kb.model_dump()
    s = fake.last_sent(CHAT)
    assert s.reply_markup == {"inline_keyboard": [[{"text": "登记线索", "callback_data": "lead:new"}]]}

    edited = await aio.edit_message_text(text="已处理", chat_id=CHAT, message_id=1)
    assert edited.text == "已处理" and edited.reply_markup is None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await aio.edit_message_text(text="已处理", chat_id=CHAT, message_id=1)
    new_kb = AioMarkup(inline_keyboard=[[AioButton(text="撤销", callback_data="undo")]])
    edited = await aio.edit_message_text(text="已处理", chat_id=CHAT, message_id=1, reply_markup=new_kb)
    assert edited.reply_markup.model_dump() == new_kb.model_dump()
    assert [e.method for e in fake.edits] == ["editMessageText", "editMessageText"]


async def test_aiogram_send_photo_and_document(fake, aio):
    image = png(64, 32)
    msg = await aio.send_photo(CHAT, BufferedInputFile(image, filename="p.png"), caption="照片")
    assert (msg.photo[-1].width, msg.photo[-1].height) == (64, 32)
    assert msg.caption == "照片"
    s = fake.last_sent(CHAT)
    assert (s.photo, s.filename, s.caption) == (image, "p.png", "照片")

    data = "编号,企业\n1,某某科技\n".encode()
    msg = await aio.send_document(CHAT, BufferedInputFile(data, filename="线索.csv"))
    assert msg.document.file_name == "线索.csv" and msg.document.file_size == len(data)
    assert msg.document.mime_type == "text/csv"
    s = fake.last_sent(CHAT)
    assert (s.document, s.filename) == (data, "线索.csv")
    # aiogram uploads a top-level file as photo="attach://<random>" plus a separate part
    assert set(fake.calls("sendDocument")[0].params) >= {"chat_id", "document"}


async def test_aiogram_get_updates_and_offset(fake, aio):
    uid = fake.inject_message(CHAT, CHAT, "/lead 某某科技 5000万")
    (u,) = await aio.get_updates(timeout=0)
    assert u.update_id == uid
    assert u.message.entities[0].type == "bot_command" and u.message.entities[0].length == 5
    assert u.message.from_user.language_code == "zh-hans"
    assert await aio.get_updates(offset=uid + 1) == []
    # negative offset: only the last N updates are kept
    ids = [fake.inject_message(CHAT, CHAT, str(i)) for i in range(4)]
    assert [u.update_id for u in await aio.get_updates(offset=-2)] == ids[-2:]


async def test_aiogram_errors(fake, aio):
    fake.fail_next("sendMessage", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as exc:
        await aio.send_message(CHAT, "hi")
    assert exc.value.retry_after == 7
    fake.fail_next("sendmessage", status=502)  # method names are case-insensitive
    with pytest.raises(TelegramServerError):
        await aio.send_message(CHAT, "hi")
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await aio.edit_message_text(text="x", chat_id=CHAT, message_id=5)

    wrong = make_aio(fake, token="999999:wrong-token")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await wrong.get_me()
    finally:
        await wrong.session.close()


async def test_aiogram_set_my_commands(fake, aio):
    await aio.set_my_commands(
        [BotCommand(command="start", description="开始"), BotCommand(command="stats", description="统计招商数据")],
        language_code="zh",
    )
    assert fake.commands["commands"][1] == {"command": "stats", "description": "统计招商数据"}
    assert fake.commands["language_code"] == "zh"
    assert [c["description"] for c in fake.commands_for(language_code="zh")] == ["开始", "统计招商数据"]


async def test_aiogram_dispatcher_polling_end_to_end(fake, aio):
    dp = Dispatcher()

    @dp.message(Command("start"))
    async def start(message: AioMessage) -> None:
        await message.answer(f"你好，{message.from_user.first_name}")

    task = asyncio.create_task(dp.start_polling(aio, handle_signals=False, polling_timeout=1,
                                                close_bot_session=False))
    try:
        fake.inject_message(CHAT, CHAT, "/start", first_name="李总")
        (reply,) = await fake.wait_sent(CHAT, 1)
        assert reply.text == "你好，李总"
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(task, 5)


# ----------------------------------------------------------------------------- webhook


class Receiver:
    """A tiny webhook endpoint recording what it gets."""

    def __init__(self, fail_first: int = 0, secret: str | None = None,
                 reply: dict[str, Any] | None = None) -> None:
        self.got: list[tuple[dict[str, str], Any]] = []
        self.fail_first = fail_first
        self.secret = secret
        self.reply = reply
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.got.append((dict(request.headers), await request.json()))
        if self.fail_first > 0:
            self.fail_first -= 1
            return web.Response(status=500)
        if self.secret is not None and request.headers.get(SECRET_HEADER) != self.secret:
            return web.Response(status=401)
        if self.reply is not None:
            return web.json_response(self.reply)
        return web.Response(text="ok")

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


async def test_webhook_delivery_with_secret(fake, ptb):
    async with Receiver(secret="s3cret_token-1") as rx:
        assert await ptb.set_webhook(rx.url, secret_token="s3cret_token-1", allowed_updates=["message"])
        assert fake.webhook_url == rx.url and fake.allowed_updates == ["message"]

        uid = fake.inject_message(CHAT, CHAT, "/start")
        await fake.wait_for(lambda: fake.webhook_deliveries)
        assert fake.webhook_deliveries == [(uid, 200)]
        headers, body = rx.got[0]
        assert headers[SECRET_HEADER] == "s3cret_token-1"
        assert headers["Content-Type"].startswith("application/json")
        assert body["update_id"] == uid and body["message"]["text"] == "/start"

        # getUpdates is refused while a webhook is set
        with pytest.raises(telegram.error.Conflict):
            await ptb.get_updates()

        # a wrong or missing secret, posted directly
        status = await fake.post_to_webhook({"message": body["message"]}, secret="wrong")
        assert status == 401 and rx.got[-1][0][SECRET_HEADER] == "wrong"
        status = await fake.post_to_webhook({"message": body["message"]}, secret=None)
        assert status == 401 and SECRET_HEADER not in rx.got[-1][0]

        # duplicate delivery
        fake.redeliver(uid)
        await fake.wait_for(lambda: len(fake.webhook_deliveries) == 4)
        assert fake.webhook_deliveries[-1] == (uid, 200)
        assert rx.got[-1][1]["update_id"] == uid

        # updates that are not in allowed_updates are never delivered
        msg = await ptb.send_message(CHAT, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("b", callback_data="b")]]))
        fake.inject_callback(CHAT, CHAT, msg.message_id, "b")
        uid3 = fake.inject_message(CHAT, CHAT, "after")
        await fake.wait_for(lambda: fake.webhook_deliveries[-1][0] == uid3)
        assert all("callback_query" not in b for _, b in rx.got)

        assert await ptb.delete_webhook()
        assert fake.webhook_url is None


async def test_webhook_retries_on_errors(fake, aio):
    async with Receiver(fail_first=2) as rx:
        assert await aio.set_webhook(rx.url, secret_token="abc")
        uid = fake.inject_message(CHAT, CHAT, "hi")
        await fake.wait_for(lambda: fake.webhook_deliveries[-1:] == [(uid, 200)])
        assert fake.webhook_deliveries == [(uid, 500), (uid, 500), (uid, 200)]
        with pytest.raises(TelegramConflictError):
            await aio.get_updates()
        assert fake.pending_updates == []
    with pytest.raises(TelegramBadRequest, match="secret token contains unallowed characters"):
        await aio.set_webhook("http://127.0.0.1:1/hook", secret_token="含中文")


# ----------------------------------------------------------------------------- long polling


async def test_long_polling_returns_promptly(fake, ptb):
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, fake.inject_message, CHAT, CHAT, "来了")
    started = time.monotonic()
    updates = await ptb.get_updates(timeout=5)
    elapsed = time.monotonic() - started
    assert [u.message.text for u in updates] == ["来了"]
    assert 0.15 < elapsed < 1.5


async def test_long_polling_times_out_empty_and_conflicts(fake, aio, raw):
    started = time.monotonic()
    r = await raw.post("getUpdates", data={"timeout": "0.3"})
    assert r.json() == {"ok": True, "result": []}
    assert 0.25 < time.monotonic() - started < 1.5

    first = asyncio.create_task(aio.get_updates(timeout=5))
    await fake.wait_for(lambda: fake.active_polls == 1)
    second = asyncio.create_task(aio.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first
    assert await second == []


# ----------------------------------------------------------------------------- rate limits


async def test_rate_limit_per_chat():
    async with FakeTelegram(enforce_limits=True) as fake:
        async with make_ptb(fake) as bot:
            await bot.send_message(CHAT, "1")
            with pytest.raises(telegram.error.RetryAfter) as exc:
                await bot.send_message(CHAT, "2")
            assert ptb_retry_after(exc.value) == 1
            with pytest.raises(telegram.error.RetryAfter):
                await bot.send_message(CHAT, "3")
            await bot.send_message(CHAT + 1, "another chat is fine")
            assert fake.violations == 2
            assert [s.text for s in fake.sent()] == ["1", "another chat is fine"]
            assert [r.http_status for r in fake.calls("sendMessage")] == [200, 429, 429, 200]


def test_rate_limiter_windows():
    now = [100.0]
    rl = RateLimiter(per_second=3, per_chat_per_second=None, group_per_minute=20, clock=lambda: now[0])
    assert [rl.check(1) for _ in range(3)] == [None] * 3
    assert rl.check(2) == 1  # global window full
    now[0] += 1.0
    assert rl.check(2) is None
    rl = RateLimiter(per_second=None, per_chat_per_second=None, group_per_minute=20, clock=lambda: now[0])
    for _ in range(20):
        assert rl.check(GROUP, is_group=True) is None
        now[0] += 0.5
    assert rl.check(GROUP, is_group=True) == 50  # oldest send leaves the 60 s window in 50 s
    assert rl.check(CHAT) is None  # private chats are not subject to the group limit
    now[0] += 50
    assert rl.check(GROUP, is_group=True) is None
    assert rl.violations == 1 and rl.violations_log[0].limit == "group_per_minute"


# ----------------------------------------------------------------------------- raw protocol


async def test_raw_protocol_errors_and_encodings(fake, raw):
    r = await raw.get("getMe")
    assert r.status_code == 200 and r.json()["result"]["username"] == "zsbot_test_bot"

    async with httpx.AsyncClient(timeout=5) as c:
        r = await c.post(f"{fake.base_url}/bot999:nope/getMe")
        assert (r.status_code, r.json()) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        r = await c.post(f"{fake.base_url}/whatever")
        assert r.status_code == 404

    r = await raw.post("noSuchMethod")
    assert (r.status_code, r.json()) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})

    r = await raw.post("sendMessage", data={"text": "no chat"})
    assert r.status_code == 400 and r.json()["description"] == "Bad Request: chat_id is empty"
    r = await raw.post("sendMessage", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["ok"] is False
    r = await raw.post("sendMessage", data={"chat_id": CHAT, "text": "x", "reply_markup": "{oops"})
    assert r.json()["description"] == "Bad Request: can't parse reply keyboard markup JSON object"
    r = await raw.post("sendMessage", content=b"\xff\xfe\x00garbage",
                       headers={"Content-Type": "multipart/form-data; boundary=zz"})
    assert r.status_code == 400

    # query string, JSON body (native types), case-insensitive method names
    r = await raw.get("SENDMESSAGE", params={"chat_id": str(CHAT), "text": "查询串"})
    assert r.json()["result"]["text"] == "查询串"
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]}
    r = await raw.post("sendMessage", json={"chat_id": CHAT, "text": "json", "reply_markup": markup,
                                            "disable_notification": True})
    assert r.json()["result"]["reply_markup"] == markup
    assert fake.last_sent().params["disable_notification"] is True
    # text that looks like JSON stays text
    r = await raw.post("sendMessage", data={"chat_id": CHAT, "text": "[1, 2]"})
    assert r.json()["result"]["text"] == "[1, 2]"

    fake.fail_next("getMe", retry_after=5)
    r = await raw.get("getMe")
    assert (r.status_code, r.json()) == (429, {
        "ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5",
        "parameters": {"retry_after": 5}})
    fake.fail_next("*", status=502, raw_body="<html>bad gateway</html>")
    r = await raw.get("getMe")
    assert r.status_code == 502 and r.text == "<html>bad gateway</html>"

    fake.block(777)
    r = await raw.post("sendMessage", data={"chat_id": 777, "text": "x"})
    assert (r.status_code, r.json()["description"]) == (403, "Forbidden: bot was blocked by the user")
    fake.migrate_chat(-55, -1005555555555)
    r = await raw.post("sendMessage", data={"chat_id": -55, "text": "x"})
    assert r.json()["parameters"] == {"migrate_to_chat_id": -1005555555555}

    fake.reject_token()
    assert (await raw.post("getMe")).status_code == 401
    assert all(isinstance(rec.http_status, int) for rec in fake.requests)
    assert json.loads(json.dumps([r.method for r in fake.requests]))
