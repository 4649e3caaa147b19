"""The console in a real browser: Debian's Chromium driven by Playwright against the real server on
127.0.0.1. Skipped with a message where no Chromium is installed, unless ZSBOT_REQUIRE_BROWSER=1 (CI)."""
from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from openpyxl import load_workbook

from bot.importer.upload import upload_importer
from reports.exports import SHEET_HEADERS
from storage.database import Database
from tests.conftest import TZ
from tests.web.test_import_page import sheet as office_sheet
from tests.web.support import EAST_CONTACT, City, link_token, web_config
from web.app import make_app

CHROMIUM = Path(os.environ.get("ZSBOT_CHROMIUM", "/usr/bin/chromium"))
REQUIRE = os.environ.get("ZSBOT_REQUIRE_BROWSER") == "1"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:
        missing = f"playwright is not installed ({exc}); pip install -e '.[test]'"
        pytest.fail(missing) if REQUIRE else pytest.skip(missing)
    if not CHROMIUM.exists():
        missing = f"no Chromium at {CHROMIUM}: apt-get install -y chromium chromium-driver (README, Tests)"
        pytest.fail(missing + " — ZSBOT_REQUIRE_BROWSER=1 forbids skipping") if REQUIRE else pytest.skip(missing)
    async with async_playwright() as p:
        context = await p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            accept_downloads=True, locale="zh-CN")
        try:
            yield context
        finally:
            await context.close()


@pytest.fixture
async def server(db: Database, city: City) -> AsyncIterator[str]:
    srv = TestServer(make_app(db, replace(web_config(), importer=upload_importer(db, TZ))), host="127.0.0.1")
    await srv.start_server()
    try:
        yield str(srv.make_url("")).rstrip("/")
    finally:
        await srv.close()


async def log_in(page: Any, db: Database, base: str, name: str) -> None:
    await page.goto(base + "/")
    assert "请先登录" in await page.inner_text("main")
    await page.goto(f"{base}/login?t={await link_token(db, name)}")
    await page.click("button:has-text('登录')")
    await page.wait_for_url(base + "/")
    assert "驾驶舱" in await page.inner_text("h1")


async def test_a_member_logs_in_filters_opens_a_card_a_drill_down_and_downloads(
        browser: Any, server: str, db: Database, tmp_path: Path) -> None:
    page = await browser.new_page()
    await log_in(page, db, server, "东小李")
    await page.click("nav >> text=项目库")
    await page.select_option("select[name=stage]", "signed")
    await page.click("button:has-text('筛选')")
    await page.wait_for_url("**/projects?*stage=signed*")
    assert "共 1 个项目" in await page.inner_text("p.count")
    rows = await page.locator("table.list tbody tr").all_inner_texts()
    assert len(rows) == 1 and "比亚迪股份有限公司" in rows[0] and "签约" in rows[0]

    await page.click("table.list >> text=比亚迪股份有限公司")
    card = await page.inner_text("main")
    assert "#" in await page.inner_text("h1") and EAST_CONTACT in card and "已完成厂房选址" in card
    assert await page.locator("table.events tbody tr").count() == 5

    await page.goto(server + "/rankings?month=2026-11&group=districts")
    await page.wait_for_selector("#chart-districts[data-ready='1'] canvas")
    bars = await page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-districts'))"
                               ".getOption().yAxis[0].data")
    assert bars[0] == "东区"
    # The canvas draws with the page's fonts, once they are in: on a browser without a Chinese font (CI's), the
    # bundled Noto Sans SC, else the labels are boxes.
    chart = page.locator("#chart-districts")
    assert await chart.get_attribute("data-fonts") == "loaded"
    family = await page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-districts'))"
                                 ".getOption().textStyle.fontFamily")
    assert "zsbot Noto Sans SC" in family
    await page.click("a.explain[href*='unit=east'][href*='funds_in_place']")
    await page.wait_for_url("**/rankings/explain?*")
    explained = await page.inner_text("main")
    assert "东区 · 到位资金：3亿元" in explained and "与排名中的数值一致" in explained

    await page.goto(server + "/projects")
    async with page.expect_download() as info:
        await page.click("text=下载 Excel")
    download = await info.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
    assert next(sheet.iter_rows(values_only=True)) == SHEET_HEADERS
    assert sheet.max_row == 4


