"""`uow.projects`: projects, their notes and problems, and their events, as core records."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.project_list import ProjectPage, ProjectQuery
from core.records import Event, FundEntry, Note, Project, ProjectTraits, Timeline
from core.stages import Stage, rank
from storage.direct import direct
from storage.ledger import row_to_event
from storage.ledger_lock import FREE
from storage.projectors.records import FLAG_COLUMNS, lead_row
from storage.tables.facts import FundFactRow, StageFactRow
from storage.session_connection import SessionConnection
from storage.tables.ledger import EventRow
from storage.tables.projects import NoteRow, ProjectRow


def to_project(r: Any) -> Project:
    """A project from a ProjectRow or a row of the projects table's columns."""
    flags = frozenset(name for name, col in FLAG_COLUMNS.items() if getattr(r, col))
    return Project(
        id=r.id, name=r.name, normalized_name=r.normalized_name, credit_code=r.credit_code, industry=r.industry,
        stage=Stage(r.stage), category=r.category, source=r.source, contact=r.contact,
        intended_wan=r.intended_wan, contract_wan=r.contract_wan, planned_wan=r.planned_wan, funds_wan=r.funds_wan,
        foreign_wan=r.foreign_wan, foreign_currency=r.foreign_currency, flags=flags, owner_unit=r.owner_unit,
        responsible_unit=r.responsible_unit, responsible_person=r.responsible_person,
        leader_member_id=r.leader_member_id, created_by=r.created_by, created_at=r.created_at,
        updated_at=r.updated_at, terminated_reason=r.terminated_reason, duplicate_of=r.duplicate_of,
        content=r.content, next_steps=r.next_steps, voided_at=r.voided_at, void_reason=r.void_reason,
        industry_other=r.industry_other)


# Every list leaves out a voided project (entered by mistake); `get`, /history and the ledger still show it.
LISTED = ProjectRow.voided_at.is_(None)


def to_note(r: NoteRow) -> Note:
    return Note(id=r.id, project_id=r.project_id, at=r.at, author_id=r.author_id, kind=r.kind, text=r.text,
                next_steps=r.next_steps, resolved_at=r.resolved_at)


# Read as plain rows on the unit of work's connection: ORM entities cost more to load than the query
# (a lead's duplicate check and re-read were a tenth of a message's CPU, docs/BENCHMARKS.md).
_PROJECT = direct(select(ProjectRow.__table__).where(ProjectRow.__table__.c.id == bindparam("id")))
_UNSET = {c.name: None for c in ProjectRow.__table__.c}
_P = ProjectRow.__table__
# A 确认 runs the first (log_lead's same-company check), a lead line the second (the duplicate hints): built once.
_BY_NAME = direct(select(_P).where(_P.c.normalized_name == bindparam("normalized"), _P.c.voided_at.is_(None))
                  .order_by(_P.c.id))
_TRAITS = direct(select(_P.c.id, _P.c.normalized_name, _P.c.credit_code, _P.c.industry, _P.c.intended_wan, _P.c.contact)
                 .where(_P.c.voided_at.is_(None)))


