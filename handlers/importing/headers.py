"""Find the header row of a sheet and map its columns to fields by a synonym table (extendable)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

MoneyUnit = Literal["yi", "wan", "wan_usd"]

# field → the headers offices write for it (after NFKC, without spaces and the bracketed unit).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("项目名称", "项目", "名称"),
    "company": ("投资主体", "投资方", "投资企业", "企业名称", "公司名称", "签约企业", "客商名称", "投资商", "企业"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码"),
    "industry": ("产业链", "所属产业链", "所属产业", "产业类别", "所属行业", "行业", "产业"),
    "category": ("项目类别", "项目类型"),
    "stage": ("阶段", "项目阶段", "项目进度", "进展阶段", "项目状态", "所处阶段", "进度"),
    "progress": ("推进情况", "进展情况", "项目进展", "进展"),
    "next_steps": ("推进计划", "下步计划", "下一步计划"),
    "problem": ("问题及诉求", "存在问题", "问题（提请调度）", "需协调解决问题", "问题"),
    "source": ("来源", "线索来源", "招商方式", "信息来源"),
    "owner_unit": ("首报单位", "填报单位", "报送单位", "首谈单位"),
    "responsible_unit": ("责任单位", "牵头单位", "承接单位", "落地区县", "所属区县", "落地单位"),
    "responsible_person": ("责任人", "项目经理人", "项目负责人", "项目经理"),
    "contact": ("联系人", "联系人及电话", "联系方式", "联系电话", "企业联系人", "对接人"),
    "intended": ("意向投资", "意向投资额", "总投资", "计划总投资", "投资总额", "投资额", "计划投资"),
    "contract": ("签约额", "签约金额", "合同金额", "协议投资额", "签约投资额"),
    "funds": ("到位资金", "累计到位资金", "实际到位资金", "累计到位", "当年到位资金"),
    "foreign": ("外资金额", "外资", "利用外资"),
    "foreign_currency": ("外资币种", "币种"),
    "flags": ("标记", "项目标记"),
    "lead_date": ("登记时间", "录入时间", "线索时间", "对接时间", "首谈时间", "登记日期"),
    "signed_date": ("签约时间", "签约日期"),
    "landed_date": ("落地时间", "入园时间", "落地日期"),
    "started_date": ("开工时间", "开工日期"),
    "producing_date": ("投产时间", "投产日期"),
    "note": ("备注",),
    # Read and left out: the row's own numbering, the export's ids and its last-update time.
    # The export's and the 台账's verification columns: 到位资金 is the one imported.
    "ignore": ("序号", "项目编号", "编号", "疑似重复项目编号", "最近更新", "上报到位资金", "已核实到位资金", "待核实到位资金"),
}
MONEY_FIELDS = frozenset({"intended", "contract", "funds", "foreign"})
DATE_FIELDS = frozenset({"lead_date", "signed_date", "landed_date", "started_date", "producing_date"})
# A header row names at least this many fields, one of them a name.
MIN_FIELDS = 2
SCAN_ROWS = 30

_UNIT_WORDS: tuple[tuple[str, MoneyUnit], ...] = (("万美元", "wan_usd"), ("亿元", "yi"), ("亿", "yi"),
                                                  ("万元", "wan"), ("万", "wan"))
_BRACKET = re.compile(r"[(\[【]([^)\]】]*)[)\]】]")
_SHEET_UNIT = re.compile(r"单位[:：]\s*(万美元|亿元|万元|亿|万)")


def clean(value: Any) -> str:
    """A header as compared: NFKC, no whitespace at all (headers wrap inside cells)."""
    return _clean(str(value)) if value is not None else ""


@lru_cache(maxsize=8192)
def _clean(text: str) -> str:
    # Kept: a sheet repeats its units, stages and chains on every row, and each unit's name is cleaned per look-up.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def money_unit(text: str) -> MoneyUnit | None:
    """The unit a header or a 单位：亿元 line names."""
    for word, unit in _UNIT_WORDS:
        if word in text:
            return unit
    return None


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: str | None          # None: unmapped, kept in the note
    unit: MoneyUnit | None = None


@dataclass(frozen=True)
class HeaderMap:
    row: int                   # 0-based index of the (last) header row in the grid
    columns: tuple[Column, ...]
    sheet_unit: MoneyUnit | None = None
    warnings: tuple[str, ...] = ()

    def of(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.field == name), None)

    @property
    def unmapped(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.field is None and c.header)


@dataclass(frozen=True)
class Synonyms:
    table: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: SYNONYMS)

    def extended(self, extra: Mapping[str, Sequence[str]]) -> "Synonyms":
        """`--mapping`'s headers first: an office's own word wins over the shipped one."""
        merged = {k: tuple(extra.get(k, ())) + tuple(v) for k, v in self.table.items()}
        for k, v in extra.items():
            if k not in merged:
                raise KeyError(k)
        return Synonyms(merged)

    def field_of(self, header: str) -> str | None:
        """The field a header names: exactly, else the longest synonym it contains."""
        base = _BRACKET.sub("", header).strip(":：*")
        for text in (header, base):
            for name, words in self.table.items():
                if text in words:
                    return name
        best: tuple[int, str] | None = None
        for name, words in self.table.items():
            for w in words:
                if len(w) >= 2 and w in base and (best is None or len(w) > best[0]):
                    best = (len(w), name)
        return best[1] if best else None


def find_header(grid: Sequence[Sequence[Any]], synonyms: Synonyms) -> HeaderMap | None:
    """The first row (of the first SCAN_ROWS) naming enough fields; a second header row under a merged one
    is joined to it; a 单位：亿元 line above gives amounts without their own unit."""
    for i, row in enumerate(grid[:SCAN_ROWS]):
        cells = [clean(v) for v in row]
        if len(set(c for c in cells if c)) < MIN_FIELDS:
            continue
        fields = [synonyms.field_of(c) if c else None for c in cells]
        named = {f for f in fields if f and f != "ignore"}
        if len(named) < MIN_FIELDS or not named & {"name", "company"}:
            continue
        last, headers, hints = i, cells, cells
        below = [clean(v) for v in grid[i + 1]] if i + 1 < len(grid) else []
        if below and _is_sub_header(cells, below, synonyms):
            below = below + [""] * (len(cells) - len(below))
            headers = [b if b else c for c, b in zip(cells, below)]
            hints = [c + b for c, b in zip(cells, below)]
            last = i + 1
        sheet_unit = None
        for above in grid[:i]:
            for v in above:
                if m := _SHEET_UNIT.search(clean(v)):
                    sheet_unit = money_unit(m.group(1))
        return _map(last, headers, hints, synonyms, sheet_unit)
    return None


def _is_sub_header(top: list[str], below: list[str], synonyms: Synonyms) -> bool:
    """The row under a merged header names fields where the top row repeats a merged group's title."""
    joined = 0
    for j, b in enumerate(below):
        if not b or (j < len(top) and b == top[j]):
            continue
        if synonyms.field_of(b) is None:
            return False
        joined += 1
    repeats = any(top[j] and top[j] == top[j - 1] for j in range(1, len(top)))
    return joined >= 1 and repeats


def _map(row: int, headers: list[str], hints: list[str], synonyms: Synonyms,
         sheet_unit: MoneyUnit | None) -> HeaderMap:
    taken: set[str] = set()
    columns: list[Column] = []
    warnings: list[str] = []
    for j, h in enumerate(headers):
        name = synonyms.field_of(h) if h else None
        if name in taken and name != "ignore":
            warnings.append(f"第 {j + 1} 列“{h}”与前面的列同为 {name}，未使用（记入备注）")
            name = None
        if name:
            taken.add(name)
        unit = (money_unit(hints[j]) or sheet_unit) if name in MONEY_FIELDS else None
        if name in MONEY_FIELDS and unit is None:
            warnings.append(f"第 {j + 1} 列“{h}”未注明金额单位，不带单位的数字按万元读取")
        columns.append(Column(j, h, name, unit))
    return HeaderMap(row, tuple(columns), sheet_unit, tuple(warnings))
