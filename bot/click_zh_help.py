"""Help pages for Chinese text: `用法：` and `选项：` with Chinese punctuation, option and command lists
aligned and wrapped by display width, and usage errors that always name the command being parsed."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import click

from handlers.catalog import t


class ZhHelpFormatter(click.HelpFormatter):
    """`用法：zsbot …` and `选项：` with Chinese punctuation (click adds a space or an ASCII colon), and
    option/command lists aligned and wrapped by display width: click counts a Chinese character as one
    column, a terminal shows two."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, t("cli.usage") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{t('cli.heading', heading=heading)}\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first = min(max((columns(term) for term, _ in rows), default=0), col_max)
        indent = " " * (self.current_indent + first + col_spacing)
        for term, text in rows:
            self.write(" " * self.current_indent + term)
            if not text:
                self.write("\n")
                continue
            if columns(term) <= first:
                self.write(" " * (first - columns(term) + col_spacing))
            else:
                self.write("\n" + indent)
            lines = wrap(text, max(self.width - len(indent), 20))
            self.write(("\n" + indent).join(lines) + "\n")


def columns(text: str) -> int:
    """How many terminal columns `text` takes (wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_TOKENS = re.compile(r"\s+|\[[^\]\n]{1,40}\]|[\x21-\x7e]+|.")  # click's "[默认：…]" stays on one line
_NO_LINE_START = set("，。、；：？！）》」』】,.;:?!)]")


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrapping by display width: a Latin word (or a short bracketed note) stays whole, Chinese
    breaks between characters, and a closing punctuation mark never starts a line."""
    lines: list[str] = []
    line, used = "", 0
    for token in _TOKENS.findall(" ".join(text.split())):
        size = columns(token)
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        if line and used + size > width and token[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + token, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


class ZhContext(click.Context):
    formatter_class = ZhHelpFormatter

    @contextmanager
    def scope(self, cleanup: bool = True) -> Iterator[click.Context]:
        # The parser raises some usage errors (an option missing its value) without a context, so
        # they would be shown with no usage line; the context being parsed is the one to name.
        try:
            with super().scope(cleanup) as ctx:
                yield ctx
        except click.UsageError as error:
            if error.ctx is None:
                error.ctx = self
            raise
