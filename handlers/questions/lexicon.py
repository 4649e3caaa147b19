"""The words a question may use, built from the org file: units (names, short names, derived aliases),
peer groups, indicators (their names and the usual words for their kind), stages, industry chains,
sources, flags and members. One regular expression finds them all, longest word first."""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.org import OrgConfig
from core.roles import UnitKind
from core.stages import Stage

# Words people use for an indicator of each kind (besides the name the org file gives it).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "funds_in_place": ("到位资金", "资金到位", "到资", "到位了", "到位多少", "到位金额", "实际到位"),
    "industrial_funds": ("工业项目到位资金", "工业到位资金", "工业资金", "工业项目资金", "工业到资"),
    "central_soe_contract": ("央企签约额", "央企签约", "央企合同额", "央企项目签约额", "央企"),
    "funds_rate": ("资金到位率", "到位率", "到资率"),
    "start_rate": ("开工率",),
    "production_rate": ("投产率",),
    "performance_rate": ("履约率",),
    "leader_trips": ("领导外出招商", "外出招商", "出去招商", "招商外出", "外出", "出访"),
    "report_on_time_rate": ("半月报按时报送率", "半月报按时率", "按时报送率", "报送率", "按时率", "半月报"),
}
STAGE_INDICATOR_WORDS: dict[str, tuple[str, ...]] = {
    "signed": ("新签约项目", "新签约", "签约项目", "签约数", "签约个数", "签约了几个", "签了几个", "签约"),
    "started": ("新开工项目", "新开工", "开工项目数"),
    "producing": ("新投产项目", "新投产", "投产项目数"),
}
FLAG_INDICATOR_WORDS: dict[str, tuple[str, ...]] = {
    "strong": ("优强企业", "优强"),
    "headquarters": ("总部企业", "总部"),
    "digital": ("数字经济项目", "数字经济"),
}
# The contract amount signed this year: not a ranking indicator, but the figure people ask for most.
CONTRACT = "contract_amount"
CONTRACT_WORDS = ("签约额", "签约金额", "签约总额", "合同额", "签了多少亿", "签了多少万", "签了多少钱", "签约资金")
STAGE_WORDS: dict[str, Stage] = {
    "线索": Stage.LEAD, "在谈": Stage.NEGOTIATING, "洽谈": Stage.NEGOTIATING, "正在谈": Stage.NEGOTIATING,
    "已签约": Stage.SIGNED, "签约阶段": Stage.SIGNED, "落地": Stage.LANDED, "入园": Stage.LANDED,
    "已落地": Stage.LANDED, "开工": Stage.STARTED, "已开工": Stage.STARTED, "在建": Stage.STARTED,
    "投产": Stage.PRODUCING, "已投产": Stage.PRODUCING, "终止": Stage.TERMINATED, "中止": Stage.TERMINATED,
}
# Peer groups are named by the kinds of unit they hold, so another org file's groups are found too.
KIND_GROUP_WORDS: dict[UnitKind, tuple[str, ...]] = {
    UnitKind.DISTRICT: ("区县", "各区县", "区（市、县）", "区(市、县)", "区市县", "各区", "县区", "各县区"),
    UnitKind.ZONE: ("开发区", "各开发区", "园区"),
    UnitKind.DEPARTMENT: ("市直部门", "各部门", "部门", "市直单位", "各市直部门"),
    UnitKind.RESIDENT_OFFICE: ("驻外办事处", "办事处", "各办事处", "驻外机构", "驻点"),
}
CITY_WORDS = ("全市", "全市范围", "市里", "全市合计", "总共", "一共", "合计")
ME_WORDS = ("我们单位", "我单位", "本单位", "我们", "咱们", "咱单位", "我们区", "我们局", "我们办")
SELF_WORDS = ("我本人", "我自己", "我",)
SCORE_WORDS = ("综合得分", "综合排名", "考核排名", "考核得分", "总分", "得分", "排名", "名次", "综合")
LATE_WORDS = ("迟报", "晚报", "逾期", "没按时", "未按时", "超期", "漏报", "未报", "没报", "晚交", "迟交")
QUOTA_WORDS = ("配额", "任务数", "次数任务", "要求次数")
TRANSFER_WORDS = ("待接收", "流转", "移交", "转交", "转过来", "分流")
FLAG_WORDS: dict[str, str] = {"工业": "industrial", "优强": "strong", "总部": "headquarters",
                              "数字经济": "digital", "央企": "central_soe", "外资": "foreign"}


@dataclass(frozen=True)
class Term:
    kind: str          # unit, group, city, me, self, indicator, contract, score, stage, industry, source,
                       # member, late, quota, transfer
    value: str


