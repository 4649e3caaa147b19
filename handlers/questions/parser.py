"""A question in plain Chinese → `Question` (or `NotUnderstood`): periods, amounts and top-N first, then
the org file's words, then how it is asked. Pure: the asker's unit and name come in as arguments."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from core.org import OrgConfig
from core.stages import Stage
from handlers.parsing import find_amount, normalize_input, parse_chinese_number
from handlers.questions.lexicon import CONTRACT, FLAG_WORDS, lexicon_for
from handlers.questions.periods import find_period
from handlers.questions.query import Compare, How, NotUnderstood, Question

_QUESTION = re.compile(
    r"[?？]|多少|几个|几家|几次|几项|哪些|哪个|哪家|哪几|谁|是否|有没有|吗|么|排名|排第|第几|前[一二三四五六七八九十\d]+"
    r"|后[一二三四五六七八九十\d]+|倒数|最多|最少|最高|最低|怎么样|如何|情况|完成|进度|同比|环比|统计|列出|清单|名单")
_TOP = re.compile(r"(前|后|倒数(?:第)?|排名前|末)\s*(\d{1,2}|[一二三四五六七八九十两]{1,3})\s*(名|位|个|家|强)?")
_AMOUNT_AFTER = re.compile(r"(以上|及以上|以上的|超过|不低于|不少于|起)")
_AMOUNT_BEFORE = re.compile(r"(超过|大于|高于|不低于|不少于|在|达到)\s*$")
_HOW: tuple[tuple[How, re.Pattern[str]], ...] = (
    ("rank", re.compile(r"排第几|第几名|第几位|排在第?几|名次|排多少|排几|排名第几|第几")),
    ("target", re.compile(r"目标|时序|进度|达标|完成率|完成了吗|完成没|完成情况|任务|超时序|完成多少|完成")),
    ("list", re.compile(r"哪些|哪几个|列出|清单|名单|明细|都有什么|有什么|列一下|是哪")),
    ("top", re.compile(r"最多|最高|最好|最大|领先|第一|冠军|靠前|排前|前列|哪个单位|哪家单位|谁最")),
    ("bottom", re.compile(r"最少|最低|最差|垫底|靠后|末位|倒数|最后")),
    ("count", re.compile(r"几个|几家|几项|多少个|多少家|多少项|数量|个数|几次|多少次|有多少")),
)
_FILLER = re.compile(r"[\s?？!！。，,、；;：:“”\"'（）()《》]+")


def looks_like_question(text: str) -> bool:
    """A question mark or a question word: such a message is answered (or explained) as a question."""
    return bool(_QUESTION.search(text))


def _n(word: str) -> int:
    return int(word) if word.isdigit() else int(parse_chinese_number(word.replace("两", "二")))


# The org file's words that name something (the first one counts; "stage" last, read as a Stage) and the ones
# that only say yes (全市, 我们, 我, 得分, 迟报, 配额, 签约额, 流转), in the order parse unpacks them.
_NAMING = ("unit", "group", "indicator", "industry", "source", "member", "stage")
_SAYING = ("city", "me", "self", "score", "late", "quota", "contract", "transfer")

def parse_question(text: str, cfg: OrgConfig, today: date, *, asker_unit: str | None = None,
                   asker_name: str | None = None) -> Question | NotUnderstood:
    """Never raises: what is not understood comes back as `NotUnderstood`."""
    text = normalize_input(text).strip()
    understood: list[str] = []
    rest = text
    # 1. The period.
    found = find_period(rest, today)
    period = None
    if found is not None:
        if found.period is None:
            return NotUnderstood(tuple(understood), "period", found.unsupported)
        period = found.period
        understood.append(found.period.label or text[found.span[0]:found.span[1]])
        rest = rest[: found.span[0]] + " " + rest[found.span[1]:]
    # 2. Top / bottom N.
    how: How | None = None
    n = 3
    if m := _TOP.search(rest):
        how = "top" if m.group(1) in ("前", "排名前") else "bottom"
        n = max(1, min(_n(m.group(2)), 50))
        understood.append(m.group(0))
        rest = rest[: m.start()] + " " + rest[m.end():]
    # 3. An amount threshold (10亿以上, 超过5000万).
    min_wan = None
    amount = find_amount(rest)
    if amount is not None:
        (value, (a, b)) = amount
        after, before = _AMOUNT_AFTER.match(rest, b), _AMOUNT_BEFORE.search(rest[:a])
        if after or before:
            min_wan = value.wan
            a, b = (before.start() if before else a), (after.end() if after else b)
            understood.append(rest[a:b])
            rest = rest[:a] + " " + rest[b:]
    # 4. The org file's words: the first word of each naming kind counts (东区 and 西区 in one question: 东区);
    #    the others only say yes.
    named: dict[str, str] = {}
    said: set[str] = set()
    flags: set[str] = set()
    for start, end, word, term in lexicon_for(cfg).find(rest):
        understood.append(word)
        k = term.kind
        if k in _NAMING:
            named.setdefault(k, term.value)
        else:
            said.add(k)
        for flag_word, flag in FLAG_WORDS.items():
            if flag_word in word and k in ("indicator", "stage"):
                flags.add(flag)
    unit, group, indicator, industry, source, person = (named.get(k) for k in _NAMING if k != "stage")
    stage = Stage(named["stage"]) if "stage" in named else None
    city, me, self_, score, late, quota, contract, transfer = (k in said for k in _SAYING)
    if me and asker_unit is not None and unit is None and group is None:
        unit = asker_unit
    if self_ and not me and person is None and asker_name is not None:
        person = asker_name
    # 5. How it is asked.
    if how is None:
        found_how: How = next((h for h, p in _HOW if p.search(rest)), "total")
        how = found_how
        if how in ("top", "bottom"):
            n = 1  # 最多的是谁: the one at the top
        elif how == "list" and (_HOW[3][1].search(rest) or _HOW[4][1].search(rest)):
            how, n = ("top" if _HOW[3][1].search(rest) else "bottom"), 1
    assert how is not None
    compare: Compare | None = "yoy" if "同比" in text else "mom" if "环比" in text else None
    q = Question("indicator", how, indicator, unit, group, city, person, period, n, stage, min_wan, industry,
                 source, frozenset(), compare, tuple(understood))
    ind = cfg.indicator(indicator) if indicator else None
    # 6. What is asked about.
    if transfer:
        return replace(q, subject="transfers", indicator=None, stage=None, how="list" if how != "count" else how)
    if late:
        return replace(q, subject="late_reports", indicator=None, how="list" if how in ("total", "count") else how)
    leaders = ind is not None and ind.kind == "leader_trips" and unit is None and group is None
    if person is not None or (quota and ind is not None and ind.kind == "leader_trips") or leaders:
        return replace(q, subject="trips", indicator=ind.code if ind else None)
    projects_words = stage is not None or industry is not None or source is not None or min_wan is not None
    if contract and not (industry or source or stage or min_wan):
        return replace(q, indicator=CONTRACT, how="total" if how in ("count", "list") else how)
    if ind is not None and not (projects_words and ind.kind in ("projects_reached",) and how in ("list", "count")):
        if how == "list" and unit is None:
            how, n = "top", 50  # 哪些区县…: every unit of the group, highest first
        if projects_words and ind.kind not in ("funds_in_place",) and how in ("count", "total") and \
                ind.kind == "projects_reached":
            return replace(q, subject="projects", how="count", indicator=None, stage=stage or ind.stage,
                           flags=frozenset(flags))
        return replace(q, how="total" if how == "count" else how, n=n)
    if projects_words or (contract and (industry or source or stage or min_wan)) or \
            re.search(r"项目|企业|线索", rest):
        how = "list" if how == "list" else ("total" if contract else "count")
        if stage is None and ind is not None and ind.kind == "projects_reached":
            stage = ind.stage
        if stage is None and not (industry or source or min_wan or contract or flags):
            return NotUnderstood(tuple(understood), "subject")
        return replace(q, subject="projects", how=how, indicator=CONTRACT if contract else None, stage=stage,
                       flags=frozenset(flags))
    if score or how in ("rank", "target"):
        return replace(q, subject="score", indicator=None, how=how if how != "total" else "rank")
    leftover = _FILLER.sub("", rest)
    return NotUnderstood(tuple(understood), "subject", leftover[:12])
