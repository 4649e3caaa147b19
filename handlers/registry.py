"""What a feature contributes to the conversation core: commands, flows and stateless buttons.

A flow module defines `FEATURE` and `handlers/features.py` lists it (one line per feature); the
router merges them, so a feature brings its commands, flows and buttons without editing the router.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache

from handlers.context import Ctx
from handlers.flows.base import Flow

Run = Callable[[Ctx, str], Awaitable[None]]
# A message no command, flow or button took: True when the feature answered it (e.g. a question).
Fallback = Callable[[Ctx, str], Awaitable[bool]]


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
    fallbacks: tuple[Fallback, ...] = ()
    file_handlers: tuple[Fallback, ...] = ()   # a photo or file sent (ctx.inbound.attachment; text: its caption)


@dataclass(frozen=True)
class Registry:
    commands: dict[str, Command]
    flows: dict[str, Flow]
    actions: dict[str, Run]
    fallbacks: tuple[Fallback, ...] = ()
    file_handlers: tuple[Fallback, ...] = ()


@cache
def registry() -> Registry:
    from handlers.features import FEATURES  # here, not at the top: the flow modules import this one

    commands: dict[str, Command] = {}
    flows: dict[str, Flow] = {}
    actions: dict[str, Run] = {}
    fallbacks: list[Fallback] = []
    file_handlers: list[Fallback] = []
    for feature in FEATURES:
        fallbacks += feature.fallbacks
        file_handlers += feature.file_handlers
        for c in feature.commands:
            _add(commands, c.name, c, "command")
        for f in feature.flows:
            _add(flows, f.name, f, "flow")
        for name, run in feature.actions.items():
            _add(actions, name, run, "button action")
    ordered = dict(sorted(commands.items(), key=lambda kv: (kv[1].order, kv[0])))
    return Registry(ordered, flows, actions, tuple(fallbacks), tuple(file_handlers))


def _add(table: dict, key: str, value: object, what: str) -> None:  # type: ignore[type-arg]
    if key in table:
        raise RuntimeError(f"{what} {key!r} registered twice")
    table[key] = value
