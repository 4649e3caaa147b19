"""What several use cases do first: read what a command names, refusing when it is not there."""
from __future__ import annotations

from core.errors import Refusal
from core.org import OrgConfig
from core.payload import Payload
from core.ports import UnitOfWork
from core.projects import require_live_entry, require_write
from core.records import Event, Member, Project


async def append(uow: UnitOfWork, payload: Payload, *, actor: int | None, unit: str | None = None,
                 project_id: int | None = None, new_project: bool = False) -> Event:
    """Record a typed payload: its type names the event, its dict is what the ledger hashes."""
    return await uow.record(payload.TYPE, payload.to_dict(), actor=actor, unit=unit, project_id=project_id,
                            new_project=new_project)


async def org_config(uow: UnitOfWork) -> OrgConfig:
    cfg = await uow.org.config()
    if cfg is None:
        raise Refusal("unknown_unit", unit="—")
    return cfg


def unit_name(cfg: OrgConfig, code: str) -> str:
    return cfg.unit(code).name if cfg.has_unit(code) else code


async def project(uow: UnitOfWork, project_id: int) -> Project:
    found = await uow.projects.get(project_id)
    if found is None:
        raise Refusal("project_unknown", project_id=project_id)
    return found


async def writable(uow: UnitOfWork, actor: Member, project_id: int) -> Project:
    """The project, if the actor may write for its responsible unit and it was not voided."""
    found = await project(uow, project_id)
    require_write(actor, found.responsible_unit)
    require_live_entry(found)
    return found


async def reread(uow: UnitOfWork, project_id: int) -> Project:
    """The project as the event just appended left it (its projector has run)."""
    found = await uow.projects.get(project_id)
    assert found is not None
    return found
