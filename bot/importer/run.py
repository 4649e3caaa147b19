"""Carry a sheet's rows out through the use cases a person would have used, in time order, in one
transaction per file (a dry run rolls it back): each row logged, moved to its stage on the dates the sheet
gives, its funds added; a row already imported is compared and only what changed is recorded."""
from __future__ import annotations

import sys
import time as timer
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.importer.sheet_file import Sheet
from core import events as ev
from core.clock import FixedClock
from core.errors import Refusal
from core.org import FLAGS, OrgConfig
from core.projects import default_flags
from core.records import Member, Project
from core.roles import Role
from core.stages import LIFECYCLE, Stage, rank
from core.usecases import leads
from core.usecases import projects as uc
from handlers.importing.headers import HeaderMap, Synonyms, find_header
from handlers.importing.rows import Problem, RowContext, RowData, is_blank, is_total, read_row
from storage import ledger
from storage.database import Database
from storage.queries.export import all_projects
from storage.tables.ledger import EventRow
from texts import t
from texts.formatting import refusal_params

IMPORTED, UPDATED, UNCHANGED, REFUSED, DUPLICATE, SKIPPED = (
    "imported", "updated", "unchanged", "refused", "duplicate", "skipped")
COUNTED = (IMPORTED, UPDATED, UNCHANGED, REFUSED, DUPLICATE)
DAY_TIME = time(9, 0)     # a dated event is recorded at 09:00 local on its day
MAX_RETRIES = 50


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


@dataclass(frozen=True)
class Action:
    when: date | None            # None: the import time
    order: int                   # the row's position, then the step's, so a row's steps stay in order
    row: RowData
    kind: str                    # lead | stage | funds | correct | problem
    data: dict[str, Any] = field(default_factory=dict)


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
        from handlers.importing.rows import find_unit
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
            actions = _new_actions(row, i)
            res = RowResult(number, IMPORTED, t("import.result.imported", stage=row.stage))
        else:
            diff = _update_actions(row, match, i)
            if isinstance(diff, str):
                result.rows.append(RowResult(number, REFUSED, diff, match.id))
                continue
            actions, said = diff
            res = RowResult(number, UPDATED if actions else UNCHANGED,
                            t("import.result.updated", id=match.id, what="、".join(said)) if actions
                            else t("import.result.unchanged", id=match.id), match.id)
        planned.append((row, actions, res))
    if progress:
        progress(len(data_rows), len(data_rows), timer.perf_counter() - started)
    source = {"file_sha256": sheet.sha256, "sheet": sheet.name}
    refused: dict[int, str] = {}
    for _ in range(MAX_RETRIES):
        failed = await _apply(db, clock, actor, planned, refused, source, tz, now, last_at, result, dry_run)
        if failed is None:
            break
    for row, _, res in planned:
        if row.number in refused:
            res.status, res.message = REFUSED, refused[row.number]
        result.rows.append(res)
    result.rows.sort(key=lambda r: r.number)
    clock.set(now)
    result.seconds = timer.perf_counter() - started
    return result


async def _apply(db: Database, clock: FixedClock, actor: Member, planned: list[tuple[RowData, list[Action], RowResult]],
                 refused: dict[int, str], source: dict[str, Any], tz: ZoneInfo, now: datetime,
                 last_at: datetime | None, result: ImportResult, dry_run: bool) -> int | None:
    """One transaction for the file. A use case refusing a row rolls it back; the row is marked and the
    file tried again without it (returns its number)."""
    actions = [a for row, acts, _ in planned if row.number not in refused for a in acts]
    actions.sort(key=lambda a: (a.when is None, a.when or date.min, a.order))
    pid: dict[int, int] = {row.number: res.project_id for row, _, res in planned if res.project_id}
    floor = last_at
    events = late = 0
    async with db.uow() as uow:
        for a in actions:
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
            floor = at
            try:
                project_id = await _do(uow, actor, a, pid.get(a.row.number), imported)
            except Refusal as r:
                refused[a.row.number] = _refusal_text(r)
                return a.row.number
            if project_id is not None:
                pid[a.row.number] = project_id
            events += 1
        if not dry_run:
            await uow.commit()
    for row, _, res in planned:
        res.project_id = pid.get(row.number, res.project_id)
    result.events, result.late_dated = events, late
    return None


