"""The lists that gather features are complete: a module that contributes (FEATURE, TEXTS, KINDS,
`register`) but is missing from its list would be silently ignored, so this test finds every such
module by reading the source (`ast`) and asks for it in the list. The lists are explicit, not found
by file name, so a reader sees them all; this test is what keeps "explicit" from meaning "forgotten".
"""
from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

from bot.cli import command_modules
from handlers.features import FEATURES
from reminders.planner import push_modules
from tests.unit.test_layers import ROOT
from texts import DEFAULT_LOCALE


def defining(folder: str, name: str, *, function: bool = False, root: Path = ROOT) -> list[str]:
    """Modules under `folder` that define `name` at top level (an assignment, or a function), sorted."""
    found = []
    for path in sorted((root / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if any(_defines(node, name, function) for node in tree.body):
            parts = list(path.relative_to(root).with_suffix("").parts)
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(found)


def _defines(node: ast.stmt, name: str, function: bool) -> bool:
    if function:
        return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    return isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name


def names(modules: tuple[ModuleType, ...]) -> list[str]:
    return sorted(m.__name__ for m in modules)


def test_every_flow_feature_is_listed() -> None:
    defined = defining("handlers", "FEATURE")
    assert defined, "no module defines FEATURE"
    listed = sorted(name for name in defined if any(f is importlib.import_module(name).FEATURE for f in FEATURES))
    assert listed == defined, "add the missing modules' FEATURE to handlers/features.py"
    assert len(FEATURES) == len(defined)


def test_every_catalog_module_is_listed() -> None:
    defined = defining("texts", "TEXTS")
    assert defined
    locales = sorted({name.rsplit(".", 1)[0] for name in defined})
    assert f"texts.{DEFAULT_LOCALE}" in locales
    for locale in locales:
        listed = names(importlib.import_module(locale).MODULES)
        assert listed == sorted(n for n in defined if n.rsplit(".", 1)[0] == locale), f"see {locale}.MODULES"


def test_every_push_module_is_listed() -> None:
    defined = defining("reminders", "KINDS")
    assert defined
    assert names(push_modules()) == defined, "add the missing modules to reminders/planner.py push_modules()"


def test_every_command_module_is_listed() -> None:
    defined = defining("bot", "register", function=True)
    assert defined
    assert names(command_modules()) == defined, "add the missing modules to bot/cli.py command_modules()"


def test_the_scan_sees_plain_and_annotated_definitions_but_not_nested_ones(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "plain.py").write_text("FEATURE = object()\n", encoding="utf-8")
    (pkg / "sub" / "annotated.py").write_text("FEATURE: object = object()\n", encoding="utf-8")
    (pkg / "nested.py").write_text("def f():\n    FEATURE = 1\nclass C:\n    FEATURE = 2\n", encoding="utf-8")
    (pkg / "cli_x.py").write_text("def register(cli):\n    pass\n", encoding="utf-8")
    assert defining("pkg", "FEATURE", root=tmp_path) == ["pkg.plain", "pkg.sub.annotated"]
    assert defining("pkg", "register", function=True, root=tmp_path) == ["pkg.cli_x"]
