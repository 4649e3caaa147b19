"""A month's figures (`uow.figures.month`: the rules and facts as of the month's end) kept between requests.

They are a pure function of the ledger up to the month's end and of the later events that reach into it (a
correction of an October entry made in December, a back-dated signing, a void), so the key is (month, zone, the
newest of those events: `uow.figures.revision`) — two cheap queries. The month in progress moves with the head; a
closed month stays cached until a correction reaches it. The 驾驶舱, 排名 and drill-downs stop recomputing a year
of facts for every reader (seconds at province scale, docs/BENCHMARKS.md)."""
from __future__ import annotations

from collections import OrderedDict
from datetime import date
from zoneinfo import ZoneInfo

from core.figures import MonthFacts, last_complete_month
from core.org import OrgConfig
from core.ports import UnitOfWork
from reports.ranking import Ranking, rank_month

Figures = tuple[OrgConfig, MonthFacts]


class MonthCache:
    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[str, str, int], Figures] = OrderedDict()
        self._ranked: dict[tuple[int, str | None], Ranking] = {}   # (id of the facts, group) → ranking

    async def month(self, uow: UnitOfWork, month: str, tz: ZoneInfo, *, current: str) -> Figures | None:
        """`uow.figures.month(month, tz)`, from memory when the ledger has not moved for it. (`current`, the month
        in progress, is kept for the callers; the revision already moves with the head for it.)"""
        seq = await uow.figures.revision(month, tz)
        key = (month, str(tz), seq)
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
            return found
        fresh = await uow.figures.month(month, tz)
        if fresh is not None:
            self._kept[key] = fresh
            while len(self._kept) > self.size:
                _, (_, gone) = self._kept.popitem(last=False)
                self._ranked = {k: v for k, v in self._ranked.items() if k[0] != id(gone)}
        return fresh

    async def warm(self, uow: UnitOfWork, tz: ZoneInfo, today: date) -> None:
        """Read the months the 驾驶舱 shows (the month in progress and the last one) and rank them, so the first
        view after a start is as quick as later ones; the month in progress is then brought forward event by
        event (storage/queries/running_facts.py)."""
        current = f"{today.year:04d}-{today.month:02d}"
        for month in (current, last_complete_month(today)):
            found = await self.month(uow, month, tz, current=current)
            if found is not None:
                self.ranking(found)

    def ranking(self, figures: Figures, group: str | None = None) -> Ranking:
        """`rank_month` of figures this cache returned (pure over them, so kept beside them)."""
        cfg, facts = figures
        if all(f is not facts for _, f in self._kept.values()):
            return rank_month(cfg, facts, group=group)   # not ours: an id could outlive it
        key = (id(facts), group)
        if key not in self._ranked:
            self._ranked[key] = rank_month(cfg, facts, group=group)
        return self._ranked[key]