async def test_the_office_follows_the_dashboard_and_creates_an_invite(browser: Any, server: str, db: Database) -> None:
    page = await browser.new_page()
    await log_in(page, db, server, "王办公")
    await page.click("#reporting a[href$='show=missing']")
    await page.wait_for_url("**/reports?period=2026-11-10&show=missing")
    assert await page.locator("section.report").count() == 7
    assert "尚未报送" in await page.inner_text("#u-east")
    await page.click("nav >> text=组织")
    await page.select_option("#invite select[name=unit]", "west")
    await page.select_option("#invite select[name=role]", "unit_head")
    await page.click("button:has-text('生成邀请码')")
    await page.wait_for_selector("#invite-code")
    assert (await page.inner_text("#invite-code")).startswith("/start ")
    assert "西区 · 单位负责人" in await page.inner_text("#invite")
    await page.click("nav >> text=访问记录")
    assert "生成邀请码" in await page.inner_text("main")


async def test_the_office_uploads_a_sheet_reads_the_dry_run_and_confirms(browser: Any, server: str, db: Database,
                                                                       tmp_path: Path) -> None:
    page = await browser.new_page()
    await log_in(page, db, server, "王办公")
    await page.click("nav >> text=组织")
    await page.click("main >> text=导入台账（Excel / CSV）")
    await page.wait_for_url("**/org/import")
    path = tmp_path / "台账.xlsx"
    path.write_bytes(office_sheet())
    await page.set_input_files("#import-form input[type=file]", str(path))
    await page.click("button:has-text('试导入')")
    await page.wait_for_selector("#import-report")
    report = await page.inner_text("#import-report")
    assert "试导入结果（尚未写入）：台账.xlsx" in report and "导入 1，更新 0，无变化 0，未导入 1，重复 1" in report
    rows = await page.locator("#import-rows tbody tr").all_inner_texts()
    assert len(rows) == 3 and "校验" in rows[1] and "比亚迪股份有限公司" in rows[2]
    async with page.expect_download() as got:
        await page.click("text=下载逐行结果")
    download = await got.value
    assert download.suggested_filename == "导入结果-台账.xlsx"
    result = load_workbook(io.BytesIO(Path(await download.path()).read_bytes())).active
    assert result is not None and result.cell(2, 7).value == "导入结果"
    await page.click("button:has-text('确认导入')")
    await page.wait_for_selector("#import-report >> text=已写入账本")
    assert "已导入：台账.xlsx" in await page.inner_text("#import-report h2")
    await page.locator("#import-rows tbody tr").first.locator("a").click()   # the row's project card
    assert "宁德时代新能源科技股份有限公司" in await page.inner_text("h1")


async def test_every_page_fits_a_390px_phone_without_horizontal_scrolling(
        browser: Any, server: str, db: Database, city: City, tmp_path: Path) -> None:
    page = await browser.new_page()
    await page.set_viewport_size(PHONE)
    await log_in(page, db, server, "王办公")
    paths = ["/", "/projects", f"/projects/{city.east_project}", "/rankings?month=2026-11",
             "/rankings/explain?month=2026-11&unit=east&indicator=funds_in_place", "/ledger", "/org", "/audit",
             "/reports", "/reports?period=2026-10-25", "/sharing", "/trips", "/problems", "/org/import"]
    for path in paths:
        await page.goto(server + path)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide"
        name = path.strip("/").replace("/", "_").split("?")[0] or "home"
        await page.screenshot(path=str(tmp_path / f"phone-{name}.png"), full_page=True)
    shots = os.environ.get("ZSBOT_SCREENSHOTS")
    if shots:  # keep them to look at (README's screenshot is made this way)
        for png in tmp_path.glob("phone-*.png"):
            (Path(shots) / png.name).write_bytes(png.read_bytes())
