"""`uow.trips`: the business trips a unit logged."""
from __future__ import annotations

import json

from sqlalchemy import select
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

