"""Operators read push kinds, statuses and reasons in Chinese: every kind the planner knows has a name,
and `zsbot schedule` folds a kind's pushes to one person into one readable line."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from texts import has
from reminders.names import OTHER_KINDS, kind_code, kind_name, known_kinds, shown_reason, skipped_reason, status_name
from reminders.planner import Push, kinds
from reminders.schedule_view import decided, fold, when

TZ = ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_planner_kind_has_its_own_chinese_name() -> None:
    names = {}
    for kind in known_kinds():
        assert has(f"push.kind.{kind}"), f"push kind {kind!r} has no catalog entry push.kind.{kind}"
        names[kind] = kind_name(kind)
        assert CJK.search(names[kind]) and kind not in names[kind], (kind, names[kind])
        assert CJK.search(skipped_reason(kind)), kind
        assert kind_code(names[kind]) == kind
    assert len(set(names.values())) == len(names), names
    assert set(kinds()) <= set(names) and "calendar.fallback" in names
    assert names["report.reminder"] == "半月报提醒" and names["transfer.remind_head"] == "流转待办提醒（单位负责人）"


def test_outbox_kinds_from_outside_the_calendar_have_names_too() -> None:
    for kind in OTHER_KINDS:
        assert CJK.search(kind_name(kind)) and kind_code(kind_name(kind)) == kind, kind
    assert kind_name("transfer_proposed") == "流转申请通知"


def test_an_unknown_kind_or_status_shows_its_code_and_decisions_read_in_chinese() -> None:
    assert kind_name("bench") == "bench" and kind_code("bench") == "bench"
    assert [status_name(s) for s in ("queued", "skipped", "undeliverable", None, "pending", "sent", "failed")] == [
        "已排入", "已跳过", "无可用聊天", "未决定", "待发送", "已发送", "发送失败"]


def test_old_english_reasons_are_shown_in_chinese_and_others_as_they_are() -> None:
    assert shown_reason("member has no chat bound on an active channel") == "该成员没有在启用的渠道上绑定聊天"
    assert shown_reason("429: retry after 5s") == "平台限流（429），5 秒后重试"
    assert shown_reason("refused: Forbidden: bot was blocked by the user") == \
        "平台拒绝发送（Forbidden: bot was blocked by the user）"
    assert shown_reason("read timeout, may have been delivered: not retried: timed out") == \
        "读取超时，可能已经送达，不再重试（timed out）"
    assert shown_reason("gave up after 8 attempts: connection reset") == "已尝试 8 次，放弃发送（connection reset）"
    assert shown_reason("send error: boom") == "发送出错（boom）"
    assert shown_reason("internal error: KeyError: 'x'") == "内部错误（KeyError: 'x'）"
    assert shown_reason("已尝试 3 次，放弃发送（x）") == "已尝试 3 次，放弃发送（x）"


def _pushes(kind: str, days: list[date], hour: int = 9) -> list[Push]:
    out = []
    for d in days:
        at = datetime(d.year, d.month, d.day, hour, tzinfo=TZ)
        out.append(Push(kind, d.isoformat(), 7, at, at + timedelta(days=1)))
    return out


def is_workday(d: date) -> bool:
    return d.weekday() < 5 and d != date(2026, 12, 25)


def test_daily_pushes_fold_into_one_line_with_their_range_and_decisions() -> None:
    december = [date(2026, 12, 1) + timedelta(days=i) for i in range(31)]
    daily = _pushes("transfer.remind_head", [d for d in december if is_workday(d)])
    other = _pushes("report.reminder", [date(2026, 12, 7), date(2026, 12, 9), date(2026, 12, 10)])
    lone = _pushes("dispatch.digest", [date(2026, 12, 28)])
    everyday = _pushes("x", december[:5])
    status = {daily[0].key: "skipped", daily[1].key: "queued", other[0].key: "queued"}
    folded = {f.kind: f for f in fold(daily + other + lone + everyday, status)}
    assert len(folded) == 4
    assert when(folded["transfer.remind_head"], TZ, is_workday) == "12-01 至 12-31 每个工作日 09:00"
    assert when(folded["report.reminder"], TZ, is_workday) == "12-07、12-09、12-10 09:00"
    assert when(folded["dispatch.digest"], TZ, is_workday) == "2026-12-28（周一）09:00"
    assert when(folded["x"], TZ, is_workday) == "12-01 至 12-05 每天 09:00"
    assert decided(folded["transfer.remind_head"]) == f"已排入 1、已跳过 1、未决定 {len(daily) - 2}"
    assert decided(folded["dispatch.digest"]) == "未决定"
    mixed = fold(_pushes("y", [date(2026, 12, 7)]) + _pushes("y", [date(2026, 12, 8)], hour=15), {})
    assert when(mixed[0], TZ, is_workday) == "12-07 09:00、12-08 15:00"
