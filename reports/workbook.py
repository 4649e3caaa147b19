"""Excel workbooks (openpyxl, write-only so a month of 50,000 projects streams): the monthly 台账 —
tracked projects (seed 002's columns and more), the month's ledger events, the ranking (its sheets
are reports/workbook_ranking.py, which also writes the ranking workbook).

Every sheet has a title row (month and the ledger head the figures are anchored to), a bold,
frozen header row, widths that fit Chinese text, and number formats: #,##0 for 万元, 0.0% for
completion and rates.
"""
from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from core import events as ev
from core.figures import LedgerEvent, LedgerRow
from core.money import format_wan
from core.stages import STAGE_ZH, Stage
from reports.ranking import Ranking

WAN = "#,##0"
WAN_FRACTION = "#,##0.00"
PCT = "0.0%"
COUNT = "0"
POINTS = "0.00"
WHEN = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 48
WRAP_WIDTH = 24      # free-text columns wrap at this width at least
SAMPLE_ROWS = 2000   # widths are measured on the first rows (a write-only sheet needs them up front)

LEDGER_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("编号", COUNT), ("项目名称", None), ("内容", None), ("责任单位", None), ("责任人", None),
    ("进展情况", None), ("推进计划", None), ("阶段", None), ("首报单位", None), ("产业链", None),
    ("意向投资（万元）", WAN), ("签约额（万元）", WAN), ("到位资金（万元）", WAN), ("问题（提请调度）", None),
    ("最近更新", WHEN),
)
EVENT_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("序号", COUNT), ("时间", WHEN), ("操作人", None), ("单位", None), ("类型", None), ("项目", None), ("摘要", None),
)
# Long free text wraps instead of stretching the column.
_WRAP = frozenset({"内容", "进展情况", "推进计划", "问题（提请调度）", "摘要"})

EVENT_TYPE_ZH: dict[str, str] = {
    ev.ORG_CONFIGURED: "组织配置", ev.MEMBER_ADDED: "新增成员", ev.MEMBER_CHANGED: "成员变更",
    ev.IDENTITY_BOUND: "绑定渠道", ev.INVITE_CREATED: "生成邀请码", ev.INVITE_USED: "使用邀请码",
    ev.LEAD_LOGGED: "登记线索", ev.PROJECT_CORRECTED: "更正", ev.STAGE_CHANGED: "阶段变更",
    ev.FUNDS_ADDED: "资金到位", ev.NOTE_ADDED: "进展", ev.PROBLEM_RAISED: "提请调度",
    ev.PROBLEM_RESOLVED: "问题解决", ev.TRIP_LOGGED: "外出招商", ev.PROJECT_VOIDED: "撤销",
    ev.PROJECT_RESTORED: "恢复", ev.FUNDS_CORRECTED: "更正到位资金", ev.CONTRACT_CORRECTED: "更正签约额",
    # The shared lead ledger (core/sharing.py); names only, so this module does not depend on it.
    "share.interest_marked": "关注线索", "share.routed": "客商分流", "transfer.proposed": "提请流转",
    "transfer.accepted": "接收流转", "transfer.refused": "拒绝流转", "transfer.withdrawn": "撤回流转",
    "share.supporting_joined": "协助单位加入", "claim.opened": "首谈认定申请", "claim.resolved": "首谈认定",
    ev.FILE_ATTACHED: "上传凭证", ev.FUNDS_VERIFIED: "核实到位资金", ev.FUNDS_RETURNED: "退回到位资金",
    ev.FUNDS_RESUBMITTED: "重新提交到位资金",
}

Describe = Callable[[LedgerEvent], tuple[str, str]]


@dataclass(frozen=True)
class Formatted:
    """A value whose number format differs from its column's (24.5万 in a column of whole 万)."""

    value: Any
    number_format: str


# -- public ---------------------------------------------------------------------------------


