"""`zsbot ledger verify|head|checkpoints|rebuild`: the hash chain checked (against published
checkpoints too), its head, the heads pushes carried, the current tables recomputed."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli import Fail, run, settings

if TYPE_CHECKING:
    from core.checkpoints import Checkpoint
    from storage.database import Database


def register(cli: click.Group) -> None:
    cli.add_command(ledger)


@click.group()
def ledger() -> None:
    """账本：校验哈希链（可对照检查点）、查看链头和已发布的检查点。"""


@ledger.command("verify")
@click.option("--against", "against", multiple=True, metavar="检查点",
              help="对照检查点：`序号:哈希`（哈希至少前 16 位；也可写 `#序号 哈希`、推送里的“账本链头 #序号 哈希”），"
                   "或一个每行一个检查点的文件（`-` 为标准输入）；可重复。该序号的事件已不是该哈希、或账本已没有该序号的事件，即失败（退出码 3）。")
def ledger_verify(against: tuple[str, ...]) -> None:
    """从头校验账本和附件；完好则显示事件数和链头哈希，否则指出第一个被篡改的事件或附件。"""
    from storage.blobs import check_files
    from storage.ledger import check_against, verify

    points = read_checkpoints(against)

    async def go(db: "Database") -> Any:
        async with db.uow(readonly=True) as uow:
            return await verify(uow.session), await check_against(uow.session, points), await check_files(uow.session)

    result, failures, files = run(go)
    if not result.ok:
        click.echo(f"账本校验失败：第 {result.bad_seq} 号事件 — {result.reason}", err=True)
        sys.exit(2)
    if failures:
        more = f"（另有 {len(failures) - 1} 个检查点不符）" if len(failures) > 1 else ""
        click.echo(f"账本校验失败：{failures[0]}{more}", err=True)
        sys.exit(3)
    if files.failures:
        more = f"（另有 {len(files.failures) - 1} 个附件不符）" if len(files.failures) > 1 else ""
        click.echo(f"账本校验失败：{files.failures[0]}{more}", err=True)
        sys.exit(4)
    held = f"，{len(points)} 个检查点相符" if points else ""
    kept = f"，{files.count} 个附件与哈希相符" if files.count else ""
    click.echo(f"账本完好：{result.count} 个事件，链头 {result.head}{held}{kept}")


def read_checkpoints(values: tuple[str, ...]) -> list["Checkpoint"]:
    """Each value is a checkpoint or a file of them; one that is neither is refused in one line."""
    from core.checkpoints import parse_checkpoints

    out: list[Checkpoint] = []
    for value in values:
        path = Path(value)
        if value == "-":
            found = parse_checkpoints(sys.stdin.read())
        elif path.is_file():
            try:
                found = parse_checkpoints(path.read_text(encoding="utf-8", errors="replace"))
            except OSError as exc:
                raise Fail(f"检查点文件 {value} 无法读取：{exc.strerror}") from None
        else:
            found = parse_checkpoints(value)
            if len(found) != 1:
                raise Fail(f"检查点 {value!r} 既不是 `序号:哈希`（哈希至少前 16 位十六进制）也不是文件")
        if not found:
            raise Fail(f"检查点文件 {value} 里没有 `序号:哈希` 形式的检查点")
        out += found
    return out


@ledger.command("head")
def ledger_head() -> None:
    """显示链头：`#序号 哈希`（最后一个事件的序号和哈希）。"""
    from storage.ledger import head

    async def go(db: "Database") -> Any:
        async with db.uow(readonly=True) as uow:
            return await head(uow.session)

    seq, digest = run(go)
    click.echo(f"#{seq} {digest}")


@ledger.command("checkpoints")
def ledger_checkpoints() -> None:
    """列出推送已带出的链头（检查点）：序号、哈希、推送时间和推送；可交给 `verify --against`。"""
    from texts import has, t

    async def go(db: "Database") -> Any:
        async with db.uow(readonly=True) as uow:
            return await uow.chain.checkpoints()

    points = run(go)
    tz = settings().tz
    if not points:
        click.echo("还没有推送带出过链头")
        return
    for c in points:
        kind, _, period = c.via.partition(":")
        name = t(f"push.kind.{kind}") if has(f"push.kind.{kind}") else kind
        when = c.published_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if c.published_at else ""
        click.echo(f"#{c.seq} {c.hash}  {when}  {name} {period}".rstrip())


@ledger.command("rebuild")
def ledger_rebuild() -> None:
    """由事件重算全部当前状态表（运维用；事件本身不变）。"""
    from storage.projectors import rebuild

    async def go(db: "Database") -> int:
        async with db.uow() as uow:
            count = await rebuild(uow.session)
            await uow.commit()
            return count

    click.echo(f"已由 {run(go)} 个事件重建当前状态表")
