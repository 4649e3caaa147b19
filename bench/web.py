"""Server time of each web console page over one database: `python -m bench.web [DATABASE_URL]`
(default: ZSBOT_DATABASE_URL). Logs in as the first office member through a real link and asks each
page `--rounds` times on 127.0.0.1; prints the median and the slowest page (docs/BENCHMARKS.md)."""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


async def measure(url: str, rounds: int = 5) -> list[tuple[str, float]]:
    from aiohttp.test_utils import TestClient, TestServer

    from core.roles import Role
    from core.usecases.org import AddMember, add_member
    from core.usecases.web_login import issue_link
    from storage.database import Database
    from web.app import make_app
    from web.config import WebConfig

    db = Database(url)
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
        for path in pages:
            times = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                resp = await client.get(path)
                await resp.read()
                times.append(time.perf_counter() - t0)
                assert resp.status == 200, (path, resp.status)
            out.append((path, statistics.median(times)))
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
    args = parser.parse_args()
    results = asyncio.run(measure(args.url, args.rounds))
    for path, seconds in results:
        print(f"  {seconds * 1000:8.1f} ms  {path}")
    pages = [(p, s) for p, s in results if "xlsx" not in p and "workbook" not in p]
    slowest = max(pages, key=lambda r: r[1])
    print(f"slowest page: {slowest[0]} {slowest[1] * 1000:.1f} ms (downloads listed, not counted)")


if __name__ == "__main__":
    main()
