"""`zsbot ledger verify|head|rebuild` against a real ledger, intact and tampered with."""
from __future__ import annotations

from sqlalchemy import text

from storage.database import Database
from tests.e2e.cli_runner import VERIFIED, Cli, cli, log_projects  # noqa: F401  (cli is a fixture)


async def drop_guards(db: Database) -> None:
    """What a DBA with direct access could do: remove the append-only triggers first."""
    async with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("DROP TRIGGER events_append_only ON events"))
        else:
            await conn.execute(text("DROP TRIGGER events_no_update"))
            await conn.execute(text("DROP TRIGGER events_no_delete"))


async def test_verify_prints_count_and_head_and_names_the_edited_event(db: Database, cli: Cli) -> None:
    empty = cli("ledger", "verify").ok().out.strip()
    assert empty == f"账本完好：0 个事件，链头 {'0' * 64}"

    await log_projects(db)
    async with db.engine.connect() as conn:
        count, last = (await conn.execute(text("SELECT count(*), max(seq) FROM events"))).one()
        target, payload = (await conn.execute(text(
            "SELECT seq, payload FROM events WHERE type = 'project.funds_added'"))).one()
    verify, head = cli.many(("ledger", "verify"), ("ledger", "head"))
    match = VERIFIED.match(verify.ok().out.strip())
    assert match and int(match.group(1)) == count == last
    assert head.ok().out.strip() == match.group(2)

    await drop_guards(db)
    forged = payload.replace('"amount_wan":35000', '"amount_wan":3500')
    assert forged != payload
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE events SET payload = :p WHERE seq = :s"), {"p": forged, "s": target})
    line = cli("ledger", "verify").one_line_error()
    assert f"第 {target} 号事件" in line, line
    assert cli("ledger", "head").ok().out.strip() == match.group(2)  # the head row itself was not touched


async def test_rebuild_leaves_the_projections_identical(db: Database, cli: Cli) -> None:
    await log_projects(db)
    export, show, verify = cli.many(("export", "projects"), ("org", "show"), ("ledger", "verify"))
    rebuilt = cli("ledger", "rebuild").ok()
    assert rebuilt.out.strip().startswith("已由 ") and "个事件重建当前状态表" in rebuilt.out
    again = cli.many(("export", "projects"), ("org", "show"), ("ledger", "verify"))
    assert [r.ok().out for r in again] == [export.ok().out, show.ok().out, verify.ok().out]
