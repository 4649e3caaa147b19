"""click's English message ids against the installed click: each one we translate still exists, each
user-facing one click has is translated, and each Chinese text uses only click's placeholders."""
from __future__ import annotations

import ast
import string
from pathlib import Path

import click
import pytest

from bot.click_zh import MESSAGES, PLURALS, install
from bot.click_zh_help import columns, wrap
from handlers.catalog import t

# Messages only a programmer sees (a wrongly declared command), or from parts of click zsbot does not use
# (Windows consoles, the editor, progress bars, shell completion).
NOT_FOR_OPERATORS = {
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Name '{name}' defined twice",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Choice({choices})",
    "Unknown standard stream '{name}'",
    "Unknown color {colour!r}",
    "Windows error: {error}",
    "{editor}: Editing failed",
    "{editor}: Editing failed: {e}",
    "d",
    "Couldn't detect Bash version, shell completion is not supported.",
    "Shell completion is not supported for Bash versions older than 4.4.",
}


def click_message_ids() -> dict[str, str | None]:
    """Every `_("…")` id in click's source, and every `ngettext(singular, plural)` (id → plural)."""
    core = (Path(click.__file__).parent / "core.py").read_text(encoding="utf-8")
    assert 'extra["required"] = "required"' in core and '_(extra["required"])' in core
    found: dict[str, str | None] = {"required": None}  # translated through a variable
    for source in sorted(Path(click.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and texts:
                found.setdefault(texts[0], None)
            elif node.func.id == "ngettext" and len(texts) == 2:
                found[texts[0]] = texts[1]
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_translated_id_is_one_click_still_has() -> None:
    ids = click_message_ids()
    plurals = {plural for plural in ids.values() if plural}
    assert set(MESSAGES) - set(ids) == set(), "click changed these messages: update bot/click_zh.py"
    assert set(PLURALS) - plurals == set()


def test_every_message_click_shows_an_operator_is_translated() -> None:
    untranslated = set(click_message_ids()) - set(MESSAGES) - NOT_FOR_OPERATORS
    assert untranslated == set(), "new click messages: add them to bot/click_zh.py and the catalog"


def test_each_chinese_text_uses_only_the_placeholders_click_fills() -> None:
    ids = click_message_ids()
    for message, key in MESSAGES.items():
        given = fields(message) | fields(ids.get(message) or "")
        assert fields(t(key)) <= given, (message, t(key))
        assert "%(" not in t(key) or "%(" in message
    for plural, key in PLURALS.items():
        assert fields(t(key)) <= fields(plural), (plural, t(key))


def test_click_answers_from_the_catalog_once_installed() -> None:
    install()
    install()  # idempotent
    from click import core, exceptions, formatting, types

    assert exceptions._("Error: {message}") == "错误：{message}"
    assert formatting._("Usage:") == "用法："
    assert core.ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})",
                         2).format(args="a b") == "多余的参数：a b"
    assert types.ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 3) \
        .format(value="x", choices="'a', 'b'", choice="") == "'x' 不是可选值之一：'a', 'b'。"
    assert core._("Something click never said") == "Something click never said"
    with pytest.raises(click.BadParameter) as raised:
        click.IntRange(1, 9).convert(12, None, None)
    assert raised.value.format_message() == "值无效：12 不在范围 1<=x<=9 内。"


def test_wrapping_counts_a_chinese_character_as_two_columns() -> None:
    assert columns("选项 -h") == 7
    lines = wrap("单位代码或名称，如 zhu_shenzhen 或 驻深圳办事处。 [默认：member]", 20)
    assert lines == ["单位代码或名称，如", "zhu_shenzhen 或 驻深", "圳办事处。", "[默认：member]"]
    assert all(columns(line) <= 20 for line in lines)
    assert wrap("一二三四五六七八九，十", 18) == ["一二三四五六七八九，", "十"]  # no line starts with a comma


def test_a_new_command_built_with_plain_click_is_chinese_too() -> None:
    from click.testing import CliRunner

    from bot.click_zh import ZhGroup, localise

    install()
    root = ZhGroup("zsbot", context_settings={"help_option_names": ["-h", "--help"]})

    @root.command("pick")
    @click.option("--colour", required=True, type=click.Choice(["red", "blue"]), help="颜色。")
    @click.option("--count", type=int, default=1, show_default=True, help="数量。")
    def pick(colour: str, count: int) -> None:
        """选一个颜色。"""

    localise(root)
    page = CliRunner().invoke(root, ["pick", "-h"], prog_name="zsbot").output
    assert page.startswith("用法：zsbot pick [选项]\n") and "--count 整数" in page and "[默认：1]" in page, page
    wrong = CliRunner().invoke(root, ["pick"], prog_name="zsbot")
    assert wrong.exit_code == 2
    assert wrong.stderr.splitlines() == ["用法：zsbot pick [选项]", "用 zsbot pick -h 查看帮助。", "",
                                         "错误：缺少选项 '--colour'。可选：red、blue。"]
