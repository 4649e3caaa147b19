"""No import cycle anywhere in core/: every import counts, lazy ones and TYPE_CHECKING blocks included,
since an import hidden inside a function is still an arrow (tests/unit/test_layers.py parses them)."""
from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.test_layers import ROOT, module_name, modules


def core_graph() -> dict[str, set[str]]:
    """Module → the core modules it imports; `from core import events` names the module core.events."""
    names = {module_name(p): p for p in modules("core")}
    graph: dict[str, set[str]] = {n: set() for n in names}
    for name, path in names.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else [])) \
                    if node.level else (node.module or "")
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in names else base for a in node.names]
            graph[name] |= {t for t in targets if t in names and t != name and names[t].name != "__init__.py"}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path that ends where it starts, or None."""
    state: dict[str, int] = {}   # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_core_has_no_import_cycle() -> None:
    graph = core_graph()
    assert "core.usecases.sharing" in graph and graph["core.ports"], "the graph was not read"
    cycle = find_cycle(graph)
    assert cycle is None, " → ".join(cycle or [])


def test_the_check_finds_a_cycle_through_a_lazy_import(tmp_path: Path) -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
