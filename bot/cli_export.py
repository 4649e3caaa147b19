"""`zsbot export projects`: every project as JSON for programs, or CSV / xlsx in Chinese for Excel."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli import Fail, run, settings

if TYPE_CHECKING:
    from storage.database import Database


def register(cli: click.Group) -> None:
    cli.add_command(export)


@click.group()
def export() -> None:
    """导出数据。"""


@export.command("projects")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True,
              help="json 供程序读取：英文键名和代码、ISO 8601 UTC 时间，键名保持不变；csv（UTF-8 带 BOM）和 xlsx "
                   "供 Excel 打开：中文表头，阶段、标记、单位用中文名称，时间为本地时间（ZSBOT_TIMEZONE）。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件；xlsx 必填，csv、json 省略时写到标准输出。")
def export_projects(fmt: str, out: Path | None) -> None:
    """导出全部项目（金额单位万元，精确整数）。到位资金为考核计入的口径（按组织配置：上报或已核实），另列上报和已核实两个数。"""
    from bot.outfile import write_atomically, write_problem
    from core.org import FLAGS
    from texts import t, use_locale
    from reports.exports import project_rows, sheet_rows, to_csv, to_json, to_xlsx
    from storage.queries.export import all_projects

    if fmt == "xlsx" and out is None:
        raise click.UsageError("xlsx 需要 --out 文件名，例如 --out 项目.xlsx")
    if out is not None and not out.parent.is_dir():
        raise Fail(write_problem(out, FileNotFoundError()))
    conf = settings()

    async def go(db: "Database") -> tuple[int, bytes]:
        async with db.uow(readonly=True) as uow:
            cfg = await uow.org.config()
            projects = await all_projects(uow.session)
            verified = await uow.evidence.verified_totals()
        if fmt == "json":
            return len(projects), to_json(project_rows(projects, cfg, verified))
        use_locale(conf.locale)
        flag_names = {f: t(f"flag.{f}") for f in FLAGS}
        rows = sheet_rows(projects, cfg, conf.tz, flag_names, verified)
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
