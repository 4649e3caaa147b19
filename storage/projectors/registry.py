"""Which projectors follow which event type: filled by the `@projects(...)` decorator as modules load."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from core.records import Event

Projector = Callable[[AsyncSession, Event], Awaitable[None]]
# Several projectors may follow one event type (the projects table, reporting facts, sharing);
# they run in the order their modules are imported, which storage/projectors/__init__.py lists.
PROJECTORS: dict[str, list[Projector]] = {}


def projects(*types: str) -> Callable[[Projector], Projector]:
    def register(fn: Projector) -> Projector:
        for t in types:
            PROJECTORS.setdefault(t, []).append(fn)
        return fn
    return register
