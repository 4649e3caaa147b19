"""`zsbot run`: start the bot with the channel and framework from the settings."""
from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    cli.add_command(run_command)


@click.command("run")
@click.option("-v", "--verbose", is_flag=True, help="输出运行日志。")
def run_command(verbose: bool) -> None:
    """启动机器人：渠道由 ZSBOT_CHANNEL 决定（telegram / wecom / console），框架由 ZSBOT_TELEGRAM_FRAMEWORK 决定。"""
    import asyncio
    import logging

    from bot.cli import Fail, settings
    from bot.errors import StartError, describe
    from bot.service import serve

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    conf = settings()
    try:
        asyncio.run(serve(conf))
    except StartError as exc:
        raise Fail(str(exc)) from None
    except KeyboardInterrupt:
        pass
    except Exception as exc:
        message = describe(exc)
        if message is None:
            raise
        raise Fail(message) from None
