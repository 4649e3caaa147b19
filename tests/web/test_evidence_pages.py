"""Evidence in the console: the card lists a project's files to who may read them, a download is the file
byte for byte and is recorded in the access log, another unit gets a 403; the 核查 queue for the office."""
from __future__ import annotations

from aiohttp.test_utils import TestClient

from core.evidence import FilePolicy
from core.usecases import evidence as uc
from storage.database import Database
from tests.helpers import member
from tests.web.support import City, login

PDF = b"%PDF-1.7\n" + b"bank slip " * 100


async def attach(db: Database, city: City) -> int:
    east = await member(db, "东小李")
    async with db.uow() as uow:
        kept = await uc.attach_file(uow, east, uc.AttachFile(city.east_project, PDF, "银行进账单（3亿）.pdf",
                                                             "application/pdf", "telegram"), FilePolicy())
        await uow.commit()
    return kept.seq


async def test_the_card_lists_files_and_a_download_is_recorded(client: TestClient, db: Database, city: City) -> None:
    seq = await attach(db, city)
    await login(client, db, "东小李")
    html = await (await client.get(f"/projects/{city.east_project}")).text()
    assert "核实与凭证" in html and f'href="/files/{seq}">银行进账单（3亿）.pdf</a>' in html and "待核实" in html
    got = await client.get(f"/files/{seq}")
    assert got.status == 200 and await got.read() == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''%E9%93%B6" in got.headers["Content-Disposition"]
    async with db.uow(readonly=True) as uow:
        log = await uow.web.audit_log()
    assert any(a.action == "download" and "银行进账单（3亿）.pdf" in a.detail for a in log)


async def test_another_unit_sees_that_files_exist_but_cannot_open_them(client: TestClient, db: Database,
                                                                       city: City) -> None:
    seq = await attach(db, city)
    await login(client, db, "西小张")
    html = await (await client.get(f"/projects/{city.east_project}")).text()
    assert "凭证 1 个：仅首报单位" in html and "银行进账单" not in html
    refused = await client.get(f"/files/{seq}")
    assert refused.status == 403 and "这份凭证属于其他单位的项目" in await refused.text()
    assert (await client.get("/files/99999")).status == 404


async def test_the_office_s_verification_queue(client: TestClient, db: Database, city: City) -> None:
    await attach(db, city)
    await login(client, db, "王办公")
    html = await (await client.get("/verify")).text()
    assert "核查：待核实的到位资金" in html and "比亚迪股份有限公司" in html and "3亿元" in html
    assert "待我核实" in html and "<td>大招商办</td>" in html
    # the office reads every card's files
    assert "银行进账单" in await (await client.get(f"/projects/{city.east_project}")).text()
