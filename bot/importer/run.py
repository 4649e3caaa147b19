"""Carry a sheet's rows out through the use cases a person would have used, in time order, in one
transaction per file (a dry run rolls it back): each row logged, moved to its stage on the dates the sheet
gives, its funds added; a row already imported is compared and only what changed is recorded."""
from __future__ import annotations

import time as timer
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.importer.plan import Action, new_actions, update_actions
from bot.importer.sheet_file import Sheet
from core import events as ev
from core.clock import FixedClock
from core.errors import Refusal
from core.org import FLAGS
from core.projects import default_flags
from core.records import Member, Project, ProjectTraits
from core.roles import Role
from core.stages import Stage
from core.usecases import leads
from core.usecases import projects as uc
from handlers.importing.headers import HeaderMap, Synonyms, find_header
from handlers.importing.cells import Problem, is_blank, is_total
from handlers.importing.duplicates import possible_twins
from handlers.importing.rows import RowContext, RowData, read_row
from storage import ledger
from storage.database import Database
from storage.queries.export import all_projects
from storage.tables.ledger import EventRow
from texts import t
from texts.formatting import refusal_params

IMPORTED, UPDATED, UNCHANGED, REFUSED, DUPLICATE, SKIPPED, POSSIBLE = (
    "imported", "updated", "unchanged", "refused", "duplicate", "skipped", "possible")
COUNTED = (IMPORTED, UPDATED, UNCHANGED, REFUSED, DUPLICATE, POSSIBLE)
DAY_TIME = time(9, 0)     # a dated event is recorded at 09:00 local on its day


@dataclass
class RowResult:
    number: int
    status: str
    message: str
    project_id: int | None = None


@dataclass
class ImportResult:
    sheet: str
    sha256: str
    header: HeaderMap
    rows: list[RowResult] = field(default_factory=list)
    events: int = 0
    late_dated: int = 0          # events recorded at import time with the row's date in the payload
    dry_run: bool = False
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


class HeaderNotFound(Exception):
    pass


def _problem_text(p: Problem) -> str:
    return t(f"import.problem.{p.code}", **refusal_params(p.params))


def _refusal_text(r: Refusal) -> str:
    key = f"refusal.{r.code}"
    return t(key, **refusal_params(r.params))


