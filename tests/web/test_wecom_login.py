"""企业微信网页授权 against the fake WeCom host over real HTTP: the redirect to open.weixin.qq.com with
appid, redirect_uri, snsapi_base, state and agentid; the callback's state checked against this browser's;
the code turned into a userid by cgi-bin/auth/getuserinfo; the member bound on the wecom channel logged in."""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.wecom.client import WeComClient
from core.usecases.org import BindIdentity, bind_identity
from storage.database import Database
from tests.fakes.wecom_api import FakeWeCom
from tests.helpers import member
from tests.web.support import City, web_config
from web.app import make_app
from web.config import WecomLogin


@pytest.fixture
async def wecom() -> AsyncIterator[FakeWeCom]:
    async with FakeWeCom() as fake:
        yield fake


@pytest.fixture
async def wecom_client(db: Database, city: City, wecom: FakeWeCom) -> AsyncIterator[TestClient]:
    api = WeComClient(wecom.base_url, wecom.corp_id, wecom.secret, wecom.agent_id)
    cfg = replace(web_config("http://zs.example.gov.cn"),
                  wecom=WecomLogin(wecom.corp_id, wecom.agent_id, api.user_of_code))
    east = await member(db, "东小李")
    async with db.uow() as uow:
        await bind_identity(uow, east, BindIdentity("wecom", "DongXiaoLi", "DongXiaoLi"))
        await uow.commit()
    async with TestClient(TestServer(make_app(db, cfg), host="127.0.0.1")) as c:
        yield c
    await api.close()


async def _authorise(client: TestClient) -> str:
    resp = await client.get("/login/wecom", allow_redirects=False)
    assert resp.status == 302
    url = urlsplit(resp.headers["Location"])
    assert (url.scheme, url.netloc, url.path) == ("https", "open.weixin.qq.com", "/connect/oauth2/authorize")
    assert url.fragment == "wechat_redirect"
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert q["appid"] == "ww0fakecorp000001" and q["agentid"] == "1000002" and q["scope"] == "snsapi_base"
    assert q["response_type"] == "code" and q["redirect_uri"] == "http://zs.example.gov.cn/login/wecom/callback"
    assert len(q["state"]) >= 16
    return q["state"]


async def test_a_bound_wecom_user_logs_in_without_a_link(wecom_client: TestClient, wecom: FakeWeCom,
                                                         db: Database) -> None:
    page = await wecom_client.get("/")
    assert page.status == 401 and 'href="/login/wecom"' in await page.text()
    state = await _authorise(wecom_client)
    code = wecom.oauth_code("DongXiaoLi")
    resp = await wecom_client.get(f"/login/wecom/callback?code={code}&state={state}", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/"
    home = await wecom_client.get("/")
    assert home.status == 200 and "东小李" in await home.text()
    assert "/cgi-bin/auth/getuserinfo" in wecom.api_calls
    async with db.uow(readonly=True) as uow:
        log = await uow.web.audit_log()
    assert log[0].action == "login" and log[0].detail == "企业微信网页授权"


async def test_a_wrong_state_a_bad_code_or_an_unbound_user_is_refused(wecom_client: TestClient, wecom: FakeWeCom,
                                                                      db: Database) -> None:
    state = await _authorise(wecom_client)
    forged = await wecom_client.get(f"/login/wecom/callback?code={wecom.oauth_code('DongXiaoLi')}&state=forged",
                                    allow_redirects=False)
    assert forged.status == 400 and "校验码不符" in await forged.text()
    state = await _authorise(wecom_client)
    made_up = await wecom_client.get(f"/login/wecom/callback?code=nonsense&state={state}", allow_redirects=False)
    assert made_up.status == 403 and "企业微信没有确认你的身份" in await made_up.text()
    state = await _authorise(wecom_client)
    stranger = await wecom_client.get(f"/login/wecom/callback?code={wecom.oauth_code('Stranger')}&state={state}",
                                      allow_redirects=False)
    assert stranger.status == 403 and "还没有绑定" in await stranger.text()
    async with db.uow(readonly=True) as uow:
        assert not [e for e in await uow.web.audit_log() if e.action == "login"]
    assert (await wecom_client.get("/")).status == 401


async def test_without_wecom_the_route_says_so(client: TestClient) -> None:
    resp = await client.get("/login/wecom", allow_redirects=False)
    assert resp.status == 404 and "没有启用企业微信登录" in await resp.text()


async def test_inside_wecom_a_page_without_a_session_goes_straight_to_authorisation(wecom_client: TestClient) -> None:
    ua = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile wxwork/4.1.22 MicroMessenger/7.0.1"
    resp = await wecom_client.get("/projects", headers={"User-Agent": ua}, allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/login/wecom"
    assert (await wecom_client.get("/projects", allow_redirects=False)).status == 401   # elsewhere: the login page