def ledger_xlsx(rows: Sequence[LedgerRow], events: Sequence[LedgerEvent], ranking: Ranking | None, *,
                month: str, describe: Describe | None = None, empty_text: str | None = None) -> bytes:
    """The monthly 台账: sheets 台账 (one row per tracked project), 本月事件 and 排名 (`empty_text`: the
    sentence an empty month's 排名 sheet says instead of ranks)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    anchor = _anchor(ranking)
    _table(wb, "台账", f"{_month_zh(month)} 招商项目台账（截至月末，{len(rows)} 个在谈及以上项目{anchor}）",
           LEDGER_COLUMNS, (_ledger_values(r) for r in rows), sample=[_ledger_values(r) for r in rows[:SAMPLE_ROWS]],
           freeze="C3")
    describe = describe or describe_event
    event_values = (_event_values(e, describe) for e in events)
    _table(wb, "本月事件", f"{_month_zh(month)} 账本事件（{len(events)} 个{anchor}）", EVENT_COLUMNS, event_values,
           sample=[_event_values(e, describe) for e in events[:SAMPLE_ROWS]], freeze="A3")
    if ranking is not None:
        from reports.workbook_ranking import combined_ranking_sheet

        combined_ranking_sheet(wb, ranking, empty_text=empty_text)
    return _save(wb)


def _on(p: dict[str, Any]) -> str:
    """The day a back-dated fact happened (its `on`, the UTC instant that day began in the office's zone)."""
    if not p.get("on"):
        return ""
    day = (datetime.fromisoformat(p["on"]) + timedelta(hours=12)).date()   # inside that local day for any zone
    return f"（发生于{day.month}月{day.day}日）"


def _reason(p: dict[str, Any]) -> str:
    return f"，原因：{p['reason']}" if p.get("reason") else ""


def describe_event(e: LedgerEvent, unit_names: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(type in Chinese, one-line summary) of a ledger event, from its payload; unit codes read as names."""
    p = e.payload
    names = unit_names or {}
    label = EVENT_TYPE_ZH.get(e.type, e.type)
    if e.type == ev.LEAD_LOGGED:
        parts = [f"登记为{_stage(p.get('stage') or 'lead')}"]
        if p.get("intended_wan") is not None:
            parts.append(f"意向投资{format_wan(p['intended_wan'])}")
        if p.get("industry"):
            parts.append(f"产业链：{p['industry']}")
        host = p.get("responsible_unit")
        if host and host != p.get("owner_unit"):
            parts.append(f"落地（责任）单位：{names.get(host, host)}")
        if p.get("duplicate_of"):
            parts.append(f"疑似与 #{p['duplicate_of']} 重复")
        return label, "，".join(parts)
    if e.type == ev.STAGE_CHANGED:
        text = f"{_stage(p.get('from'))}→{_stage(p.get('to'))}"
        if p.get("contract_wan") is not None:
            text += f"，签约额{format_wan(p['contract_wan'])}"
        if p.get("reason"):
            text += f"，原因：{p['reason']}"
        return label, text + _on(p)
    if e.type == ev.FUNDS_ADDED:
        return label, f"+{format_wan(p['amount_wan'])}（累计{format_wan(p['total_wan'])}）" + _on(p)
    if e.type == ev.FUNDS_CORRECTED:
        before = format_wan(p["amount_wan"] - p["offset_wan"])
        return label, (f"#{p['entry']} 那一笔 {before}→{format_wan(p['amount_wan'])}（累计{format_wan(p['total_wan'])}），"
                       f"原因：{p['reason']}")
    if e.type == ev.CONTRACT_CORRECTED:
        return label, f"{format_wan(p['before_wan'])}→{format_wan(p['amount_wan'])}" + _reason(p)
    if e.type in (ev.PROJECT_VOIDED, ev.PROJECT_RESTORED):
        return label, (p.get("reason") or "").strip() or "—"
    if e.type == ev.FILE_ATTACHED:
        # The file's name stays in the chat and the card, where who may read it is checked; its hash is the proof.
        return label, f"{p.get('mime_type', '')}，{p.get('size', 0)} 字节，SHA-256 {str(p.get('sha256', ''))[:16]}…"
    if e.type == ev.FUNDS_VERIFIED:
        text = f"上报 #{p['funds_seq']} 核实为{format_wan(p['verified_wan'])}"
        if p.get("verified_wan") != p.get("reported_wan"):
            text += f"（上报{format_wan(p['reported_wan'])}；{p.get('reason') or ''}）"
        return label, text
    if e.type == ev.FUNDS_RETURNED:
        return label, f"上报 #{p['funds_seq']} 退回：{p.get('reason', '')}"
    if e.type == ev.FUNDS_RESUBMITTED:
        return label, f"上报 #{p['funds_seq']} 重新提交" + (f"：{p['note']}" if p.get("note") else "")
    if e.type == ev.NOTE_ADDED:
        steps = f"；推进计划：{p['next_steps']}" if p.get("next_steps") else ""
        return label, f"{p.get('text', '')}{steps}"
    if e.type == ev.PROBLEM_RAISED:
        return label, p.get("text", "")
    if e.type == ev.PROBLEM_RESOLVED:
        return label, f"问题 #{p.get('problem_id')} 已解决" + (f"：{p['resolution']}" if p.get("resolution") else "")
    if e.type == ev.PROJECT_CORRECTED:
        changes = p.get("changes", {})
        return label, "；".join(f"{k}：{_plain(p.get('before', {}).get(k))}→{_plain(v)}" for k, v in changes.items()) \
            + _reason(p)
    if e.type == ev.TRIP_LOGGED:
        return label, f"{p.get('traveller', '')} 赴{p.get('destination', '')}（{p.get('start_date')}至{p.get('end_date')}）"
    if e.type == ev.ORG_CONFIGURED:
        return label, f"配置摘要 {str(p.get('digest', ''))[:16]}"
    if e.type == ev.MEMBER_ADDED:
        return label, f"{p.get('name', '')}（{names.get(p.get('unit', ''), p.get('unit', ''))}）"
    if e.type in (ev.IDENTITY_BOUND, ev.INVITE_CREATED, ev.INVITE_USED, ev.MEMBER_CHANGED):
        return label, ""
    # Unknown to this module: the payload's plain values, so nothing recorded is hidden.
    return label, "；".join(f"{k}：{_plain(v)}" for k, v in p.items() if isinstance(v, (str, int, float)))


def text_width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# -- sheets ---------------------------------------------------------------------------------


def _table(wb: Any, title: str, caption: str, columns: Sequence[tuple[str, str | None]],
           values: Iterable[Sequence[Any]], *, sample: Sequence[Sequence[Any]], freeze: str) -> None:
    """A write-only sheet: caption row, bold frozen header, widths from the header and a sample of rows."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    for i, (header, _) in enumerate(columns):
        width = max([text_width(header)] + [text_width(_shown(row[i])) for row in sample])
        least = WRAP_WIDTH if header in _WRAP else 6
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width + 2, least), MAX_WIDTH)
    ws.freeze_panes = freeze
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    title_cell = WriteOnlyCell(ws, value=caption)
    title_cell.font = Font(bold=True, size=13)
    ws.append([title_cell])
    header_cells = []
    for header, _ in columns:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in values:
        out = []
        for (header, fmt), value in zip(columns, row):
            if isinstance(value, Formatted):
                value, fmt = value.value, value.number_format
            if value is None or (fmt is None and header not in _WRAP):
                out.append(value)
                continue
            cell = WriteOnlyCell(ws, value=value)
            if fmt is not None:
                cell.number_format = fmt
            cell.alignment = wrap if header in _WRAP else top
            out.append(cell)
        ws.append(out)


