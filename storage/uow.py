"""The SQL unit of work: one transaction, the ledger lock for writers, repositories over it."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.ports import (CalendarStore, ConversationRepository, Evidence, Figures, Opening, OrgRepository, Outbox,
                        ProjectRepository, ReportRepository, SharingRepository, TripRepository, UpdateLog, Chain,
                        WebAccess)
from core.events import LEAD_LOGGED
from core.records import Event
from storage import combined, ledger, projectors
from storage.engine import BEGIN_OPTION, RETRIED
from storage.ledger_lock import WRITER
from storage.repositories.calendar import SqlCalendarStore
from storage.repositories.chain import SqlChain
from storage.repositories.conversations import SqlConversationRepository
from storage.repositories.evidence import SqlEvidence
from storage.repositories.figures import SqlFigures
from storage.repositories.opening import opening
from storage.repositories.org import SqlOrgRepository
from storage.repositories.outbox import SqlOutbox
from storage.repositories.projects import SqlProjectRepository
from storage.repositories.reports import SqlReportRepository
from storage.repositories.sharing import SqlSharingRepository
from storage.repositories.trips import SqlTripRepository
from storage.repositories.update_log import SqlUpdateLog
from storage.repositories.web import SqlWebAccess
from storage.session_connection import SessionConnection

class KeptHead:
    """The ledger head (seq, hash) as this process's last commit left it, shared by a database's units of work
    on PostgreSQL: an append starts from it instead of reading it, and the append's own statement checks it
    (storage/combined.py), since another process may have appended since."""

    def __init__(self) -> None:
        self.head: tuple[int, str] | None = None

    def advance(self, head: tuple[int, str]) -> None:
        # Two commits' continuations may run in either order: the later event wins.
        if self.head is None or head[0] > self.head[0]:
            self.head = head


class SqlUnitOfWork:
    """`async with uow: ... await uow.commit()`; leaving without commit rolls back.

    A writing unit of work holds the ledger lock before it reads or writes anything a use case decides
    on (storage/ledger_lock.py), so the checks a use case makes before appending (is this transfer
    still pending?) cannot be raced by another process.
    """

    def __init__(self, sessionmaker: Callable[[], AsyncSession], clock: Clock, *, readonly: bool = False,
                 channels: tuple[str, ...] | None = None, retried: bool = False, kept: KeptHead | None = None) -> None:
        # `sessionmaker`: an async_sessionmaker, or on SQLite the inline one (storage/sqlite_inline.py),
        # whose InlineSession has the face of the AsyncSession methods the repositories use.
        self._sessionmaker = sessionmaker
        self.clock = clock
        self.readonly = readonly
        self.channels = channels
        self.retried = retried  # the caller retries it on a lost connection: no pre-ping (storage/engine.py)
        self.session: AsyncSession
        self.conn: SessionConnection
        # The head this transaction's last append left (seq, hash); None once the transaction ends, since
        # another writer may append between two transactions of one unit of work.
        self._head: tuple[int, str] | None = None
        self._kept = kept  # PostgreSQL: the head this process last committed, and appends in one statement

    async def __aenter__(self) -> "SqlUnitOfWork":
        self.session = self._sessionmaker()
        self.session.info[WRITER] = not self.readonly
        options = {BEGIN_OPTION: "DEFERRED" if self.readonly else "IMMEDIATE"}
        self.conn = SessionConnection(self.session, options, writer=not self.readonly)
        token = RETRIED.set(self.retried)
        try:
            await self.conn.begin()
        finally:
            RETRIED.reset(token)
        s, c, now = self.session, self.conn, self.clock.now
        # Typed as the ports: core.ports.UnitOfWork's attributes are settable, so they are invariant.
        self._org = SqlOrgRepository(s, c)
        self.org: OrgRepository = self._org
        self._projects = SqlProjectRepository(s, c, remember=not self.readonly)
        self.projects: ProjectRepository = self._projects
        self.trips: TripRepository = SqlTripRepository(s)
        self.sharing: SharingRepository = SqlSharingRepository(s)
        self.conversations: ConversationRepository = SqlConversationRepository(s, now, c)
        self._updates = SqlUpdateLog(s, now, c)
        self.updates: UpdateLog = self._updates
        self.outbox: Outbox = SqlOutbox(s, now, self.channels)
        self.reports: ReportRepository = SqlReportRepository(s)
        self.calendar: CalendarStore = SqlCalendarStore(s)
        self.figures: Figures = SqlFigures(s)
        self.chain: Chain = SqlChain(s)
        self.web: WebAccess = SqlWebAccess(s)
        self.evidence: Evidence = SqlEvidence(s)
        return self

    def _forget(self) -> None:
        """What this transaction's own writes told: another writer may change things before the next one."""
        self._head = None
        self._projects.forget()

    async def __aexit__(self, *exc: object) -> None:
        self._forget()
        self.conn.waiting = None
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def record(self, type: str, payload: dict[str, Any], *, actor: int | None = None,
                     unit: str | None = None, project_id: int | None = None, new_project: bool = False) -> Event:
        """Append an event and apply it to the current-state tables, in this transaction."""
        if self.readonly:
            raise RuntimeError("read-only unit of work cannot record events")
        if self._kept is not None:
            return await self._record_combined(type, payload, actor=actor, unit=unit, project_id=project_id,
                                               new_project=new_project)
        event = await ledger.append(self.conn, type=type, payload=payload, at=self.clock.now(), actor=actor,
                                    unit=unit, project_id=project_id, new_project=new_project, after=self._head)
        self._head = (event.seq, event.hash)
        self._projects.forget(event.project_id or 0)
        await projectors.apply(self.session, event)
        self._created(event)
        return event

    async def _record_combined(self, type: str, payload: dict[str, Any], **fields: Any) -> Event:
        """PostgreSQL: the event and its projection rows in one statement, after the head this transaction or
        this process's last commit left; a stale one (another process appended) is read and the event drafted
        again (storage/combined.py)."""
        assert self._kept is not None
        at = self.clock.now()
        after = self._head or self._kept.head
        for _ in range(2):
            if after is None:
                after = await ledger.head(self.conn)
            event, row = ledger.draft(after, type=type, payload=payload, at=at, **fields)
            self._projects.forget(event.project_id or 0)
            appending = combined.Appending(self.session, self.conn, row)
            try:
                # Projectors take a session: Appending has the part of one they use (execute, sync_session).
                await projectors.apply(cast(AsyncSession, appending), event)
                await appending.flush()
            except combined.StaleHead:
                self._kept.head = after = None
                continue
            self._head = (event.seq, event.hash)
            self._created(event)
            return event
        raise AssertionError("the head read under the ledger lock moved")

    def _created(self, event: Event) -> None:
        # The use case reads a new project back (core/usecases/lookups.py reread): it is the row just written.
        if event.type == LEAD_LOGGED:
            self._projects.created(event)

    async def opening(self, channel: str, external_id: str, key_prefix: str, *, update_id: str | None = None,
                      sent: Sequence[str] = ()) -> Opening:
        return await opening(self.conn, self._org, self._updates, channel, external_id, key_prefix,
                             update_id=update_id, sent=sent)

    async def commit(self) -> None:
        await self.conn.flush()  # a write waiting to go with the replies, when none came
        head = self._head
        self._forget()
        await self.session.commit()
        if head is not None and self._kept is not None:
            self._kept.advance(head)

    async def rollback(self) -> None:
        self._forget()
        self.conn.waiting = None
        await self.session.rollback()
