"""The WeCom channel over real HTTP: the bot's callback listener, played to by a fake WeCom that also
serves the send API, on both databases.

The Telegram suite's scenario (register by invite, a lead in one line confirmed by number, /status,
a reminder push, a ranking with its chart to the unit's group robot), then the guarantees: a
repeated MsgId has one effect; forged, foreign, stale, malformed or oversized callbacks are refused
and leave nothing behind; 42001 refreshes the token; 45009 backs off and still delivers once.
"""
from __future__ import annotations

import asyncio
import socket
import time
from datetime import date
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.contract import WeComMaybeSent, WeComNetworkError
from bot.channels.wecom.crypto import WeComCrypto
from bot.config import load_settings
from bot.errors import StartError
from bot.service import Runtime, start
from core.messages import Button, SendFile, SendPhoto, SendText
from core.org import OrgConfig
from core.roles import Role
from core.usecases.org import BindIdentity, CreateInvite, bind_identity, create_invite
from storage.database import Database
from storage.tables.ledger import EventRow
from storage.tables.operational import OutboxRow, ProcessedUpdateRow
from reminders.pushes_reports import report_button
from tests.fakes.wecom_api import FakeWeCom, SentCard
from texts import t
from tests.helpers import member, mini_org, setup_org

pytestmark = pytest.mark.asyncio
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
LEAD = "线索 比亚迪股份有限公司 新能源汽车零部件 投资20亿 来源驻点"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeCom]:
    async with FakeWeCom() as server:
        yield server


