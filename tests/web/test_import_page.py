"""导入台账 `/org/import` over HTTP on both databases: the office uploads a sheet, reads the dry run's report
(nothing written), downloads the row-by-row workbook, confirms, and the rows are in the ledger once; members,
missing CSRF tokens, other sessions and files that are no sheet are refused with a Chinese page."""
from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import Workbook, load_workbook

from bot.importer.upload import upload_importer
from core.social_credit_code import check_character, org_check_character
from storage import ledger
from storage.database import Database
from storage.queries.export import all_projects
from tests.conftest import TZ
from tests.web.support import City, csrf_of, login, web_config
from web.app import make_app

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def code(org8: str) -> str:
    first17 = "91520100" + org8 + org_check_character(org8)
    return first17 + check_character(first17)


def sheet() -> bytes:
    """A small 台账: a title, a header, a new project, a row with a bad credit code, and a company the chat
    already logged (比亚迪, in the city's ledger)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["测试市招商引资项目台账"])
    ws.append(["序号", "项目名称", "统一社会信用代码", "总投资（万元）", "项目进度", "责任单位"])
    ws.append([1, "宁德时代新能源科技股份有限公司", code("MA6DK3P3"), 80000, "在谈", "东区"])
    ws.append([2, "某某坏码公司", "91520100MA6DK3P1X9", 100, "在谈", "西区"])
    ws.append([3, "比亚迪（深圳）有限公司", None, 5000, "在谈", "东区"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
async def office(db: Database, city: City) -> AsyncIterator[TestClient]:
    cfg = replace(web_config(), importer=upload_importer(db, TZ))
    async with TestClient(TestServer(make_app(db, cfg), host="127.0.0.1")) as c:
        yield c


async def events(db: Database) -> int:
    async with db.uow(readonly=True) as uow:
        return (await ledger.head(uow.session))[0]


def upload(csrf: str | None, data: bytes, filename: str = "台账.xlsx") -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)   # the file name as browsers send it: UTF-8, not %-quoted
    if csrf is not None:
        form.add_field("csrf", csrf)
    form.add_field("file", data, filename=filename, content_type=XLSX)
    form.add_field("sheet", "")
    form.add_field("unit", "")
    return form


async def test_the_office_tries_a_sheet_reads_every_row_then_confirms_it_once(office: TestClient,
                                                                             db: Database) -> None:
    await login(office, db, "王办公")
    org = await (await office.get("/org")).text()
    assert 'href="/org/import"' in org
    form_page = await office.get("/org/import")
    html = await form_page.text()
    assert form_page.status == 200 and "上传台账" in html and 'enctype="multipart/form-data"' in html
    before = await events(db)

    tried = await office.post("/org/import", data=upload(csrf_of(html), sheet()))
    page = await tried.text()
    assert tried.status == 200, page
    assert "试导入结果（尚未写入）" in page and "确认导入" in page
    assert "导入 1" in page and "未导入 1" in page and "重复 1" in page      # the summary's counts
    assert "项目进度 → 阶段" in page and "表头在第 2 行" in page            # the mapping used is shown
    assert "校验" in page                                                   # row 4: why not, in Chinese
    assert "比亚迪股份有限公司" in page                                     # row 5: the ledger's entry named
    assert await events(db) == before                                       # a dry run writes nothing
    token = page.split('name="u" value="')[1].split('"')[0]

    result = await office.get(f"/org/import/result?u={token}")
    assert result.status == 200 and result.headers["Content-Type"] == XLSX
    ws = load_workbook(io.BytesIO(await result.read())).active
    assert ws is not None and ws.cell(2, 7).value == "导入结果"
    assert str(ws.cell(3, 7).value).startswith("导入：") and str(ws.cell(4, 7).value).startswith("未导入：")

    done = await office.post("/org/import/confirm", data={"csrf": csrf_of(page), "u": token})
    text = await done.text()
    assert done.status == 200 and "已导入" in text and "已写入账本" in text and "确认导入" not in text
    assert await events(db) > before
    async with db.uow(readonly=True) as uow:
        names = {p.name: p for p in await all_projects(uow.session)}
        office_member = next(m for m in await uow.org.members() if m.name == "王办公")
        history = await uow.projects.events(names["宁德时代新能源科技股份有限公司"].id)
        assert (await ledger.verify(uow.session)).ok
        log = await uow.web.audit_log()
    assert "某某坏码公司" not in names and "比亚迪（深圳）有限公司" not in names
    assert {e.actor for e in history} == {office_member.id}
    assert all(e.payload["imported"]["row"] == 3 for e in history)
    after = await events(db)

    again = await office.post("/org/import/confirm", data={"csrf": csrf_of(page), "u": token})
    assert again.status == 410 and "已经确认过或已过期" in await again.text()
    assert await events(db) == after                                        # pressed twice: imported once
    imports = [e.detail for e in log if e.action == "import"]
    assert any(d.startswith("试导入 台账.xlsx") for d in imports) and any(d.startswith("导入 台账.xlsx") for d in imports)
    assert any(e.action == "download" and "导入结果" in e.detail for e in log)
    audit = await (await office.get("/audit")).text()
    assert "<td>导入台账</td>" in audit


async def test_only_the_office_with_its_token_and_a_sheet_can_import(office: TestClient, db: Database) -> None:
    await login(office, db, "东小李")
    assert (await office.get("/org/import")).status == 403
    projects = await (await office.get("/projects")).text()
    assert "/org/import" not in projects
    refused = await office.post("/org/import", data=upload(csrf_of(projects), sheet()))
    assert refused.status == 403 and "只有大招商办" in await refused.text()
    big = await office.post("/org/invite", data={"csrf": csrf_of(projects), "pad": "x" * 100_000})
    assert big.status == 413 and "提交的内容太大" in await big.text()       # only the office's upload is large

    before = await events(db)
    await login(office, db, "王办公")
    html = await (await office.get("/org/import")).text()
    no_token = await office.post("/org/import", data=upload(None, sheet()))
    assert no_token.status == 403 and "表单已失效" in await no_token.text()
    not_a_sheet = await office.post("/org/import", data=upload(csrf_of(html), b"hello", "notes.txt"))
    assert not_a_sheet.status == 400 and "只能导入 .xlsx 或 .csv 文件" in await not_a_sheet.text()
    broken = await office.post("/org/import", data=upload(csrf_of(html), b"PK\x03\x04 broken", "台账.xlsx"))
    assert broken.status == 400 and "不是有效的 xlsx 文件" in await broken.text()
    # A sheet over the 64 KiB other forms may send: a CSV of 2,000 rows, its header under a title line.
    rows = ["测试市台账", "项目名称,总投资（万元）,项目进度,责任单位"]
    rows += [f"测试企业{i:04d}有限公司,{100 + i},线索,东区" for i in range(2000)]
    csv_bytes = ("\n".join(rows)).encode("utf-8-sig")
    assert len(csv_bytes) > 64 * 1024
    tried = await office.post("/org/import", data=upload(csrf_of(html), csv_bytes, "台账.csv"))
    page = await tried.text()
    counts = re.search(r"试导入（未写入）：导入 ([\d,]+)，更新 0，无变化 0，未导入 0，重复 0，疑似重复（已导入） ([\d,]+)", page)
    assert tried.status == 200 and counts is not None   # names this alike are flagged for a person to check
    assert sum(int(n.replace(",", "")) for n in counts.groups()) == 2000
    assert "只列出前 500 行" in page
    token = page.split('name="u" value="')[1].split('"')[0]
    assert await events(db) == before

    # Another session (another browser of the same office member) cannot confirm this one's upload.
    async with TestClient(TestServer(make_app(db, replace(web_config(), importer=upload_importer(db, TZ))),
                                     host="127.0.0.1")) as other:
        await login(other, db, "王办公")
        mine = await (await other.get("/org/import")).text()
        gone = await other.post("/org/import/confirm", data={"csrf": csrf_of(mine), "u": token})
        assert gone.status == 410
    assert await events(db) == before
