"""Ledger events in a sentence: each event's type in Chinese and a one-line summary from its payload, for the
台账's 本月事件 sheet and the chat (reports/ranking_text.py adds the catalog's lines for the sharing feature)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from core import events as ev
from core.figures import LedgerEvent
from core.money import format_wan
from core.stages import STAGE_ZH, Stage

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
        parts = [f"登记为{stage_zh(p.get('stage') or 'lead')}"]
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
        text = f"{stage_zh(p.get('from'))}→{stage_zh(p.get('to'))}"
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



def stage_zh(value: str | None) -> str:
    """A stage value in Chinese; anything unknown shown as it is."""
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

