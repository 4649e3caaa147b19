"""`python -m bench [--quick] [--only updates|scale|fanout|footprint|demo|questions|import|evidence]`: every benchmark in one run,
printed and written to bench/results/latest.json (docs/BENCHMARKS.md holds the latest figures).

Ratios are measured side by side in the same run, because absolute times drift on a shared machine.
PostgreSQL is used for the update benchmark when a server answers at ZSBOT_BENCH_PG
(default postgresql://postgres@127.0.0.1:5432/postgres); a database `zsbot_bench` (or ZSBOT_BENCH_DB) is recreated.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
# Another checkout benchmarking against the same server at once must not drop this one's database.
BENCH_DB = os.environ.get("ZSBOT_BENCH_DB", "zsbot_bench")
SECTIONS = ("updates", "scale", "fanout", "footprint", "demo", "questions", "import", "evidence")


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    try:
        pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"],
                            capture_output=True, text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        pg = None
    return {"cpus": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "postgresql": pg,
            "kernel": platform.release()}


async def _pg_ready(admin_url: str) -> bool:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(admin_url.replace("postgresql://", "postgresql+asyncpg://"),
                                 isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - no server: the PostgreSQL rows are left out, and said so
        return False
    finally:
        await engine.dispose()


async def _recreate_pg(admin_url: str, name: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(admin_url.replace("postgresql://", "postgresql+asyncpg://"),
                                 isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def run_updates(quick: bool) -> list[dict[str, Any]]:
    from bench import updates

    workdir = Path(tempfile.mkdtemp())
    admin = os.environ.get("ZSBOT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    urls = {"sqlite": f"sqlite:///{workdir}/updates.db"}
    if await _pg_ready(admin):
        urls["postgres"] = admin.rsplit("/", 1)[0] + "/" + BENCH_DB
    else:
        print("  (no PostgreSQL at ZSBOT_BENCH_PG: SQLite only)")

    async def fresh(engine: str) -> None:
        if engine == "sqlite":
            for f in workdir.glob("updates.db*"):
                f.unlink()
        else:
            await _recreate_pg(admin, BENCH_DB)

    return await updates.measure(urls, 40 if quick else 200, fresh, rounds=1 if quick else 3)


async def run_demo() -> list[dict[str, Any]]:
    from bench import demo

    urls, fresh_sqlite = demo.sqlite_only()
    admin = os.environ.get("ZSBOT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    if await _pg_ready(admin):
        urls["postgres"] = admin.rsplit("/", 1)[0] + "/" + BENCH_DB

    async def fresh(engine: str) -> None:
        await (fresh_sqlite(engine) if engine == "sqlite" else _recreate_pg(admin, BENCH_DB))

    return await demo.measure(urls, fresh)


async def run_import(quick: bool) -> list[dict[str, Any]]:
    """SQLite, where the target is; ZSBOT_BENCH_IMPORT_PG=1 adds PostgreSQL (a shared server's other users may
    terminate its connections: the run then fails rather than report a partial figure)."""
    from bench import demo, importing

    urls, fresh_sqlite = demo.sqlite_only()
    admin = os.environ.get("ZSBOT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    if os.environ.get("ZSBOT_BENCH_IMPORT_PG") == "1" and await _pg_ready(admin):
        urls["postgres"] = admin.rsplit("/", 1)[0] + "/" + BENCH_DB

    async def fresh(engine: str) -> None:
        await (fresh_sqlite(engine) if engine == "sqlite" else _recreate_pg(admin, BENCH_DB))

    return await importing.measure(urls, fresh, 500 if quick else importing.ROWS)
async def run_evidence() -> list[dict[str, Any]]:
    from bench import evidence

    workdir = Path(tempfile.mkdtemp())
    admin = os.environ.get("ZSBOT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    urls = {"sqlite": f"sqlite:///{workdir}/evidence.db"}
    if await _pg_ready(admin):
        urls["postgres"] = admin.rsplit("/", 1)[0] + "/" + BENCH_DB

    async def fresh(engine: str) -> None:
        if engine == "postgres":
            await _recreate_pg(admin, BENCH_DB)

    return await evidence.measure(urls, fresh)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a few minutes")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only this section (repeatable)")
    args = parser.parse_args()
    sections = args.only or list(SECTIONS)
    RESULTS.mkdir(exist_ok=True)
    out: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M:%S %z"), "quick": args.quick,
                           "machine": machine()}
    print(f"machine: {out['machine']}", flush=True)
    if "updates" in sections:
        print("1. update handling (ours vs bare echo, same framework, same fake server)", flush=True)
        out["updates"] = asyncio.run(run_updates(args.quick))
    if "scale" in sections:
        from bench import scale

        print("2. rankings and the 台账 at scale (SQLite)", flush=True)
        sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
        out["scale"] = asyncio.run(scale.measure(RESULTS, sizes))
    if "fanout" in sections:
        from bench import fanout

        print("3. push fan-out through the outbox (fake enforces 30/s, 1/s per chat, 20/min per group)", flush=True)
        out["fanout"] = asyncio.run(fanout.measure(1000, 20 if args.quick else 200))
    if "footprint" in sections:
        from bench import footprint

        print("4. footprint", flush=True)
        out["footprint"] = footprint.measure(2000 if args.quick else 10_000)
    if "demo" in sections:
        print("5. seeding the demo history (zsbot init --demo)", flush=True)
        out["demo"] = asyncio.run(run_demo())
    if "questions" in sections:
        from bench import questions

        print("7. questions in plain Chinese at scale (SQLite)", flush=True)
        sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
        out["questions"] = asyncio.run(questions.measure(RESULTS, sizes))
    if "import" in sections:
        print("8. importing a 5,000-row 台账 (zsbot import projects; target < 30 s on SQLite)", flush=True)
        out["import"] = asyncio.run(run_import(args.quick))
    if "evidence" in sections:
        print("9. evidence: keeping a file, the look before downloading, verifying the files", flush=True)
        out["evidence"] = asyncio.run(run_evidence())
    out["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %z")
    target = RESULTS / ("latest-quick.json" if args.quick else "latest.json")
    if args.only and target.exists():
        # A partial run updates its sections and keeps the others' last figures.
        out = {**json.loads(target.read_text(encoding="utf-8")), **out}
    target.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written: {target}")


if __name__ == "__main__":
    main()
