"""The sharing rules that need no database: working-day reminders, the credit split, suggestions, 宣城's rule."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from core.records import Project
from core.sharing import credit_split, holds_against_city_units, rank_suggestions, transfer_escalations, workdays_later
from core.stages import Stage
from tests.helpers import mini_org

TZ = ZoneInfo("Asia/Shanghai")
# 2026 National Day: 10-01..10-07 off, Sunday 10-11 worked (调休); weekends otherwise off.
HOLIDAYS = {date(2026, 10, d) for d in range(1, 8)}
SWAPPED_WORKDAYS = {date(2026, 10, 11)}


def is_workday(d: date) -> bool:
    if d in SWAPPED_WORKDAYS:
        return True
    return d.weekday() < 5 and d not in HOLIDAYS


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def project(**kw: object) -> Project:
    base = Project(id=1, name="比亚迪", normalized_name="比亚迪", credit_code=None, industry="电子信息制造",
                   stage=Stage.LEAD, category=None, source=None, contact=None, intended_wan=None,
                   contract_wan=None, planned_wan=None, funds_wan=0, foreign_wan=None, foreign_currency=None,
                   flags=frozenset(), owner_unit="zhu_sz", responsible_unit="zhu_sz", responsible_person=None,
                   leader_member_id=None, created_by=None, created_at=at(2026, 11, 2, 10),
                   updated_at=at(2026, 11, 2, 10))
    return replace(base, **kw)  # type: ignore[arg-type]


def test_two_working_days_after_a_monday_morning_is_wednesday_same_time() -> None:
    assert workdays_later(at(2026, 11, 2, 10, 30), 2, is_workday) == at(2026, 11, 4, 10, 30).astimezone(timezone.utc)


def test_working_days_skip_the_weekend() -> None:
    # Thursday + 2 working days = Monday; + 5 = Thursday of the next week.
    assert workdays_later(at(2026, 11, 5, 9), 2, is_workday) == at(2026, 11, 9, 9)
    assert workdays_later(at(2026, 11, 5, 9), 5, is_workday) == at(2026, 11, 12, 9)


def test_working_days_skip_a_public_holiday_and_count_the_swapped_sunday() -> None:
    # Proposed Wednesday 30 September: 1 October to 7 October are off, Thursday 8, Friday 9 work,
    # Saturday 10 is off and Sunday 11 is a working day (调休).
    start = at(2026, 9, 30, 16)
    assert workdays_later(start, 2, is_workday) == at(2026, 10, 9, 16)
    assert workdays_later(start, 3, is_workday) == at(2026, 10, 11, 16)
    assert workdays_later(start, 5, is_workday) == at(2026, 10, 13, 16)


def test_a_proposal_on_a_saturday_counts_from_monday() -> None:
    assert workdays_later(at(2026, 11, 7, 11), 2, is_workday) == at(2026, 11, 10, 11)


def test_escalations_are_due_at_two_and_five_working_days() -> None:
    proposed = at(2026, 11, 2, 10)  # Monday
    assert transfer_escalations(proposed, at(2026, 11, 4, 9, 59), is_workday) == []
    assert [lvl for lvl, _ in transfer_escalations(proposed, at(2026, 11, 4, 10), is_workday)] == ["head"]
    assert [lvl for lvl, _ in transfer_escalations(proposed, at(2026, 11, 6, 23), is_workday)] == ["head"]
    due = transfer_escalations(proposed, at(2026, 11, 9, 10), is_workday)
    assert due == [("head", at(2026, 11, 4, 10)), ("office", at(2026, 11, 9, 10))]


def test_escalations_use_the_callable_not_weekdays() -> None:
    everything_off_but_fridays = lambda d: d.weekday() == 4  # noqa: E731
    due = transfer_escalations(at(2026, 11, 2, 10), at(2026, 11, 13, 10), everything_off_but_fridays)
    assert due == [("head", at(2026, 11, 13, 10))]


def test_credit_split_follows_the_org_rule_for_a_city_unit_landing_in_a_county() -> None:
    cfg = mini_org()
    assert credit_split(cfg, "zhu_sz", "east") == {
        "rule_code": "city_unit_to_county", "rule_name": "市直单位引进落户区县", "owner_unit": "zhu_sz",
        "host_unit": "east", "owner_pct": 100, "host_pct": 50}
    assert credit_split(cfg, "gongxin", "hitech")["host_pct"] == 50  # a zone is county level too


def test_credit_split_without_a_rule_goes_to_the_host_and_back_home_to_the_owner() -> None:
    cfg = mini_org()
    assert credit_split(cfg, "east", "west") == {"rule_code": None, "rule_name": None, "owner_unit": "east",
                                                 "host_unit": "west", "owner_pct": 0, "host_pct": 100}
    assert credit_split(cfg, "zhu_sz", "gongxin")["host_pct"] == 100
    home = credit_split(cfg, "zhu_sz", "zhu_sz")
    assert (home["owner_pct"], home["host_pct"], home["rule_code"]) == (100, 0, None)


def test_suggestions_put_industry_orientation_first_then_where_similar_projects_landed() -> None:
    cfg = mini_org()
    p = project(industry="电子信息制造")
    assert [s.unit for s in rank_suggestions(cfg, p, {})] == ["east"]
    ranked = rank_suggestions(cfg, p, {"hitech": 3, "west": 1, "east": 1})
    assert [(s.unit, s.industry_match, s.landed) for s in ranked] == [
        ("east", True, 1), ("hitech", False, 3), ("west", False, 1)]


def test_suggestions_leave_out_the_current_unit_and_non_county_units() -> None:
    cfg = mini_org()
    p = project(industry="现代化工", responsible_unit="west")
    assert rank_suggestions(cfg, p, {"gongxin": 5, "west": 2}) == []
    assert rank_suggestions(cfg, project(industry=None), {}) == []


def test_a_district_holds_a_company_from_negotiating_on_while_live() -> None:
    cfg = mini_org()
    assert holds_against_city_units(cfg, project(owner_unit="east", responsible_unit="east")) is None
    negotiating = project(owner_unit="east", responsible_unit="east", stage=Stage.NEGOTIATING)
    assert holds_against_city_units(cfg, negotiating) == "east"
    assert holds_against_city_units(cfg, replace(negotiating, stage=Stage.PRODUCING)) == "east"
    assert holds_against_city_units(cfg, replace(negotiating, stage=Stage.TERMINATED)) is None
    transferred = project(owner_unit="zhu_sz", responsible_unit="hitech", stage=Stage.SIGNED)
    assert holds_against_city_units(cfg, transferred) == "hitech"
    assert holds_against_city_units(cfg, project(stage=Stage.SIGNED)) is None  # a resident office's own


def test_reminder_instants_shift_with_the_proposal_time() -> None:
    proposed = at(2026, 11, 2, 17, 45)
    head = workdays_later(proposed, 2, is_workday)
    assert head - proposed == timedelta(days=2)


def test_a_calendar_without_working_days_does_not_hang() -> None:
    assert workdays_later(at(2026, 11, 2, 10), 2, lambda d: False) == at(2027, 12, 7, 10)
