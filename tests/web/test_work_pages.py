"""半月报, 流转, 外出, the 驾驶舱's work tiles, /problems and the office's invite form, over HTTP, per role."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from aiohttp.test_utils import TestClient

from core.clock import FixedClock
from core.usecases.halfmonthly import Entry, SubmitReport, submit_report
from core.usecases.org import hash_code
from core.usecases.projects import RaiseProblem, raise_problem
from core.usecases.sharing import ProposeTransfer, propose_transfer
from core.usecases.trips import TripDraft, log_trip
from storage.database import Database
from tests.helpers import member
from tests.web.support import WEST_CONTACT, City, csrf_of, login

LATE = datetime(2030, 1, 1, tzinfo=timezone.utc)


async def _work(db: Database, city: City) -> None:
    east, west, head = await member(db, "东小李"), await member(db, "西小张"), await member(db, "东区长")
    async with db.uow() as uow:
        seq = await raise_problem(uow, east, RaiseProblem(city.east_project, "用地指标需要市里协调"))
        await submit_report(uow, east, SubmitReport("east", "2026-11-10", LATE, (
            Entry(city.east_project, ("problem",), (seq,)), Entry(city.lead))))
        await propose_transfer(uow, west, ProposeTransfer(city.west_project, "east", "东区有化工园区"))
        await log_trip(uow, head, TripDraft(traveller="东区长", destination="深圳", start_date=date(2026, 11, 3),
                                            end_date=date(2026, 11, 4), companies=("比亚迪",), outcome="达成意向",
                                            leader_member_id=head.id))
        await uow.commit()


async def test_reports_say_who_reported_who_is_late_and_what_they_said(client: TestClient, db: Database,
                                                                      city: City) -> None:
    await _work(db, city)
    await login(client, db, "西小张")
    html = await (await client.get("/reports")).text()
    assert "半月报 · 2026-11-10 期" in html and "尚未截止" in html
    east = html[html.index('id="u-east"'):html.index('id="u-west"')]
    assert "按时报送" in east and "东小李" in east and "用地指标需要市里协调" in east and "小作坊食品厂" in east
    assert "尚未报送" in html[html.index('id="u-west"'):]
    missing = await (await client.get("/reports?period=2026-11-10&show=missing")).text()
    assert 'id="u-east"' not in missing and 'id="u-west"' in missing
    closed = await (await client.get("/reports?period=2026-10-25")).text()
    assert "已截止" in closed and closed.count("逾期未报</span>") == 7
    for bad, status in (("2026-11-11", 400), ("2027-03-10", 400), ("abc", 400)):
        resp = await client.get(f"/reports?period={bad}")
        assert resp.status == status and "半月报" in await resp.text(), bad


async def test_sharing_lists_open_transfers_and_the_pool_without_contacts(client: TestClient, db: Database,
                                                                         city: City) -> None:
    await _work(db, city)
    await login(client, db, "东小李")
    html = await (await client.get("/sharing")).text()
    transfers = html[html.index('id="transfers"'):html.index('id="claims"')]
    assert "万华化学集团股份有限公司" in transfers and "东区有化工园区" in transfers and "西区" in transfers
    assert "待认定的首谈（0）" in html and WEST_CONTACT not in html


async def test_trips_a_member_sees_their_unit_leaders_see_quotas(client: TestClient, other_client: TestClient,
                                                                 db: Database, city: City) -> None:
    await _work(db, city)
    await login(client, db, "东小李")
    own = await (await client.get("/trips")).text()
    assert "深圳" in own and "达成意向" in own and "id=\"quotas\"" not in own
    for query in ("unit=west", "leader=1"):
        assert (await client.get(f"/trips?{query}")).status == 403
    await login(other_client, db, "赵市长")
    all_ = await (await other_client.get("/trips")).text()
    quotas = all_[all_.index('id="quotas"'):all_.index('id="trips"')]
    assert "东区长" in quotas and "赵市长" in quotas and "12 次" in quotas
    head = await member(db, "东区长")
    assert "深圳" in await (await other_client.get(f"/trips?leader={head.id}")).text()
    assert "还没有外出记录" in await (await other_client.get("/trips?unit=west")).text()
    assert (await other_client.get("/trips?unit=nowhere")).status == 400


async def test_the_dashboard_links_warnings_problems_reports_and_trips(client: TestClient, db: Database,
                                                                      clock: FixedClock, city: City) -> None:
    await _work(db, city)
    await login(client, db, "东小李")
    html = await (await client.get("/")).text()
    assert 'href="/projects?stage=signed&amp;stale=20&amp;sort=updated&amp;order=asc">0</a>' in html
    assert "用地指标需要市里协调" in html and '<a href="/problems">1</a>' in html
    assert 'href="/reports?period=2026-11-10&amp;show=missing">6</a>' in html
    head = await member(db, "东区长")
    assert f'<a href="/trips?leader={head.id}" class="bad">1</a> / 12 次 <span class="tag">落后</span>' in html
    clock.advance(days=25)
    await login(client, db, "东小李")   # the session went idle meanwhile
    later = await (await client.get("/")).text()
    assert 'href="/projects?stage=signed&amp;stale=20&amp;sort=updated&amp;order=asc">1</a>' in later
    stale = await (await client.get("/projects?stage=signed&stale=20")).text()
    assert "比亚迪股份有限公司" in stale and "共 1 个项目" in stale
    problems = await (await client.get("/problems")).text()
    assert "待市级协调的问题（1 个）" in problems and "东区" in problems


async def test_the_office_creates_an_invite_recorded_in_the_audit_log(client: TestClient, other_client: TestClient,
                                                                     db: Database) -> None:
    await login(client, db, "王办公")
    org = await (await client.get("/org")).text()
    token = csrf_of(org)
    assert (await client.post("/org/invite", data={"unit": "west", "role": "unit_head", "days": "3"})).status == 403
    bad = await client.post("/org/invite", data={"csrf": token, "unit": "west", "role": "king", "days": "3"})
    assert bad.status == 400
    resp = await client.post("/org/invite", data={"csrf": token, "unit": "west", "role": "unit_head", "days": "3"})
    html = await resp.text()
    assert resp.status == 200 and "西区 · 单位负责人 · 3 天内有效" in html
    code = re.search(r"/start ([A-Za-z0-9_-]{32})</code>", html)
    assert code
    async with db.uow(readonly=True) as uow:
        invite = await uow.org.invite_by_hash(hash_code(code.group(1)))
        audit = await uow.web.audit_log()
    assert invite is not None and invite.unit == "west" and invite.used_at is None
    assert audit[0].action == "invite" and "西区" in audit[0].detail
    assert "生成邀请码" in await (await client.get("/audit")).text()
    await login(other_client, db, "东区长")
    refused = await other_client.post("/org/invite", data={"csrf": csrf_of(await (await other_client.get("/")).text()),
                                                           "unit": "east", "role": "member", "days": "7"})
    assert refused.status == 403


async def test_cached_figures_follow_the_ledger_head(client: TestClient, db: Database, city: City) -> None:
    """The console keeps a month's figures between requests; a new event is on the next page all the same."""
    from core.usecases.projects import AddFunds, add_funds

    await login(client, db, "东小李")
    link = '/rankings/explain?month=2026-11&amp;unit=east&amp;indicator=funds_in_place">'
    before = await (await client.get("/")).text()
    assert link + "3亿元" in before
    assert link + "3亿元" in await (await client.get("/")).text()
    east = await member(db, "东小李")
    async with db.uow() as uow:
        await add_funds(uow, east, AddFunds(city.east_project, 10000))
        await uow.commit()
    after = await (await client.get("/")).text()
    assert link + "4亿元" in after, after[after.index(link):after.index(link) + 120]
    assert "4亿元" in await (await client.get("/rankings/explain?month=2026-11&unit=east&indicator=funds_in_place")).text()
