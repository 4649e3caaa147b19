"""Evidence and 核查 from the command line, as an operator runs it: `zsbot ledger verify` checks every
attached file against the SHA-256 in the ledger (a changed byte fails naming the file), a rebuild leaves
the blobs as they were, `zsbot verify list|show`, and `/file PATH` in `zsbot chat`."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from core.evidence import FilePolicy
from core.usecases import evidence as uc
from storage.database import Database
from storage.tables.evidence import AttachmentRow, BlobRow, FundsReportRow
from tests.e2e.cli_runner import VERIFIED, Cli, cli, log_projects  # noqa: F401  (cli is a fixture)
from tests.helpers import member

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8


async def attached(db: Database) -> tuple[int, int]:
    """The mini organisation's projects, and a bank slip attached to the signed one: (project id, funds seq)."""
    pid = (await log_projects(db))[0]
    east = await member(db, "东小李")
    async with db.uow() as uow:
        await uc.attach_file(uow, east, uc.AttachFile(pid, JPEG, "进账单.jpg", "image/jpeg", "console"), FilePolicy())
        seq = (await uow.evidence.reports_of(pid))[0].seq
        await uow.commit()
    return pid, seq


async def table(db: Database, model: type) -> list[tuple]:  # type: ignore[type-arg]
    async with db.uow(readonly=True) as uow:
        return sorted(tuple(r) for r in (await uow.session.execute(select(model.__table__))).all())


async def test_verify_checks_the_files_and_a_changed_byte_names_the_file(db: Database, cli: Cli) -> None:
    pid, _ = await attached(db)
    out = cli("ledger", "verify").ok().out.strip()
    assert out.endswith("，1 个附件与哈希相符") and VERIFIED.match(out.removesuffix("，1 个附件与哈希相符"))

    blobs, files, reports = [await table(db, m) for m in (BlobRow, AttachmentRow, FundsReportRow)]
    cli("ledger", "rebuild").ok()
    assert [await table(db, m) for m in (BlobRow, AttachmentRow, FundsReportRow)] == [blobs, files, reports]
    assert cli("ledger", "verify").ok().out.strip() == out

    changed = JPEG[:100] + bytes([JPEG[100] ^ 1]) + JPEG[101:]
    async with db.engine.begin() as conn:
        await conn.execute(text("UPDATE blobs SET data = :d"), {"d": changed})
    failed = cli("ledger", "verify")
    assert failed.code == 4
    assert f"项目 #{pid} 的附件“进账单.jpg”" in failed.one_line_error() and "SHA-256 不符" in failed.err

    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM blobs"))
    assert "文件丢失" in cli("ledger", "verify").one_line_error()


async def test_verify_list_and_show(db: Database, cli: Cli) -> None:
    pid, seq = await attached(db)
    listed = cli("verify", "list").ok().out.splitlines()
    assert listed[0] == "待核实的到位资金上报 1 笔："
    assert listed[1].startswith(f"#{seq}  项目 #{pid} 贵州东方电子科技有限公司  东区  3.5亿元")
    assert "核实人：大招商办  凭证 1 个" in listed[1]
    assert cli("verify", "list", "--unit", "西区").ok().out.strip() == "没有待核实的到位资金上报"
    shown = cli("verify", "show", str(seq)).ok().out
    assert "状态：待核实" in shown and "进账单.jpg" in shown and "sha256 " in shown
    assert "没有第 999 号" in cli("verify", "show", "999").one_line_error()


async def test_a_file_sent_in_the_console(db: Database, cli: Cli, tmp_path: Path) -> None:
    pid = (await log_projects(db))[0]
    slip = tmp_path / "银行进账单.jpg"
    slip.write_bytes(JPEG)
    (tmp_path / "empty.pdf").write_bytes(b"")
    lines = [f"附件 #{pid}", f"/file {slip}", f"/file {tmp_path / 'empty.pdf'}", f"/file {tmp_path / 'nope.pdf'}"]
    out = cli("chat", "--as", "东小李", input="".join(f"{line}\n" for line in lines)).ok().out
    assert f"已附到 #{pid} 贵州东方电子科技有限公司：银行进账单.jpg" in out
    assert "“empty.pdf”是空文件" in out and "“nope.pdf”没能取到" in out
    async with db.uow(readonly=True) as uow:
        files = await uow.evidence.files(pid)
        assert [f.name for f in files] == ["银行进账单.jpg"] and await uow.evidence.blob(files[0].sha256) == JPEG
