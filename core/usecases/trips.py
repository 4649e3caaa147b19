"""Log a trip 外出招商: who went, where, when, whom they met, what came of it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core import events as ev
from core.errors import Refusal
from core.ports import UnitOfWork
from core.projects import require_write
from core.records import Member, Trip
from core.roles import Role
from core.usecases.lookups import append


@dataclass(frozen=True)
class TripDraft:
    """The command of log_trip: who went, where, when, whom they met."""

    traveller: str
    destination: str
    start_date: date
    end_date: date
    companies: tuple[str, ...] = ()
    outcome: str | None = None
    next_steps: str | None = None
    leader_member_id: int | None = None


async def log_trip(uow: UnitOfWork, actor: Member, draft: TripDraft) -> Trip:
    """Record a trip of the actor's unit; a leader named must be one (a quota holder)."""
    require_write(actor, actor.unit)
    if draft.end_date < draft.start_date:
        raise Refusal("trip_dates_reversed")
    if not draft.destination.strip():
        raise Refusal("trip_destination_missing")
    if draft.leader_member_id is not None:
        leader = await uow.org.member(draft.leader_member_id)
        # Quotas belong to leaders and to district heads (seed 001: 一把手 12 次).
        if leader is None or (leader.role is not Role.LEADER and leader.trip_quota is None):
            raise Refusal("not_a_leader")
    payload = ev.TripLogged(traveller=draft.traveller, destination=draft.destination.strip(),
                            start_date=draft.start_date.isoformat(), end_date=draft.end_date.isoformat(),
                            companies=tuple(draft.companies), outcome=draft.outcome, next_steps=draft.next_steps,
                            leader_member_id=draft.leader_member_id)
    e = await append(uow, payload, actor=actor.id, unit=actor.unit)
    trip = await uow.trips.get(e.seq)
    assert trip is not None
    return trip
