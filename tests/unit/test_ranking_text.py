"""The ranking as chat text: groups, key indicators in 亿/万, 未设目标, empty months, the ledger head last."""
from __future__ import annotations

from datetime import date, datetime, timezone
from fractions import Fraction

from core.figures import MonthFacts, ProjectGroup, last_complete_month, parse_month
from reports.ranking_text import format_amount, format_value, render_ranking, render_unit_line
from reports.ranking import Ranking, rank_month, ranking_json
from tests.helpers import mini_org

HEAD = "0123456789abcdef" + "f" * 48


def group(owner: str, host: str, *, funds: int = 0, signed: int = 0, category: str | None = None) -> ProjectGroup:
    return ProjectGroup(owner, host, None, None, category, False, False, False, False, False, funds, funds, signed,
                        0, 0, signed, 0, 0, 0, 0, 0)


def facts_of(*groups: ProjectGroup, head_seq: int = 26, head: str | None = HEAD) -> MonthFacts:
    return MonthFacts(month="2026-10", year_start=date(2026, 1, 1), month_end=date(2026, 10, 31),
                      until=datetime(2026, 10, 31, 16, tzinfo=timezone.utc), head_seq=head_seq, head_hash=head,
                      groups=groups)


def october(*groups: ProjectGroup, head_seq: int = 26, head: str | None = HEAD) -> Ranking:
    return rank_month(mini_org(), facts_of(*groups, head_seq=head_seq, head=head))


def scripted() -> Ranking:
    """test_ranking's October in aggregate: 东区 3亿, 西区's hotel 8000万 at 70%, 驻深圳's 1亿 landed in 高新区."""
    return october(group("east", "east", funds=30_000, signed=1), group("west", "west", funds=8_000, signed=1,
                                                                          category="hotel"),
                   group("zhu_sz", "hitech", funds=10_000, signed=1),
                   group("gongxin", "gongxin", funds=4_000, signed=1, category="guaranteed_infra"))


def test_each_group_lists_rank_unit_score_and_key_indicators_then_the_ledger_head() -> None:
    text = render_ranking(scripted())
    lines = text.splitlines()
    assert lines[0] == "【2026年10月招商考核排名】"
    assert lines[1].startswith("时序进度 83.3%")
    assert "1. 东区 26.41分｜到位资金 3亿元（完成36.0%）｜新签约项目 1个（完成12.0%）" in lines
    assert "2. 西区 17.67分｜到位资金 5600万元（完成13.4%）｜新签约项目 1个（完成24.0%）" in lines
    assert "3. 高新区 10.51分｜到位资金 5000万元（完成7.5%）｜新签约项目 1个（完成15.0%）" in lines
    assert lines.index("▍区县（按时序完成率计分，封顶120%）") < lines.index("▍市直部门（按时序完成率计分，封顶120%）")
    assert "▍驻外办事处（按组内最高值折算）" in lines
    # The message ends with the head the figures came from.
    assert lines[-1] == "账本链头 #26 0123456789abcdef"


def test_units_without_targets_are_listed_apart_not_ranked() -> None:
    lines = render_ranking(scripted()).splitlines()
    assert "未设目标（不参与排名）：市科技局" in lines
    assert not any(line.split(" ")[-1].startswith("市科技局") or ". 市科技局" in line for line in lines)
    dept = lines.index("▍市直部门（按时序完成率计分，封顶120%）")
    assert lines[dept + 1].startswith("1. 市工信局 ") and lines[dept + 2] == "未设目标（不参与排名）：市科技局"


def test_the_senders_unit_is_highlighted_and_one_group_can_be_shown() -> None:
    ranking = scripted()
    text = render_ranking(ranking, group="districts", highlight="hitech")
    lines = text.splitlines()
    assert lines[0] == "【2026年10月招商考核排名 · 区县】"
    assert "▶ 3. 高新区（本单位）10.51分｜到位资金 5000万元（完成7.5%）｜新签约项目 1个（完成15.0%）" in lines
    assert "1. 东区 26.41分｜到位资金 3亿元（完成36.0%）｜新签约项目 1个（完成12.0%）" in lines
    assert "驻外办事处" not in text and lines[-1] == "账本链头 #26 0123456789abcdef"
    east = ranking.group("districts").units[0]
    assert render_unit_line(east, highlight=True).startswith("▶ 1. 东区（本单位）26.41分")


EMPTY = "2026年10月没有任何单位有计入考核的数字（各项指标均为0或无数据），本月排名为空。"


def test_an_empty_month_says_so_in_one_sentence() -> None:
    text = render_ranking(october(head_seq=0, head=None))
    assert text.splitlines() == ["【2026年10月招商考核排名】", EMPTY, "", "账本链头 #0（此前没有账本事件）"]


def test_a_month_whose_projects_count_nothing_yet_is_empty_too() -> None:
    # Leads in the ledger, none signed and no funds: every unit would be "1." with 0.00 — say it is empty.
    leads_only = october(group("east", "east"), group("zhu_sz", "hitech"))
    assert leads_only.empty
    assert render_ranking(leads_only).splitlines() == ["【2026年10月招商考核排名】", EMPTY, "", "账本链头 #26 0123456789abcdef"]
    assert ranking_json(leads_only)["empty"] is True and ranking_json(leads_only)["groups"] == []
    # The group asked for changes nothing: a figure anywhere in the month makes it a ranking.
    one_figure = october(group("gongxin", "gongxin", funds=1))
    assert not one_figure.empty and not rank_month(mini_org(), facts_of(group("gongxin", "gongxin", funds=1)),
                                                   group="districts").empty
    lines = render_ranking(one_figure, group="departments").splitlines()
    assert EMPTY not in lines and any(line.startswith("1. 市工信局 ") for line in lines)


def test_amounts_read_as_people_write_them() -> None:
    assert format_amount(30_000) == "3亿元" and format_amount(12_345) == "1.2345亿元"
    assert format_amount(5_600) == "5600万元" and format_amount(Fraction(49, 2)) == "24.5万元"
    assert format_amount(Fraction(1, 3)) == "0.33万元" and format_amount(Fraction(24_691, 2)) == "1.23455亿元"
    assert format_value(Fraction(170, 2), "%") == "85.0%" and format_value(Fraction(3), "家") == "3家"
    assert format_value(None, "%") == "—"


def test_months_parse_and_the_default_is_the_last_complete_month() -> None:
    assert parse_month("2026-1") == "2026-01" and parse_month(" 2026-10 ") == "2026-10"
    for bad in ("2026-13", "26-10", "2026/10", "october"):
        try:
            parse_month(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
    assert last_complete_month(date(2026, 11, 2)) == "2026-10"
    assert last_complete_month(date(2027, 1, 1)) == "2026-12"
