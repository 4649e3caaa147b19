"""`zsbot chat --as` and `zsbot demo`: talk to the real conversation core over the real database from a
terminal (or a pipe, one message a line)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli import Fail, run, settings
from bot.cli_init import demo_clock, init_demo, read_org
from texts import t

if TYPE_CHECKING:
    from storage.database import Database


def register(cli: click.Group) -> None:
    cli.add_command(chat)
    cli.add_command(demo)


@click.command()
@click.option("--as", "who", required=True, metavar="成员", help="以哪位成员身份对话（姓名或编号）；未知姓名按新用户处理，需先 /start 邀请码。")
def chat(who: str) -> None:
    """在终端里与机器人对话（真实核心、真实数据库）。也可管道输入，每行一条消息。"""
    _chat(who)


@click.command()
def demo() -> None:
    """初始化演示组织（如尚未初始化，连同一年的演示历史），并以驻深圳办事处成员身份打开终端对话。"""
    from bot.config import BUNDLED_ORG

    clock = demo_clock()

    async def prepare(db: "Database") -> None:
        await db.migrate()
        async with db.uow(readonly=True) as uow:
            configured = await uow.org.config() is not None
        if not configured:
            done = await init_demo(db, clock, read_org(BUNDLED_ORG), history=True)
            click.echo("已初始化演示组织（贵阳贵安示例）。", err=True)
            if done.seeded is not None:
                click.echo(done.seeded.line(), err=True)

    run(prepare, clock=clock)
    _chat(DEMO_MEMBER)


DEMO_MEMBER = "李驻深"


def _chat(who: str) -> None:
    import sys

    from bot.composition import build_conversations, console_identity
    from bot.channels.console import ConsoleRenderer, chat_loop, input_lines

    conf = settings()

    async def go(db: "Database") -> None:
        await db.migrate()
        async with db.uow(readonly=True) as uow:
            if await uow.org.config() is None:
                raise Fail(t("org_config.missing"))
        sender_id, name = await console_identity(db, who)
        conversations = build_conversations(conf, db)
        renderer = ConsoleRenderer(sys.stdout, Path("zsbot-files"))
        piped = not sys.stdin.isatty()
        if not piped:
            click.echo(f"以“{name}”的身份对话。输入消息后回车；按钮用数字选择；Ctrl-D 退出。")
        await chat_loop(conversations.handle, sender_id=sender_id, sender_name=name,
                        lines=input_lines(f"{name}> "), renderer=renderer, now=db.clock.now, echo=piped,
                        files=conf.file_policy(), replied=conversations.replied)
        await conversations.close()

    run(go)
