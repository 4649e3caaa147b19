"""`zsbot ledger verify|head|checkpoints|rebuild` against a real ledger, intact and tampered with."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select, text

from storage import ledger
from storage.database import Database
from storage.tables.ledger import EventRow
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
    assert head.ok().out.strip() == f"#{count} {match.group(2)}"

    await drop_guards(db)
    forged = payload.replace('"amount_wan":35000', '"amount_wan":3500')
    assert forged != payload
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE events SET payload = :p WHERE seq = :s"), {"p": forged, "s": target})
    line = cli("ledger", "verify").one_line_error()
    assert f"第 {target} 号事件" in line, line
    assert cli("ledger", "head").ok().out.strip() == f"#{count} {match.group(2)}"  # the head row was not touched


async def test_rebuild_leaves_the_projections_identical(db: Database, cli: Cli) -> None:
    await log_projects(db)
    export, show, verify = cli.many(("export", "projects"), ("org", "show"), ("ledger", "verify"))
    rebuilt = cli("ledger", "rebuild").ok()
    assert rebuilt.out.strip().startswith("已由 ") and "个事件重建当前状态表" in rebuilt.out
    again = cli.many(("export", "projects"), ("org", "show"), ("ledger", "verify"))
    assert [r.ok().out for r in again] == [export.ok().out, show.ok().out, verify.ok().out]


async def rows(db: Database) -> list[tuple[int, str, str]]:
    async with db.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text("SELECT seq, hash, payload FROM events ORDER BY seq")))]


async def test_tail_truncation_is_caught_against_a_checkpoint(db: Database, cli: Cli, tmp_path: Path) -> None:
    await log_projects(db)
    head = cli("ledger", "head").ok().out.strip()
    seq, digest = int(head.split()[0][1:]), head.split()[1]
    # The recipients hold what the push carried: `账本链头 #seq <16 hex>`; and an earlier head in a file.
    pushed = f"账本链头 #{seq} {digest[:16]}"
    held = tmp_path / "checkpoints.txt"
    held.write_text(f"# 十月推送\n#{seq - 2} {(await rows(db))[seq - 3][1]}\n", encoding="utf-8")
    ok = cli("ledger", "verify", "--against", f"{seq}:{digest}", "--against", pushed, "--against", str(held)).ok()
    assert ok.out.strip() == f"账本完好：{seq} 个事件，链头 {digest}，3 个检查点相符"

    await drop_guards(db)
    async with db.engine.begin() as conn:  # the last 3 events deleted: a valid, shorter chain
        await conn.execute(text("DELETE FROM events WHERE seq > :s"), {"s": seq - 3})
    assert VERIFIED.match(cli("ledger", "verify").ok().out.strip())  # the chain alone cannot tell
    line = cli("ledger", "verify", "--against", pushed).one_line_error()
    assert line == (f"账本校验失败：检查点 #{seq} {digest[:16]} 不符：账本只有 {seq - 3} 个事件，"
                    f"第 {seq} 号事件已不存在（账本被截短）"), line
    failed = cli("ledger", "verify", "--against", str(held), "--against", f"{seq}:{digest}")
    assert failed.code == 3 and "另有 1 个检查点不符" in failed.one_line_error()


async def test_a_rewrite_with_recomputed_hashes_is_caught_against_a_checkpoint(db: Database, cli: Cli) -> None:
    await log_projects(db)
    chain = await rows(db)
    seq, digest, payload = chain[-1]
    await drop_guards(db)
    # Edit the last event and recompute its hash: every link still holds.
    forged = ledger.canonical_json({**json.loads(payload), "forged": 1})
    async with db.engine.begin() as conn:
        row = (await conn.execute(select(EventRow).where(EventRow.seq == seq))).one()
        new = ledger.event_hash(seq=seq, at=row.at, actor=row.actor, unit=row.unit, project_id=row.project_id,
                                type=row.type, payload=forged, prev_hash=row.prev_hash)
        await conn.execute(text("UPDATE events SET payload = :p, hash = :h WHERE seq = :s"),
                           {"p": forged, "h": new, "s": seq})
    assert new != digest
    assert VERIFIED.match(cli("ledger", "verify").ok().out.strip())  # the chain alone cannot tell
    line = cli("ledger", "verify", "--against", f"{seq}:{digest[:16]}").one_line_error()
    assert line == f"账本校验失败：检查点 #{seq} {digest[:16]} 不符：第 {seq} 号事件的哈希现为 {new[:16]}（此前的事件被改写）"
    # An earlier checkpoint still holds: the rewrite is after it.
    cli("ledger", "verify", "--against", f"{chain[-2][0]}:{chain[-2][1]}").ok()


def test_a_checkpoint_that_is_neither_a_pair_nor_a_file_is_refused(cli: Cli) -> None:
    line = cli("ledger", "verify", "--against", "12:abc").one_line_error()
    assert line.startswith("错误：检查点 '12:abc' 既不是") and "文件" in line


async def test_checkpoints_lists_the_published_heads_that_verify_reads_back(db: Database, cli: Cli) -> None:
    from datetime import datetime, timezone

    assert cli("ledger", "checkpoints").ok().out.strip() == "还没有推送带出过链头"
    await log_projects(db)
    chain = await rows(db)
    async with db.uow() as uow:
        at = datetime(2026, 11, 3, 1, 0, tzinfo=timezone.utc)
        await uow.chain.publish(chain[1][0], chain[1][1], "ranking.text:2026-10", at)
        await uow.chain.publish(chain[-1][0], chain[-1][1], "ranking.ledger:2026-10", at)
        await uow.chain.publish(chain[-1][0], chain[-1][1], "ranking.ledger:2026-10", at)  # once
        await uow.commit()
    listed = cli("ledger", "checkpoints").ok().out
    assert listed.splitlines() == [
        f"#{chain[1][0]} {chain[1][1]}  2026-11-03 09:00  排名推送（文字） 2026-10",
        f"#{chain[-1][0]} {chain[-1][1]}  2026-11-03 09:00  月度台账推送 2026-10"], listed
    held = cli("ledger", "verify", "--against", "-", input=listed).ok().out.strip()
    assert held.endswith("，2 个检查点相符")
