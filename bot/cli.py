"""The `zsbot` command line: the root group, what every command shares (`settings`, `run`, `Fail`), and
`build()`, which adds the command groups of the `bot/cli_*.py` modules. Heavy modules are imported
inside commands so `--help` stays fast."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot.click_zh import ZhGroup, install, localise

# Before the first decorator: click translates `--version`'s help and click.Path's names as they are declared.
install()

if TYPE_CHECKING:
    from bot.config import Settings
    from storage.database import Database

T = TypeVar("T")


class Fail(click.ClickException):
    """A one-line error for the operator; exit code 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"错误：{self.message}", err=True)


def settings() -> "Settings":
    from bot.config import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        raise Fail(str(exc)) from None


def run(fn: Callable[["Database"], Awaitable[T]], *, clock: Any = None) -> T:
    """Open the configured database, run `fn`, and turn every expected failure into one line."""
    from bot.composition import open_database
    from bot.errors import describe

    async def main() -> T:
        db = open_database(settings(), clock)
        try:
            return await fn(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except click.ClickException:
        raise
    except Exception as exc:
        message = describe(exc)
        if message is None:
            raise
        raise Fail(message) from None


@click.group(cls=ZhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zsbot", message="zsbot %(version)s")
def cli() -> None:
    """招商助手 zsbot：招商线索台账、聊天机器人与考核排名。

    配置通过环境变量 ZSBOT_*（或 .env 文件）读取，见 README。
    """


def build() -> click.Group:
    """The root command with every feature's commands (each module of `command_modules()` has `register`)."""
    for module in command_modules():
        module.register(cli)
    localise(cli)
    return cli


def command_modules() -> tuple[ModuleType, ...]:
    """The modules adding commands: listed, not found by file name, so a reader sees them all."""
    # Imported here, not at the top: they import this module for Fail, run and settings.
    from bot import (cli_ask, cli_calendar, cli_chat, cli_export, cli_import, cli_init, cli_ledger, cli_org,
                     cli_reports, cli_run, cli_verify, cli_web)

    return (cli_init, cli_org, cli_ledger, cli_export, cli_import, cli_chat, cli_ask, cli_calendar, cli_reports,
            cli_verify, cli_run, cli_web)


def main() -> None:
    build()(prog_name="zsbot")
