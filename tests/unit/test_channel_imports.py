"""No import cycle inside bot/channels/: each channel's modules share types through one contract module.

Imports are read with `ast` as in test_layers.py (lazy ones inside functions included), so a cycle
hidden behind a function-level import fails here too.
"""
from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.test_layers import ROOT, imports_of

CHANNELS = ROOT / "bot" / "channels"


def import_graph(folder: Path, root: Path = ROOT) -> dict[str, set[str]]:
    """module → the modules of the same folder it imports; `from pkg import mod` counts as pkg.mod."""
    names = {_name(path, root): path for path in sorted(folder.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        targets = {imported for _, imported in imports_of(path, name)}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets |= {f"{node.module}.{alias.name}" for alias in node.names}
        graph[name] = {t for t in targets if t in names and t != name}
    return graph


def _name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk, each as the path that closes it."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_no_import_cycle_in_bot_channels() -> None:
    graph = import_graph(CHANNELS)
    assert "bot.channels.telegram.contract" in graph and "bot.channels.wecom.contract" in graph
    assert [" → ".join(cycle) for cycle in cycles(graph)] == []


def test_the_check_finds_a_cycle_through_a_lazy_import(tmp_path: Path) -> None:
    pkg = tmp_path / "chan"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "a.py").write_text("from chan.b import x\n", encoding="utf-8")
    (pkg / "b.py").write_text("def f():\n    from chan import a\n", encoding="utf-8")
    (pkg / "c.py").write_text("import chan.a\n", encoding="utf-8")
    graph = import_graph(pkg, tmp_path)
    assert graph == {"chan": set(), "chan.a": {"chan.b"}, "chan.b": {"chan", "chan.a"}, "chan.c": {"chan.a"}}
    assert cycles(graph) == [["chan.a", "chan.b", "chan.a"]]
