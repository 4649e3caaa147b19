"""排名, the drill-down behind a figure, the 台账 page and its workbook, and the chat's /web link."""
from __future__ import annotations

import io
import json
import re

from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from storage.database import Database
from tests.web.support import City, csrf_of, login


async def test_the_ranking_has_its_chart_data_and_each_value_opens_its_events(client: TestClient,
                                                                             db: Database) -> None:
    await login(client, db, "东小李")
    resp = await client.get("/rankings?month=2026-11&group=districts")
    html = await resp.text()
    assert resp.status == 200 and "2026年11月招商考核排名" in html
    chart = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)[1])
    assert chart["districts"]["units"][0] == "东区"
    assert "/static/vendor/echarts.simple.min.js" in html
    # Both figures beside the one that ranks (the test organisation counts reported funds; nothing verified yet).
    assert "到位资金按上报计入" in html and "到位资金 上报 / 已核实 / 待核实" in html
    assert re.search(r'<td class="num funds">3亿元 / 0万元 / 3亿元</td>', html)
    link = "/rankings/explain?month=2026-11&amp;unit=east&amp;indicator=funds_in_place"
    assert link in html
    explain = await client.get(link.replace("&amp;", "&"))
    text = await explain.text()
    assert explain.status == 200
    assert "2026年11月 东区 · 到位资金：3亿元" in text and "比亚迪股份有限公司" in text
    assert "各笔后注明核实情况" in text and "待核实</td>" in text
    assert "与排名中的数值一致" in text


async def test_bad_months_groups_and_units_are_pages_that_say_so(client: TestClient, db: Database) -> None:
    await login(client, db, "东小李")
    expected = {
        "/rankings?month=2027-01": (400, "还没有开始"),
        "/rankings?month=十月": (400, "看不懂"),
        "/rankings?month=2026-11&group=nowhere": (404, "没有“nowhere”"),
        "/rankings/explain?month=2026-11&unit=nowhere&indicator=funds_in_place": (404, "没有“nowhere”"),
        "/rankings/explain?month=2026-11&unit=east&indicator=beauty": (404, "没有“beauty”"),
        "/ledger/workbook?month=2030-01": (400, "还没有开始"),
    }
    for path, (status, words) in expected.items():
        resp = await client.get(path)
        assert resp.status == status, path
        assert words in await resp.text(), path


async def test_an_empty_month_says_so(client: TestClient, db: Database) -> None:
    await login(client, db, "东小李")
    html = await (await client.get("/rankings?month=2026-09")).text()
    assert "2026年9月没有任何单位有计入考核的数字" in html and "chart-data" not in html


async def test_the_ledger_page_verifies_on_a_post_with_the_token_and_downloads_the_workbook(
        client: TestClient, db: Database) -> None:
    await login(client, db, "王办公")
    page = await client.get("/ledger")
    html = await page.text()
    head = re.search(r'<code class="hash">([0-9a-f]{64})</code>', html)[1]
    assert "共 " in html and "个事件" in html
    assert (await client.post("/ledger/verify", data={})).status == 403
    checked = await (await client.post("/ledger/verify", data={"csrf": csrf_of(html)})).text()
    assert "账本完好" in checked and head in checked
    book = await client.get("/ledger/workbook?month=2026-11")
    assert book.status == 200 and 'filename="taizhang-2026-11.xlsx"' in book.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(await book.read()))
    assert wb.sheetnames[:2] == ["台账", "本月事件"]
    async with db.uow(readonly=True) as uow:
        assert any(e.detail == "2026-11 月度台账 xlsx" for e in await uow.web.audit_log())


async def test_web_in_chat_sends_a_link_that_logs_in(client: TestClient, db: Database, city: City) -> None:
    from handlers.flows.web import use_web_url
    from tests.conversation import conversations, registered

    use_web_url("https://zs.example.gov.cn/console")
    try:
        person = await registered(db, conversations(db), "东小李")
        await person.say("网页")
    finally:
        use_web_url("http://127.0.0.1:8080")
    text = person.text
    assert "网页控制台登录链接（10 分钟内有效" in text
    token = re.search(r"https://zs\.example\.gov\.cn/console/login\?t=([\w-]+)", text)[1]
    assert (await client.post("/login", data={"t": token}, allow_redirects=False)).status == 303
    assert "东小李" in await (await client.get("/")).text()
