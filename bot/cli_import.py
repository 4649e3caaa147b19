"""`zsbot import projects`: bring an office's Excel / CSV 台账 into the ledger (bot/importer/)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import click

from bot.cli import Fail, run, settings


def register(cli: click.Group) -> None:
    cli.add_command(import_)


@click.group("import")
def import_() -> None:
    """导入数据。"""


@import_.command("projects")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sheet", help="工作表名称；省略时读第一张表。")
@click.option("--unit", "unit", help="表中没有“责任单位”“首报单位”列时，项目所属的单位（名称、简称或代码）。")
@click.option("--as", "actor", help="导入人（成员姓名或编号）；省略时为第一位大招商办成员。")
@click.option("--dry-run", is_flag=True, help="试导入：检查每一行并报告结果，不写入任何数据。")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="补充列名的 TOML 文件：每行“字段 = [列名, …]”，字段见 README“导入台账”一节。")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="把原表加“导入结果”列另存为 xlsx，逐行说明导入情况或未导入的原因。")
def import_projects(file: Path, sheet: str | None, unit: str | None, actor: str | None, dry_run: bool,
                    mapping: Path | None, report: Path | None) -> None:
    """导入招商引资项目台账（xlsx 或 csv）：每一行记为一个项目，重复导入不会重复记录。"""
    from bot.importer.report import mapping_lines, print_progress, report_xlsx, summary_line
    from bot.importer.run import HeaderNotFound, import_sheet
    from bot.importer.sheet_file import SheetError, read_sheet
    from bot.outfile import write_atomically, write_problem
    from core.clock import FixedClock, SystemClock
    from handlers.importing.headers import Synonyms
    from texts import use_locale

    conf = settings()
    use_locale(conf.locale)
    synonyms = Synonyms()
    if mapping is not None:
        try:
            extra = tomllib.loads(mapping.read_text(encoding="utf-8"))
            synonyms = synonyms.extended({k: [str(w) for w in v] for k, v in extra.items()})
        except (tomllib.TOMLDecodeError, OSError) as exc:
            raise Fail(f"无法读取 {mapping}：{exc}") from None
        except KeyError as exc:
            raise Fail(f"{mapping} 中的“{exc.args[0]}”不是可导入的字段") from None
        except (TypeError, AttributeError):
            raise Fail(f"{mapping} 的格式应为 字段 = [\"列名\", …]") from None
    try:
        data = read_sheet(file, sheet)
    except SheetError as exc:
        raise Fail(str(exc)) from None
    clock = FixedClock(SystemClock().now())

    async def go(db):  # type: ignore[no-untyped-def]
        return await import_sheet(db, clock, data, actor_name=actor, default_unit=unit, synonyms=synonyms,
                                  tz=conf.tz, dry_run=dry_run, progress=print_progress)

    try:
        result = run(go, clock=clock)
    except HeaderNotFound as exc:
        raise Fail(str(exc)) from None
    click.echo(f"{file.name}（工作表 {result.sheet}，SHA-256 {result.sha256[:16]}…）")
    for line in mapping_lines(result):
        click.echo(line)
    click.echo(summary_line(result))
    if report is not None:
        try:
            write_atomically(report, report_xlsx(data, result))
        except OSError as exc:
            raise Fail(write_problem(report, exc)) from None
        click.echo(f"逐行结果已写入 {report}")
    else:
        for r in result.rows:
            if r.status in ("refused", "duplicate", "possible"):
                click.echo(f"  第 {r.number} 行：{r.message}")
