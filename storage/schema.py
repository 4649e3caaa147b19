"""The whole schema: every `storage/tables*.py` and `storage/projections*.py` module, loaded once.

Features add their tables and projectors in modules of their own; this is where they meet,
so migrations, rebuilds and the schema test see all of them.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache

from sqlalchemy import MetaData, Table


@dataclass(frozen=True)
class Schema:
    metadata: MetaData
    projection_tables: tuple[Table, ...]


@cache
def schema() -> Schema:
    import storage

    projection: list[Table] = []
    names = sorted(i.name for i in pkgutil.iter_modules(storage.__path__))
    for name in names:
        if name.startswith("tables"):
            module = importlib.import_module(f"storage.{name}")
            projection.extend(getattr(module, "PROJECTION_TABLES", ()))
    for name in names:
        if name.startswith("projections"):
            importlib.import_module(f"storage.{name}")
    from storage.tables import Base

    return Schema(Base.metadata, tuple(projection))
