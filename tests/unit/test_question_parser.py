"""The question parser over the demo org file: a table of phrasings → the query they parse to.

`summary()` writes a parsed query in one line — subject/how indicator @unit #group 全市 period and
filters — so each row reads as what the bot understood. Asked on 2026-11-15 by a member of 贵安新区
named 何振宇 (for 我们 / 我)."""
from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from bot.config import BUNDLED_ORG
from core.org_file import load_org
from handlers.questions import NotUnderstood, Question, looks_like_question, parse_question

CFG = load_org(BUNDLED_ORG.read_text("utf-8"))
TODAY = date(2026, 11, 15)


def summary(q: Question | NotUnderstood) -> str:
    if isinstance(q, NotUnderstood):
        return f"? {q.missing}"
    parts = [f"{q.subject}/{q.how}"]
    if q.how in ("top", "bottom"):
        parts[0] += str(q.n)
    parts += [x for x in (q.indicator, q.unit and "@" + q.unit, q.group and "#" + q.group, "全市" if q.city else None,
                          q.person and "~" + q.person) if x]
    if q.period is not None:
        p = q.period
        parts.append(f"{p.year}-{p.first:02d}" + (f"..{p.last:02d}" if p.last != p.first else ""))
    parts += [x for x in (q.stage and "stage=" + q.stage.value, q.min_wan and f">={q.min_wan}",
                          q.industry and "ind=" + q.industry, q.source and "src=" + q.source, q.compare) if x]
    return " ".join(parts)


def parse(text: str) -> Question | NotUnderstood:
    return parse_question(text, CFG, TODAY, asker_unit="guian", asker_name="何振宇")


# -- a product: unit aliases × periods × indicator phrasings, expectations written independently ------------

UNITS = {"南明区": "nanming", "南明": "nanming", "驻深圳办事处": "zhu_shenzhen", "驻深圳": "zhu_shenzhen",
         "贵安新区": "guian", "贵安": "guian", "工信局": "gongxin", "市工业和信息化局": "gongxin",
         "高新区": "gaoxin", "观山湖区": "guanshanhu", "大数据局": "dashuju"}
PERIODS = {"本月": "2026-11", "上月": "2026-10", "上个月": "2026-10", "今年": "2026-01..11", "一季度": "2026-01..03",
           "上半年": "2026-01..06", "10月": "2026-10", "2026年9月": "2026-09", "去年": "2025-01..12"}
ASKED = {"到位资金多少？": "funds_in_place", "新签约项目几个": "signed_projects", "优强企业有几家？": "strong_enterprises",
         "开工率是多少": "start_rate"}
PRODUCT = [(f"{p}{u}{a}", f"indicator/total {ind} @{UNITS[u]} {PERIODS[p]}")
           for (u, p, (a, ind)) in product(UNITS, PERIODS, ASKED.items())]

# -- phrasings people use, one by one ---------------------------------------------------------------------

