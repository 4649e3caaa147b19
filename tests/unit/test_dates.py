"""Dates as typed (7月10日, 7.10, 下周三, 月底): prefer rules, ranges, refusals and round trips."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.parsing import DateError, find_date, parse_date, parse_date_range

TODAY = date(2026, 7, 8)  # a Wednesday
_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-10", date(2026, 7, 10)), ("2026/7/10", date(2026, 7, 10)), ("2026.7.10", date(2026, 7, 10)),
        ("2026年7月10日", date(2026, 7, 10)), ("2026 年 7 月 10 日", date(2026, 7, 10)),
        ("二〇二六年七月十日", date(2026, 7, 10)), ("２０２６－０７－１０", date(2026, 7, 10)),
        ("2025年12月31号", date(2025, 12, 31)), ("7月10日", date(2026, 7, 10)), ("7月10号", date(2026, 7, 10)),
        ("7月10", date(2026, 7, 10)), ("七月十日", date(2026, 7, 10)), ("7.10", date(2026, 7, 10)),
        ("7/10", date(2026, 7, 10)), ("今天", TODAY), ("今日", TODAY), ("明天", date(2026, 7, 9)),
        ("后天", date(2026, 7, 10)), ("大后天", date(2026, 7, 11)), ("昨天", date(2026, 7, 7)),
        ("前天", date(2026, 7, 6)), ("下周三", date(2026, 7, 15)), ("下周一", date(2026, 7, 13)),
        ("下个星期日", date(2026, 7, 19)), ("下下周一", date(2026, 7, 20)), ("本周五", date(2026, 7, 10)),
        ("这周五", date(2026, 7, 10)), ("本周一", date(2026, 7, 6)), ("这个礼拜天", date(2026, 7, 12)),
        ("上周二", date(2026, 6, 30)), ("上个星期五", date(2026, 7, 3)), ("月底", date(2026, 7, 31)),
        ("月末", date(2026, 7, 31)), ("本月25日", date(2026, 7, 25)), ("这个月25号", date(2026, 7, 25)),
        ("下月5日", date(2026, 8, 5)), ("下个月5号", date(2026, 8, 5)), ("下月底", date(2026, 8, 31)),
        ("上月底", date(2026, 6, 30)), ("下月初", date(2026, 8, 1)), ("本月初", date(2026, 7, 1)),
        ("2026年2月底", date(2026, 2, 28)), ("2028年2月底", date(2028, 2, 29)), ("7月10日。", date(2026, 7, 10)),
    ],
)
def test_accepted_forms(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "future", "past", "nearest"),
    [
        ("7月10日", date(2026, 7, 10), date(2025, 7, 10), date(2026, 7, 10)),
        ("7月8日", TODAY, TODAY, TODAY),
        ("1月10日", date(2027, 1, 10), date(2026, 1, 10), date(2026, 1, 10)),
        ("12月30日", date(2026, 12, 30), date(2025, 12, 30), date(2026, 12, 30)),
        ("6.1", date(2027, 6, 1), date(2026, 6, 1), date(2026, 6, 1)),
        ("周五", date(2026, 7, 10), date(2026, 7, 3), date(2026, 7, 10)),
        ("周一", date(2026, 7, 13), date(2026, 7, 6), date(2026, 7, 6)),
        ("周三", TODAY, TODAY, TODAY),
        ("星期天", date(2026, 7, 12), date(2026, 7, 5), date(2026, 7, 5)),
        ("10号", date(2026, 7, 10), date(2026, 6, 10), date(2026, 7, 10)),
        ("7月底", date(2026, 7, 31), date(2025, 7, 31), date(2026, 7, 31)),
        ("2月29日", date(2028, 2, 29), date(2024, 2, 29), date(2028, 2, 29)),
        # 月初: the next 1st only when the caller prefers the future; otherwise this month's 1st.
        ("月初", date(2026, 8, 1), date(2026, 7, 1), date(2026, 7, 1)),
    ],
)
def test_prefer_picks_the_occurrence(text: str, future: date, past: date, nearest: date) -> None:
    assert parse_date(text, TODAY, prefer="future") == future
    assert parse_date(text, TODAY, prefer="past") == past
    assert parse_date(text, TODAY, prefer="nearest") == nearest


def test_month_start_on_the_first_is_today() -> None:
    first = date(2026, 7, 1)
    assert parse_date("月初", first, prefer="future") == first
    assert parse_date("月底", date(2026, 2, 3)) == date(2026, 2, 28)


def test_nearest_picks_the_closer_and_a_tie_goes_to_the_future() -> None:
    # 2026-01-08 is 181 days before TODAY and 2027-01-08 is 184 days after.
    assert parse_date("1月8日", TODAY) == date(2026, 1, 8)
    # 2027-07-01 and 2028-07-01 are both 183 days from 2027-12-31 (the year in between is leap).
    assert parse_date("7月1日", date(2027, 12, 31)) == date(2028, 7, 1)


def _assert_refusal(exc: pytest.ExceptionInfo[DateError]) -> str:
    message = str(exc.value)
    assert _CJK.search(message) and message.endswith("。"), message
    assert "7月10日" in message, message  # shows an accepted format
    return message


@pytest.mark.parametrize(
    "text", ["2月30日", "2026年2月30日", "2026-02-30", "13月1日", "2025年2月29日", "4月31号", "本月32日", "7.35", "32号"],
)
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text, TODAY)
    assert "不存在" in _assert_refusal(info)


@pytest.mark.parametrize("text", ["", "abc", "明年", "下周", "很快", "3.5亿", "7月", "周八"])
def test_gibberish_is_refused(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text, TODAY)
    _assert_refusal(info)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("7月10日-12日", date(2026, 7, 10), date(2026, 7, 12)),
        ("7月10-12日", date(2026, 7, 10), date(2026, 7, 12)),
        ("7.10-7.12", date(2026, 7, 10), date(2026, 7, 12)),
        ("7.10-12", date(2026, 7, 10), date(2026, 7, 12)),
        ("7月10日至7月12日", date(2026, 7, 10), date(2026, 7, 12)),
        ("7月10日 到 12日", date(2026, 7, 10), date(2026, 7, 12)),
        ("7月10日～7月12日", date(2026, 7, 10), date(2026, 7, 12)),
        ("2026-07-10至2026-07-12", date(2026, 7, 10), date(2026, 7, 12)),
        ("2026-07-10-2026-07-12", date(2026, 7, 10), date(2026, 7, 12)),
        ("明天到后天", date(2026, 7, 9), date(2026, 7, 10)),
        ("下周一到周三", date(2026, 7, 13), date(2026, 7, 15)),
        ("12月30日-1月2日", date(2026, 12, 30), date(2027, 1, 2)),
        ("7月10日-7月底", date(2026, 7, 10), date(2026, 7, 31)),
        ("7月10日", date(2026, 7, 10), date(2026, 7, 10)),
        ("明天", date(2026, 7, 9), date(2026, 7, 9)),
    ],
)
def test_ranges(text: str, start: date, end: date) -> None:
    assert parse_date_range(text, TODAY, prefer="future") == (start, end)


def test_range_start_follows_prefer() -> None:
    assert parse_date_range("7月10日-12日", TODAY, prefer="past") == (date(2025, 7, 10), date(2025, 7, 12))


@pytest.mark.parametrize("text", ["7.12-7.10", "7月12日-10日", "后天到明天", "7月10日-abc", "abc", "7月10日-2月30日"])
def test_bad_ranges_are_refused(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date_range(text, TODAY)
    _assert_refusal(info)


@pytest.mark.parametrize(
    ("line", "expected", "found"),
    [
        ("比亚迪 投资3.5亿 7.10拜访", date(2026, 7, 10), "7.10"),
        ("2026-07-10 来访 投资20亿", date(2026, 7, 10), "2026-07-10"),
        ("下周三去深圳拜访华为", date(2026, 7, 15), "下周三"),
        ("3号线 明天碰头", date(2026, 7, 9), "明天"),
        ("91440300192203821W 7月10日签约", date(2026, 7, 10), "7月10日"),
        ("月底前报送", date(2026, 7, 31), "月底"),
        ("增长5.5% 12.5万 下月5号", date(2026, 8, 5), "下月5号"),
    ],
)
def test_find_date_in_a_line(line: str, expected: date, found: str) -> None:
    from handlers.parsing import normalize_input

    result = find_date(line, TODAY)
    assert result is not None
    d, (start, end) = result
    assert d == expected
    assert normalize_input(line)[start:end] == found


@pytest.mark.parametrize("line", ["投资3.5亿", "增长5.5%", "91440300192203821W", "比亚迪 新能源", "3号楼", "", "1.2亿美元"])
def test_find_date_ignores_amounts_and_codes(line: str) -> None:
    assert find_date(line, TODAY) is None


def test_find_date_skips_an_impossible_date_unless_strict() -> None:
    assert find_date("2月30日去深圳", TODAY) is None
    assert find_date("2月30日去深圳，7月10日回", TODAY) == (date(2026, 7, 10), (9, 14))
    with pytest.raises(DateError, match="不存在"):
        find_date("2月30日去深圳", TODAY, strict=True)


DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(DATES, DATES, st.sampled_from(["future", "past", "nearest"]))
def test_dates_with_a_year_always_round_trip(d: date, today: date, prefer: str) -> None:
    for text in (d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}",
                 f"{d.year}年{d.month}月{d.day}日", f"{d.year}年{d.month:02d}月{d.day:02d}号"):
        assert parse_date(text, today, prefer=prefer) == d  # type: ignore[arg-type]
        assert parse_date_range(text, today, prefer=prefer) == (d, d)  # type: ignore[arg-type]


@given(DATES, st.integers(min_value=0, max_value=364))
def test_month_day_with_prefer_round_trips(d: date, days: int) -> None:
    # Within a year before d, d is the next occurrence of its month and day; within a year after, the last.
    for text in (f"{d.month}月{d.day}日", f"{d.month}.{d.day}", f"{d.month}/{d.day}"):
        assert parse_date(text, d - timedelta(days=days), prefer="future") == d
        assert parse_date(text, d + timedelta(days=days), prefer="past") == d
        if days <= 181:
            assert parse_date(text, d - timedelta(days=days), prefer="nearest") == d
            assert parse_date(text, d + timedelta(days=days), prefer="nearest") == d


@given(DATES, st.integers(min_value=0, max_value=6))
def test_weekday_prefer(today: date, wd: int) -> None:
    name = "一二三四五六日"[wd]
    future = parse_date(f"周{name}", today, prefer="future")
    past = parse_date(f"星期{name}", today, prefer="past")
    assert future.weekday() == past.weekday() == wd
    assert 0 <= (future - today).days <= 6 and 0 <= (today - past).days <= 6
    assert parse_date(f"下周{name}", today) == today - timedelta(days=today.weekday() - wd) + timedelta(days=7)