async def import_sheet(db: Database, clock: FixedClock, sheet: Sheet, *, actor_name: str | None,
                       default_unit: str | None, synonyms: Synonyms, tz: ZoneInfo, dry_run: bool,
                       progress: Callable[[int, int, float], None] | None = None) -> ImportResult:
    started = timer.perf_counter()
    now = clock.now()
    header = find_header(sheet.rows, synonyms)
    if header is None:
        raise HeaderNotFound(t("import.no_header"))
    async with db.uow(readonly=True) as uow:
        cfg = await uow.org.config()
        members = await uow.org.members()
        existing = await all_projects(uow.session)
        origins = await _import_origins(uow.session)
        last_at = await ledger.last_at(uow.session)
    if cfg is None:
        raise HeaderNotFound(t("import.no_org"))
    actor = _actor(members, actor_name)
    unit = None
    if default_unit:
        from handlers.importing.cells import find_unit
        unit = find_unit(cfg, default_unit)
        if unit is None:
            raise HeaderNotFound(t("refusal.unknown_unit", unit=default_unit))
    flag_names = {f: t(f"flag.{f}") for f in FLAGS}
    ctx = RowContext(cfg, now.astimezone(tz).date(), unit or (actor.unit if actor.role is not Role.OFFICE_ADMIN
                                                                else None),
                     flag_names, contract_from_intended=header.of("contract") is None)
    result = ImportResult(sheet.name, sheet.sha256, header, dry_run=dry_run)
    by_code = {p.credit_code: p for p in existing if p.credit_code}
    by_name: dict[str, Project] = {}
    for p in existing:
        by_name.setdefault(p.normalized_name, p)
    seen: dict[str, int] = {}
    planned: list[tuple[RowData, list[Action], RowResult]] = []
    fresh: list[tuple[int, ProjectTraits]] = []       # new rows, for the possible-duplicate levels
    leads_of: dict[int, tuple[Action, RowResult, RowData]] = {}
    data_rows = sheet.rows[header.row + 1:]
    for i, values in enumerate(data_rows):
        number = header.row + 2 + i
        if progress and i and i % 500 == 0:
            progress(i, len(data_rows), timer.perf_counter() - started)
        if is_blank(values):
            continue
        if is_total(values):
            result.rows.append(RowResult(number, SKIPPED, t("import.result.total")))
            continue
        got = read_row(number, values, header, ctx)
        if isinstance(got, list):
            result.rows.append(RowResult(number, REFUSED, "；".join(_problem_text(p) for p in got)))
            continue
        row = got
        keys = [k for k in (f"code:{row.credit_code}" if row.credit_code else None, f"name:{row.normalized_name}")
                if k]
        twin = next((seen[k] for k in keys if k in seen), None)
        if twin is not None:
            result.rows.append(RowResult(number, DUPLICATE, t("import.result.twin", row=twin)))
            continue
        for k in keys:
            seen[k] = number
        match = (by_code.get(row.credit_code) if row.credit_code else None) or by_name.get(row.normalized_name)
        if match is not None and match.id not in origins:
            result.rows.append(RowResult(number, DUPLICATE, t("import.result.in_ledger", id=match.id,
                                                                name=match.name), match.id))
            continue
        has_flags = header.of("flags") is not None
        row = replace(row, flags=row.flags if has_flags else frozenset(default_flags(row.industry)))
        if match is None:
            actions = new_actions(row, i)
            res = RowResult(number, IMPORTED, t("import.result.imported", stage=row.stage))
            fresh.append((number, ProjectTraits(0, row.normalized_name, row.credit_code, row.industry,
                                                row.intended_wan, row.contact)))
            leads_of[number] = (actions[0], res, row)
        else:
            diff = update_actions(row, match, i)
            if isinstance(diff, str):
                result.rows.append(RowResult(number, REFUSED, diff, match.id))
                continue
            actions, said = diff
            res = RowResult(number, UPDATED if actions else UNCHANGED,
                            t("import.result.updated", id=match.id, what="、".join(said)) if actions
                            else t("import.result.unchanged", id=match.id), match.id)
        planned.append((row, actions, res))
    _flag_possible(fresh, existing, leads_of)
    if progress:
        progress(len(data_rows), len(data_rows), timer.perf_counter() - started)
    source = {"file_sha256": sheet.sha256, "sheet": sheet.name}
    refused: dict[int, str] = {}
    # Each pass that meets refusals refuses at least one more row, so this ends; usually after one or two.
    while not await _apply(db, clock, actor, planned, refused, source, tz, now, last_at, result, dry_run):
        pass
    for row, _, res in planned:
        if row.number in refused:
            res.status, res.message = REFUSED, refused[row.number]
        result.rows.append(res)
    result.rows.sort(key=lambda r: r.number)
    clock.set(now)
    result.seconds = timer.perf_counter() - started
    return result


def _flag_possible(fresh: list[tuple[int, ProjectTraits]], existing: list[Project],
                   leads_of: dict[int, tuple[Action, RowResult, RowData]]) -> None:
    """New rows that may be a ledger entry or an earlier row (the chat's levels): imported, with the entry recorded
    as `duplicate_of` (the export's 疑似重复项目编号) and the row's result saying which and why — never merged."""
    ledger = [ProjectTraits(p.id, p.normalized_name, p.credit_code, p.industry, p.intended_wan, p.contact)
              for p in existing]
    names = {p.id: p.name for p in existing}
    for number, twin in possible_twins(fresh, ledger).items():
        lead, res, row = leads_of[number]
        why = t(f"import.why.{twin.reason}")
        res.status = POSSIBLE
        if twin.project_id is not None:
            lead.data["duplicate_of"] = twin.project_id
            res.message = t("import.result.possible_ledger", stage=row.stage, id=twin.project_id,
                            name=names[twin.project_id], why=why)
        else:
            lead.data["duplicate_row"] = twin.row
            res.message = t("import.result.possible_row", stage=row.stage, row=twin.row, why=why)


