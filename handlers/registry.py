"""What a feature contributes to the conversation core: commands, flows and stateless buttons.

Every module in `handlers.flows` may define `FEATURE`; the router merges them, so a feature
is added by adding its module, without editing a shared table.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache

from handlers.context import Ctx
from handlers.flows.base import Flow

Run = Callable[[Ctx, str], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    run: Run | None = None
    flow: str | None = None
    in_menu: bool = True
    order: int = 100          # position in /help and in the channel's command menu
    glued: tuple[str, ...] = ()  # aliases that may run straight into the argument: 查询比亚迪


@dataclass(frozen=True)
class Feature:
    commands: tuple[Command, ...] = ()
    flows: tuple[Flow, ...] = ()
    actions: dict[str, Run] = field(default_factory=dict)


@dataclass(frozen=True)
class Registry:
    commands: dict[str, Command]
    flows: dict[str, Flow]
    actions: dict[str, Run]


@cache
def registry() -> Registry:
    import handlers.flows as package

    commands: dict[str, Command] = {}
    flows: dict[str, Flow] = {}
    actions: dict[str, Run] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        feature = getattr(importlib.import_module(f"{package.__name__}.{info.name}"), "FEATURE", None)
        if feature is None:
            continue
        for c in feature.commands:
            _add(commands, c.name, c, "command")
        for f in feature.flows:
            _add(flows, f.name, f, "flow")
        for name, run in feature.actions.items():
            _add(actions, name, run, "button action")
    ordered = dict(sorted(commands.items(), key=lambda kv: (kv[1].order, kv[0])))
    return Registry(ordered, flows, actions)


def _add(table: dict, key: str, value: object, what: str) -> None:  # type: ignore[type-arg]
    if key in table:
        raise RuntimeError(f"{what} {key!r} registered twice")
    table[key] = value