class Bot:
    """A running bot and the means to talk to it as WeCom does."""

    def __init__(self, rt: Runtime, fake: FakeWeCom, url: str) -> None:
        self.rt, self.fake, self.url = rt, fake, url
        self.db: Database = rt.db
        self.crypto = WeComCrypto(TOKEN, AES_KEY, fake.corp_id)
        self.msg_id = 7_000_000_000_000_000_000

    async def say(self, user: str, text: str, msg_id: int | None = None, **tamper: Any) -> tuple[int, str]:
        if msg_id is None:
            self.msg_id += 1
            msg_id = self.msg_id
        return await self.fake.post_callback(self.url, self.fake.text_message_xml(user, text, msg_id),
                                             crypto=self.crypto, **tamper)

    async def click(self, user: str, key: str, create_time: int) -> tuple[int, str]:
        xml = self.fake.click_event_xml(user, key, create_time=create_time)
        return await self.fake.post_callback(self.url, xml, crypto=self.crypto)

    async def ask(self, user: str, text: str) -> list[str]:
        """Type a message; the bot's direct replies (sent before its background task ends), a card as
        "[card] title"."""
        before = len(self.to(user))
        assert await self.say(user, text) == (200, "")
        await self.rt.channel.idle()
        return [shown(m) for m in self.to(user)[before:]]

    def last_card(self, user: str) -> SentCard:
        return self.fake.cards_to(user)[-1]

    async def press(self, user: str, card: SentCard, label: str, *, key: str | None = None,
                    xml: str | None = None) -> list[str]:
        """`user` presses the button `label` of `card` (or sends the given key, or replays `xml`);
        the bot's direct replies."""
        if xml is None and key is None:
            key = next(b["key"] for b in card.card["button_list"] if b["text"] == label)
        before = len(self.to(user))
        event = xml or self.fake.press(user, card.task_id, key or "")
        assert await self.fake.post_callback(self.url, event, crypto=self.crypto) == (200, "")
        await self.rt.channel.idle()
        return [shown(m) for m in self.to(user)[before:]]

    async def reply(self, user: str, before: int) -> str:
        """The first text the bot sends `user` after it had sent `before` messages there."""
        return (await self.sent(user, before + 1))[before]["content"]

    async def sent(self, user: str, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        await wait_for(lambda: len(self.to(user)) >= count, timeout)
        return self.to(user)

    def to(self, user: str) -> list[dict[str, Any]]:
        return [m for m in self.fake.sent if m["touser"] == user]

    async def push(self, key: str, member_id: int, action: Any) -> None:
        """Queue a push to a member the way the reminders do, and wake the sender."""
        async with self.db.uow() as uow:
            await uow.outbox.enqueue_member(key, "test", member_id, action)
            await uow.commit()
        self.rt.sender.notify()

    async def push_groups(self, unit: str, *pushes: tuple[str, Any]) -> list[int]:
        async with self.db.uow() as uow:
            queued = [await uow.outbox.enqueue_unit_groups(key, "ranking", unit, action) for key, action in pushes]
            await uow.commit()
        self.rt.sender.notify()
        return queued

    async def register(self, user: str, unit: str = "east") -> int:
        code = await invite(self.db, unit)
        assert "绑定成功" in (await self.ask(user, f"/start {code}"))[0]
        async with self.db.uow(readonly=True) as uow:
            return (await uow.org.identity("wecom", user)).member_id


def shown(message: dict[str, Any]) -> str:
    if message["msgtype"] == "template_card":
        return "[card] " + message["card"]["main_title"]["title"]
    return str(message["content"])


async def wait_for(predicate: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the bot")
        await asyncio.sleep(0.02)


def org_with_robot(key: str) -> OrgConfig:
    org = mini_org()
    units = tuple(u.model_copy(update={"robot_webhook_key": key}) if u.code == "east" else u for u in org.units)
    return org.model_copy(update={"units": units})


async def start_bot(db_url: str, fake: FakeWeCom, *, org: OrgConfig | None = None, **overrides: object) -> Bot:
    port = free_port()
    settings: dict[str, object] = dict(
        database_url=db_url, channel="wecom", wecom_corp_id=fake.corp_id, wecom_agent_id=fake.agent_id,
        wecom_secret=fake.secret, wecom_token=TOKEN, wecom_aes_key=AES_KEY, wecom_api_url=fake.base_url,
        wecom_listen=f"127.0.0.1:{port}", calendar=False,  # the real clock's reminders would interleave
        # Pacing as in production would only make the suite slow; the fake robot still enforces 20/min.
        outbox_per_chat_per_second=50, outbox_per_group_per_minute=600)
    settings.update(overrides)
    db = Database(db_url)
    await db.migrate()
    await setup_org(db, org)
    try:
        rt = await start(load_settings(**settings), db=db)
    except BaseException:
        await db.dispose()
        raise
    return Bot(rt, fake, f"http://127.0.0.1:{port}/wecom/callback")


@pytest.fixture
async def bot(db_url: str, fake: FakeWeCom) -> AsyncIterator[Bot]:
    b = await start_bot(db_url, fake, org=org_with_robot(fake.add_robot("east-robot-key-SECRET-0001")))
    try:
        yield b
    finally:
        await b.rt.shutdown()


async def invite(db: Database, unit: str, role: Role = Role.MEMBER, member_id: int | None = None) -> str:
    async with db.uow() as uow:
        code = await create_invite(uow, CreateInvite(unit=unit, role=role, member_id=member_id))
        await uow.commit()
    return code


async def count(db: Database, table: Any, *where: Any) -> int:
    async with db.uow(readonly=True) as uow:
        return (await uow.session.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def outbox_rows(db: Database) -> list[Any]:
    async with db.uow(readonly=True) as uow:
        return list((await uow.session.execute(select(*OutboxRow.__table__.c).order_by(OutboxRow.id))).all())


async def settled(db: Database) -> list[Any]:
    """The outbox's rows once none is pending or in flight any more.

    The sender claims a row (``sending``, committed) before its call and marks it right after, so a
    row seen between the two is still on its way."""
    deadline = time.monotonic() + 10
    rows = await outbox_rows(db)
    while any(r.status in ("pending", "sending") for r in rows) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        rows = await outbox_rows(db)
    return rows


def calls(fake: FakeWeCom, suffix: str) -> int:
    return sum(1 for p in fake.api_calls if p.endswith(suffix))


# -- the scenario -------------------------------------------------------------------------------------
async def test_scenario(bot: Bot, fake: FakeWeCom) -> None:
    # Saving the callback URL in the admin console: the bot answers the plain echostr.
    assert await fake.verify_url(bot.url, bot.crypto, "1616140317555161061") == (200, "1616140317555161061")

    member_id = await bot.register("zhangsan")
    assert await bot.ask("zhangsan", LEAD) == ["[card] 请核对线索："]
    card = bot.last_card("zhangsan")
    fields = {i["keyname"]: i.get("value") for i in card.card["horizontal_content_list"]}
    assert "20亿元" in fields.values() and "比亚迪股份有限公司" in fields.values()
    assert [b["text"] for b in card.card["button_list"]] == ["确认", "修改", "取消"]
    assert [b["key"].split(":")[0] for b in card.card["button_list"]] == ["f", "f", "f"]
    [saved] = await bot.press("zhangsan", card, "确认")
    assert "已登记线索" in saved
    assert card.replaced_with == "✓ 确认"   # the pressed card greyed out, showing the choice

    [status] = await bot.ask("zhangsan", "/status 比亚迪")
    assert "比亚迪股份有限公司" in status and "20亿元" in status and "东区" in status
    # The application menu: a click on the item keyed "help" is /help (long: two messages).
    before = len(bot.to("zhangsan"))
    await bot.click("zhangsan", "help", int(time.time()))
    await bot.rt.channel.idle()
    help_parts = [m["content"] for m in bot.to("zhangsan")[before:]]
    assert "招商助手可用命令" in help_parts[0] and "/cancel" in help_parts[-1]

    # A reminder reaches the member as an application message; a chart is uploaded, then sent.
    before = len(bot.to("zhangsan"))
    await bot.push("reminder:2026-11-10", member_id, SendText(text="半月报提醒：请于10日前填报"))
    assert await bot.reply("zhangsan", before) == "半月报提醒：请于10日前填报"
    await bot.push("chart:2026-10", member_id, SendPhoto(data=PNG, filename="排名.png", caption="10月排名"))
    image, caption = (await bot.sent("zhangsan", before + 3))[before + 1:]
    assert fake.api_calls[-3:] == ["/cgi-bin/media/upload", "/cgi-bin/message/send", "/cgi-bin/message/send"]
    assert (image["msgtype"], image["media"], image["filename"]) == ("image", PNG, "排名.png")
    assert (caption["msgtype"], caption["content"]) == ("text", "10月排名")

    # The monthly ranking goes to the unit's group robot: the chart, its caption, then the text.
    assert await bot.push_groups("east", ("ranking-chart:2026-10:east", SendPhoto(data=PNG, caption="10月排名")),
                                 ("ranking:2026-10:east", SendText(text="10月综合测评：东区 第1名"))) == [1, 1]
    await wait_for(lambda: len(fake.robot_messages) == 3)
    robot = fake.robot_messages
    assert [(m["msgtype"], m["content"]) for m in robot] == [
        ("image", ""), ("markdown", "10月排名"), ("markdown", "10月综合测评：东区 第1名")]
    assert robot[0]["data"] == PNG and {m["key"] for m in robot} == {"east-robot-key-SECRET-0001"}
    # The outbox names the unit's robot, never its key.
    rows = await settled(bot.db)
    assert {r.chat_id for r in rows if r.kind == "ranking"} == {"robot:east"}
    assert not any("SECRET" in f"{r.key}{r.chat_id}{r.action}{r.last_error}" for r in rows)
    assert {r.status for r in rows} == {"sent"}
    assert await count(bot.db, EventRow, EventRow.type == "lead.logged") == 1


async def test_long_texts_are_cut_under_2048_bytes_and_files_are_sent(bot: Bot, fake: FakeWeCom) -> None:
    member_id = await bot.register("lisi")
    lines = [f"第{i:03d}行：本月新增签约项目情况汇总" for i in range(120)]   # 2,279 characters, 5,879 bytes
    await bot.push("digest:long", member_id, SendText(text="\n".join(lines)))
    await bot.push("ledger:xlsx", member_id, SendFile(data=b"PK\x03\x04" + b"x" * 500, filename="台账.xlsx"))
    sent = await bot.sent("lisi", 1 + 5)
    texts = [m["content"] for m in sent[1:-1]]
    assert len(texts) == 4 and all(len(t.encode()) <= 2048 for t in texts)
    assert "\n".join(texts).split("\n") == lines  # cut at line breaks, nothing lost or reordered
    assert (sent[-1]["msgtype"], sent[-1]["filename"]) == ("file", "台账.xlsx")
    # Under the outbox's 600 characters but over WeCom's 2048 bytes: cut again when sending.
    await bot.push("digest:emoji", member_id, SendText(text="📈" * 550))
    emoji = [m["content"] for m in (await bot.sent("lisi", 8))[6:]]
    assert [len(t.encode()) for t in emoji] == [2048, 152] and "".join(emoji) == "📈" * 550

    await bot.push_groups("east", ("ledger:east", SendFile(data=b"PK\x03\x04" + b"y" * 500, filename="东区台账.xlsx")))
    await wait_for(lambda: len(fake.robot_messages) == 1)
    assert (fake.robot_messages[0]["msgtype"], fake.robot_messages[0]["filename"]) == ("file", "东区台账.xlsx")


# -- exactly once -------------------------------------------------------------------------------------
async def test_the_same_msgid_three_times_has_one_effect(bot: Bot) -> None:
    await bot.register("wangwu")
    # WeCom retries a callback: concurrently with the first delivery, and after it was handled.
    first = await asyncio.gather(*(bot.say("wangwu", LEAD, msg_id=555) for _ in range(2)))
    await bot.rt.channel.idle()
    again = await bot.say("wangwu", LEAD, msg_id=555)
    assert first == [(200, ""), (200, "")] and again == (200, "")
    for _ in range(3):
        assert await bot.say("wangwu", "1", msg_id=556) == (200, "")
    now = int(time.time())
    for _ in range(2):
        await bot.click("wangwu", "my", now)  # a retried menu click: same account, time and key
    await bot.rt.channel.idle()
    assert await count(bot.db, EventRow, EventRow.type == "lead.logged") == 1
    assert await count(bot.db, ProcessedUpdateRow, ProcessedUpdateRow.update_id.in_(["555", "556"])) == 2
    texts = [shown(m) for m in bot.to("wangwu")[1:]]
    assert len(texts) == 3, texts
    assert texts[0] == "[card] 请核对线索：" and "已登记线索" in texts[1] and "比亚迪" in texts[2]


async def test_refused_callbacks_leave_nothing_behind(bot: Bot, fake: FakeWeCom) -> None:
    code = await invite(bot.db, "east")
    events, updates = await count(bot.db, EventRow), await count(bot.db, ProcessedUpdateRow)
    refused = {tamper: await bot.say("mallory", f"/start {code}", tamper=tamper)
               for tamper in ("signature", "corpid", "ciphertext", "xml")}
    assert refused == {"signature": (400, "signature"), "corpid": (400, "receive_id"),
                       "ciphertext": (400, "decrypt"), "xml": (400, "xml")}
    # A captured, correctly signed callback replayed a day later (after the update log forgot it).
    yesterday = str(int(time.time()) - 86_400)
    assert await bot.say("mallory", f"/start {code}", timestamp=yesterday) == (400, "stale")
    assert (await fake.verify_url(bot.url, bot.crypto, "echo", tamper="signature"))[0] == 400
    assert (await fake.verify_url(bot.url, bot.crypto, "echo", tamper="corpid"))[0] == 400
    async with aiohttp.ClientSession() as http:
        params = {"msg_signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "1"}
        async with http.post(bot.url, params=params, data=b"<xml>" + b"A" * 100_000 + b"</xml>") as resp:
            assert resp.status == 413
        async with http.post(bot.url, params=params, data=b"not xml at all") as resp:
            assert resp.status == 400
    # Correctly signed, but not for the core: another application's message, a forged account id
    # that would name a robot chat, a picture. Accepted by HTTP (so WeCom stops retrying), ignored.
    for xml in (fake.text_message_xml("mallory", f"/start {code}", 901, agent_id=999),
                fake.text_message_xml("robot:east", f"/start {code}", 902),
                fake.text_message_xml("mallory", f"/start {code}", 903).replace("[text]", "[image]")):
        assert await fake.post_callback(bot.url, xml, crypto=bot.crypto) == (200, "")
    await bot.rt.channel.idle()
    assert (await count(bot.db, EventRow), await count(bot.db, ProcessedUpdateRow)) == (events, updates)
    assert fake.sent == [] and fake.token_requests and calls(fake, "message/send") == 0
    # The listener is still there, and the invite still unused.
    assert await bot.say("mallory", f"/start {code}") == (200, "")
    assert "绑定成功" in await bot.reply("mallory", 0)


# -- scripted WeCom errors ------------------------------------------------------------------------------
async def test_an_expired_token_is_refreshed_and_the_message_sent_once(bot: Bot, fake: FakeWeCom) -> None:
    member_id = await bot.register("zhaoliu")
    tokens, sends = len(fake.token_requests), calls(fake, "message/send")
    fake.fail_next("message/send", 42001)
    await bot.push("reminder:token", member_id, SendText(text="半月报提醒"))
    assert await bot.reply("zhaoliu", 1) == "半月报提醒"
    assert len(fake.token_requests) == tokens + 1 and calls(fake, "message/send") == sends + 2
    assert [m["content"] for m in bot.to("zhaoliu")].count("半月报提醒") == 1
    assert [r.status for r in await settled(bot.db)] == ["sent"]


async def test_45009_backs_off_then_delivers_once(bot: Bot, fake: FakeWeCom) -> None:
    assert bot.rt.channel.rate_limit_backoff == 60.0  # the production wait; shortened for the test
    bot.rt.channel.rate_limit_backoff = 0.5
    member_id = await bot.register("sunqi")
    fake.fail_next("message/send", 45009)
    await bot.push("reminder:busy", member_id, SendText(text="半月报提醒"))
    fake.fail_next("webhook/send", 45009)
    await bot.push_groups("east", ("ranking:busy", SendText(text="排名")))
    assert await bot.reply("sunqi", 1) == "半月报提醒"
    await wait_for(lambda: len(fake.robot_messages) == 1)
    rows = await settled(bot.db)
    assert [(r.status, r.attempts) for r in rows] == [("sent", 2), ("sent", 2)]
    # A rate-limited reply (two messages) goes through the outbox and still arrives, once, in order.
    fake.fail_next("message/send", 45009)
    await bot.say("sunqi", "/help")
    help_parts = [m["content"] for m in (await bot.sent("sunqi", 4))[2:]]
    assert "招商助手可用命令" in help_parts[0] and "/cancel" in help_parts[1]
    assert [r.kind for r in await outbox_rows(bot.db)] == ["test", "ranking", "reply", "reply"]
    await bot.rt.channel.idle()
    assert len(bot.to("sunqi")) == 4 and len(fake.robot_messages) == 1


# -- who is who ---------------------------------------------------------------------------------------
async def test_a_member_bound_on_telegram_binds_wecom_too(bot: Bot) -> None:
    li = await member(bot.db, "东小李")
    async with bot.db.uow() as uow:
        await bind_identity(uow, li, BindIdentity(channel="telegram", external_id="5001", chat_id="5001"))
        await uow.commit()
    code = await invite(bot.db, li.unit, li.role, member_id=li.id)
    await bot.say("li.dong", f"加入 {code}")
    assert "绑定成功！东小李" in await bot.reply("li.dong", 0)
    async with bot.db.uow(readonly=True) as uow:
        assert {i.channel for i in await uow.org.identities_of(li.id)} == {"telegram", "wecom"}
    await bot.push("reminder:both", li.id, SendText(text="提醒"))  # this deployment runs WeCom only
    assert await bot.reply("li.dong", 1) == "提醒"


# -- start-up -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("variable", ["corp_id", "agent_id", "secret", "token", "aes_key"])
async def test_a_missing_setting_stops_with_one_line(sqlite_url: str, fake: FakeWeCom, variable: str) -> None:
    with pytest.raises(StartError, match=f"缺少 ZSBOT_WECOM_{variable.upper()}："):
        await start_bot(sqlite_url, fake, **{f"wecom_{variable}": None})


async def test_wrong_credentials_or_host_stop_with_one_line(sqlite_url: str, fake: FakeWeCom) -> None:
    with pytest.raises(StartError, match="43 位 EncodingAESKey"):
        await start_bot(sqlite_url, fake, wecom_aes_key="too-short")
    with pytest.raises(StartError, match=r"拒绝了 ZSBOT_WECOM_CORP_ID / ZSBOT_WECOM_SECRET（errcode 40001）"):
        await start_bot(sqlite_url, fake, wecom_secret="wrong-secret")
    with pytest.raises(StartError, match="无法连接企业微信接口"):
        await start_bot(sqlite_url, fake, wecom_api_url=f"http://127.0.0.1:{free_port()}")


# -- the client's robot media, and what a failed request may have done ------------------------------
async def test_robot_images_and_files(fake: FakeWeCom) -> None:
    key = fake.add_robot()
    async with WeComClient(fake.base_url, fake.corp_id, fake.secret, fake.agent_id) as client:
        await client.robot_send_image(key, PNG)
        await client.robot_send_file(key, await client.robot_upload_media(key, "台账.xlsx", b"PK\x03\x04data"))
        with pytest.raises(ValueError):
            await client.robot_send_image(key, b"x" * (2 * 1024 * 1024 + 1))
    assert [(m["msgtype"], m["data"], m["filename"]) for m in fake.robot_messages] == [
        ("image", PNG, None), ("file", b"PK\x03\x04data", "台账.xlsx")]
    assert fake.token_requests == []  # robots need no access token


async def test_a_timeout_may_have_sent_a_refused_connection_did_not(fake: FakeWeCom) -> None:
    hold = asyncio.Event()

    async def never_answers(request: web.Request) -> web.Response:
        await hold.wait()
        return web.json_response({"errcode": 0})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", never_answers)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    silent = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with WeComClient(silent, "corp", "secret", 1, timeout=0.3) as client:
            with pytest.raises(WeComNetworkError) as token_timeout:   # only the token was in doubt
                await client.send_text("u", "x")
            assert not isinstance(token_timeout.value, WeComMaybeSent)
            with pytest.raises(WeComMaybeSent):
                await client.robot_send_markdown("key", "x")
        async with WeComClient(f"http://127.0.0.1:{free_port()}", "corp", "secret", 1) as client:
            with pytest.raises(WeComNetworkError) as refused:
                await client.robot_send_markdown("key", "x")
            assert not isinstance(refused.value, WeComMaybeSent)
    finally:
        hold.set()
        await runner.cleanup()


async def test_a_message_the_database_cannot_keep_gets_no_success_and_its_retry_one_effect(bot: Bot) -> None:
    from sqlalchemy.exc import DBAPIError

    await bot.register("zhaoliu")
    conversations = bot.rt.channel.handle.__self__
    real, conversations.retry_delay = conversations.uow_factory, 0.001

    def lost(*args: Any, **kwargs: Any) -> Any:
        orig = type("AdminShutdownError", (Exception,), {"sqlstate": "57P01"})("terminating connection")
        raise DBAPIError("BEGIN", {}, orig, connection_invalidated=True)

    conversations.uow_factory = lost
    try:
        assert (await bot.say("zhaoliu", LEAD, msg_id=777))[0] == 503  # not kept: WeCom calls again
    finally:
        conversations.uow_factory = real
    assert await bot.say("zhaoliu", LEAD, msg_id=777) == (200, "")
    await bot.rt.channel.idle()
    assert await bot.say("zhaoliu", LEAD, msg_id=777) == (200, "")
    await bot.rt.channel.idle()
    texts = [shown(m) for m in bot.to("zhaoliu")[1:]]
    assert texts == ["[card] 请核对线索："], texts


# -- template cards -------------------------------------------------------------------------------------
async def test_a_replayed_press_has_no_second_effect_and_an_outdated_card_says_so(bot: Bot, fake: FakeWeCom) -> None:
    await bot.register("zhouba")
    await bot.ask("zhouba", LEAD)
    card = bot.last_card("zhouba")
    confirm = next(b["key"] for b in card.card["button_list"] if b["text"] == "确认")
    press = fake.press("zhouba", card.task_id, confirm)
    # WeCom retries the callback while the first is handled, and a captured one is replayed later.
    await asyncio.gather(*(fake.post_callback(bot.url, press, crypto=bot.crypto) for _ in range(2)))
    await bot.rt.channel.idle()
    assert await bot.press("zhouba", card, "确认", xml=press) == []
    assert await count(bot.db, EventRow, EventRow.type == "lead.logged") == 1
    assert [u["replace_name"] for u in fake.card_updates] == ["✓ 确认"]
    # A new press on the same card: its flow moved on, so the person gets Telegram's sentence.
    [outdated] = await bot.press("zhouba", card, "确认")
    assert outdated == "这个按钮已过期（对应的操作已结束或已更新）。请重新发送命令。"
    assert await count(bot.db, EventRow, EventRow.type == "lead.logged") == 1
    assert len(fake.card_updates) == 1


async def test_a_strangers_forged_key_has_no_effect(bot: Bot, fake: FakeWeCom) -> None:
    await bot.register("zhangsan")
    await bot.register("lisi")
    await bot.ask("zhangsan", LEAD)
    card = bot.last_card("zhangsan")
    confirm = next(b["key"] for b in card.card["button_list"] if b["text"] == "确认")
    events = await count(bot.db, EventRow)
    # A colleague, and someone not registered at all, send the key of zhangsan's 确认 as their own press.
    [colleague] = await bot.press("lisi", card, "", key=confirm)
    assert "已过期" in colleague
    [stranger] = await bot.press("mallory", card, "", key=confirm)
    assert "邀请码" in stranger
    assert await count(bot.db, EventRow) == events and fake.card_updates == []
    # zhangsan's own card still works.
    [saved] = await bot.press("zhangsan", card, "确认")
    assert "已登记线索" in saved and card.replaced_with == "✓ 确认"


def buttons(*labels: str) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(label=label, payload=f"s:test:{i}"),) for i, label in enumerate(labels))


async def test_more_than_six_choices_long_labels_and_long_texts(bot: Bot, fake: FakeWeCom) -> None:
    member_id = await bot.register("wujiu")
    # Seven choices: a single-choice vote card; choosing one and pressing 提交 is that choice's press.
    seven = SendText(text="选择一项", buttons=(*buttons(*"一二三四五六"), (Button(label="取消", payload="s:cancel"),)))
    await bot.push("choices:7", member_id, seven)
    vote = (await bot.sent("wujiu", 2))[1]
    assert vote["msgtype"] == "template_card" and vote["card"]["card_type"] == "vote_interaction"
    card = bot.last_card("wujiu")
    assert [o["text"] for o in card.card["checkbox"]["option_list"]] == [*"一二三四五六", "取消"]
    xml = fake.vote("wujiu", card.task_id, "s:cancel")
    assert await bot.press("wujiu", card, "", xml=xml) == ["当前没有进行中的操作。"]
    assert await bot.press("wujiu", card, "", xml=xml) == []              # WeCom's retry: no second answer
    # More than 20, or a label longer than a vote card shows (17 characters): the numbered list.
    many = SendText(text="选择", buttons=buttons(*[f"{i}号" for i in range(21)]))
    await bot.push("choices:21", member_id, many)
    assert (await bot.sent("wujiu", 4))[3]["content"].endswith("20. 19号\n21. 20号")
    await bot.push("choices:long", member_id, SendText(text="选择项目", buttons=buttons(
        "贵州茅台酒股份有限公司遵义分公司白酒", "取消")))
    assert (await bot.sent("wujiu", 5))[4]["content"].endswith("1. 贵州茅台酒股份有限公司遵义分公司白酒\n2. 取消")
    # Six short choices: a button card. A text too long for the card goes before it, the card only asks.
    long = "\n".join(f"第{i}项情况说明情况说明情况说明情况说明" for i in range(12))  # 240 characters
    await bot.push("choices:6", member_id, SendText(text=long, buttons=buttons(*"一二三四五六")))
    text, shown_card = (await bot.sent("wujiu", 7))[5:]
    assert text["content"] == long and shown_card["msgtype"] == "template_card"
    assert shown_card["card"]["main_title"] == {"title": "请选择："}
    assert [b["text"] for b in shown_card["card"]["button_list"]] == list("一二三四五六")
    assert {r.status for r in await settled(bot.db)} == {"sent"}


@pytest.mark.parametrize("mode", ["auto", "on", "off"])
async def test_without_cards_the_numbered_list_is_used(db_url: str, fake: FakeWeCom, mode: str) -> None:
    fake.supports_cards = mode == "off"  # `off` never tries, even where cards would work
    if mode != "off":
        fake.supports_cards = False      # an older 政务微信: template_card is an invalid message type
    b = await start_bot(db_url, fake, wecom_cards=mode)
    try:
        await b.register("qianshi")
        [first] = await b.ask("qianshi", LEAD)
        assert first.endswith("回复数字或选项文字选择：\n1. 确认\n2. 修改\n3. 取消")
        [saved] = await b.ask("qianshi", "1")
        assert "已登记线索" in saved
        await b.ask("qianshi", "线索 茅台集团 白酒 投资5亿 来源驻点")
        assert "回复数字或选项文字选择：" in b.to("qianshi")[-1]["content"]
        # The cards WeCom refused: `auto` tried once and remembered, `on` tries every time, `off` never.
        refused = calls(fake, "message/send") - len(fake.sent)
        assert refused == {"auto": 1, "on": 2, "off": 0}[mode]
        assert fake.cards == {}
    finally:
        await b.rt.shutdown()


async def test_a_reminder_is_a_card_and_the_report_is_filed_by_presses(bot: Bot, fake: FakeWeCom) -> None:
    """The half-monthly reminder's 开始填报, the walk and 确认报送: no typing at all."""
    member_id = await bot.register("zhengshiyi")
    await bot.ask("zhengshiyi", LEAD)
    await bot.press("zhengshiyi", bot.last_card("zhengshiyi"), "确认")
    period = date.today().replace(day=10).isoformat()   # a half-monthly period (the 10th and the 25th)
    text = t("report.reminder", unit="东区", period="本", due="明天", when="还有1天")
    await bot.push(f"report:{period}", member_id, SendText(text=text, buttons=report_button(period)))
    await wait_for(lambda: len(fake.cards_to("zhengshiyi")) == 2)
    card = bot.last_card("zhengshiyi")
    assert card.card["main_title"] == {"title": "半月报提醒"}
    assert card.card["sub_title_text"] == text.removeprefix("【半月报提醒】")
    started = await bot.press("zhengshiyi", card, "开始填报")
    assert started[0].startswith("开始填报东区") and started[1] == "[card] （1/1）#17 比亚迪股份有限公司"
    assert card.replaced_with is None      # a stateless button (s:report): its card stays, as on Telegram
    walk = bot.last_card("zhengshiyi")
    assert [b["text"] for b in walk.card["button_list"]][:3] == ["无变化", "更新进展", "阶段变更"]
    assert await bot.press("zhengshiyi", walk, "无变化") == ["[card] 东区12月10日期半月报汇总："]
    assert walk.replaced_with == "✓ 无变化"
    summary = bot.last_card("zhengshiyi")
    assert "确认报送吗？" in summary.card["sub_title_text"]
    [submitted] = await bot.press("zhengshiyi", summary, "确认报送")
    assert submitted.startswith("已报送东区12月10日期半月报"), submitted
    assert summary.replaced_with == "✓ 确认报送"
