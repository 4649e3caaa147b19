"""What the facts said at an instant: the conditions every figure query shares (storage/tables/facts.py).

`as_of` None reads today's knowledge (every correction counted); an instant reads only what the ledger had
recorded before it, so a ranking published that day is computed again exactly.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, and_, or_, true

from storage.tables.facts import ProjectVersionRow

# An instant, or the parameter a statement built once takes it by (storage/queries/rankings.py).
Instant = datetime | BindParameter[datetime]


def in_force(v: Any, until: Instant, as_of: Instant | None = None) -> Any:
    """The version of each countable project valid at `until`, as known now or at `as_of`. `v` is the versions
    table or an alias of it."""
    if as_of is None:
        return and_(v.at < until, v.countable, v.replaced_at.is_(None),
                    or_(v.valid_to.is_(None), v.valid_to >= until))
    # A row closed from now on learnt its end at that end (`valid_to`): before it, it was still open.
    return and_(v.at < until, v.countable, v.recorded_at < as_of,
                or_(v.replaced_at.is_(None), v.replaced_at >= as_of),
                or_(v.valid_to.is_(None), v.valid_to >= until, v.valid_to >= as_of))


def recorded(column: Any, as_of: Instant | None) -> Any:
    """A fact recorded before `as_of` (always true for today's knowledge)."""
    return true() if as_of is None else column < as_of


__all__ = ["in_force", "recorded", "ProjectVersionRow"]
