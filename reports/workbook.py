"""The monthly 台账 workbook: tracked projects (seed 002's columns and more, funds reported / verified /
waiting per project), the month's ledger events (reports/event_summaries.py says each in a sentence), the
ranking (its sheets are reports/workbook_ranking.py, which also writes the ranking workbook) and the funds'
verification per unit. The sheets' shared shape is reports/workbook_sheets.py.
"""
from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from core.figures import LedgerEvent, LedgerRow
from reports.event_summaries import Describe, describe_event, stage_zh
from reports.ranking import Ranking
from reports.workbook_sheets import (
    COUNT, SAMPLE_ROWS, WAN, WAN_FRACTION, WHEN, Formatted, anchor, month_title, naive, rounded, save, table,
)

# 到位资金 is what the rankings count (the org file's count_funds), as in `zsbot export projects`; the three
# after it are both figures and what still waits, so nobody is surprised by the difference.
LEDGER_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("编号", COUNT), ("项目名称", None), ("内容", None), ("责任单位", None), ("责任人", None),
    ("进展情况", None), ("推进计划", None), ("阶段", None), ("首报单位", None), ("产业链", None),
    ("意向投资（万元）", WAN), ("签约额（万元）", WAN), ("到位资金（万元）", WAN), ("上报到位资金（万元）", WAN),
    ("已核实到位资金（万元）", WAN), ("待核实到位资金（万元）", WAN), ("问题（提请调度）", None), ("最近更新", WHEN),
)
EVENT_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("序号", COUNT), ("时间", WHEN), ("操作人", None), ("单位", None), ("类型", None), ("项目", None), ("摘要", None),
)
FUNDS_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("单位", None), ("计入考核（万元）", WAN), ("上报（万元）", WAN), ("已核实（万元）", WAN), ("待核实（万元）", WAN),
)
BASIS_ZH = {"reported": "按上报计入", "verified": "只计已核实"}


def ledger_xlsx(rows: Sequence[LedgerRow], events: Sequence[LedgerEvent], ranking: Ranking | None, *,
                month: str, describe: Describe | None = None, empty_text: str | None = None) -> bytes:
    """The monthly 台账: sheets 台账 (one row per tracked project), 本月事件, 排名 (`empty_text`: the sentence an
    empty month's 排名 sheet says instead of ranks) and 到位资金核查 (per unit, from the ranking)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    mark = anchor(ranking)
    basis = ranking.count_funds if ranking is not None else "reported"
    table(wb, "台账", f"{month_title(month)} 招商项目台账（截至月末，{len(rows)} 个在谈及以上项目；到位资金{BASIS_ZH[basis]}"
          f"{mark}）", LEDGER_COLUMNS, (_ledger_values(r, basis) for r in rows),
          sample=[_ledger_values(r, basis) for r in rows[:SAMPLE_ROWS]], freeze="C3")
    describe = describe or describe_event
    event_values = (_event_values(e, describe) for e in events)
    table(wb, "本月事件", f"{month_title(month)} 账本事件（{len(events)} 个{mark}）", EVENT_COLUMNS, event_values,
          sample=[_event_values(e, describe) for e in events[:SAMPLE_ROWS]], freeze="A3")
    if ranking is not None:
        from reports.workbook_ranking import combined_ranking_sheet

        combined_ranking_sheet(wb, ranking, empty_text=empty_text)
        funds = [_funds_values(ranking, code) for g in ranking.groups for code in (u.unit for u in g.units)
                 if code in ranking.funds]
        table(wb, "到位资金核查", f"{month_title(month)} 到位资金核查（本年，按考核口径计入各单位；{BASIS_ZH[basis]}{mark}）",
              FUNDS_COLUMNS, funds, sample=funds, freeze="B3")
    return save(wb)


def _ledger_values(r: LedgerRow, basis: str) -> tuple[Any, ...]:
    counted = r.funds_verified_wan if basis == "verified" else r.funds_wan
    return (r.project_id, r.name, r.content, r.host_unit_name, r.responsible_person, r.progress, r.next_steps,
            stage_zh(r.stage), r.owner_unit_name, r.industry, r.intended_wan, r.contract_wan, counted, r.funds_wan,
            r.funds_verified_wan, r.funds_pending_wan, "；".join(r.problems) or None, naive(r.last_update))


def _event_values(e: LedgerEvent, describe: Describe) -> tuple[Any, ...]:
    label, summary = describe(e)
    return (e.seq, naive(e.at), e.actor or "系统", e.unit_name, label, e.project, summary or None)


def _funds_values(ranking: Ranking, code: str) -> tuple[Any, ...]:
    f = ranking.funds[code]
    name = next((u.name for g in ranking.groups for u in g.units if u.unit == code), code)
    return (name, _wan(f.counted), _wan(f.reported), _wan(f.verified), _wan(f.pending))


def _wan(x: Fraction) -> Any:
    """Whole 万 as an integer; a coefficient's fraction of 万 to two decimals, formatted so."""
    return int(x) if x.denominator == 1 else Formatted(rounded(x, 2), WAN_FRACTION)
