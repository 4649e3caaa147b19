"""Logging in to the console: a one-time link opens a session; reused, expired or made-up links,
a tampered cookie, an idle session and a logout each end on a Chinese page with the right status."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from core.clock import FixedClock
from storage.database import Database
from storage.tables.web import WebAuditRow, WebLinkRow, WebSessionRow
from tests.web.support import csrf_of, link_token, login


async def count(db: Database, table: Any) -> int:
    async with db.uow(readonly=True) as uow:
        return (await uow.session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_without_a_session_the_page_says_how_to_get_a_link(client: TestClient) -> None:
    for path in ("/", "/projects", "/projects/1", "/rankings", "/ledger", "/org"):
        resp = await client.get(path)
        assert resp.status == 401
        text = await resp.text()
        assert "请先登录" in text and "网页" in text and "zsbot web link --as" in text


async def test_a_link_logs_in_once_and_the_cookie_is_httponly_and_samesite(client: TestClient, db: Database) -> None:
    token = await link_token(db, "东小李")
    assert len(token) >= 22  # ≥ 128 bits in URL-safe base64
    async with db.uow(readonly=True) as uow:
        stored = (await uow.session.execute(select(WebLinkRow.token_hash))).scalars().all()
    assert token not in stored and len(stored) == 1  # only the hash is kept
    assert (await client.get(f"/login?t={token}")).status == 200  # a preview does not spend it
    resp = await client.post("/login", data={"t": token}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    home = await client.get("/")
    assert home.status == 200 and "东小李" in await home.text() and "驾驶舱" in await home.text()
    async with db.uow(readonly=True) as uow:
        log = await uow.web.audit_log()
    assert [(e.action, e.address) for e in log] == [("login", "127.0.0.1")]


async def test_a_link_used_twice_is_refused_and_writes_nothing(client: TestClient, other_client: TestClient,
                                                               db: Database) -> None:
    token = await link_token(db, "东小李")
    assert (await client.post("/login", data={"t": token}, allow_redirects=False)).status == 303
    sessions, audit = await count(db, WebSessionRow), await count(db, WebAuditRow)
    again = await other_client.post("/login", data={"t": token}, allow_redirects=False)
    assert again.status == 400
    text = await again.text()
    assert "这个登录链接已经用过了" in text and "网页" in text
    assert "Set-Cookie" not in again.headers
    assert (await count(db, WebSessionRow), await count(db, WebAuditRow)) == (sessions, audit)
    assert (await other_client.get("/")).status == 401


async def test_an_expired_or_made_up_link_is_refused(client: TestClient, db: Database, clock: FixedClock) -> None:
    token = await link_token(db, "东小李")
    clock.advance(minutes=10, seconds=1)
    resp = await client.post("/login", data={"t": token}, allow_redirects=False)
    assert resp.status == 410 and "这个登录链接已过期" in await resp.text()
    made_up = await client.post("/login", data={"t": "x" * 32}, allow_redirects=False)
    assert made_up.status == 400 and "这个登录链接无效" in await made_up.text()
    assert await count(db, WebSessionRow) == 0


async def test_a_tampered_cookie_is_refused_and_cleared(client: TestClient, db: Database) -> None:
    await login(client, db, "东小李")
    jar = client.session.cookie_jar
    value = next(c.value for c in jar if c.key == "zsbot_session")
    session_id, _, mac = value.rpartition(".")
    for forged in (f"{session_id}x.{mac}", f"{session_id}.{'0' * len(mac)}", "nonsense"):
        jar.clear()
        jar.update_cookies({"zsbot_session": forged})
        resp = await client.get("/projects")
        assert resp.status == 401
        assert "浏览器保存的登录信息无效" in await resp.text()


async def test_an_idle_session_expires(client: TestClient, db: Database, clock: FixedClock) -> None:
    await login(client, db, "东小李")
    clock.advance(minutes=59)
    assert (await client.get("/")).status == 200   # seen: the idle time starts again
    clock.advance(minutes=59)
    assert (await client.get("/")).status == 200
    clock.advance(minutes=61)
    resp = await client.get("/")
    assert resp.status == 401 and "登录已过期或已退出" in await resp.text()


async def test_logout_needs_the_forms_token_and_ends_the_session(client: TestClient, db: Database) -> None:
    await login(client, db, "东小李")
    home = await (await client.get("/")).text()
    refused = await client.post("/logout", data={})
    assert refused.status == 403 and "表单已失效" in await refused.text()
    assert (await client.get("/")).status == 200
    wrong = await client.post("/logout", data={"csrf": "0" * 64})
    assert wrong.status == 403
    out = await client.post("/logout", data={"csrf": csrf_of(home)})
    assert out.status == 200 and "已退出" in await out.text()
    assert (await client.get("/")).status == 401
    async with db.uow(readonly=True) as uow:
        assert [e.action for e in await uow.web.audit_log()] == ["logout", "login"]


async def test_the_session_cookie_cannot_be_replayed_after_logout(client: TestClient, other_client: TestClient,
                                                                  db: Database) -> None:
    await login(client, db, "东小李")
    value = next(c.value for c in client.session.cookie_jar if c.key == "zsbot_session")
    home = await (await client.get("/")).text()
    await client.post("/logout", data={"csrf": csrf_of(home)})
    other_client.session.cookie_jar.update_cookies({"zsbot_session": value})
    assert (await other_client.get("/")).status == 401


def test_a_link_lives_ten_minutes() -> None:
    from core.usecases.web_login import LINK_TTL

    assert LINK_TTL == timedelta(minutes=10)