class SqlProjectRepository:
    def __init__(self, session: AsyncSession, conn: SessionConnection | None = None, *, remember: bool = False) -> None:
        self.s = session
        self.c: AsyncSession | SessionConnection = session if conn is None else conn
        # A writer's reads of one project, kept until an event of that project is recorded or the transaction
        # ends (SqlUnitOfWork says when): it holds the ledger lock, so nobody else changes the row meanwhile, and
        # a use case's read before appending is often the previous one's read after (an import's thousands).
        self.remember = remember
        self.recent: dict[int, Project] = {}
        # The duplicate hints' scan, kept likewise until anything is recorded: a lead line checks the same name
        # and then the related entries (handlers/matching.py), one scan where there were two.
        self._traits: list[ProjectTraits] | None = None

    def forget(self, project_id: int | None = None) -> None:
        """An event of this project was recorded (None: the transaction ended): its read and the scan are stale."""
        self._traits = None
        if project_id is None:
            self.recent.clear()
        else:
            self.recent.pop(project_id, None)

    def created(self, lead: Event) -> None:
        """The project a lead just created, as its projector wrote it: the use case's read after logging costs
        no statement. The columns a lead leaves empty are None; times come back from the table as aware UTC."""
        if not self.remember:
            return
        row = {**_UNSET, **lead_row(lead)}
        row["created_at"] = row["updated_at"] = lead.at.astimezone(timezone.utc)
        self.recent[lead.project_id or lead.seq] = to_project(SimpleNamespace(**row))

    async def _list(self, q: Any) -> list[Project]:
        # An ORM select of ProjectRow run on a connection yields rows of its columns, not entities.
        return [to_project(r) for r in (await self.c.execute(q)).all()]

    async def get(self, project_id: int) -> Project | None:
        found = self.recent.get(project_id)
        if found is not None:
            return found
        row = (await self.c.execute(_PROJECT, {"id": project_id})).first()
        if row is None:
            return None
        found = to_project(row)
        if self.remember:
            self.recent[project_id] = found
        return found

    async def many(self, ids: list[int]) -> list[Project]:
        found = {p.id: p for p in await self._list(select(ProjectRow).where(ProjectRow.id.in_(ids)))}
        return [found[i] for i in ids if i in found]

    async def by_credit_code(self, code: str) -> list[Project]:
        return await self._list(select(ProjectRow).where(ProjectRow.credit_code == code, LISTED)
                                .order_by(ProjectRow.id))

    async def by_normalized_name(self, normalized: str) -> list[Project]:
        return [to_project(r) for r in (await self.c.execute(_BY_NAME, {"normalized": normalized})).all()]

    async def names(self) -> list[tuple[int, str]]:
        # Lock-free: the scan behind the "similar name?" hint and the search by name, never what an
        # append relies on (storage/ledger_lock.py).
        rows = await self.s.execute(select(ProjectRow.id, ProjectRow.normalized_name).where(LISTED),
                                    execution_options=FREE)
        return [(r.id, r.normalized_name) for r in rows]

    async def traits(self) -> list[ProjectTraits]:
        # Lock-free like `names`: the possible duplicates are a hint the person decides on, never what an append
        # relies on (log_lead re-checks the same code and the same name under the lock).
        if self._traits is not None:
            return self._traits
        if isinstance(self.c, SessionConnection):
            rows: Any = await self.c.execute(_TRAITS, lock_free=True)
        else:
            rows = await self.s.execute(_TRAITS, execution_options=FREE)
        found = [ProjectTraits(*row) for row in rows]
        if self.remember:
            self._traits = found
        return found

    async def of_unit(self, unit: str, *, live_only: bool = True) -> list[Project]:
        q = select(ProjectRow).where(or_(ProjectRow.responsible_unit == unit, ProjectRow.owner_unit == unit), LISTED)
        if live_only:
            q = q.where(ProjectRow.stage != Stage.TERMINATED.value)
        return await self._list(q.order_by(ProjectRow.updated_at.desc()))

    async def stale(self, unit: str | None, before: datetime) -> list[Project]:
        q = select(ProjectRow).where(ProjectRow.updated_at < before, ProjectRow.stage != Stage.TERMINATED.value, LISTED)
        if unit is not None:
            q = q.where(or_(ProjectRow.responsible_unit == unit, ProjectRow.owner_unit == unit))
        return await self._list(q.order_by(ProjectRow.updated_at))

    async def notes(self, project_id: int, *, limit: int = 5) -> list[Note]:
        rows = (await self.s.execute(select(NoteRow).where(NoteRow.project_id == project_id)
                                     .order_by(NoteRow.id.desc()).limit(limit))).scalars()
        return [to_note(r) for r in rows]

    async def open_problems(self, project_id: int) -> list[Note]:
        rows = (await self.s.execute(select(NoteRow).where(
            NoteRow.project_id == project_id, NoteRow.kind == "problem", NoteRow.resolved_at.is_(None))
            .order_by(NoteRow.id))).scalars()
        return [to_note(r) for r in rows]

    async def all_open_problems(self, *, limit: int = 50) -> tuple[int, list[Note]]:
        """Every open problem city-wide (how many, and the newest `limit`): the 驾驶舱's coordination list."""
        voided = NoteRow.project_id.in_(select(ProjectRow.id).where(ProjectRow.voided_at.is_not(None)))
        open_ = (NoteRow.kind == "problem", NoteRow.resolved_at.is_(None), ~voided)
        total = (await self.s.execute(select(func.count()).select_from(NoteRow).where(*open_))).scalar_one()
        rows = (await self.s.execute(select(NoteRow).where(*open_).order_by(NoteRow.id.desc()).limit(limit))).scalars()
        return int(total), [to_note(r) for r in rows]

    async def events(self, project_id: int, *, limit: int | None = None) -> list[Event]:
        q = select(EventRow).where(EventRow.project_id == project_id).order_by(EventRow.seq.desc())
        if limit:
            q = q.limit(limit)
        rows = (await self.s.execute(q)).scalars().all()
        return [row_to_event(r) for r in reversed(rows)]

    async def timeline(self, project_id: int) -> Timeline:
        stages = (await self.s.execute(
            select(StageFactRow.event_seq, StageFactRow.at, StageFactRow.stage_rank, StageFactRow.contract_wan)
            .where(StageFactRow.project_id == project_id).order_by(StageFactRow.at, StageFactRow.event_seq))).all()
        signed = next((r.at for r in stages if r.stage_rank >= rank(Stage.SIGNED)), None)
        contract = next((r.event_seq for r in reversed(stages) if r.contract_wan is not None), None)
        facts = (await self.s.execute(
            select(FundFactRow.event_seq, FundFactRow.entry_seq, FundFactRow.at, FundFactRow.recorded_at,
                   FundFactRow.amount_wan)
            .where(FundFactRow.project_id == project_id).order_by(FundFactRow.event_seq))).all()
        entries = {r.event_seq: r for r in facts if r.entry_seq == r.event_seq}
        counted = {seq: r.amount_wan for seq, r in entries.items()}
        for r in facts:
            if r.entry_seq != r.event_seq and r.entry_seq in counted:
                counted[r.entry_seq] += r.amount_wan
        funds = tuple(FundEntry(seq, r.at, r.recorded_at, counted[seq], r.amount_wan) for seq, r in entries.items())
        return Timeline(stage_at=stages[-1].at if stages else None, signed_at=signed, contract_seq=contract,
                        funds=funds)

    async def search(self, query: ProjectQuery) -> ProjectPage:
        from storage.queries.project_list import search_projects

        return await search_projects(self.s, query)
