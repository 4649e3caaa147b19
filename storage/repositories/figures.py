"""`uow.figures`: a month's rules and facts for the chat, the calendar and `zsbot report …`, so every
reader outside storage computes a figure exactly as the others do (core.ports.Figures).

A month's facts are a function of the events recorded before its end, of the later events that changed facts
before it (corrections, back-dated entries, voids: storage/tables/facts.py `late_facts`) and of the rules in
force at its end, so they are kept per process by the newest of those events (`figures_head`), the "as of"
instant if any, and the configuration's identity: a closed month is read again only after a correction reaches
into it. The running month, whose head moves with every recorded fact, is brought forward from its kept facts at
an earlier head by the events since (storage/queries/running_facts.py) instead of read again in full. Quota
holders are not as-of data and are read every time.
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
from storage.queries.running_facts import brought_forward
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
        if cached is not None and cached[0] is rules:
            _FACTS.move_to_end(key)
            holders = tuple(await quota_holders(self.s))
            if holders != cached[1].quota_holders:
                cached = (rules, replace(cached[1], quota_holders=holders))
                _FACTS[key] = cached
            return cached[1]
        facts = await self._brought_forward(month, tz, seq, digest, as_of, rules)
        if facts is None:
            facts = await month_facts(self.s, month, tz, reports=report_counter(tz), as_of=as_of)
            # On PostgreSQL each statement sees the latest commit: facts that may hold an event newer than their
            # head are returned but not kept, since kept facts are brought forward from their head.
            if as_of is None and await figures_head(self.s, until) != (seq, digest):
                return facts
        _FACTS[key] = (rules, facts)
        while len(_FACTS) > _KEEP:
            _FACTS.popitem(last=False)
        return facts

    async def _brought_forward(self, month: str, tz: ZoneInfo, seq: int, digest: str, as_of: datetime | None,
                               rules: OrgConfig) -> MonthFacts | None:
        """The month's kept facts at its newest earlier head, brought forward by the events since, if any."""
        if as_of is not None:
            return None
        bases = [(k[2], entry[1]) for k, entry in _FACTS.items() if k[0] == month and k[1] == tz.key
                 and k[4] is None and k[2] < seq and entry[0] is rules]
        if not bases:
            return None
        return await brought_forward(self.s, max(bases, key=lambda b: b[0])[1], seq, digest, tz, report_counter(tz))

    async def ledger(self, month: str, tz: ZoneInfo, unit_names: dict[str, str]
                     ) -> tuple[list[LedgerRow], list[LedgerEvent]]:
        return (await ledger_rows(self.s, month, tz, unit_names=unit_names),
                await month_events(self.s, month, tz, unit_names=unit_names))

    async def explain(self, cfg: OrgConfig, month: str, tz: ZoneInfo, unit: str, indicator: str
                      ) -> FigureExplanation:
        return await explain_figure(self.s, cfg, month, tz, unit, indicator)