async def _do(uow: Any, actor: Member, a: Action, project_id: int | None, imported: dict[str, Any]) -> int | None:
    row = a.row
    if a.kind == "lead":
        draft = leads.LeadDraft(
            name=row.name, normalized_name=row.normalized_name, owner_unit=row.owner_unit,
            credit_code=row.credit_code, industry=row.industry, intended_wan=row.intended_wan,
            foreign_wan=row.foreign_wan, foreign_currency=row.foreign_currency, source=row.source,
            contact=row.contact, content=row.content, category=row.category, flags=row.flags,
            responsible_unit=row.responsible_unit, responsible_person=row.responsible_person,
            stage=Stage.NEGOTIATING if row.stage is Stage.NEGOTIATING else Stage.LEAD)
        project = await leads.log_lead(uow, actor, leads.LogLead(draft, imported=imported))
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


def _stage_steps(row: RowData, current: Stage, has_contract: bool, order: int, first: int) -> list[Action]:
    """The stage moves from `current` to the row's stage: one per dated stage on its date, then the row's
    stage (undated: the import time); the contract amount goes with the first move to 签约 or beyond."""
    steps: list[Action] = []
    dated = dict(row.stage_dates)
    targets = [s for s in LIFECYCLE if rank(current) < rank(s) <= rank(row.stage) and s in dated] \
        if row.stage is not Stage.TERMINATED else [s for s in LIFECYCLE if rank(current) < rank(s) and s in dated]
    if row.stage not in targets and row.stage is not current:
        targets.append(row.stage)
    need_contract = not has_contract
    when: date | None = None
    for n, s in enumerate(targets):
        when = dated.get(s, when if s is not Stage.TERMINATED else None)
        data: dict[str, Any] = {"to": s}
        if need_contract and s is not Stage.TERMINATED and rank(s) >= rank(Stage.SIGNED):
            data["contract"], need_contract = row.contract_wan, False
        if s is Stage.TERMINATED:
            data["reason"] = row.terminated_reason or t("import.terminated_reason")
        steps.append(Action(when if s in dated else None, order * 100 + first + n, row, "stage", data))
    return steps


def _new_actions(row: RowData, order: int) -> list[Action]:
    first_date = row.lead_date or (row.stage_dates[0][1] if row.stage_dates else None)
    actions = [Action(first_date, order * 100, row, "lead")]
    start = Stage.NEGOTIATING if row.stage is Stage.NEGOTIATING else Stage.LEAD
    actions += _stage_steps(row, start, False, order, 1)
    if row.funds_wan:
        actions.append(Action(None, order * 100 + 50, row, "funds", {"amount": row.funds_wan}))
    if row.problem:
        actions.append(Action(None, order * 100 + 60, row, "problem", {"text": row.problem}))
    return actions


CORRECTED = ("credit_code", "industry", "category", "source", "contact", "responsible_person", "intended_wan",
             "foreign_wan", "foreign_currency")


def _update_actions(row: RowData, p: Project, order: int) -> tuple[list[Action], list[str]] | str:
    """What the row changes on the project it imported before, or why it cannot (the ledger only moves forward)."""
    actions: list[Action] = []
    said: list[str] = []
    if row.stage is not p.stage:
        if p.stage is Stage.TERMINATED or (row.stage is not Stage.TERMINATED and rank(row.stage) < rank(p.stage)):
            return t("import.result.stage_backwards", id=p.id, current=p.stage, target=row.stage)
        actions += _stage_steps(row, p.stage, p.contract_wan is not None, order, 1)
        said.append(t("import.changed.stage", stage=row.stage))
    if row.funds_wan < p.funds_wan:
        return t("import.result.funds_lower", id=p.id, ledger=p.funds_wan, sheet=row.funds_wan)
    if row.funds_wan > p.funds_wan:
        actions.append(Action(None, order * 100 + 50, row, "funds", {"amount": row.funds_wan - p.funds_wan}))
        said.append(t("import.changed.funds", amount=row.funds_wan - p.funds_wan))
    changes = {k: getattr(row, k) for k in CORRECTED if getattr(row, k) is not None and getattr(row, k) != getattr(p, k)}
    if row.flags != p.flags:
        changes["flags"] = sorted(row.flags)
    if changes:
        actions.append(Action(None, order * 100 + 40, row, "correct", {"changes": changes}))
        said.append(t("import.changed.fields", fields="、".join(t(f"import.field.{k}") for k in changes)))
    return actions, said


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


def print_progress(done: int, total: int, seconds: float) -> None:
    """A bar with rows per second, on the terminal only."""
    if not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // max(total, 1)
    rate = done / seconds if seconds > 0 else 0.0
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} 行  {rate:,.0f} 行/秒")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
