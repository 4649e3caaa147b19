"""Each page over HTTP, as each role sees it: the 项目库 and its download, the card, the office's pages."""
from __future__ import annotations

import io
import re

from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from reports.exports import SHEET_HEADERS
from storage.database import Database
from tests.web.support import EAST_CONTACT, WEST_CONTACT, City, login


def rows_of(html: str) -> list[str]:
    """The project names listed in the 项目库's table."""
    return re.findall(r'<td><a href="/projects/\d+">([^<]+)</a>', html)


async def test_the_dashboard_shows_each_group_against_time_progress(client: TestClient, db: Database) -> None:
    await login(client, db, "东小李")
    html = await (await client.get("/")).text()
    assert "驾驶舱 · 2026年11月（截至目前）" in html and "时序进度" in html
    for text in ("区县", "东区", "西区", "到位资金", "新签约项目", "3亿元"):
        assert text in html
    assert "/rankings/explain?month=2026-11&amp;unit=east&amp;indicator=funds_in_place" in html


async def test_the_project_list_filters_searches_and_says_when_nothing_matches(client: TestClient, db: Database,
                                                                               city: City) -> None:
    await login(client, db, "东小李")
    everything = await (await client.get("/projects")).text()
    assert "共 3 个项目" in everything
    assert set(rows_of(everything)) == {"比亚迪股份有限公司", "万华化学集团股份有限公司", "小作坊食品厂"}
    cases = {
        "stage=signed": {"比亚迪股份有限公司"},
        "unit=west": {"万华化学集团股份有限公司"},
        "industry=现代化工": {"万华化学集团股份有限公司"},
        "flag=industrial": {"比亚迪股份有限公司"},
        "min=50000": {"比亚迪股份有限公司", "万华化学集团股份有限公司"},
        "max=1000": {"小作坊食品厂"},
        "source=以商招商": {"万华化学集团股份有限公司"},
        "q=万华": {"万华化学集团股份有限公司"},
        f"q=%23{city.lead}": {"小作坊食品厂"},
        "q=比亚迪&sort=funds&order=asc": {"比亚迪股份有限公司"},
    }
    for query, names in cases.items():
        html = await (await client.get(f"/projects?{query}")).text()
        assert set(rows_of(html)) == names, query
    none = await client.get("/projects?stage=producing")
    assert none.status == 200
    assert "没有符合条件的项目" in await none.text() and "共 0 个项目" in await none.text()
    ordered = rows_of(await (await client.get("/projects?sort=intended&order=asc")).text())
    assert ordered == ["小作坊食品厂", "万华化学集团股份有限公司", "比亚迪股份有限公司"]


async def test_bad_filters_are_a_chinese_page_with_400(client: TestClient, db: Database) -> None:
    await login(client, db, "东小李")
    for query in ("min=abc", "unit=nowhere", "stage=flying", "flag=rich", "sort=colour"):
        resp = await client.get(f"/projects?{query}")
        assert resp.status == 400, query
        assert "看不懂" in await resp.text()


async def test_the_xlsx_has_the_export_columns_and_hides_other_units_contacts(client: TestClient, db: Database,
                                                                             other_client: TestClient) -> None:
    await login(client, db, "东小李")
    resp = await client.get("/projects.xlsx?sort=id&order=asc")
    assert resp.status == 200 and "attachment" in resp.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(await resp.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == SHEET_HEADERS
    contacts = {r[1]: r[SHEET_HEADERS.index("联系人")] for r in rows[1:]}
    assert contacts["比亚迪股份有限公司"] == EAST_CONTACT
    assert contacts["万华化学集团股份有限公司"] is None
    await login(other_client, db, "王办公")
    office = load_workbook(io.BytesIO(await (await other_client.get("/projects.xlsx?unit=west")).read())).active
    assert [r[SHEET_HEADERS.index("联系人")] for r in office.iter_rows(min_row=2, values_only=True)] == [WEST_CONTACT]
    async with db.uow(readonly=True) as uow:
        downloads = [e for e in await uow.web.audit_log() if e.action == "download"]
    assert len(downloads) == 2 and "项目库 xlsx（1 个项目）unit=west" in downloads[0].detail


async def test_the_card_shows_history_with_hashes_and_contacts_only_to_who_may_see_them(
        client: TestClient, other_client: TestClient, db: Database, city: City) -> None:
    await login(client, db, "东小李")
    own = await (await client.get(f"/projects/{city.east_project}")).text()
    assert EAST_CONTACT in own
    for text in ("比亚迪股份有限公司", "签约", "15亿元", "3亿元", "已完成厂房选址", "账本事件", "东小李"):
        assert text in own, text
    hashes = re.findall(r'<code title="([0-9a-f]{64})">([0-9a-f]{16})</code>', own)
    assert len(hashes) == 5 and all(full.startswith(short) for full, short in hashes)
    theirs = await (await client.get(f"/projects/{city.west_project}")).text()
    assert WEST_CONTACT not in theirs and "仅首报单位、责任单位和大招商办可见" in theirs
    await login(other_client, db, "赵市长")   # a leader reads every project; contacts follow the chat's rule
    leader = await (await other_client.get(f"/projects/{city.west_project}")).text()
    assert "万华化学集团股份有限公司" in leader and WEST_CONTACT not in leader


async def test_unknown_projects_are_404_pages(client: TestClient, db: Database) -> None:
    await login(client, db, "东小李")
    for ref in ("999999", "abc", "1" * 30):
        resp = await client.get(f"/projects/{ref}")
        assert resp.status == 404 and f"没有编号为 {ref} 的项目" in await resp.text()
    nowhere = await client.get("/nowhere")
    assert nowhere.status == 404 and "没有这个页面" in await nowhere.text()


async def test_org_and_the_access_log_are_for_the_office_only(client: TestClient, other_client: TestClient,
                                                              db: Database) -> None:
    await login(client, db, "东区长")
    for path in ("/org", "/audit"):
        resp = await client.get(path)
        assert resp.status == 403 and "只有大招商办可以打开这一页" in await resp.text()
    assert "/org" not in await (await client.get("/")).text()
    await login(other_client, db, "赵市长")
    assert (await other_client.get("/org")).status == 403
    await login(other_client, db, "王办公")
    org = await (await other_client.get("/org")).text()
    assert "东区" in org and "东小李（成员）" in org and "王办公（办公室管理员）" in org
    audit = await (await other_client.get("/audit")).text()
    assert audit.count("<td>登录</td>") == 3 and "东区长" in audit and "127.0.0.1" in audit


async def test_a_voided_project_leaves_the_list_and_the_xlsx_and_its_card_says_why(
        client: TestClient, db: Database, city: City) -> None:
    from core.usecases import corrections as fix
    from tests.helpers import member

    async with db.uow() as uow:
        await fix.void_project(uow, await member(db, "东小李"), fix.VoidProject(city.lead, "测试数据"))
        await uow.commit()
    await login(client, db, "东小李")
    listed = await (await client.get("/projects")).text()
    assert "共 2 个项目" in listed and "小作坊食品厂" not in rows_of(listed)
    assert rows_of(await (await client.get(f"/projects?q=%23{city.lead}")).text()) == []
    sheet = load_workbook(io.BytesIO(await (await client.get("/projects.xlsx")).read())).active
    assert "小作坊食品厂" not in [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    card = await (await client.get(f"/projects/{city.lead}")).text()
    assert "已撤销" in card and "原因：测试数据" in card and "撤销" in card
