"""Helpers shared by tests: load an organisation, find members, dump tables."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.composition import initialise
from core.org import OrgConfig
from core.org_file import load_org
from core.records import Member
from storage.database import Database

ROOT = Path(__file__).resolve().parents[1]
MINI_ORG = ROOT / "tests" / "data" / "mini_org.toml"
DEMO_ORG = ROOT / "bot" / "data" / "guiyang.toml"


def mini_org() -> OrgConfig:
    return load_org(MINI_ORG.read_text(encoding="utf-8"), str(MINI_ORG))


async def setup_org(db: Database, org: OrgConfig | None = None) -> OrgConfig:
    org = org or mini_org()
    await initialise(db, org, demo_members=True)
    return org


async def member(db: Database, name: str) -> Member:
    async with db.uow(readonly=True) as uow:
        found = [m for m in await uow.org.members() if m.name == name]
    assert len(found) == 1, name
    return found[0]


async def dump(db: Database, tables: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the given tables, sorted, for comparing two states of a database."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with db.uow(readonly=True) as uow:
        for table in tables:
            rows = (await uow.session.execute(select(table))).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out
