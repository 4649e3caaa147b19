"""Server time of each web console page over one database: `python -m bench.web [DATABASE_URL]`
(default: ZSBOT_DATABASE_URL). Logs in as the first office member through a real link and asks each
page `--rounds` times on 127.0.0.1; prints the first (cold: the month's figures computed) and the median
(warm: from the console's figure cache) time of each page and the slowest page (docs/BENCHMARKS.md).
`--after-event` then records 到位资金 on a signed project before each of `--rounds` more 驾驶舱 views (it writes
to the database: give it a copy)."""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


async def measure(url: str, rounds: int = 5, *, downloads: bool = True, after_event: bool = False
                  ) -> list[tuple[str, float, float]]:
    from aiohttp.test_utils import TestClient, TestServer

    from core.roles import Role
    from core.usecases.org import AddMember, add_member
    from core.usecases.web_login import issue_link
    from storage.database import Database
    from web.app import make_app
    from web.config import WebConfig

    db = Database(url)
    await db.migrate()  # a cached bench ledger from an older schema gets this code's indexes
    tz = ZoneInfo("Asia/Shanghai")
    async with db.uow() as uow:
        offices = await uow.org.members(role=Role.OFFICE_ADMIN)
        if not offices:  # the generated province ledger has unit members only: add the office's reader once
            cfg = await uow.org.config()
            assert cfg is not None
            offices = [await add_member(uow, AddMember(name="基准办公", unit=cfg.office_unit().code,
                                                       role=Role.OFFICE_ADMIN))]
        office = offices[0]
        token = await issue_link(uow, office)
        some = (await uow.projects.names())[-1][0]
        await uow.commit()
    today = datetime.now(tz)
    month = f"{today.year}-{today.month:02d}"
    last = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    pages = ["/", "/projects", "/projects?stage=signed&sort=funds", "/projects?q=科技&min=10000",
             f"/projects/{some}", f"/rankings?month={last}", f"/rankings?month={month}", "/ledger", "/org", "/audit",
             "/reports", "/reports?period=" + _closed(today), "/sharing", "/trips", "/problems",
             "/projects.xlsx?stage=signed", f"/ledger/workbook?month={last}"]
    out = []
    cfg = WebConfig("http://127.0.0.1", b"bench", tz, timedelta(hours=1))
    async with TestClient(TestServer(make_app(db, cfg), host="127.0.0.1")) as client:
        assert (await client.post("/login", data={"t": token}, allow_redirects=False)).status == 303
        for path in pages if downloads else [p for p in pages if not _download(p)]:
            times = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                resp = await client.get(path)
                await resp.read()
                times.append(time.perf_counter() - t0)
                assert resp.status == 200, (path, resp.status)
            out.append((path, times[0], statistics.median(times)))
        if after_event:
            from bench.questions import Reporter

            reporter = Reporter(db, None)
            await reporter.prepare()
            times = []
            for _ in range(rounds):
                await reporter.record()
                t0 = time.perf_counter()
                resp = await client.get("/")
                await resp.read()
                times.append(time.perf_counter() - t0)
            out.append(("/ after an event", max(times), statistics.median(times)))
    await db.dispose()
    return out


def _closed(today: datetime) -> str:
    """The half-monthly period before the current one, as a query value (10th / 25th, the demo's calendar)."""
    d = today.date()
    if d.day > 25:
        return d.replace(day=25).isoformat()
    if d.day > 10:
        return d.replace(day=10).isoformat()
    last = d.replace(day=1) - timedelta(days=1)
    return last.replace(day=25).isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", nargs="?", default=os.environ.get("ZSBOT_DATABASE_URL", "sqlite:///zsbot.db"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-downloads", action="store_true", help="skip the xlsx and the 台账 workbook")
    parser.add_argument("--after-event", action="store_true", help="also the 驾驶舱 right after a new event "
                        "(records events: use a copy)")
    args = parser.parse_args()
    results = asyncio.run(measure(args.url, args.rounds, downloads=not args.no_downloads,
                                  after_event=args.after_event))
    print("     first     median  page")
    for path, first, median in results:
        print(f"  {first * 1000:8.1f} ms {median * 1000:8.1f} ms  {path}", flush=True)
    pages = [r for r in results if not _download(r[0])]
    slowest = max(pages, key=lambda r: r[2])
    print(f"slowest page: {slowest[0]} median {slowest[2] * 1000:.1f} ms, first {slowest[1] * 1000:.1f} ms "
          "(downloads listed, not counted)")


def _download(path: str) -> bool:
    return "xlsx" in path or "workbook" in path


if __name__ == "__main__":
    main()
