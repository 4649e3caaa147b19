"""`uow.calendar`: the calendar's bookkeeping (which pushes were decided, small named state) and
the reads its pushes need (the monthly dispatch digest)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from core.records import DispatchData, Note, Project, StageMove
from core.stages import Stage
from storage.repositories.projects import to_note, to_project
from storage.tables.calendar import CalendarPushRow, CalendarStateRow
from storage.tables.ledger import EventRow
from storage.tables.projects import NoteRow, ProjectRow

LEADER_SOURCE = "领导带头招商"




class SqlCalendarStore:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    # -- bookkeeping ----------------------------------------------------------------------------
    async def decided(self, keys: Sequence[str]) -> set[str]:
        out: set[str] = set()
        keys = list(keys)
        for i in range(0, len(keys), 500):
            rows = await self.s.execute(select(CalendarPushRow.key).where(CalendarPushRow.key.in_(keys[i:i + 500])))
            out.update(rows.scalars())
        return out

    async def record(self, decisions: Sequence[dict[str, Any]]) -> None:
        """Write decisions (key, kind, period, member_id, due_at, status, decided_at, rows) in one statement."""
        if decisions:
            await self.s.execute(insert(CalendarPushRow), list(decisions))

    async def state(self, name: str) -> str | None:
        row = await self.s.get(CalendarStateRow, name)
        return None if row is None else row.value

    async def states(self, names: Sequence[str]) -> dict[str, str]:
        rows = await self.s.execute(select(CalendarStateRow.name, CalendarStateRow.value)
                                    .where(CalendarStateRow.name.in_(list(names))))
        return {name: value for name, value in rows}

    async def set_state(self, name: str, value: str, at: datetime) -> None:
        # An UPDATE's result is a CursorResult, which has the rowcount; Session.execute types it as a Result.
        done = cast(CursorResult[Any], await self.s.execute(
            update(CalendarStateRow).where(CalendarStateRow.name == name).values(value=value, updated_at=at)))
        if done.rowcount == 0:
            await self.s.execute(insert(CalendarStateRow).values(name=name, value=value, updated_at=at))

    async def statuses(self, keys: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        keys = list(keys)
        for i in range(0, len(keys), 500):
            rows = await self.s.execute(select(CalendarPushRow.key, CalendarPushRow.status)
                                        .where(CalendarPushRow.key.in_(keys[i:i + 500])))
            out.update({k: v for k, v in rows})
        return out

    async def pushes(self, *, kind: str | None = None) -> list[CalendarPushRow]:
        q = select(CalendarPushRow).order_by(CalendarPushRow.due_at, CalendarPushRow.key)
        if kind is not None:
            q = q.where(CalendarPushRow.kind == kind)
        return list((await self.s.execute(q)).scalars())

    # -- the monthly dispatch digest --------------------------------------------------------------
    async def dispatch(self, *, threshold_wan: int, month_start: datetime, stale_before: datetime) -> DispatchData:
        live = and_(ProjectRow.stage != Stage.TERMINATED.value, ProjectRow.voided_at.is_(None))
        amount = func.coalesce(ProjectRow.contract_wan, ProjectRow.intended_wan)
        key_rows = (await self.s.execute(select(ProjectRow).where(live, or_(
            amount >= threshold_wan, ProjectRow.leader_member_id.is_not(None), ProjectRow.source == LEADER_SOURCE))
            .order_by(amount.desc().nulls_last(), ProjectRow.id))).scalars()
        key_projects = [to_project(r) for r in key_rows]
        moves: dict[int, list[StageMove]] = {}
        ids = [p.id for p in key_projects]
        for i in range(0, len(ids), 500):
            rows = (await self.s.execute(select(EventRow).where(
                EventRow.type == ev.STAGE_CHANGED, EventRow.at >= month_start,
                EventRow.project_id.in_(ids[i:i + 500])).order_by(EventRow.seq))).scalars()
            for r in rows:
                p = json.loads(r.payload)
                # project_id is nullable, but these events were selected by their project's id.
                moves.setdefault(cast(int, r.project_id), []).append(StageMove(r.at, p["from"], p["to"]))
        note_rows = (await self.s.execute(select(NoteRow, EventRow.payload).join(EventRow, EventRow.seq == NoteRow.id)
                                          .where(NoteRow.kind == "problem", NoteRow.resolved_at.is_(None))
                                          .order_by(NoteRow.id))).all()
        problems: list[tuple[Note, Project]] = []
        for note, payload in note_rows:
            if not json.loads(payload).get("needs_city", True):
                continue
            row = await self.s.get(ProjectRow, note.project_id)
            if row is not None and row.stage != Stage.TERMINATED.value and row.voided_at is None:
                problems.append((to_note(note), to_project(row)))
        stale_rows = (await self.s.execute(select(ProjectRow).where(live, ProjectRow.updated_at < stale_before)
                                           .order_by(ProjectRow.updated_at, ProjectRow.id))).scalars()
        return DispatchData(key_projects, moves, problems, [to_project(r) for r in stale_rows])
