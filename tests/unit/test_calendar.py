"""The reporting calendar (seed 002) on real 2026 Chinese holidays, and the fallback for 2027.

2026 facts used here (State Council notice, as in chinesecalendar 1.11): New Year 1–3 Jan with
Sun 4 Jan worked; Spring Festival 15–23 Feb with Sat 14 and Sat 28 Feb worked; Mid-autumn
25–27 Sep; National Day 1–7 Oct with Sun 20 Sep and Sat 10 Oct worked.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.org import Calendar
from core.halfmonthly import next_period, parse_period, parse_quarter, read_period, periods_between, previous_period, quarter_of, shift_quarter
from reminders.calendar import knows, workdays
from core.workdays import (
    Workdays,
    deadline,
    dispatch_day,
    due_date,
    escalation_days,
    observation_day,
    open_period,
    overdue_day,
    quarters_between,
    reminder_instants,
)

TZ = ZoneInfo("Asia/Shanghai")
CAL = Calendar()
D = date


def days(cal: Calendar = CAL) -> Workdays:
    return workdays(cal)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def reminder_days(period: date, cal: Calendar = CAL) -> list[tuple[int, date]]:
    return [(r.offset_days, r.day) for r in reminder_instants(period, cal, TZ, days(cal))]


@pytest.mark.parametrize("day,working", [
    (D(2026, 10, 1), False), (D(2026, 10, 7), False), (D(2026, 10, 8), True),   # National Day
    (D(2026, 10, 10), True),                     # a Saturday worked (调休)
    (D(2026, 9, 20), True), (D(2026, 9, 25), False),  # Sunday worked; Mid-autumn
    (D(2026, 2, 14), True), (D(2026, 2, 16), False),  # Spring Festival
    (D(2026, 12, 12), False), (D(2026, 12, 14), True),
])
def test_working_days_follow_the_2026_holiday_notice(day: date, working: bool) -> None:
    w = days()
    assert w.is_workday(day) is working
    assert w.unknown_years == set()


def test_a_deadline_on_a_weekend_moves_to_the_next_working_day() -> None:
    assert due_date(D(2026, 1, 10), CAL, days()) == D(2026, 1, 12)       # Saturday → Monday
    assert due_date(D(2026, 10, 25), CAL, days()) == D(2026, 10, 26)     # Sunday → Monday
    assert due_date(D(2026, 10, 10), CAL, days()) == D(2026, 10, 10)     # a worked Saturday stays
    kept = Calendar(postpone_on_holiday=False)
    assert due_date(D(2026, 1, 10), kept, days(kept)) == D(2026, 1, 10)


def test_the_deadline_is_the_end_of_the_due_day_in_local_time() -> None:
    assert deadline(D(2026, 12, 10), CAL, TZ, days()) == local(2026, 12, 11, 0, 0)
    assert deadline(D(2026, 1, 10), CAL, TZ, days()) == local(2026, 1, 13, 0, 0)


def test_reminders_3_days_1_day_and_the_morning_of_the_deadline() -> None:
    assert reminder_days(D(2026, 12, 10)) == [(3, D(2026, 12, 7)), (1, D(2026, 12, 9)), (0, D(2026, 12, 10))]
    at = [r.at for r in reminder_instants(D(2026, 12, 10), CAL, TZ, days())]
    assert at[0] == local(2026, 12, 7, 9, 0)


def test_reminders_on_a_non_working_day_move_earlier_and_never_twice_on_one_day() -> None:
    # Due Mon 12 Jan (postponed): 3 days before is Fri 9 Jan, 1 day before is Sun 11 → Fri 9 again.
    assert reminder_days(D(2026, 1, 10)) == [(3, D(2026, 1, 9)), (0, D(2026, 1, 12))]
    # Due Sat 10 Oct (worked): 3 days before is 7 Oct, a holiday → Wed 30 Sep, before the holiday.
    assert reminder_days(D(2026, 10, 10)) == [(3, D(2026, 9, 30)), (1, D(2026, 10, 9)), (0, D(2026, 10, 10))]
    # Due Wed 25 Feb: 3 days before is Sun 22 Feb in the Spring Festival → the worked Sat 14 Feb.
    assert reminder_days(D(2026, 2, 25))[0] == (3, D(2026, 2, 14))


def test_no_reminder_of_2026_falls_on_a_non_working_day() -> None:
    w = days()
    for period in periods_between(D(2026, 1, 1), D(2026, 12, 31), CAL.half_monthly_days):
        for r in reminder_instants(period, CAL, TZ, w):
            assert w.is_workday(r.day), (period, r)
            assert r.at.astimezone(TZ).time() == time(9, 0)
        for day in [overdue_day(period, CAL, w), *escalation_days(period, CAL, w)]:
            assert w.is_workday(day)
            assert day > due_date(period, CAL, w)


def test_escalation_unit_head_then_office_on_successive_working_days() -> None:
    assert escalation_days(D(2026, 12, 10), CAL, days()) == [D(2026, 12, 11), D(2026, 12, 14)]
    # 25 Sep is Mid-autumn: due Mon 28 Sep, so the unit head hears on 29 Sep and the office on 30 Sep.
    assert due_date(D(2026, 9, 25), CAL, days()) == D(2026, 9, 28)
    assert escalation_days(D(2026, 9, 25), CAL, days()) == [D(2026, 9, 29), D(2026, 9, 30)]


def test_dispatch_meeting_is_the_monday_of_the_last_week_on_a_working_day() -> None:
    w = days()
    assert dispatch_day(2026, 12, CAL, w) == D(2026, 12, 28)
    assert dispatch_day(2026, 8, CAL, w) == D(2026, 8, 31)       # the month ends on a Monday
    assert dispatch_day(2026, 5, CAL, w) == D(2026, 5, 25)       # ends on a Sunday: that week's Monday
    assert dispatch_day(2026, 2, CAL, w) == D(2026, 2, 14)       # Mon 23 Feb is a holiday → worked Sat 14
    friday = Calendar(dispatch_weekday=4)
    assert dispatch_day(2026, 12, friday, days(friday)) == D(2026, 12, 25)


def test_quarters_and_the_observation_reminder() -> None:
    assert quarter_of(D(2026, 11, 2)) == "2026Q4"
    assert shift_quarter("2026Q1", -1) == "2025Q4" and shift_quarter("2026Q4", 1) == "2027Q1"
    assert parse_quarter("2026Q5") is None
    assert quarters_between(D(2026, 2, 1), D(2026, 10, 1)) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    w = days()
    assert observation_day("2026Q4", CAL, w) == D(2026, 10, 8)   # 1 Oct is National Day → next working day
    assert observation_day("2026Q1", CAL, w) == D(2026, 1, 4)    # the worked Sunday after New Year


def test_periods_are_the_configured_days_of_each_month() -> None:
    days_ = CAL.half_monthly_days
    assert periods_between(D(2026, 11, 20), D(2027, 1, 10), days_) == [
        D(2026, 11, 25), D(2026, 12, 10), D(2026, 12, 25), D(2027, 1, 10)]
    assert previous_period(D(2026, 12, 10), days_) == D(2026, 11, 25)
    assert next_period(D(2026, 12, 25), days_) == D(2027, 1, 10)
    assert parse_period("2026-12-10", days_) == D(2026, 12, 10)
    assert parse_period("2026-12-11", days_) is None and parse_period("12月10日", days_) is None
    assert parse_period("2026年12月10日", days_) is None  # an id is ISO only; people's forms go through read_period


@pytest.mark.parametrize(
    ("typed", "period"),
    [("11月25日", D(2026, 11, 25)), ("11月25号", D(2026, 11, 25)), ("11.25", D(2026, 11, 25)),
     ("11/25", D(2026, 11, 25)), ("2026年11月25日", D(2026, 11, 25)), ("2026.11.25", D(2026, 11, 25)),
     ("１１月２５日", D(2026, 11, 25)), ("11月25日期", D(2026, 11, 25)), ("11月下半月", D(2026, 11, 25)),
     ("12月上半月", D(2026, 12, 10)), ("12月10日", D(2026, 12, 10)), ("1月10日", D(2027, 1, 10)),
     ("2月25日", D(2027, 2, 25)), ("6月10日", D(2026, 6, 10)), ("2025年12月10日", D(2025, 12, 10))],
)
def test_a_period_in_the_forms_people_type(typed: str, period: D) -> None:
    assert read_period(typed, CAL.half_monthly_days, D(2026, 12, 2)) == period


@pytest.mark.parametrize("typed", ["11月20日", "11.26", "13月10日", "2月30日", "11月中旬", "随便", "11月", "下半月"])
def test_what_is_not_a_period(typed: str) -> None:
    assert read_period(typed, CAL.half_monthly_days, D(2026, 12, 2)) is None


def test_the_open_period_is_the_first_whose_deadline_has_not_passed() -> None:
    w = days()
    assert open_period(local(2026, 12, 10, 23, 59), CAL, TZ, w) == D(2026, 12, 10)
    assert open_period(local(2026, 12, 11, 0, 0), CAL, TZ, w) == D(2026, 12, 25)
    assert open_period(local(2026, 1, 11, 12, 0), CAL, TZ, w) == D(2026, 1, 10)   # postponed to 12 Jan


def test_2027_falls_back_to_weekends_and_the_org_files_holidays() -> None:
    cal = Calendar(extra_holidays=(D(2027, 1, 1), D(2027, 2, 8)), extra_workdays=(D(2027, 2, 20),))
    w = days(cal)
    assert w.is_workday(D(2027, 1, 1)) is False           # listed holiday (a Friday)
    assert w.is_workday(D(2027, 1, 4)) is True            # plain Monday
    assert w.is_workday(D(2027, 1, 9)) is False           # Saturday
    assert w.is_workday(D(2027, 2, 20)) is True           # listed make-up Saturday
    assert w.unknown_years == {2027}
    assert not knows(2027) and knows(2026)
    # Deadlines and reminders still work: 10 Jan 2027 is a Sunday → Monday 11 Jan.
    assert due_date(D(2027, 1, 10), cal, w) == D(2027, 1, 11)
    assert reminder_days(D(2027, 2, 10), cal) == [(3, D(2027, 2, 5)), (1, D(2027, 2, 9)), (0, D(2027, 2, 10))]
    assert dispatch_day(2027, 3, cal, w) == D(2027, 3, 29)


def test_the_org_files_extra_days_override_chinesecalendar() -> None:
    cal = Calendar(extra_holidays=(D(2026, 12, 10),))
    w = days(cal)
    assert due_date(D(2026, 12, 10), cal, w) == D(2026, 12, 11)
    assert w.is_workday(D(2026, 12, 10) + timedelta(days=1))
