"""The command line speaks Chinese: every help page (`--help` and `-h`) and every wrong usage, as the
operator sees them from the installed `zsbot` script."""
from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from bot.cli import build
from tests.e2e.cli_runner import Cli, Result

# Latin words a Chinese help page may still contain: names (of the program, formats, channels,
# frameworks, files) and notations. Command names, option names, choice values, env vars, example
# codes and dates are taken from the command tree or removed by NOT_WORDS before this list applies.
ALLOWED_WORDS = {
    "zsbot", "json", "csv", "xlsx", "png", "text", "toml", "TOML", "Excel", "README", "env",
    "ISO", "UTC", "UTF", "BOM",  # standards named in the export help
    "telegram", "wecom", "console", "YYYY", "MM",
    # example codes in option help (unit, peer group, indicator, push kind)
    "zhu_shenzhen", "districts", "funds_in_place", "report.overdue_list", "east",
}
# What is not a word: options (-h, --out), env vars, commands like /start, dates and times, numbers.
NOT_WORDS = re.compile(r"--?[a-z][a-z-]*|ZSBOT_[A-Z_*]+|/[a-z]+|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?:[+-]\d{2}:\d{2})?"
                       r"|\d[\d-]*|\.env|\bx\b")
LATIN = re.compile(r"[A-Za-z][A-Za-z_.]*[A-Za-z]|[A-Za-z]")
CLICK_ENGLISH = ("Usage", "Options", "Commands", "Show this message", "Show the version", "default:", "required",
                 "TEXT", "INTEGER", "FILE", "PATH", "Error", "Try ", "Missing", "Invalid", "No such", "Got ")


