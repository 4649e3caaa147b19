"""The `zsbot` command line. Heavy modules are imported inside commands so `--help` stays fast."""
from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
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
    from bot.bootstrap import open_database
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


# -- init / org / invite --------------------------------------------------------------------


@cli.command()
@click.option("--demo", is_flag=True, help="载入内置的贵阳贵安示例组织和演示成员，并写入一年的演示历史。")
@click.option("--empty", is_flag=True, help="与 --demo 同用：只载入组织和演示成员，不写入演示历史。")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="与 --demo 同用：演示历史以这一天为“今天”，写到上一个完整月份为止（默认今天）。")
@click.option("--org", "org_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="载入指定的组织配置文件（TOML）。")
def init(demo: bool, empty: bool, today: Any, org_file: Path | None) -> None:
    """创建或升级数据库；可同时载入组织配置。重复运行是安全的（演示历史只写入一次）。"""
    if demo and org_file:
        raise click.UsageError("--demo 与 --org 只能选一个")
    if (empty or today) and not demo:
        raise click.UsageError("--empty 与 --today 只能与 --demo 同用")
    from bot.bootstrap import initialise

    conf = settings()
    path = conf.org_path() if demo else org_file or conf.org_file
    org = _read_org(path) if path else None
    clock = _demo_clock()

    async def go(db: "Database") -> None:
        seeded = None
        if demo:
            done = await _init_demo(db, clock, org, history=not empty, today=today.date() if today else None)
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


def _demo_clock() -> Any:
    from datetime import datetime, timezone

    from core.clock import FixedClock

    return FixedClock(datetime.now(timezone.utc))


async def _init_demo(db: "Database", clock: Any, org: Any, *, history: bool, today: Any = None) -> Any:
    """The demo organisation and members, and (unless `history` is off) the past year up to last month."""
    from datetime import datetime, timezone

    from bot.demo_history import initialise_demo

    tz = settings().tz
    now = datetime.now(timezone.utc)
    return await initialise_demo(db, clock, org, today=today or now.astimezone(tz).date(), now=now, tz=tz,
                                 history=history)


def _read_org(path: Path) -> Any:
    from bot.bootstrap import read_org_file
    from core.org import ConfigError

    try:
        return read_org_file(path)
    except ConfigError as exc:
        raise Fail(f"组织配置被拒绝：{exc}") from None
    except OSError as exc:
        raise Fail(f"无法读取组织配置 {path}：{exc.strerror}") from None


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@cli.group()
def org() -> None:
    """组织架构：单位、成员、角色。"""


@org.command("show")
def org_show() -> None:
    """显示单位树及各单位成员和角色。"""
    from bot.views import render_org_tree

    async def go(db: "Database") -> None:
        async with db.uow(readonly=True) as uow:
            cfg = await uow.org.config()
            if cfg is None:
                raise Fail("尚未载入组织配置：先运行 zsbot init --demo 或 zsbot init --org FILE")
            members = await uow.org.members()
            identities = {m.id: await uow.org.identities_of(m.id) for m in members}
        click.echo(render_org_tree(cfg, members, identities))

    run(go)


@cli.group()
def invite() -> None:
    """邀请码：让新成员通过 /start 邀请码 加入单位。"""


@invite.command("create")
@click.option("--unit", required=True, metavar="单位", help="单位代码或名称，如 zhu_shenzhen 或 驻深圳办事处。")
@click.option("--role", type=click.Choice(["member", "unit_head", "leader", "office_admin"]), default="member",
              show_default=True, help="角色：member 成员、unit_head 单位负责人、leader 领导、office_admin 办公室管理员。")
@click.option("--days", type=click.IntRange(1, 90), default=7, show_default=True, metavar="天数", help="有效天数。")
@click.option("--member", "member_ref", default=None, metavar="成员",
              help="绑定到已有成员（姓名或编号），用于同一人在第二个渠道登录。")
def invite_create(unit: str, role: str, days: int, member_ref: str | None) -> None:
    """生成一次性、会过期的邀请码（只显示这一次）。"""
    from datetime import timedelta

    from bot.views import find_unit, find_member
    from core.roles import Role
    from core.usecases.org import CreateInvite, create_invite

    async def go(db: "Database") -> str:
        async with db.uow() as uow:
            cfg = await uow.org.config()
            if cfg is None:
                raise Fail("尚未载入组织配置：先运行 zsbot init")
            target = find_unit(cfg, unit)
            if target is None:
                raise Fail(f"未知单位 {unit!r}：用 zsbot org show 查看单位代码")
            member_id = None
            if member_ref:
                m = find_member(await uow.org.members(), member_ref)
                if m is None:
                    raise Fail(f"未找到成员 {member_ref!r}")
                member_id, target = m.id, cfg.unit(m.unit)
            code = await create_invite(uow, CreateInvite(unit=target.code, role=Role(role), ttl=timedelta(days=days), member_id=member_id))
            await uow.commit()
            return code

    click.echo(run(go))


# -- ledger ---------------------------------------------------------------------------------


@cli.group()
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


# -- export ---------------------------------------------------------------------------------


@cli.group()
def export() -> None:
    """导出数据。"""


@export.command("projects")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True,
              help="json 供程序读取：英文键名和代码、ISO 8601 UTC 时间，键名保持不变；csv（UTF-8 带 BOM）和 xlsx "
                   "供 Excel 打开：中文表头，阶段、标记、单位用中文名称，时间为本地时间（ZSBOT_TIMEZONE）。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件；xlsx 必填，csv、json 省略时写到标准输出。")
