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


async def signed_with_funds(db: Database, name: str, company: str, *, funds_wan: int | None = 5000,
                            contract_wan: int = 50000) -> tuple[int, int | None]:
    """A project of `name`'s unit, signed through the use cases, with one funds report: (project id, its seq)."""
    from core.names import normalize_company_name
    from core.stages import Stage
    from core.usecases import leads, projects

    actor = await member(db, name)
    async with db.uow() as uow:
        draft = leads.LeadDraft(name=company, normalized_name=normalize_company_name(company), owner_unit=actor.unit,
                                industry="电子信息制造", intended_wan=contract_wan)
        p = await leads.log_lead(uow, actor, leads.LogLead(draft))
        await projects.change_stage(uow, actor, projects.ChangeStage(p.id, Stage.SIGNED, contract_wan=contract_wan))
        seq = None
        if funds_wan is not None:
            await projects.add_funds(uow, actor, projects.AddFunds(p.id, funds_wan))
            seq = (await uow.evidence.reports_of(p.id))[-1].seq
        await uow.commit()
    return p.id, seq
