"""`uow.trips`: the business trips a unit logged."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.records import Trip
from storage.tables.trips import TripRow


class SqlTripRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    @staticmethod
    def _trip(r: TripRow) -> Trip:
        return Trip(id=r.id, unit=r.unit, traveller=r.traveller, leader_member_id=r.leader_member_id,
                    destination=r.destination, start_date=r.start_date, end_date=r.end_date,
                    companies=tuple(json.loads(r.companies)), outcome=r.outcome, next_steps=r.next_steps,
                    created_by=r.created_by, at=r.at)

    async def get(self, trip_id: int) -> Trip | None:
        row = await self.s.get(TripRow, trip_id)
        return None if row is None else self._trip(row)

    async def of_unit(self, unit: str) -> list[Trip]:
        rows = (await self.s.execute(select(TripRow).where(TripRow.unit == unit).order_by(TripRow.id))).scalars()
        return [self._trip(r) for r in rows]


    async def recent(self, *, unit: str | None = None, leader: int | None = None, limit: int = 100
                     ) -> tuple[int, list[Trip]]:
        """The newest trips (by start date), of one unit or one leader if given, and how many there are."""
        where = [c for c in (TripRow.unit == unit if unit else None,
                             TripRow.leader_member_id == leader if leader is not None else None) if c is not None]
        total = (await self.s.execute(select(func.count()).select_from(TripRow).where(*where))).scalar_one()
        rows = (await self.s.execute(select(TripRow).where(*where)
                                     .order_by(TripRow.start_date.desc(), TripRow.id.desc()).limit(limit))).scalars()
        return int(total), [self._trip(r) for r in rows]

    async def leader_counts(self, since: date) -> dict[int, int]:
        """Trips per leader (member id) starting on or after `since`."""
        rows = await self.s.execute(select(TripRow.leader_member_id, func.count()).where(
            TripRow.leader_member_id.is_not(None), TripRow.start_date >= since).group_by(TripRow.leader_member_id))
        return {int(m): int(n) for m, n in rows if m is not None}
