"""`zsbot init`: create or upgrade the database and load an organisation — the demo one with its year
of history, or a file; `zsbot demo` reuses the demo helpers."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli import Fail, run, settings

if TYPE_CHECKING:
    from storage.database import Database


def register(cli: click.Group) -> None:
    cli.add_command(init)


@click.command()
@click.option("--demo", is_flag=True, help="载入内置的贵阳贵安示例组织和演示成员，并写入一年的演示历史。")
@click.option("--empty", is_flag=True, help="与 --demo 同用：只载入组织和演示成员，不写入演示历史。")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="日期",
              help="与 --demo 同用：演示历史以这一天为“今天”，写到上一个完整月份为止（默认今天）。")
@click.option("--org", "org_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="载入指定的组织配置文件（TOML）。")
def init(demo: bool, empty: bool, today: Any, org_file: Path | None) -> None:
    """创建或升级数据库；可同时载入组织配置。重复运行是安全的（演示历史只写入一次）。"""
    if demo and org_file:
        raise click.UsageError("--demo 与 --org 只能选一个")
    if (empty or today) and not demo:
        raise click.UsageError("--empty 与 --today 只能与 --demo 同用")
    from bot.composition import initialise

    conf = settings()
    path = conf.org_path() if demo else org_file or conf.org_file
    org = read_org(path) if path else None
    clock = demo_clock()

    async def go(db: "Database") -> None:
        seeded = None
        if demo:
            done = await init_demo(db, clock, org, history=not empty, today=today.date() if today else None)
            result, seeded = done.result, done.seeded or done.skipped
        else:
            result = await initialise(db, org, demo_members=False)
        click.echo(f"数据库已就绪：{_safe_url(conf.database_url)}")
        if org is not None:
            state = "已载入新配置" if result.configured else "配置未变化"
            click.echo(f"组织：{org.organisation.name}（{len(org.units)} 个单位）— {state}")
        if demo:
            click.echo(f"演示成员：新增 {result.members_added} 人")
        if seeded is not None:
            click.echo(seeded if isinstance(seeded, str) else seeded.line())

    run(go, clock=clock)


def demo_clock() -> Any:
    from datetime import datetime, timezone

    from core.clock import FixedClock

    return FixedClock(datetime.now(timezone.utc))


async def init_demo(db: "Database", clock: Any, org: Any, *, history: bool, today: Any = None) -> Any:
    """The demo organisation and members, and (unless `history` is off) the past year up to last month."""
    from datetime import datetime, timezone

    from bot.demo_history import initialise_demo

    tz = settings().tz
    now = datetime.now(timezone.utc)
    return await initialise_demo(db, clock, org, today=today or now.astimezone(tz).date(), now=now, tz=tz,
                                 history=history)


def read_org(path: Path) -> Any:
    from bot.composition import read_org_file
    from core.org_file import ConfigError

    try:
        return read_org_file(path)
    except ConfigError as exc:
        raise Fail(f"组织配置被拒绝：{exc}") from None
    except OSError as exc:
        raise Fail(f"无法读取组织配置 {path}：{exc.strerror}") from None


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
