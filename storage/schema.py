"""The whole schema: the tables `storage/tables/` registers and the projectors `storage/projectors/` lists.

This is where they meet, so migrations (storage/migrations/env.py), rebuilds and the schema
test see all of them; each package names its modules explicitly, nothing is found by filename.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import MetaData, Table


@dataclass(frozen=True)
class Schema:
    metadata: MetaData
    projection_tables: tuple[Table, ...]


@cache
def schema() -> Schema:
    import storage.projectors  # noqa: F401 - every projector registered, as a rebuild needs
    from storage.tables import PROJECTION_TABLES, metadata

    return Schema(metadata, PROJECTION_TABLES)
