"""简体中文文案: the union of every module in this package (one module per feature)."""
from __future__ import annotations

import importlib
import pkgutil


def load() -> dict[str, str]:
    texts: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        clash = texts.keys() & module.TEXTS.keys()
        if clash:
            raise RuntimeError(f"catalog keys defined twice: {sorted(clash)[:5]}")
        texts.update(module.TEXTS)
    return texts
