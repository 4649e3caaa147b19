"""`uow.figures`: a month's rules and facts for the chat, the calendar and `zsbot report …`, so every
reader outside storage computes a figure exactly as the others do (core.ports.Figures)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.figures import FigureExplanation, LedgerEvent, LedgerRow, MonthFacts
from core.org import OrgConfig
from storage.queries.figure_explanation import explain_figure
from storage.queries.monthly_ledger import ledger_rows, month_events, month_window
from storage.queries.rankings import month_facts
from storage.queries.report_rates import report_counter
from storage.repositories.org import SqlOrgRepository


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
        return await month_facts(self.s, month, tz, reports=report_counter(tz))

    async def ledger(self, month: str, tz: ZoneInfo, unit_names: dict[str, str]
                     ) -> tuple[list[LedgerRow], list[LedgerEvent]]:
        return (await ledger_rows(self.s, month, tz, unit_names=unit_names),
                await month_events(self.s, month, tz, unit_names=unit_names))

    async def explain(self, cfg: OrgConfig, month: str, tz: ZoneInfo, unit: str, indicator: str
                      ) -> FigureExplanation:
        return await explain_figure(self.s, cfg, month, tz, unit, indicator)
