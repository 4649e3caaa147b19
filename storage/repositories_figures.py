"""A month's figures for the chat and the calendar: the rules in force at the month's end and the
facts the ranking needs, read exactly as `zsbot report ranking` reads them."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.figures import FigureExplanation, LedgerEvent, LedgerRow, MonthFacts
from core.org import OrgConfig
from storage.queries_ledger import ledger_rows, month_events, month_window
from storage.queries_rankings import month_facts
from storage.queries_rankings_explain import explain_figure
from storage.queries_reports import report_counter
from storage.repositories import SqlOrgRepository


class SqlFigures:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def month(self, month: str, tz: ZoneInfo) -> tuple[OrgConfig, MonthFacts] | None:
        _, until = month_window(month, tz)
        cfg = await SqlOrgRepository(self.s).config_as_of(until)
        if cfg is None:
            return None
        return cfg, await month_facts(self.s, month, tz, reports=report_counter(tz))

    async def ledger(self, month: str, tz: ZoneInfo, unit_names: dict[str, str]
                     ) -> tuple[list[LedgerRow], list[LedgerEvent]]:
        return (await ledger_rows(self.s, month, tz, unit_names=unit_names),
                await month_events(self.s, month, tz, unit_names=unit_names))

    async def explain(self, cfg: OrgConfig, month: str, tz: ZoneInfo, unit: str, indicator: str
                      ) -> FigureExplanation:
        return await explain_figure(self.s, cfg, month, tz, unit, indicator)
