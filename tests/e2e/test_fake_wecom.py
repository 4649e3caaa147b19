"""WeComClient against FakeWeCom over real HTTP, and FakeWeCom playing WeCom toward a callback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.channels.wecom.client import WeComClient
from bot.channels.wecom.contract import WeComApiError, WeComCryptoError, WeComNetworkError, WeComRateLimited
from bot.channels.wecom.crypto import WeComCrypto
from bot.channels.wecom.message_xml import parse_message_xml
from tests.fakes.wecom_api import FakeWeCom


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeCom]:
    async with FakeWeCom() as server:
        yield server


@pytest.fixture
async def client(fake: FakeWeCom) -> AsyncIterator[WeComClient]:
    async with WeComClient(fake.base_url + "/", fake.corp_id, fake.secret, fake.agent_id) as c:
        yield c


def _calls(fake: FakeWeCom, suffix: str) -> int:
    return sum(1 for p in fake.api_calls if p.endswith(suffix))


# ------------------------------------------------------------------ tokens


async def test_token_cached_across_sends(fake: FakeWeCom, client: WeComClient) -> None:
    for i in range(5):
        answer = await client.send_text("zhangsan", f"第{i}条")
        assert answer["errcode"] == 0 and answer["msgid"]
    await asyncio.gather(*(client.send_markdown("lisi|wangwu", f"**{i}**") for i in range(10)))
    assert len(fake.token_requests) == 1
    assert len(fake.sent) == 15
    assert fake.sent[0] == {
        "touser": "zhangsan",
        "msgtype": "text",
        "agentid": fake.agent_id,
        "content": "第0条",
        "media_id": None,
        "media": None,
        "filename": None,
    }
    assert {s["msgtype"] for s in fake.sent[5:]} == {"markdown"}


async def test_concurrent_first_calls_share_one_refresh(fake: FakeWeCom, client: WeComClient) -> None:
    await asyncio.gather(*(client.send_text("u", "hi") for _ in range(20)))
    assert len(fake.token_requests) == 1


@pytest.mark.parametrize("errcode", [42001, 40014, 40001])
async def test_token_error_refreshes_and_retries_once(
    fake: FakeWeCom, client: WeComClient, errcode: int
) -> None:
    await client.send_text("u", "warm up")
    fake.fail_next("message/send", errcode)
    await client.send_text("u", "after refresh")
    assert len(fake.token_requests) == 2
    assert _calls(fake, "message/send") == 3  # warm-up, refused, retried
    assert [s["content"] for s in fake.sent] == ["warm up", "after refresh"]


async def test_token_error_twice_gives_up_after_one_retry(fake: FakeWeCom, client: WeComClient) -> None:
    fake.fail_next("message/send", 42001, times=2)
    with pytest.raises(WeComApiError) as info:
        await client.send_text("u", "x")
    assert info.value.errcode == 42001
    assert _calls(fake, "message/send") == 2
    assert len(fake.token_requests) == 2
    assert fake.sent == []


async def test_server_side_expiry_triggers_single_refresh(fake: FakeWeCom, client: WeComClient) -> None:
    await client.send_text("u", "one")
    fake.expire_tokens()  # the client still believes its token is fresh
    await asyncio.gather(*(client.send_text("u", f"m{i}") for i in range(8)))
    assert len(fake.token_requests) == 2  # every refused call reused one refresh
    assert len(fake.sent) == 9


async def test_expiry_refresh_with_injected_clock(fake: FakeWeCom) -> None:
    clock = FakeClock()
    async with WeComClient(fake.base_url, fake.corp_id, fake.secret, fake.agent_id, clock=clock) as c:
        await c.send_text("u", "a")
        clock.now += 7200 - 300 - 1  # just inside the 5-minute margin: still cached
        await c.send_text("u", "b")
        assert len(fake.token_requests) == 1
        clock.now += 2  # now within 5 minutes of expiry: refresh proactively
        await c.send_text("u", "c")
        assert len(fake.token_requests) == 2
        assert _calls(fake, "message/send") == 3  # no refused call was needed


async def test_short_lived_token_refreshes_at_half_life() -> None:
    clock = FakeClock()
    async with FakeWeCom(token_expires_in=60) as fake:
        async with WeComClient(fake.base_url, fake.corp_id, fake.secret, fake.agent_id, clock=clock) as c:
            await c.send_text("u", "a")
            clock.now += 29
            await c.send_text("u", "b")
            assert len(fake.token_requests) == 1
            clock.now += 2
            await c.send_text("u", "c")
            assert len(fake.token_requests) == 2


# ------------------------------------------------------------------ errors


async def test_rate_limited(fake: FakeWeCom, client: WeComClient) -> None:
    fake.fail_next("message/send", 45009)
    with pytest.raises(WeComRateLimited) as info:
        await client.send_text("u", "x")
    assert info.value.errcode == 45009
    assert isinstance(info.value, WeComApiError)
    assert _calls(fake, "message/send") == 1  # no blind retry on a rate limit
    await client.send_text("u", "later")  # next call is fine
    assert len(fake.sent) == 1


async def test_wrong_secret_is_40001_without_secret_in_message(fake: FakeWeCom) -> None:
    wrong = "wrong-secret-DO-NOT-LEAK-42"
    async with WeComClient(fake.base_url, fake.corp_id, wrong, fake.agent_id) as c:
        with pytest.raises(WeComApiError) as info:
            await c.send_text("u", "x")
    err = info.value
    assert err.errcode == 40001
    assert not isinstance(err, WeComRateLimited)
    for text in (str(err), repr(err), err.errmsg, repr(err.args), repr(c)):
        assert wrong not in text
    assert len(fake.token_requests) == 1  # a bad secret is not retried
    assert fake.token_requests[0]["secret_ok"] is False


async def test_other_api_error(fake: FakeWeCom, client: WeComClient) -> None:
    with pytest.raises(WeComApiError) as info:
        await client.send_image("u", "no-such-media")
    assert info.value.errcode == 40007


async def test_network_error_hides_credentials(fake: FakeWeCom) -> None:
    c = WeComClient(fake.base_url, fake.corp_id, fake.secret, fake.agent_id, timeout=5)
    await c.send_text("u", "ok")
    token = fake.token_requests[0]["token"]
    await fake.stop()  # server gone: connection refused
    try:
        with pytest.raises(WeComNetworkError) as info:
            await c.send_text("u", "x")
        text = str(info.value)
        assert fake.secret not in text and token not in text
        assert info.value.__cause__ is None and info.value.__suppress_context__
    finally:
        await c.close()


async def test_http_error_status_is_network_error() -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=502, text="bad gateway")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", broken)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with WeComClient(f"http://127.0.0.1:{port}", "corp", "s3cret-value", 1) as c:
            with pytest.raises(WeComNetworkError) as info:
                await c.send_text("u", "x")
        assert "502" in str(info.value) and "s3cret-value" not in str(info.value)
    finally:
        await runner.cleanup()


async def test_text_over_limit_is_refused_locally(fake: FakeWeCom, client: WeComClient) -> None:
    with pytest.raises(ValueError):
        await client.send_text("u", "汉" * 683)  # 2049 bytes
    assert fake.api_calls == []


# ------------------------------------------------------------------- media


async def test_upload_then_send_file_records_bytes(fake: FakeWeCom, client: WeComClient) -> None:
    data = bytes(range(256)) * 40
    media_id = await client.upload_media("file", "招商线索周报.xlsx", data)
    answer = await client.send_file("zhangsan", media_id)
    assert answer["errcode"] == 0
    assert fake.uploads[0].kind == "file"
    assert fake.uploads[0].filename == "招商线索周报.xlsx"  # raw UTF-8, not percent-encoded
    sent = fake.sent[-1]
    assert sent["msgtype"] == "file" and sent["media_id"] == media_id
    assert sent["media"] == data and sent["filename"] == "招商线索周报.xlsx"

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    image_id = await client.upload_media("image", "chart.png", png)
    await client.send_image("zhangsan", image_id)
    assert fake.sent[-1]["msgtype"] == "image" and fake.sent[-1]["media"] == png
    assert len(fake.token_requests) == 1


async def test_upload_retries_with_fresh_multipart_after_token_error(
    fake: FakeWeCom, client: WeComClient
) -> None:
    fake.fail_next("media/upload", 42001)
    media_id = await client.upload_media("image", "a.png", b"12345678")
    assert fake.media[media_id].data == b"12345678"
    assert _calls(fake, "media/upload") == 2


async def test_upload_argument_checks(client: WeComClient) -> None:
    with pytest.raises(ValueError):
        await client.upload_media("video", "a.mp4", b"123456")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await client.upload_media("file", "a.txt", b"123")  # WeCom minimum is 5 bytes


# ------------------------------------------------------------------- robot


async def test_robot_markdown_limit(fake: FakeWeCom, client: WeComClient) -> None:
    key = fake.add_robot()
    exactly = "招" * 1365 + "a"  # 4095 + 1 = 4096 bytes
    assert len(exactly.encode()) == 4096
    await client.robot_send_markdown(key, exactly)
    assert fake.robot_messages == [{"key": key, "msgtype": "markdown", "content": exactly}]
    with pytest.raises(ValueError):
        await client.robot_send_markdown(key, exactly + "b")
    assert len(fake.robot_messages) == 1
    assert fake.token_requests == []  # robots need no access token


async def test_fake_robot_enforces_4096_bytes_itself(fake: FakeWeCom) -> None:
    # The fake must refuse what the real API refuses even if a client forgets to check.
    import aiohttp

    key = fake.add_robot()
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{fake.base_url}/cgi-bin/webhook/send",
            params={"key": key},
            json={"msgtype": "markdown", "markdown": {"content": "x" * 4097}},
        ) as resp:
            assert (await resp.json())["errcode"] == 40058


async def test_robot_rate_limit_and_unknown_key(fake: FakeWeCom, client: WeComClient) -> None:
    key = fake.add_robot("robot-key-secret")
    for i in range(20):
        await client.robot_send_markdown(key, f"msg {i}")
    with pytest.raises(WeComRateLimited) as info:
        await client.robot_send_markdown(key, "one too many")
    assert info.value.errcode == 45009
    assert len(fake.robot_messages) == 20
    with pytest.raises(WeComApiError) as unknown:
        await client.robot_send_markdown("no-such-robot-key", "x")
    assert unknown.value.errcode == 93000
    assert "no-such-robot-key" not in str(unknown.value)


# ------------------------------------------------- FakeWeCom playing WeCom


@pytest.fixture
async def bot_callback(fake: FakeWeCom) -> AsyncIterator[tuple[str, WeComCrypto, list[dict[str, str]]]]:
    """A minimal callback endpoint the way the channel will build one."""
    crypto = WeComCrypto("cbToken123", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", fake.corp_id)
    received: list[dict[str, str]] = []

    async def handle(request: web.Request) -> web.Response:
        q = request.query
        try:
            if request.method == "GET":
                plain = crypto.verify_url(
                    q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), q.get("echostr", "")
                )
                return web.Response(text=plain)
            inner = crypto.decrypt_message(
                q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""), await request.read()
            )
        except WeComCryptoError as exc:
            return web.Response(status=400, text=exc.reason)
        msg = parse_message_xml(inner)
        received.append(msg)
        reply = (
            f"<xml><ToUserName><![CDATA[{msg['FromUserName']}]]></ToUserName>"
            f"<FromUserName><![CDATA[{fake.corp_id}]]></FromUserName><CreateTime>1</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到]]></Content></xml>"
        )
        return web.Response(text=crypto.encrypt_reply_xml(reply, q["nonce"], q["timestamp"]))

    app = web.Application()
    app.router.add_route("*", "/wecom/callback", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/wecom/callback"
    try:
        yield url, crypto, received
    finally:
        await runner.cleanup()


async def test_callback_handshake_and_messages(
    fake: FakeWeCom, bot_callback: tuple[str, WeComCrypto, list[dict[str, str]]]
) -> None:
    url, crypto, received = bot_callback
    assert await fake.verify_url(url, crypto, "1616140317555161061") == (200, "1616140317555161061")
    assert (await fake.verify_url(url, crypto, "x", tamper="signature"))[0] == 400

    xml = fake.text_message_xml("zhangsan", "查询 ]]> 项目 & <线索>", 123456789)
    status, body = await fake.post_callback(url, xml, crypto=crypto)
    assert status == 200
    assert received[-1]["Content"] == "查询 ]]> 项目 & <线索>"
    assert received[-1]["FromUserName"] == "zhangsan"
    assert received[-1]["AgentID"] == str(fake.agent_id)
    assert received[-1]["ToUserName"] == fake.corp_id
    assert parse_message_xml(crypto.decrypt_reply_xml(body))["Content"] == "收到"

    await fake.post_callback(url, fake.click_event_xml("lisi", "MENU_REPORT"), crypto=crypto)
    assert received[-1]["Event"] == "click" and received[-1]["EventKey"] == "MENU_REPORT"


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [("signature", "signature"), ("corpid", "receive_id"), ("ciphertext", "decrypt"), ("xml", "xml")],
)
async def test_callback_tampering_is_refused(
    fake: FakeWeCom,
    bot_callback: tuple[str, WeComCrypto, list[dict[str, str]]],
    tamper: str,
    reason: str,
) -> None:
    url, crypto, received = bot_callback
    status, body = await fake.post_callback(
        url, fake.text_message_xml("u", "hi", 1), crypto=crypto, tamper=tamper
    )
    assert (status, body) == (400, reason)
    assert received == []


# ------------------------------------------------------------ template cards and media/get


def _card(task_id: str) -> dict[str, object]:
    return {"card_type": "button_interaction", "task_id": task_id, "main_title": {"title": "请核对线索："},
            "button_list": [{"text": "确认", "key": "f:1:0"}, {"text": "取消", "key": "f:1:1"}]}


async def test_a_card_is_sent_once_per_task_id_and_updated_once_per_response_code(
    fake: FakeWeCom, client: WeComClient
) -> None:
    answer = await client.send_template_card("zhangsan", _card("zs1_a"))
    assert answer["response_code"] and fake.cards["zs1_a"].touser == "zhangsan"
    with pytest.raises(WeComApiError) as reused:
        await client.send_template_card("zhangsan", _card("zs1_a"))
    assert reused.value.errcode == 40058
    with pytest.raises(WeComApiError) as too_many:
        await client.send_template_card("zhangsan", {**_card("zs1_b"), "button_list": [
            {"text": str(i), "key": str(i)} for i in range(7)]})
    assert "1..6" in too_many.value.errmsg
    # A press brings a response code: it greys the card out once; a second use is refused.
    code = parse_message_xml(fake.press("zhangsan", "zs1_a", "f:1:0"))["ResponseCode"]
    await client.update_template_card("zhangsan", code, "✓ 确认")
    assert fake.cards["zs1_a"].replaced_with == "✓ 确认"
    with pytest.raises(WeComApiError):
        await client.update_template_card("zhangsan", code, "✓ 取消")
    assert fake.cards["zs1_a"].replaced_with == "✓ 确认" and len(fake.card_updates) == 1


async def test_a_deployment_without_cards_answers_invalid_message_type(fake: FakeWeCom, client: WeComClient) -> None:
    fake.supports_cards = False
    with pytest.raises(WeComApiError) as refused:
        await client.send_template_card("zhangsan", _card("zs1_c"))
    assert refused.value.errcode == 40008


async def test_received_media_is_downloaded_with_its_name(fake: FakeWeCom, client: WeComClient) -> None:
    photo = b"\xff\xd8\xff" + bytes(range(256)) * 1200   # 300 KiB: many chunks
    media_id = fake.add_media("file", "现场照片 (1).jpg", photo)
    assert await client.get_media(media_id) == ("现场照片 (1).jpg", photo)
    fake.expire_tokens()  # 42001 on media/get: a new token, one retry
    assert (await client.get_media(media_id))[1].startswith(b"\xff\xd8\xff")
    with pytest.raises(WeComApiError) as unknown:
        await client.get_media("no-such-media")
    assert unknown.value.errcode == 40007
    with pytest.raises(WeComNetworkError):
        await client.get_media(media_id, max_bytes=100)  # larger than the caller accepts