@dataclass(frozen=True)
class Lexicon:
    words: dict[str, Term]
    pattern: re.Pattern[str]
    examples: tuple[str, str]

    def find(self, text: str) -> list[tuple[int, int, str, Term]]:
        return [(m.start(), m.end(), m.group(0), self.words[m.group(0)]) for m in self.pattern.finditer(text)]


def _unit_aliases(name: str, short: str | None, city: str) -> list[str]:
    out = [name] + ([short] if short else [])
    for w in list(out):
        for prefix in (city, "市"):
            if w.startswith(prefix) and len(w) - len(prefix) >= 2:
                out.append(w[len(prefix):])
    # 贵安新区 → 贵安, 南明区 → 南明 (only when the rest is still two characters or more)
    for suffix in ("新区", "区", "县", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2 and not name.endswith("开发区"):
            out.append(name[: -len(suffix)])
            break
    return out


def build_lexicon(cfg: OrgConfig) -> Lexicon:
    words: dict[str, Term] = {}

    def add(word: str, term: Term, *, override: bool = False) -> None:
        if word and (override or word not in words):
            words[word] = term

    # The org file's own names win over generic words (a unit called 开发区 is that unit).
    city = cfg.organisation.city.rstrip("市")
    for u in cfg.units:
        if u.kind in (UnitKind.LEADERSHIP, UnitKind.CITY):  # the city is 全市, below
            continue
        for w in _unit_aliases(u.name, u.short_name, city):
            add(w, Term("unit", u.code))
        add(u.code, Term("unit", u.code))
    city_unit = next((u for u in cfg.units if u.kind is UnitKind.CITY), None)
    if city_unit is not None:
        for name in (city_unit.name, city_unit.short_name):  # not derived ones: 贵阳贵安 less 贵阳 is 贵安新区
            add(name or "", Term("city", ""), override=True)
    for g in cfg.peer_groups:
        add(g.name, Term("group", g.code), override=True)
        add(g.code, Term("group", g.code))
        for kind in {u.kind for u in cfg.group_units(g.code)}:
            for w in KIND_GROUP_WORDS.get(kind, ()):
                add(w, Term("group", g.code))
    for ind in cfg.indicators:
        add(ind.name, Term("indicator", ind.code), override=True)
        add(ind.code, Term("indicator", ind.code))
        extra: tuple[str, ...] = KIND_WORDS.get(ind.kind, ())
        if ind.kind == "projects_reached":
            extra = STAGE_INDICATOR_WORDS.get(ind.stage.value if ind.stage else "signed", ())
        elif ind.kind == "flagged_projects":
            extra = FLAG_INDICATOR_WORDS.get(ind.flag or "", ())
        for w in extra:
            add(w, Term("indicator", ind.code))
    for w in CONTRACT_WORDS:
        add(w, Term("contract", CONTRACT))
    for w, stage in STAGE_WORDS.items():
        add(w, Term("stage", stage.value))
    for industry in cfg.industries:
        add(industry, Term("industry", industry))
        for cut in ("制造", "产业", "经济", "业"):
            if industry.endswith(cut) and len(industry) - len(cut) >= 2:
                stem = industry[: -len(cut)]
                add(stem + "产业", Term("industry", industry))
                if cut == "制造" and len(stem) >= 4:
                    add(stem, Term("industry", industry))
    for source in cfg.sources:
        if source != "其他":
            add(source, Term("source", source))
    for m in cfg.members:
        add(m.name, Term("member", m.name))
    for group_words, term in ((CITY_WORDS, "city"), (ME_WORDS, "me"), (SELF_WORDS, "self"), (SCORE_WORDS, "score"),
                              (LATE_WORDS, "late"), (QUOTA_WORDS, "quota"), (TRANSFER_WORDS, "transfer")):
        for w in group_words:
            add(w, Term(term, ""))
    ordered = sorted(words, key=lambda w: (-len(w), w))
    pattern = re.compile("|".join(re.escape(w) for w in ordered))
    first = next((u for u in cfg.units if u.peer_group), None)
    funds = next((i.name for i in cfg.indicators if i.kind == "funds_in_place"), cfg.indicators[0].name)
    group = cfg.peer_groups[0].name if cfg.peer_groups else "全市"
    examples = (f"本月{first.name if first else '全市'}{funds}多少？", f"今年{group}新签约项目前三是谁？")
    return Lexicon(words, pattern, examples)


_CACHE: dict[int, tuple[OrgConfig, Lexicon]] = {}


def lexicon_for(cfg: OrgConfig) -> Lexicon:
    """The lexicon of a configuration, built once per configuration object."""
    hit = _CACHE.get(id(cfg))
    if hit is not None and hit[0] is cfg:
        return hit[1]
    lex = build_lexicon(cfg)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[id(cfg)] = (cfg, lex)
    return lex
