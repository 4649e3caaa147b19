"""What an operator with a wrong setting sees: one line naming the problem, never a traceback."""
from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG_ADMIN_URL
from tests.e2e.cli_runner import Cli

PG_BASE = PG_ADMIN_URL.rpartition("/")[0]
COMMANDS = [("init",), ("ledger", "verify")]  # every command opens the database through the same run()


@pytest.mark.parametrize("url,named", [
    ("postgresql://postgres@127.0.0.1:1/nope", "连接被拒绝"),
    (f"{PG_BASE}/zsbot_no_such_database", "zsbot_no_such_database"),
    ("sqlite:///{tmp}/missing/dir/zsbot.db", "missing/dir"),
    ("mysql://x", "ZSBOT_DATABASE_URL"),
])
def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path, url: str, named: str) -> None:
    cli = Cli(url.format(tmp=tmp_path), tmp_path)
    for result in cli.many(*COMMANDS):
        line = result.one_line_error()
        assert named in line, line
        assert result.out == "", str(result)
    assert list(tmp_path.iterdir()) == []


def test_a_bad_time_zone_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path}/zsbot.db", tmp_path, env={"ZSBOT_TIMEZONE": "Mars/Base"})
    for result in cli.many(("init",), ("ledger", "verify")):
        line = result.one_line_error()
        assert "ZSBOT_TIMEZONE" in line and "Mars/Base" in line, line
    assert not (tmp_path / "zsbot.db").exists()


def test_a_bad_setting_in_dot_env_is_named_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ZSBOT_TIMEZONE=Mars/Base\n", encoding="utf-8")
    line = Cli(f"sqlite:///{tmp_path}/zsbot.db", tmp_path)("ledger", "verify").one_line_error()
    assert "ZSBOT_TIMEZONE" in line, line


async def _pg(*statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nobody has run `zsbot init` on."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/blank.db"
        return
    request.getfixturevalue("pg_template")  # skips or fails like every PostgreSQL test when there is no server
    name = f"zsbot_blank_{os.getpid()}"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    asyncio.run(_pg(drop, f'CREATE DATABASE "{name}"'))
    yield f"{PG_BASE}/{name}"
    asyncio.run(_pg(drop))


def test_commands_before_init_say_to_run_init(blank_url: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    cli = Cli(blank_url, work)
    for result in cli.many(("ledger", "verify"), ("org", "show"), ("invite", "create", "--unit", "east")):
        line = result.one_line_error()
        assert "zsbot init" in line, line
    cli("init").ok()
    assert cli.verified()[0] == 0


def test_output_cut_short_by_its_reader_is_no_database_error(tmp_path: Path) -> None:
    """`zsbot schedule | head -2`: the pipe closes under a long listing; that is not 无法连接数据库."""
    import subprocess

    from tests.e2e.cli_runner import SOURCE, ZSBOT

    env = {**SOURCE, "ZSBOT_DATABASE_URL": f"sqlite:///{tmp_path}/zsbot.db", "PATH": os.environ.get("PATH", "")}
    Cli(env["ZSBOT_DATABASE_URL"], tmp_path)("init", "--demo", "--empty").ok()
    proc = subprocess.Popen([str(ZSBOT), "schedule", "--from", "2026-12-01", "--to", "2026-12-31"], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline().decode("utf-8")
    proc.stdout.close()  # the reader goes away, as `head` does
    err = proc.stderr.read().decode("utf-8")
    proc.wait(timeout=60)
    assert first.startswith("2026-12-01 至 2026-12-31"), first
    assert "数据库" not in err and "Traceback" not in err, err
