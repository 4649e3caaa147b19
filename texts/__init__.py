"""The text catalog: every sentence a user reads, per language (Chinese first).

Each language is a package of modules, one per feature, each defining TEXTS; the package lists
them and they are merged on first use, so features add their sentences without touching each
other's files. `texts.formatting` says how values look (amounts, stages, dates). Its own folder,
importing only `core`, so the chat (handlers), the reports and the pushes (reminders) share it.
"""
from __future__ import annotations

import importlib
from typing import Any

DEFAULT_LOCALE = "zh_CN"
_loaded: dict[str, dict[str, str]] = {}
_locale = DEFAULT_LOCALE


def _texts(locale: str) -> dict[str, str]:
    if locale not in _loaded:
        _loaded[locale] = importlib.import_module(f"texts.{locale}").load()
    return _loaded[locale]


def use_locale(locale: str) -> None:
    """Chosen once at start-up from the settings."""
    global _locale
    _texts(locale)
    _locale = locale


def t(key: str, **params: Any) -> str:
    """The text for a key, formatted; a missing key is a bug, so it fails loudly in tests."""
    text = _texts(_locale)[key]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in _texts(_locale)