def export_projects(fmt: str, out: Path | None) -> None:
    """导出全部项目（金额单位万元，精确整数）。"""
    from bot.outfile import write_atomically, write_problem
    from core.org import FLAGS
    from handlers.catalog import t, use_locale
    from reports.exports import project_rows, sheet_rows, to_csv, to_json, to_xlsx
    from storage.queries.export import all_projects

    if fmt == "xlsx" and out is None:
        raise Fail("xlsx 需要 --out 文件名，例如 --out 项目.xlsx")
    if out is not None and not out.parent.is_dir():
        raise Fail(write_problem(out, FileNotFoundError()))
    conf = settings()

    async def go(db: "Database") -> tuple[int, bytes]:
        async with db.uow(readonly=True) as uow:
            cfg = await uow.org.config()
            projects = await all_projects(uow.session)
        if fmt == "json":
            return len(projects), to_json(project_rows(projects, cfg))
        use_locale(conf.locale)
        flag_names = {f: t(f"flag.{f}") for f in FLAGS}
        rows = sheet_rows(projects, cfg, conf.tz, flag_names)
        return len(projects), (to_csv if fmt == "csv" else to_xlsx)(rows)

    count, data = run(go)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        write_atomically(out, data)
    except OSError as exc:
        raise Fail(write_problem(out, exc)) from None
    click.echo(f"已导出 {count} 个项目到 {out}", err=True)


# -- chat ------------------------------------------------------------------------------------


@cli.command()
@click.option("--as", "who", required=True, metavar="成员", help="以哪位成员身份对话（姓名或编号）；未知姓名按新用户处理，需先 /start 邀请码。")
def chat(who: str) -> None:
    """在终端里与机器人对话（真实核心、真实数据库）。也可管道输入，每行一条消息。"""
    _chat(who)


@cli.command()
def demo() -> None:
    """初始化演示组织（如尚未初始化，连同一年的演示历史），并以驻深圳办事处成员身份打开终端对话。"""
    from bot.config import BUNDLED_ORG

    clock = _demo_clock()

    async def prepare(db: "Database") -> None:
        await db.migrate()
        async with db.uow(readonly=True) as uow:
            configured = await uow.org.config() is not None
        if not configured:
            done = await _init_demo(db, clock, _read_org(BUNDLED_ORG), history=True)
            click.echo("已初始化演示组织（贵阳贵安示例）。", err=True)
            if done.seeded is not None:
                click.echo(done.seeded.line(), err=True)

    run(prepare, clock=clock)
    _chat(DEMO_MEMBER)


DEMO_MEMBER = "李驻深"


def _chat(who: str) -> None:
    import sys

    from bot.bootstrap import build_conversations, console_identity
    from bot.channels.console import ConsoleRenderer, chat_loop, input_lines

    conf = settings()

    async def go(db: "Database") -> None:
        await db.migrate()
        async with db.uow(readonly=True) as uow:
            if await uow.org.config() is None:
                raise Fail("尚未载入组织配置：先运行 zsbot init --demo")
        sender_id, name = await console_identity(db, who)
        conversations = build_conversations(conf, db)
        renderer = ConsoleRenderer(sys.stdout, Path("zsbot-files"))
        piped = not sys.stdin.isatty()
        if not piped:
            click.echo(f"以“{name}”的身份对话。输入消息后回车；按钮用数字选择；Ctrl-D 退出。")
        await chat_loop(conversations.handle, sender_id=sender_id, sender_name=name,
                        lines=input_lines(f"{name}> "), renderer=renderer, now=db.clock.now, echo=piped)

    run(go)


def build() -> click.Group:
    """The root command with every feature's commands (modules `bot/cli_*.py` define `register`)."""
    import importlib
    import pkgutil

    import bot

    for info in sorted(pkgutil.iter_modules(bot.__path__), key=lambda i: i.name):
        if info.name.startswith("cli_"):
            importlib.import_module(f"bot.{info.name}").register(cli)
    localise(cli)
    return cli


def main() -> None:
    build()(prog_name="zsbot")