def _ledger_values(r: LedgerRow) -> tuple[Any, ...]:
    return (r.project_id, r.name, r.content, r.host_unit_name, r.responsible_person, r.progress, r.next_steps,
            _stage(r.stage), r.owner_unit_name, r.industry, r.intended_wan, r.contract_wan, r.funds_wan,
            "；".join(r.problems) or None, _naive(r.last_update))


def _event_values(e: LedgerEvent, describe: Describe) -> tuple[Any, ...]:
    label, summary = describe(e)
    return (e.seq, _naive(e.at), e.actor or "系统", e.unit_name, label, e.project, summary or None)


# -- helpers --------------------------------------------------------------------------------


def _save(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "排名"
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]}({n})"
        n += 1
    used.add(candidate)
    return candidate


def _month_zh(month: str) -> str:
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


def _anchor(ranking: Ranking | None) -> str:
    if ranking is None:
        return ""
    if ranking.head_hash is None:
        return f"；账本链头 #{ranking.head_seq}"
    return f"；账本链头 #{ranking.head_seq} {ranking.head_hash[:16]}"


def _round(x: Fraction, places: int) -> float:
    q = Decimal(x.numerator) / Decimal(x.denominator)
    return float(q.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _naive(at: datetime | None) -> datetime | None:
    """Excel has no time zones: the local wall-clock time the records already carry."""
    return None if at is None else at.replace(tzinfo=None, microsecond=0)


def _stage(value: str | None) -> str:
    if value is None:  # as for an unknown stage: shown as it is (Stage(None) is a ValueError too)
        return str(value)
    try:
        return STAGE_ZH[Stage(value)]
    except ValueError:
        return str(value)


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "、".join(map(str, value)) or "—"
    return str(value)


def _shown(value: Any) -> str:
    if isinstance(value, Formatted):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "2026-10-31 23:59"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
