"""简体中文文案: the union of the modules listed below (one module per feature).

The list is explicit so a reader (and a type checker) sees every source of sentences; a test
(tests/unit/test_registries.py) fails when a module defining TEXTS is missing from it.
"""
from __future__ import annotations

from types import ModuleType

from texts.zh_CN import (ask, base, calendar, calendar_ops, cli, corrections, evidence, groups, importing, org_config,
                         reports, sharing, web, wecom)

MODULES: tuple[ModuleType, ...] = (ask, base, calendar, calendar_ops, cli, corrections, evidence, groups, importing,
                                   org_config, reports, sharing, web, wecom)


def load() -> dict[str, str]:
    texts: dict[str, str] = {}
    for module in MODULES:
        clash = texts.keys() & module.TEXTS.keys()
        if clash:
            raise RuntimeError(f"catalog keys defined twice: {sorted(clash)[:5]}")
        texts.update(module.TEXTS)
    return texts