TABLE: list[tuple[str, str]] = [
    # the issue's own questions
    ("本月驻深圳办事处到位资金多少？", "indicator/total funds_in_place @zhu_shenzhen 2026-11"),
    ("今年区县签约额前三是谁？", "indicator/top3 contract_amount #districts 2026-01..11"),
    ("贵安新区有几个在谈项目？", "projects/count @guian stage=negotiating"),
    ("上个月哪些单位半月报迟报了？", "late_reports/list 2026-10"),
    ("电子信息制造今年签了多少亿？", "projects/total contract_amount 2026-01..11 ind=电子信息制造"),
    ("我们单位完成时序进度了吗？", "score/target @guian"),
    # funds and amounts
    ("南明区今年到位资金多少", "indicator/total funds_in_place @nanming 2026-01..11"),
    ("南明今年到位资金多少？", "indicator/total funds_in_place @nanming 2026-01..11"),
    ("南明区资金到位了多少", "indicator/total funds_in_place @nanming"),
    ("南明区到资多少", "indicator/total funds_in_place @nanming"),
    ("全市今年到位资金多少", "indicator/total funds_in_place 全市 2026-01..11"),
    ("去年全市到位资金", "indicator/total funds_in_place 全市 2025-01..12"),
    ("2026年前三个月全市到位资金", "indicator/total funds_in_place 全市 2026-01..03"),
    ("1到9月全市签约额", "indicator/total contract_amount 全市 2026-01..09"),
    ("1-9月全市签约额是多少", "indicator/total contract_amount 全市 2026-01..09"),
    ("三季度驻苏州办事处签约额多少", "indicator/total contract_amount @zhu_suzhou 2026-07..09"),
    ("经开区上季度工业到位资金", "indicator/total industrial_funds @jingkai 2026-07..09"),
    ("经开区Q3工业项目到位资金多少", "indicator/total industrial_funds @jingkai 2026-07..09"),
    ("高新区本月到位资金环比", "indicator/total funds_in_place @gaoxin 2026-11 mom"),
    ("花溪区今年央企签约额同比增长多少", "indicator/total central_soe_contract @huaxi 2026-01..11 yoy"),
    ("央企签约额今年多少", "indicator/total central_soe_contract 2026-01..11"),
    ("我们单位今年到位资金多少", "indicator/total funds_in_place @guian 2026-01..11"),
    ("本单位本月到位资金", "indicator/total funds_in_place @guian 2026-11"),
    ("咱们上个月到资多少？", "indicator/total funds_in_place @guian 2026-10"),
    ("息烽县十月份到位资金", "indicator/total funds_in_place @xifeng 2026-10"),
    ("修文县二季度到位资金", "indicator/total funds_in_place @xiuwen 2026-04..06"),
    ("修文第二季度到位资金多少", "indicator/total funds_in_place @xiuwen 2026-04..06"),
    ("开阳县下半年到位资金多少", "indicator/total funds_in_place @kaiyang 2026-07..12"),
    ("双龙航空港经济区今年到位资金", "indicator/total funds_in_place @shuanglong 2026-01..11"),
    ("双龙今年到位资金", "indicator/total funds_in_place @shuanglong 2026-01..11"),
    ("综保区今年到位资金多少", "indicator/total funds_in_place @zongbao 2026-01..11"),
    ("贵阳综合保税区本月到位资金", "indicator/total funds_in_place @zongbao 2026-11"),
    ("12月南明区到位资金", "indicator/total funds_in_place @nanming 2025-12"),
    ("2025年12月南明区到位资金", "indicator/total funds_in_place @nanming 2025-12"),
    ("2026-10南明区到位资金", "indicator/total funds_in_place @nanming 2026-10"),
    ("截至昨天南明区到位资金多少", "indicator/total funds_in_place @nanming 2026-01..11"),
    ("截至目前贵安到位资金", "indicator/total funds_in_place @guian 2026-01..11"),
    ("年初以来贵安到位资金", "indicator/total funds_in_place @guian 2026-01..11"),
    ("2025年全市到位资金是多少", "indicator/total funds_in_place 全市 2025-01..12"),
    # counts of the ranking
    ("清镇市10月新开工项目几个", "indicator/total started_projects @qingzhen 2026-10"),
    ("云岩区上半年总部企业几家", "indicator/total headquarters @yunyan 2026-01..06"),
    ("数字经济项目今年全市多少个", "indicator/total digital_projects 全市 2026-01..11"),
    ("南明区本月新签约了几个项目", "indicator/total signed_projects @nanming 2026-11"),
    ("南明区今年新签约项目有哪些", "indicator/list signed_projects @nanming 2026-01..11"),
    ("驻深圳今年签了几个", "indicator/total signed_projects @zhu_shenzhen 2026-01..11"),
    ("商务局今年优强企业几家", "indicator/total strong_enterprises @shangwu 2026-01..11"),
    ("观山湖区今年新投产项目有几个", "indicator/total producing_projects @guanshanhu 2026-01..11"),
    # rates
    ("观山湖区开工率多少", "indicator/total start_rate @guanshanhu"),
    ("全市资金到位率是多少", "indicator/total funds_rate 全市"),
    ("贵安新区履约率", "indicator/total performance_rate @guian"),
    ("白云区投产率怎么样", "indicator/total production_rate @baiyun"),
    ("我们单位半月报按时率多少", "indicator/total report_on_time @guian"),
    ("市商务局半月报按时报送率", "indicator/total report_on_time @shangwu"),
    ("10月白云区资金到位率", "indicator/total funds_rate @baiyun 2026-10"),
    # top / bottom / rank on one indicator
    ("今年区县到位资金排名", "indicator/total funds_in_place #districts 2026-01..11"),
    ("区县到位资金后三名", "indicator/bottom3 funds_in_place #districts"),
    ("今年哪个部门签约项目最多", "indicator/top1 signed_projects #departments 2026-01..11"),
    ("驻外办事处优强企业前二", "indicator/top2 strong_enterprises #resident_offices"),
    ("今年签约最多的区县", "indicator/top1 signed_projects #districts 2026-01..11"),
    ("到位资金最少的部门", "indicator/bottom1 funds_in_place #departments"),
    ("今年工业到位资金最多的是哪个区县", "indicator/top1 industrial_funds #districts 2026-01..11"),
    ("哪些区县到位资金多", "indicator/top50 funds_in_place #districts"),
    ("区县到位资金前5", "indicator/top5 funds_in_place #districts"),
    ("区县到位资金前十名", "indicator/top10 funds_in_place #districts"),
    ("市直部门新签约项目倒数三名", "indicator/bottom3 signed_projects #departments"),
    ("上月区县签约额前三", "indicator/top3 contract_amount #districts 2026-10"),
    ("南明区到位资金在区县里排第几", "indicator/rank funds_in_place @nanming #districts"),
    ("今年南明区到位资金排名第几", "indicator/rank funds_in_place @nanming 2026-01..11"),
    ("贵安新区签约额排第几", "indicator/rank contract_amount @guian"),
    ("我们到位资金排第几", "indicator/rank funds_in_place @guian"),
    # against target and 时序进度
    ("南明区到位资金完成了多少", "indicator/target funds_in_place @nanming"),
    ("南明区到位资金完成时序进度了吗", "indicator/target funds_in_place @nanming"),
    ("我们到位资金达标了吗", "indicator/target funds_in_place @guian"),
    ("贵安新区到位资金目标完成率", "indicator/target funds_in_place @guian"),
    ("哪些区县到位资金超过时序进度", "indicator/target funds_in_place #districts"),
    ("区县新签约项目完成情况", "indicator/target signed_projects #districts"),
    ("本单位时序进度怎么样", "score/target @guian"),
    ("我们完成任务了吗", "score/target @guian"),
    # the composite score (/rank)
    ("南明区排第几？", "score/rank @nanming"),
    ("我们今年排第几", "score/rank @guian 2026-01..11"),
    ("本单位排名", "score/rank @guian"),
    ("驻深圳办事处排名第几", "score/rank @zhu_shenzhen"),
    ("区县综合排名前三", "score/top3 #districts"),
    ("市直部门综合得分前五", "score/top5 #departments"),
    ("驻外办事处排名", "score/rank #resident_offices"),
    ("10月份南明区排第几", "score/rank @nanming 2026-10"),
    ("2025年12月南明区排第几", "score/rank @nanming 2025-12"),
    ("上个月我们考核排名第几", "score/rank @guian 2026-10"),
    ("南明区综合得分多少", "score/rank @nanming"),
    # projects by stage, size, industry chain, source
    ("今年贵安新区有哪些在谈项目", "projects/list @guian 2026-01..11 stage=negotiating"),
    ("贵安新区10亿以上的在谈项目有哪些", "projects/list @guian stage=negotiating >=100000"),
    ("全市有多少个在谈项目", "projects/count 全市 stage=negotiating"),
    ("在谈项目有几个", "projects/count stage=negotiating"),
    ("洽谈中的项目有多少", "projects/count stage=negotiating"),
    ("5000万以上的签约项目有几个", "projects/count stage=signed >=5000"),
    ("超过1亿的在谈项目有哪些", "projects/list stage=negotiating >=10000"),
    ("有多少以商招商的项目", "projects/count src=以商招商"),
    ("以商招商的项目有哪些", "projects/list src=以商招商"),
    ("委托招商来的项目有几个", "projects/count src=委托招商"),
    ("终止的项目有几个", "projects/count stage=terminated"),
    ("投产项目有多少", "projects/count stage=producing"),
    ("入园项目几个", "projects/count stage=landed"),
    ("线索有多少条", "projects/count stage=lead"),
    ("南明区有哪些线索", "projects/list @nanming stage=lead"),
    ("健康医药有几个项目", "projects/count ind=健康医药"),
    ("先进装备制造落地项目几个", "projects/count stage=landed ind=先进装备制造"),
    ("先进装备产业有几个开工项目", "projects/count stage=started ind=先进装备制造"),
    ("贵安新区电子信息制造项目有哪些", "projects/list @guian ind=电子信息制造"),
    ("今年电子信息产业签约额", "projects/total contract_amount 2026-01..11 ind=电子信息制造"),
    ("现代化工签约额多少", "projects/total contract_amount ind=现代化工"),
    ("南明区已开工的项目有哪些", "projects/list @nanming stage=started"),
    ("驻苏州办事处在谈的有几个项目", "projects/count @zhu_suzhou stage=negotiating"),
    ("我们有几个在谈项目", "projects/count @guian stage=negotiating"),
    ("10亿元以上的签约项目有哪些？", "projects/list stage=signed >=100000"),
    # half-monthly reports
    ("上个月我们半月报有没有迟报", "late_reports/list @guian 2026-10"),
    ("哪些单位半月报逾期了", "late_reports/list"),
    ("10月哪些区县半月报迟报", "late_reports/list #districts 2026-10"),
    ("三季度谁的半月报没按时报", "late_reports/list 2026-07..09"),
    ("本月有没有单位漏报半月报", "late_reports/list 2026-11"),
    # trips and quotas
    ("何振宇今年外出招商几次", "trips/count leader_trips ~何振宇 2026-01..11"),
    ("我外出招商几次了", "trips/count leader_trips ~何振宇"),
    ("领导外出招商配额完成情况", "trips/target leader_trips"),
    ("市领导外出招商完成多少", "trips/target leader_trips"),
    ("今年领导外出招商情况", "trips/total leader_trips 2026-01..11"),
    ("南明区外出招商几次", "indicator/total leader_trips @nanming"),
    # transfers waiting
    ("有几个流转待接收？", "transfers/count"),
    ("我们有哪些待接收的项目", "transfers/list @guian"),
    ("全市待接收的流转有哪些", "transfers/list 全市"),
    ("南明区有没有分流过来的项目", "transfers/list @nanming"),
    # what it does not understand
    ("今天天气怎么样？", "? subject"),
    ("近30天签约了几个项目", "? period"),
    ("最近一周到位资金多少", "? period"),
    ("倒数第一的区县是谁", "? subject"),
    ("南明区怎么样？", "? subject"),
    ("有多少？", "? subject"),
]


PRODUCT = [(text, expected) for text, expected in PRODUCT if text not in dict(TABLE)]


@pytest.mark.parametrize(("text", "expected"), TABLE + PRODUCT)
def test_phrasing_parses_to(text: str, expected: str) -> None:
    assert summary(parse(text)) == expected


def test_the_table_is_large_enough() -> None:
    assert len(TABLE) + len(PRODUCT) >= 300
    assert len({t for t, _ in TABLE + PRODUCT}) == len(TABLE) + len(PRODUCT)


@pytest.mark.parametrize("text", ["你好", "好的，谢谢", "东方电子有限公司 5000万 新能源", "明天下午开会"])
def test_small_talk_is_not_a_question(text: str) -> None:
    assert not looks_like_question(text) and isinstance(parse(text), NotUnderstood)


@pytest.mark.parametrize("text", ["", "？", "前", "1亿以上", "近", "13月到位资金", "2026年13月南明区到位资金",
                                  "前99个月", "前零名区县到位资金", "　" * 20, "排名" * 200, "%s{}[]", "\x00\x01"])
def test_the_parser_never_raises(text: str) -> None:
    parse(text)
