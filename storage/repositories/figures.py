"""`uow.figures`: a month's rules and facts for the chat, the calendar and `zsbot report …`, so every
reader outside storage computes a figure exactly as the others do (core.ports.Figures).

A month's facts are a function of the events recorded before its end (and the rules then in force), so
they are kept per process by the ledger head as of that end and the configuration's digest: a closed
month is read once, the running month once per new event. Quota holders are not as-of data and are
read every time.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.figures import FigureExplanation, LedgerEvent, LedgerRow, MonthFacts
from core.org import OrgConfig
from storage.queries.figure_explanation import explain_figure
from storage.queries.monthly_ledger import ledger_rows, month_events, month_window
from storage.queries.rankings import head_as_of, month_facts, quota_holders
from storage.queries.report_rates import report_counter
from storage.repositories.org import SqlOrgRepository


# (month, zone, head seq and hash as of the month's end, the rules' identity) → (the rules, the facts).
# The rules object is kept with them, so its id cannot be reused by another configuration meanwhile.
_FACTS: OrderedDict[tuple[str, str, int, str, int], tuple[OrgConfig, MonthFacts]] = OrderedDict()
_KEEP = 48


class SqlFigures:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def month(self, month: str, tz: ZoneInfo) -> tuple[OrgConfig, MonthFacts] | None:
        cfg = await self.rules(month, tz)
        if cfg is None:
            return None
        return cfg, await self.facts(month, tz)

    async def rules(self, month: str, tz: ZoneInfo) -> OrgConfig | None:
        _, until = month_window(month, tz)
        return await SqlOrgRepository(self.s).config_as_of(until)

    async def facts(self, month: str, tz: ZoneInfo) -> MonthFacts:
        _, until = month_window(month, tz)
        seq, digest = await head_as_of(self.s, until)
        rules = await self.rules(month, tz)
        if digest is None or rules is None:
            return await month_facts(self.s, month, tz, reports=report_counter(tz))
        key = (month, tz.key, seq, digest, id(rules))
        cached = _FACTS.get(key)
        if cached is None or cached[0] is not rules:
            cached = (rules, await month_facts(self.s, month, tz, reports=report_counter(tz)))
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