async def _apply(db: Database, clock: FixedClock, actor: Member, planned: list[tuple[RowData, list[Action], RowResult]],
                 refused: dict[int, str], source: dict[str, Any], tz: ZoneInfo, now: datetime,
                 last_at: datetime | None, result: ImportResult, dry_run: bool) -> bool:
    """One transaction for the file; True when it went through. A use case refusing a row leaves none of that
    row's events: the row is marked and the pass goes on without its later steps, to find every row refused in
    one pass (each row is its own project, so one row's refusal does not depend on another's); then the pass is
    rolled back and the file tried again without them (returns False). A pass per refused row, as before, cost
    a whole file each."""
    actions = [a for row, acts, _ in planned if row.number not in refused for a in acts]
    actions.sort(key=lambda a: (a.when is None, a.when or date.min, a.order))
    pid: dict[int, int] = {row.number: res.project_id for row, _, res in planned if res.project_id}
    floor = last_at
    events = late = 0
    failed = False
    async with db.uow() as uow:
        for a in actions:
            if a.row.number in refused:
                continue
            imported: dict[str, Any] = {**source, "row": a.row.number}
            at = now
            if a.when is not None:
                dated = datetime.combine(a.when, DAY_TIME, tzinfo=tz).astimezone(timezone.utc)
                if (floor is None or dated >= floor) and dated <= now:
                    at = dated
                else:
                    imported["on"] = a.when.isoformat()
                    late += 1
            clock.set(at)
            try:
                project_id = await _do(uow, actor, a, pid.get(a.row.number), imported, pid)
            except Refusal as r:
                refused[a.row.number] = _refusal_text(r)
                failed = True
                continue
            floor = at
            if project_id is not None:
                pid[a.row.number] = project_id
            events += 1
        if failed:
            return False
        if not dry_run:
            await uow.commit()
    for row, _, res in planned:
        res.project_id = pid.get(row.number, res.project_id)
    result.events, result.late_dated = events, late
    return True


async def _do(uow: Any, actor: Member, a: Action, project_id: int | None, imported: dict[str, Any],
              by_row: dict[int, int]) -> int | None:
    row = a.row
    if a.kind == "lead":
        draft = leads.LeadDraft(
            name=row.name, normalized_name=row.normalized_name, owner_unit=row.owner_unit,
            credit_code=row.credit_code, industry=row.industry, intended_wan=row.intended_wan,
            foreign_wan=row.foreign_wan, foreign_currency=row.foreign_currency, source=row.source,
            contact=row.contact, content=row.content, category=row.category, flags=row.flags,
            responsible_unit=row.responsible_unit, responsible_person=row.responsible_person,
            stage=Stage.NEGOTIATING if row.stage is Stage.NEGOTIATING else Stage.LEAD)
        twin = a.data.get("duplicate_of") or by_row.get(a.data.get("duplicate_row", -1))
        project = await leads.log_lead(uow, actor, leads.LogLead(draft, duplicate_of=twin, imported=imported))
        return project.id
    assert project_id is not None
    if a.kind == "stage":
        await uc.change_stage(uow, actor, uc.ChangeStage(project_id, a.data["to"], contract_wan=a.data.get("contract"),
                                                         reason=a.data.get("reason"), imported=imported))
    elif a.kind == "funds":
        await uc.add_funds(uow, actor, uc.AddFunds(project_id, a.data["amount"], row.funds_confirmed,
                                                   imported=imported))
    elif a.kind == "correct":
        await uc.correct_project(uow, actor, uc.CorrectProject(project_id, a.data["changes"], imported=imported))
    elif a.kind == "problem":
        await uc.raise_problem(uow, actor, uc.RaiseProblem(project_id, a.data["text"], imported=imported))
    return None


def _actor(members: list[Member], name: str | None) -> Member:
    if name is None:
        found = next((m for m in members if m.role is Role.OFFICE_ADMIN and m.active), None)
        if found is None:
            raise HeaderNotFound(t("import.no_admin"))
        return found
    hits = [m for m in members if m.name == name or str(m.id) == name]
    if len(hits) != 1:
        raise HeaderNotFound(t("import.actor_unknown", name=name))
    return hits[0]


async def _import_origins(session: Any) -> dict[int, dict[str, Any]]:
    """Projects an import created, with the row they came from (their lead.logged event says so)."""
    import json

    rows = await session.execute(select(EventRow.project_id, EventRow.payload).where(EventRow.type == ev.LEAD_LOGGED))
    out: dict[int, dict[str, Any]] = {}
    for project_id, payload in rows:
        if '"imported"' in payload:
            got = json.loads(payload).get("imported")
            if got:
                out[project_id] = got
    return out
