"""`uow.figures`: a month's rules and facts for the chat, the calendar and `zsbot report …`, so every
reader outside storage computes a figure exactly as the others do (core.ports.Figures).

A month's facts are a function of the events recorded before its end, of the later events that changed facts
before it (corrections, back-dated entries, voids: storage/tables/facts.py `late_facts`) and of the rules in
force at its end, so they are kept per process by the newest of those events (`figures_head`), the "as of"
instant if any, and the configuration's identity: a closed month is read again only after a correction reaches
into it. Quota holders are not as-of data and are read every time.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.figures import FigureExplanation, LedgerEvent, LedgerRow, MonthFacts
from core.org import OrgConfig
from storage.queries.figure_explanation import explain_figure
from storage.queries.monthly_ledger import ledger_rows, month_events, month_window
from storage.queries.rankings import figures_head, month_facts, quota_holders
from storage.queries.report_rates import report_counter
from storage.repositories.org import SqlOrgRepository


# (month, zone, the figures' head seq and hash, as of, the rules' identity) → (the rules, the facts).
# The rules object is kept with them, so its id cannot be reused by another configuration meanwhile.
_FACTS: OrderedDict[tuple[str, str, int, str, datetime | None, int], tuple[OrgConfig, MonthFacts]] = OrderedDict()
_KEEP = 48


class SqlFigures:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def month(self, month: str, tz: ZoneInfo, *, as_of: datetime | None = None
                    ) -> tuple[OrgConfig, MonthFacts] | None:
        cfg = await self.rules(month, tz)
        if cfg is None:
            return None
        return cfg, await self.facts(month, tz, as_of=as_of)

    async def revision(self, month: str, tz: ZoneInfo) -> int:
        _, until = month_window(month, tz)
        return (await figures_head(self.s, until))[0]

    async def rules(self, month: str, tz: ZoneInfo) -> OrgConfig | None:
        _, until = month_window(month, tz)
        return await SqlOrgRepository(self.s).config_as_of(until)

    async def facts(self, month: str, tz: ZoneInfo, *, as_of: datetime | None = None) -> MonthFacts:
        _, until = month_window(month, tz)
        seq, digest = await figures_head(self.s, until, as_of)
        rules = await self.rules(month, tz)
        if digest is None or rules is None:
            return await month_facts(self.s, month, tz, reports=report_counter(tz), as_of=as_of)
        # As of an instant after the newest event the figures read, the facts are today's: one entry for both.
        key = (month, tz.key, seq, digest, as_of, id(rules))
        cached = _FACTS.get(key)
        if cached is None or cached[0] is not rules:
            cached = (rules, await month_facts(self.s, month, tz, reports=report_counter(tz), as_of=as_of))
            _FACTS[key] = cached
            while len(_FACTS) > _KEEP:
                _FACTS.popitem(last=False)
        else:
            _FACTS.move_to_end(key)
            holders = tuple(await quota_holders(self.s))
            if holders != cached[1].quota_holders:
                cached = (rules, replace(cached[1], quota_holders=holders))
                _FACTS[key] = cached
        return cached[1]

    async def ledger(self, month: str, tz: ZoneInfo, unit_names: dict[str, str]
                     ) -> tuple[list[LedgerRow], list[LedgerEvent]]:
        return (await ledger_rows(self.s, month, tz, unit_names=unit_names),
                await month_events(self.s, month, tz, unit_names=unit_names))

    async def explain(self, cfg: OrgConfig, month: str, tz: ZoneInfo, unit: str, indicator: str
                      ) -> FigureExplanation:
        return await explain_figure(self.s, cfg, month, tz, unit, indicator)