def command_tree(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            found.extend(command_tree(sub, (*path, name)))
    return found


def tree_words(root: click.Command) -> set[str]:
    """Command names and choice values: English by design (typed as they are)."""
    words: set[str] = set()
    for path, command in command_tree(root):
        words.update(path)
        for param in command.params:
            if isinstance(param.type, click.Choice):
                words.update(str(c) for c in param.type.choices)
    return words


def english_words(text: str, allowed: set[str]) -> list[str]:
    return [w for w in LATIN.findall(NOT_WORDS.sub(" ", text)) if w not in allowed]


def test_every_help_page_is_chinese_with_both_help_options(tmp_path: Path) -> None:
    root = build()
    tree = command_tree(root)
    assert len(tree) > 15 and (("report", "ranking"), root.commands["report"].commands["ranking"]) in tree
    allowed = ALLOWED_WORDS | tree_words(root)
    bogus = Cli(f"sqlite:///{tmp_path}/nowhere/x.db", tmp_path)  # help never opens the database
    calls = [(*path, flag) for path, _ in tree for flag in ("--help", "-h")]
    results = bogus.many(*calls)
    for (path, command), long, short in zip(tree, results[::2], results[1::2], strict=True):
        page = long.ok().out
        assert short.ok().out == page, f"{short}\n-h and --help differ"
        usage = " ".join(("zsbot", *path))
        assert page.startswith(f"用法：{usage} [选项]"), str(long)
        assert "\n选项：\n" in page and "-h, --help  " in page and "显示本帮助并退出。" in page, str(long)
        if isinstance(command, click.Group):
            # A group that also runs on its own (zsbot web) shows the command as optional: [命令].
                assert re.search(r"\[?命令\]? \[参数\]\.\.\.", page.splitlines()[0]) and "\n命令：\n" in page, str(long)
        for english in CLICK_ENGLISH:
            assert english not in page, f"{english!r} in:\n{long}"
        assert english_words(page, allowed) == [], str(long)
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag and param.name != "help":
                assert param.help, f"zsbot {' '.join(path)} {param.opts[0]} has no help"
    assert "--version   显示版本号并退出。" in results[0].out
    assert not (tmp_path / "nowhere").exists()


def test_an_english_sentence_in_help_would_be_caught() -> None:
    allowed = ALLOWED_WORDS | {"init"}
    assert english_words("  --org 文件    载入指定的组织配置文件（TOML）。", allowed) == []
    assert english_words("  --org FILE    Load the organisation file.", allowed) == \
        ["FILE", "Load", "the", "organisation", "file"]


def usage_error(result: Result, command: str) -> str:
    """Wrong usage: exit 2, nothing on stdout, the usage line, the -h hint, and one Chinese line."""
    assert result.code == 2, str(result)
    assert result.out == "" and "Traceback" not in result.err, str(result)
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 3, str(result)
    usage, hint, error = lines
    path = " ".join(("zsbot", *command.split()))
    assert usage.startswith(f"用法：{path} [选项]"), str(result)
    assert hint == f"用 {path} -h 查看帮助。", str(result)
    assert error.startswith("错误："), str(result)
    for english in ("Error", "Usage", "Try", "Invalid value", "Missing", "No such", "Got unexpected",
                    "is not", "does not", "requires", "range", "Did you mean"):
        assert english not in result.err, f"{english!r} in:\n{result}"
    return error


@pytest.mark.parametrize("args,command,line", [
    (("frobnicate",), "", "错误：没有 'frobnicate' 这个命令。"),
    (("leger", "verify"), "", "错误：没有 'leger' 这个命令。是不是要输入 'ledger'？"),
    (("ledger", "chek"), "ledger", "错误：没有 'chek' 这个命令。"),
    (("invite", "create"), "invite create", "错误：缺少选项 '--unit'。"),
    (("chat",), "chat", "错误：缺少选项 '--as'。"),
    (("invite", "create", "--unit", "east", "--role", "boss"), "invite create",
     "错误：'--role' 的值无效：'boss' 不是可选值之一：'member', 'unit_head', 'leader', 'office_admin'。"),
    (("export", "projects", "--format", "pdf"), "export projects",
     "错误：'--format' 的值无效：'pdf' 不是可选值之一：'json', 'csv', 'xlsx'。"),
    (("invite", "create", "--unit", "east", "--days", "100"), "invite create",
     "错误：'--days' 的值无效：100 不在范围 1<=x<=90 内。"),
    (("invite", "create", "--unit", "east", "--days", "七"), "invite create",
     "错误：'--days' 的值无效：'七' 不是有效的数字。"),
    (("ledger", "head", "extra"), "ledger head", "错误：多余的参数：extra"),
    (("ledger", "verify", "a", "b"), "ledger verify", "错误：多余的参数：a b"),
    (("invite", "create", "--unit"), "invite create", "错误：选项 '--unit' 需要一个值。"),
    (("org", "show", "--tree"), "org show", "错误：没有 '--tree' 这个选项。"),
    (("init", "--org", "missing.toml"), "init", "错误：'--org' 的值无效：文件 'missing.toml' 不存在。"),
    (("init", "--demo", "--org", "org.toml"), "init", "错误：--demo 与 --org 只能选一个"),
    (("export", "projects", "--format", "xlsx"), "export projects", "错误：xlsx 需要 --out 文件名，例如 --out 项目.xlsx"),
    (("report", "ranking", "--format", "png"), "report ranking", "错误：png 需要 --out 文件名"),
    (("report", "ranking", "--month", "2026-13"), "report ranking",
     "错误：--month 的值无效：月份应写成 YYYY-MM，例如 2026-10，而不是 '2026-13'"),
])
def test_wrong_usage_is_one_chinese_line_plus_usage(tmp_path: Path, args: tuple[str, ...], command: str,
                                                    line: str) -> None:
    (tmp_path / "org.toml").write_text("", encoding="utf-8")
    result = Cli(f"sqlite:///{tmp_path}/nowhere/x.db", tmp_path)(*args)
    assert usage_error(result, command) == line
    assert not (tmp_path / "nowhere").exists()
