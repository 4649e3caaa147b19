"""`zsbot ledger verify|head|rebuild`: the hash chain checked, its head, the current tables recomputed."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from bot.cli import run

if TYPE_CHECKING:
    from storage.database import Database


def register(cli: click.Group) -> None:
    cli.add_command(ledger)


@click.group()
def ledger() -> None:
    """账本：校验哈希链、查看链头。"""


@ledger.command("verify")
def ledger_verify() -> None:
    """从头校验账本；完好则显示事件数和链头哈希，否则指出第一个被篡改的事件。"""
    from storage.ledger import verify

    async def go(db: "Database") -> Any:
        async with db.uow(readonly=True) as uow:
            return await verify(uow.session)

    result = run(go)
    if not result.ok:
        click.echo(f"账本校验失败：第 {result.bad_seq} 号事件 — {result.reason}", err=True)
        sys.exit(2)
    click.echo(f"账本完好：{result.count} 个事件，链头 {result.head}")


@ledger.command("head")
def ledger_head() -> None:
    """显示链头哈希（最后一个事件的哈希）。"""
    from storage.ledger import head

    async def go(db: "Database") -> Any:
        async with db.uow(readonly=True) as uow:
            return await head(uow.session)

    seq, digest = run(go)
    click.echo(digest)


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
