"""`zsbot web` serves the web console; `zsbot web link --as NAME` prints a one-time login link."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bot.cli import Fail, run, settings

if TYPE_CHECKING:
    from storage.database import Database


@click.group("web", invoke_without_command=True)
@click.option("--host", help="监听地址（默认 ZSBOT_WEB_HOST，即 127.0.0.1）。")
@click.option("--port", type=click.IntRange(1, 65535), help="监听端口（默认 ZSBOT_WEB_PORT，即 8080）。")
@click.pass_context
def web_group(ctx: click.Context, host: str | None, port: int | None) -> None:
    """网页控制台：驾驶舱、项目库、项目卡片、排名与数字溯源、台账。不带子命令时启动网页服务。"""
    if ctx.invoked_subcommand is not None:
        return
    from web.app import serve
    from bot.composition import web_config

    conf = settings()
    host, port = host or conf.web_host, port or conf.web_port
    base = conf.web_url or f"http://{host}:{port}"
    if conf.web_secret is None:
        click.echo("提示：未设置 ZSBOT_WEB_SECRET，本次使用随机密钥，重启后需重新登录。", err=True)
    click.echo(f"网页控制台：http://{host}:{port}/（登录链接以 {base} 开头；Ctrl-C 停止）", err=True)

    async def go(db: "Database") -> None:
        await db.migrate()
        await serve(db, web_config(conf, base, db), host, port)

    try:
        run(go)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise Fail(f"无法监听 {host}:{port}：{exc.strerror}") from None


@web_group.command("link")
@click.option("--as", "who", required=True, help="成员姓名或编号。")
def web_link(who: str) -> None:
    """打印某成员的一次性登录链接（10 分钟内有效，只能用一次）。"""
    from bot.views import find_member
    from core.errors import Refusal
    from core.usecases.web_login import issue_link
    from handlers.flows.web import login_url, use_web_url

    use_web_url(settings().web_base_url())

    async def go(db: "Database") -> str:
        async with db.uow() as uow:
            member = find_member(await uow.org.members(), who)
            if member is None:
                raise Fail(f"没有成员“{who}”：用 zsbot org show 查看成员")
            try:
                token = await issue_link(uow, member)
            except Refusal:
                raise Fail(f"成员“{member.name}”已停用") from None
            await uow.commit()
            return login_url(token)

    click.echo(run(go))


def register(cli: click.Group) -> None:
    cli.add_command(web_group)
