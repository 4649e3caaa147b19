"""The bundled example organisation (bot/data/guiyang.toml) against the seed documents.

Every figure asserted here can be checked by hand against /work/shared/seeds/ (seed 001: the
Guiyang/Gui'an 2021–2023 three-year plan; 002: the dispatch calendar; 004: counting
coefficients and the 50% credit rule), and the refusals are the ones README promises.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from core.org import OrgConfig
from core.org_file import ConfigError, load_org
from core.roles import Role, UnitKind

PATH = Path(__file__).parents[2] / "bot" / "data" / "guiyang.toml"
TEXT = PATH.read_text(encoding="utf-8")

DISTRICTS = {
    "nanming": "南明区", "yunyan": "云岩区", "huaxi": "花溪区", "wudang": "乌当区", "baiyun": "白云区",
    "guanshanhu": "观山湖区", "qingzhen": "清镇市", "xiuwen": "修文县", "xifeng": "息烽县", "kaiyang": "开阳县",
}
ZONES = {
    "gaoxin": "贵阳高新区", "jingkai": "贵阳经开区", "zongbao": "贵阳综合保税区",
    "shuanglong": "双龙航空港经济区", "guian": "贵安新区",
}
DEPARTMENTS = {"gongxin", "shangwu", "dashuju", "fagai", "nongye", "wenlv", "weijian", "guoziwei", "keji"}
RESIDENT_OFFICES = {"zhu_shenzhen": "驻深圳", "zhu_suzhou": "驻苏州", "zhu_changsha": "驻长沙"}

YI = 10_000  # 1 亿元 in 万元
SEED_001_FUNDS_3Y = 7090 * YI         # 2021–2023 到位资金 7090 亿元
SEED_001_GUIAN_FUNDS_3Y = 1300 * YI   # of which 贵安新区 1300 亿元


@pytest.fixture(scope="module")
def org() -> OrgConfig:
    return load_org(TEXT, str(PATH))


def _county(org: OrgConfig) -> list:
    return org.units_of_kind(UnitKind.DISTRICT, UnitKind.ZONE)


# -- the organisation ---------------------------------------------------------------------


def test_loads_as_the_guiyang_organisation(org: OrgConfig) -> None:
    assert org.organisation.name == "贵阳贵安产业大招商"
    assert org.organisation.city == "贵阳市"
    assert org.organisation.year == 2026
    assert org.scoring.method == "capped_completion" and org.scoring.cap_pct == 120


def test_units_follow_the_seed_001_structure(org: OrgConfig) -> None:
    kinds = Counter(u.kind for u in org.units)
    assert kinds[UnitKind.CITY] == 1 and kinds[UnitKind.OFFICE] == 1 and kinds[UnitKind.LEADERSHIP] == 1
    assert {u.code: u.name for u in org.units_of_kind(UnitKind.DISTRICT)} == DISTRICTS
    assert {u.code: u.name for u in org.units_of_kind(UnitKind.ZONE)} == ZONES
    assert org.unit("guian").name == "贵安新区"
    assert {u.code for u in org.units_of_kind(UnitKind.DEPARTMENT)} == DEPARTMENTS
    assert {u.code: u.short_name for u in org.units_of_kind(UnitKind.RESIDENT_OFFICE)} == RESIDENT_OFFICES
    assert org.office_unit().code == "office"


def test_unit_tree_has_one_root_and_every_code_is_unique(org: OrgConfig) -> None:
    codes = [u.code for u in org.units]
    assert len(codes) == len(set(codes))
    # units are found by code, name or short name (bot.views.find_unit): none may be ambiguous
    refs = codes + [u.name for u in org.units] + [u.short_name for u in org.units if u.short_name]
    assert len(refs) == len(set(refs))
    roots = [u for u in org.units if u.parent is None]
    assert [u.code for u in roots] == ["guiyang"]
    for u in org.units:
        assert u.parent is None or org.has_unit(u.parent)
    team = org.unit("nanming_team1")
    assert team.kind is UnitKind.TEAM and team.parent == "nanming"
    assert team.peer_group is None and team.targets == {}


def test_peer_groups_match_unit_kinds(org: OrgConfig) -> None:
    assert {u.code for u in org.group_units("districts")} == set(DISTRICTS) | set(ZONES)
    assert {u.code for u in org.group_units("departments")} == DEPARTMENTS
    assert {u.code for u in org.group_units("resident_offices")} == set(RESIDENT_OFFICES)
    assert {u.code for u in org.units if u.peer_group is None} == {"guiyang", "office", "leadership", "nanming_team1"}
    # both scoring methods are in use
    assert org.scoring_for("districts").method == "capped_completion"
    assert org.scoring_for("departments").method == "capped_completion"
    assert org.scoring_for("resident_offices").method == "relative_to_best"


def test_industries_come_from_seed_001_and_units_use_them(org: OrgConfig) -> None:
    for chain in ("电子信息制造", "先进装备制造", "中高端消费品制造", "健康医药", "现代化工", "铝及铝加工"):
        assert chain in org.industries  # seed 001: 六大产业集群
    assert "新能源汽车零部件" in org.industries  # typed in the README demo line
    for u in org.units:
        assert set(u.industries) <= set(org.industries), u.code
    assert "铝及铝加工" in org.unit("qingzhen").industries   # 紧盯清镇铝产业基地
    assert "现代化工" in org.unit("xifeng").industries       # 息烽县、开阳县磷化工
    assert "现代化工" in org.unit("kaiyang").industries
    for code in ("yunyan", "nanming", "guanshanhu"):           # 总部经济发展集聚区
        assert "总部经济" in org.unit(code).industries
    assert "驻点招商" in org.sources and "以商招商" in org.sources and "委托招商" in org.sources


# -- weights and targets ------------------------------------------------------------------


def test_every_peer_group_weighs_exactly_100(org: OrgConfig) -> None:
    assert {g.code for g in org.peer_groups} == {"districts", "departments", "resident_offices"}
    for g in org.peer_groups:
        assert sum(g.weights.values()) == 100, g.code
        for key in g.weights:
            org.indicator(key)  # defined
    districts = org.peer_group("districts").weights
    assert max(districts.values()) == districts["funds_in_place"]
    assert sorted(districts.values())[-2] == districts["industrial_funds"]


def test_every_ranked_unit_but_keji_has_a_positive_target_for_each_weighted_indicator(org: OrgConfig) -> None:
    for g in org.peer_groups:
        for u in org.group_units(g.code):
            if u.code == "keji":
                continue
            missing = [k for k in g.weights if u.targets.get(k, 0) <= 0]
            assert not missing, (u.code, missing)
    assert org.unit("keji").targets == {}  # shown as 未设目标 in the rankings


def test_targets_are_in_the_indicator_units(org: OrgConfig) -> None:
    for u in org.units:
        for key, value in u.targets.items():
            if org.indicator(key).unit == "%":
                assert 0 < value <= 100, (u.code, key, value)


def test_county_funds_are_one_year_of_seed_001s_three_year_total(org: OrgConfig) -> None:
    funds = sum(u.targets["funds_in_place"] for u in _county(org))
    assert 0.20 * SEED_001_FUNDS_3Y <= funds <= 0.60 * SEED_001_FUNDS_3Y
    # 贵安新区's share follows seed 001's 1300 of 7090
    share = org.unit("guian").targets["funds_in_place"] / funds
    assert abs(share - SEED_001_GUIAN_FUNDS_3Y / SEED_001_FUNDS_3Y) < 0.02
    assert org.unit("guian").targets["funds_in_place"] == max(u.targets["funds_in_place"] for u in _county(org))
    # seed 001: 工业项目到位资金占比达到 50% 以上
    industrial = sum(u.targets["industrial_funds"] for u in _county(org))
    assert industrial * 2 >= funds


def test_county_quality_targets_are_one_year_of_seed_001(org: OrgConfig) -> None:
    def total(key: str) -> int:
        return sum(u.targets[key] for u in _county(org))

    # three-year totals (seed 001); one year is between a fifth and three fifths
    for key, three_years in (("strong_enterprises", 1380), ("headquarters", 180),
                             ("digital_projects", 450), ("central_soe_contract", 1500 * YI)):
        assert 0.20 * three_years <= total(key) <= 0.60 * three_years, key
    for u in _county(org):
        assert u.targets["funds_rate"] == 40 and u.targets["start_rate"] == 80  # seed 003
        assert u.targets["leader_trips"] == 12  # seed 001: 党政一把手各外出招商12次以上


def test_resident_offices_exceed_seed_004s_floor(org: OrgConfig) -> None:
    floor_per_year = 2 * YI // 2  # 分局两年任期任务为引进到位资金2亿元
    for code in RESIDENT_OFFICES:
        funds = org.unit(code).targets["funds_in_place"]
        assert floor_per_year <= funds <= 10 * YI, code


def test_departments_overlap_but_stay_below_the_county_total(org: OrgConfig) -> None:
    county = sum(u.targets["funds_in_place"] for u in _county(org))
    dept = sum(u.targets.get("funds_in_place", 0) for u in org.units_of_kind(UnitKind.DEPARTMENT))
    assert 0 < dept < county


# -- seed 004: counting coefficients and credit sharing -----------------------------------


def test_counting_coefficients_follow_seed_004(org: OrgConfig) -> None:
    expected = {
        "manufacturing": ("actual", 100), "agriculture": ("actual", 100), "social": ("actual", 100),
        "tourism": ("actual", 100), "logistics": ("actual", 100), "ecommerce": ("actual", 100),
        "standard_factory": ("actual", 100), "intermediary": ("actual", 100),
        "finance": ("registered_capital", 100),
        "large_retail": ("actual", 70), "hotel": ("actual", 70), "car_4s": ("actual", 70), "leisure": ("actual", 70),
        "guaranteed_infra": ("excluded", 0),
    }
    assert {c.code: (c.basis, c.coefficient_pct) for c in org.categories} == expected


def test_credit_rule_halves_the_county_figure(org: OrgConfig) -> None:
    [rule] = org.credit_rules
    assert rule.code == "city_unit_to_county"
    assert rule.owner_pct == 100 and rule.host_pct == 50  # 按50%扣减有关县（市）该项目到位资金数
    assert org.credit_rule_for(org.unit("zhu_shenzhen"), org.unit("guian")) is rule
    assert org.credit_rule_for(org.unit("gongxin"), org.unit("qingzhen")) is rule
    assert org.credit_rule_for(org.unit("nanming"), org.unit("yunyan")) is None


# -- calendar (seed 002) ------------------------------------------------------------------


def test_calendar_follows_seed_002(org: OrgConfig) -> None:
    cal = org.calendar
    assert cal.half_monthly_days == (10, 25)
    assert cal.escalation == ("unit_head", "office")
    assert cal.zero_report_quarters == 3
    assert cal.dispatch_threshold_wan == 1 * YI  # seed 001: 市级重点调度 1亿元以上项目
    assert cal.ranking_day == 3 and cal.dispatch_weekday == 0


def test_2027_placeholder_holidays(org: OrgConfig) -> None:
    cal = org.calendar
    assert cal.extra_holidays and cal.extra_workdays
    assert all(d.year == 2027 for d in cal.extra_holidays + cal.extra_workdays)
    assert not set(cal.extra_holidays) & set(cal.extra_workdays)
    assert all(d.weekday() >= 5 for d in cal.extra_workdays)  # 调休 workdays fall on weekends
    holidays = {d.isoformat() for d in cal.extra_holidays}
    for day in ("2027-01-01", "2027-02-06", "2027-04-05", "2027-05-01", "2027-06-09", "2027-09-15", "2027-10-01"):
        assert day in holidays


# -- demo members -------------------------------------------------------------------------


def test_every_member_belongs_to_an_existing_unit_and_names_are_unique(org: OrgConfig) -> None:
    for m in org.members:
        assert org.has_unit(m.unit), m.name
    names = [m.name for m in org.members]
    assert len(names) == len(set(names))


def test_every_ranked_unit_has_exactly_one_reporter_and_one_head(org: OrgConfig) -> None:
    reporters = Counter(m.unit for m in org.members if m.reporter)
    heads = Counter(m.unit for m in org.members if m.role is Role.UNIT_HEAD)
    ranked = [u.code for u in org.units if u.peer_group is not None]
    for code in ranked:
        assert reporters[code] == 1, code
        assert heads[code] == 1, code
    assert set(reporters) == set(ranked)


def test_county_heads_have_seed_001_trip_quotas(org: OrgConfig) -> None:
    for u in _county(org):
        [head] = [m for m in org.members if m.unit == u.code and m.role is Role.UNIT_HEAD]
        assert head.trip_quota == 12, u.code


def test_leaders_and_office(org: OrgConfig) -> None:
    leaders = [m for m in org.members if m.role is Role.LEADER]
    assert len(leaders) == 4 and all(m.unit == "leadership" for m in leaders)
    assert sorted(m.trip_quota for m in leaders) == [2, 4, 6, 6]  # seed 001: 主要领导 6, 其他 2—4
    assert any("分管招商" in m.title and m.trip_quota == 4 for m in leaders)
    admins = [m for m in org.members if m.role is Role.OFFICE_ADMIN]
    assert len(admins) == 2 and all(m.unit == "office" and not m.reporter for m in admins)
    assert "王办公" in {m.name for m in admins}


def test_demo_console_user(org: OrgConfig) -> None:
    [li] = [m for m in org.members if m.name == "李驻深"]
    assert li.unit == "zhu_shenzhen" and li.role is Role.MEMBER and li.reporter
    assert len([m for m in org.members if m.unit == "zhu_shenzhen" and m.role is Role.MEMBER]) == 2


# -- refusals: a copy of the file with one mistake ----------------------------------------


def _replace_line(text: str, old: str, new: str) -> tuple[str, int]:
    """Replace the single line whose content (before any comment) is `old`; return text and 1-based line."""
    lines = text.splitlines()
    hits = [i for i, line in enumerate(lines) if line.split("#")[0].strip() == old]
    assert len(hits) == 1, (old, hits)
    lines[hits[0]] = new
    return "\n".join(lines) + "\n", hits[0] + 1


def _unit_index(org: OrgConfig, code: str) -> int:
    return [u.code for u in org.units].index(code)


def _refused(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_org(text, "guiyang.toml")
    return info.value


def test_unknown_parent_is_refused(org: OrgConfig) -> None:
    text, line = _replace_line(TEXT, 'parent = "nanming"', 'parent = "nowhere"')
    err = _refused(text)
    key = f"units[{_unit_index(org, 'nanming_team1')}].parent"
    assert err.key == key and key in str(err) and "nowhere" in str(err)
    assert err.line == line


def test_duplicate_unit_code_is_refused_with_its_line(org: OrgConfig) -> None:
    text, line = _replace_line(TEXT, 'code = "yunyan"', 'code = "nanming"')
    err = _refused(text)
    key = f"units[{_unit_index(org, 'yunyan')}].code"
    assert err.key == key and key in str(err) and "nanming" in str(err)
    assert err.line == line and f"第 {line} 行" in str(err)


def test_negative_target_is_refused(org: OrgConfig) -> None:
    text, line = _replace_line(TEXT, "funds_in_place = 100000", "funds_in_place = -100000")
    err = _refused(text)
    key = f"units[{_unit_index(org, 'zhu_shenzhen')}].targets.funds_in_place"
    assert err.key == key and key in str(err)
    assert err.line == line


def test_weights_summing_to_99_are_refused(org: OrgConfig) -> None:
    # the departments group's report_on_time weight (10 → 9)
    text, _ = _replace_line(TEXT, "report_on_time = 10", "report_on_time = 9")
    err = _refused(text)
    index = [g.code for g in org.peer_groups].index("departments")
    key = f"peer_groups[{index}].weights"
    assert err.key == key and key in str(err) and "99" in err.reason
    lines = TEXT.splitlines()
    group_line = lines.index('code = "departments"') + 1
    assert err.line is not None and err.line > group_line
    assert re.match(r"\s*\[peer_groups\.weights\]", lines[err.line - 1])



# Checks added after review: the tree, industry names, rate targets, short names.
MINI_TEXT = (Path(__file__).parents[1] / "data" / "mini_org.toml").read_text(encoding="utf-8")


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_a_parent_cycle_is_refused() -> None:
    text = _edit(MINI_TEXT, 'code = "east"\nname = "东区"\nkind = "district"\nparent = "city"',
                 'code = "east"\nname = "东区"\nkind = "district"\nparent = "west"')
    text = _edit(text, 'code = "west"\nname = "西区"\nkind = "district"\nparent = "city"',
                 'code = "west"\nname = "西区"\nkind = "district"\nparent = "east"')
    with pytest.raises(ConfigError, match="成环"):
        load_org(text, "mini")


def test_a_unit_industry_missing_from_the_list_is_refused() -> None:
    text = _edit(MINI_TEXT, 'industries = ["电子信息制造", "新能源汽车零部件"]', 'industries = ["电子信息", "新能源汽车零部件"]')
    with pytest.raises(ConfigError) as info:
        load_org(text, "mini")
    assert "units[3].industries[0]" in str(info.value) and "电子信息" in str(info.value)


def test_a_second_root_is_refused() -> None:
    text = _edit(MINI_TEXT, 'code = "office"\nname = "市投资促进局"\nkind = "office"\nparent = "city"',
                 'code = "office"\nname = "市投资促进局"\nkind = "office"')
    with pytest.raises(ConfigError, match="根单位"):
        load_org(text, "mini")


def test_a_rate_target_over_100_is_refused() -> None:
    text = _edit(MINI_TEXT, '[[indicators]]\ncode = "funds_in_place"',
                 '[[indicators]]\ncode = "start_rate"\nname = "开工率"\nkind = "start_rate"\nunit = "%"\n\n'
                 '[[indicators]]\ncode = "funds_in_place"')
    text = _edit(text, "funds_in_place = 100000\nsigned_projects = 10",
                 "funds_in_place = 100000\nsigned_projects = 10\nstart_rate = 400")
    with pytest.raises(ConfigError) as info:
        load_org(text, "mini")
    assert "units[3].targets.start_rate" in str(info.value)
