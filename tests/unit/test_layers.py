"""The arrows point inwards (docs/ARCHITECTURE.md, "The card's folders"): every import of every module,
read with `ast` (lazy imports inside functions and TYPE_CHECKING blocks included), against the table —
the same table as the page's, which a test here reads to keep the two one.

| folder     | may import (of ours, besides itself) | never                                           |
| core/      | nothing                              | anything but the standard library and pydantic  |
| storage/   | core                                 | texts, handlers, reports, reminders, bot, chat frameworks |
| texts/     | core                                 | anything but the standard library               |
| handlers/  | core, texts, reports                 | storage, bot, reminders, sqlalchemy, telegram, aiogram, apscheduler, aiohttp |
| reports/   | core, texts                          | storage, bot, handlers, reminders, the same frameworks |
| reminders/ | core, reports, texts                 | storage, bot, handlers, sqlalchemy, telegram, aiogram, aiohttp |
| bot/       | everything                           |                                                 |
"""
from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("core", "storage", "texts", "handlers", "reports", "reminders", "web", "bot")
STDLIB = set(sys.stdlib_module_names) | {"__future__"}
FRAMEWORKS = {"sqlalchemy", "alembic", "aiosqlite", "asyncpg", "psycopg", "psycopg2", "telegram", "aiogram",
              "apscheduler", "aiohttp", "httpx", "requests"}

# What each folder may import of ours besides itself (docs/ARCHITECTURE.md's table), and which third-party
# packages it must not touch.
MAY_IMPORT_OTHERS: dict[str, set[str]] = {
    "core": set(),
    "storage": {"core"},
    "texts": {"core"},
    "handlers": {"core", "texts", "reports"},
    "reports": {"core", "texts"},
    "reminders": {"core", "reports", "texts"},
    "web": {"core", "reports", "texts"},
    "bot": set(OURS) - {"bot"},
}
MAY_IMPORT: dict[str, set[str]] = {folder: others | {folder} for folder, others in MAY_IMPORT_OTHERS.items()}
NEVER_THIRD_PARTY: dict[str, set[str]] = {
    "storage": FRAMEWORKS - {"sqlalchemy", "alembic", "aiosqlite", "asyncpg", "psycopg", "psycopg2"},
    "texts": FRAMEWORKS,
    "handlers": FRAMEWORKS,
    "reports": FRAMEWORKS,
    "reminders": FRAMEWORKS - {"apscheduler"},
    "web": FRAMEWORKS - {"aiohttp"},
    "bot": set(),
}
CORE_THIRD_PARTY = {"pydantic"}
# texts/ is sentences and how values look: nothing third-party, so every layer can lean on it.
TEXTS_THIRD_PARTY: set[str] = set()


def modules(folder: str) -> Iterator[Path]:
    yield from sorted((ROOT / folder).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, name: str | None = None) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import statement in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = (name or module_name(path)).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield node.lineno, ".".join(base + ([node.module] if node.module else []))
            else:
                yield node.lineno, node.module or ""


def check(folder: str, where: object, imports: Iterator[tuple[int, str]]) -> list[str]:
    found = []
    for line, name in imports:
        top = name.split(".")[0]
        if top in OURS:
            if top not in MAY_IMPORT[folder]:
                found.append(f"{where}:{line} imports {name} ({folder}/ may import only "
                             f"{', '.join(sorted(MAY_IMPORT[folder]))} of ours)")
        elif top in STDLIB:
            continue
        elif folder == "core":
            if top not in CORE_THIRD_PARTY:
                found.append(f"{where}:{line} imports {name} (core/ is the standard library and pydantic only)")
        elif folder == "texts":
            if top not in TEXTS_THIRD_PARTY:
                found.append(f"{where}:{line} imports {name} (texts/ is the standard library and core only)")
        elif top in NEVER_THIRD_PARTY[folder]:
            found.append(f"{where}:{line} imports {name} ({folder}/ never imports {top})")
    return found


def violations(folder: str) -> list[str]:
    return [v for path in modules(folder) for v in check(folder, path.relative_to(ROOT), imports_of(path))]


@pytest.mark.parametrize("folder", OURS)
def test_imports_point_inwards(folder: str) -> None:
    assert list(modules(folder)), f"no modules found in {folder}/"
    assert violations(folder) == []


def test_the_check_catches_lazy_relative_and_type_checking_imports(tmp_path: Path) -> None:
    fake = tmp_path / "fake.py"
    fake.write_text("from typing import TYPE_CHECKING\n"
                    "from ..storage_like import x\n"
                    "if TYPE_CHECKING:\n    import storage.uow\n"
                    "def f():\n    from sqlalchemy import select\n    import telegram\n", encoding="utf-8")
    names = [name for _, name in imports_of(fake, "handlers.flows.fake")]
    assert sorted(names) == sorted(["typing", "handlers.storage_like", "storage.uow", "sqlalchemy", "telegram"])
    found = check("handlers", "fake.py", imports_of(fake, "handlers.flows.fake"))
    assert [f.split(" (")[0] for f in found] == [
        "fake.py:4 imports storage.uow", "fake.py:6 imports sqlalchemy", "fake.py:7 imports telegram"]
    assert check("core", "fake.py", iter([(1, "rapidfuzz"), (2, "pydantic"), (3, "json")])) == [
        "fake.py:1 imports rapidfuzz (core/ is the standard library and pydantic only)"]
    assert check("bot", "fake.py", iter([(1, "storage.uow"), (2, "telegram")])) == []


def architecture_table() -> dict[str, set[str]]:
    """docs/ARCHITECTURE.md's folders table: each of our folders and the folders of ours (in backticks) its
    "may import" column names; "everything" means all of them."""
    table: dict[str, set[str]] = {}
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for row in text.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        folder = cells[0].strip("`").rstrip("/") if row.startswith("|") else ""
        if folder in OURS:
            may = cells[-1]
            named = {w for w in re.findall(r"`([a-z_]+)/?`", may) if w in OURS}
            table[folder] = set(OURS) - {folder} if may.startswith("everything") else named
    return table


def test_the_table_here_is_the_architecture_page() -> None:
    assert architecture_table() == MAY_IMPORT_OTHERS


def test_texts_is_the_standard_library_and_core() -> None:
    assert check("texts", "fake.py", iter([(1, "core.money"), (2, "datetime"), (3, "handlers.cards"),
                                           (4, "rapidfuzz")])) == [
        "fake.py:3 imports handlers.cards (texts/ may import only core, texts of ours)",
        "fake.py:4 imports rapidfuzz (texts/ is the standard library and core only)"]
