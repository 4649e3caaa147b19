"""The organisation as the office configures it: units, peer groups, targets, weights, rules, calendar.

The model and its lookups; reading it from a file, with refusals that name the key and line, is
`core/org_file.py`.
"""
from __future__ import annotations

import unicodedata
from datetime import date, time
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.roles import Role, UnitKind
from core.stages import Stage


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


NonNeg = Annotated[int, Field(ge=0)]
Pct = Annotated[int, Field(ge=0, le=1000)]

IndicatorKind = Literal[
    "funds_in_place",       # 到位资金 (万元), coefficients and credit rules applied
    "industrial_funds",     # 工业项目到位资金 (万元)
    "projects_reached",     # new projects reaching `stage` this year (count)
    "flagged_projects",     # projects with `flag` reaching 签约 this year (count)
    "central_soe_contract", # 央企 contract amount signed this year (万元)
    "funds_rate",           # 资金到位率: funds in place / contract amount (percent)
    "start_rate",           # 开工率: started / signed (percent)
    "production_rate",      # 投产率: producing / signed (percent)
    "performance_rate",     # 履约率: landed or beyond / signed (percent)
    "leader_trips",         # leader trips against quota (count)
    "report_on_time_rate",  # 半月报按时报送率 (percent)
]

Flag = Literal["industrial", "strong", "headquarters", "digital", "central_soe", "foreign"]
FLAGS: tuple[str, ...] = ("industrial", "strong", "headquarters", "digital", "central_soe", "foreign")


class Organisation(_Model):
    name: str
    city: str
    year: int = Field(ge=2000, le=2100)


class Scoring(_Model):
    """capped: points = weight × min(completion, cap)/cap; relative: weight × value / group best."""

    method: Literal["capped_completion", "relative_to_best"] = "capped_completion"
    cap_pct: int = Field(default=120, ge=100, le=1000)


class PeerGroup(_Model):
    code: str
    name: str
    aliases: tuple[str, ...] = ()   # the short names people type: 排名 区县, 排名 驻外
    weights: dict[str, Annotated[int, Field(ge=0, le=100)]]
    scoring: Scoring | None = None


class Indicator(_Model):
    code: str
    name: str
    kind: IndicatorKind
    unit: Literal["万元", "个", "家", "次", "%"]
    stage: Stage | None = None
    flag: Flag | None = None


class Unit(_Model):
    code: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    name: str
    kind: UnitKind
    parent: str | None = None
    peer_group: str | None = None
    short_name: str | None = None
    industries: tuple[str, ...] = ()
    targets: dict[str, NonNeg] = {}
    robot_webhook_key: str | None = None


class Category(_Model):
    """Seed 004's counting coefficients: what share of which amount counts toward targets."""

    code: str
    name: str
    basis: Literal["actual", "registered_capital", "excluded"] = "actual"
    coefficient_pct: Pct = 100


class CreditRule(_Model):
    """How a project owned by one kind of unit and landed in another is credited (seed 004)."""

    code: str
    name: str
    owner_kinds: tuple[UnitKind, ...]
    host_kinds: tuple[UnitKind, ...]
    owner_pct: Pct = 100
    host_pct: Pct = 50


class MemberSeed(_Model):
    name: str
    unit: str
    role: Role = Role.MEMBER
    title: str = ""
    trip_quota: NonNeg | None = None
    reporter: bool = False


class Calendar(_Model):
    half_monthly_days: tuple[int, ...] = (10, 25)
    reminder_offsets_days: tuple[NonNeg, ...] = (3, 1, 0)
    reminder_time: time = time(9, 0)
    postpone_on_holiday: bool = True
    escalation: tuple[Literal["unit_head", "office"], ...] = ("unit_head", "office")
    dispatch_weekday: int = Field(default=0, ge=0, le=6)
    dispatch_time: time = time(9, 0)
    ranking_day: int = Field(default=3, ge=1, le=28)
    ranking_time: time = time(9, 0)
    observation_reminder_day: int = Field(default=1, ge=1, le=28)
    zero_report_quarters: int = Field(default=3, ge=1, le=8)
    dispatch_threshold_wan: NonNeg = 10_000
    stale_days: NonNeg = 30
    extra_holidays: tuple[date, ...] = ()
    extra_workdays: tuple[date, ...] = ()

    @field_validator("half_monthly_days")
    @classmethod
    def _days(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v or any(not 1 <= d <= 28 for d in v) or len(set(v)) != len(v):
            raise ValueError("半月报截止日须为 1–28 之间互不相同的日期")
        return tuple(sorted(v))


class Warnings(_Model):
    """预警: a live project whose last update is older than its stage's limit (days; None: no warning)."""

    lead_days: NonNeg | None = None
    negotiating_days: NonNeg | None = 30
    signed_days: NonNeg | None = 20
    landed_days: NonNeg | None = None
    started_days: NonNeg | None = None
    producing_days: NonNeg | None = None

    def limits(self) -> list[tuple[Stage, int]]:
        """(stage, days) for each stage with a limit, in the lifecycle's order."""
        order = (Stage.LEAD, Stage.NEGOTIATING, Stage.SIGNED, Stage.LANDED, Stage.STARTED, Stage.PRODUCING)
        return [(s, d) for s in order if (d := getattr(self, f"{s.value}_days")) is not None]


VerifierRule = Literal["office", "parent_head"]
# What the rankings count as funds in place: every reported amount, or only verified ones (at the verifier's amount).
CountFunds = Literal["reported", "verified"]


class Verification(_Model):
    """核查: who verifies a unit's reported funds, by the unit's kind — `office` (the office's admins) or
    `parent_head` (the unit head of the unit above it, e.g. a district's 投促局 head for its teams; the office
    when there is none) — when a waiting report is reminded, which stage changes need evidence first, and whether
    the rankings count reported or only verified funds (`count_funds`; reported when absent, as before 核查)."""

    verifiers: dict[UnitKind, VerifierRule] = {}     # a kind not named here: the office
    remind_after_workdays: Annotated[int, Field(ge=1, le=60)] = 3
    evidence_stages: tuple[Stage, ...] = ()
    count_funds: CountFunds = "reported"

    def rule_for(self, kind: UnitKind) -> VerifierRule:
        return self.verifiers.get(kind, "office")


class OrgConfig(_Model):
    organisation: Organisation
    scoring: Scoring = Scoring()
    peer_groups: tuple[PeerGroup, ...]
    indicators: tuple[Indicator, ...]
    units: tuple[Unit, ...]
    industries: tuple[str, ...]
    sources: tuple[str, ...]
    categories: tuple[Category, ...] = ()
    credit_rules: tuple[CreditRule, ...] = ()
    members: tuple[MemberSeed, ...] = ()
    calendar: Calendar = Calendar()
    warnings: Warnings = Warnings()
    verification: Verification = Verification()

    # -- lookups -----------------------------------------------------------------
    @cached_property
    def _units(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    def unit(self, code: str) -> Unit:
        return self._units[code]

    def has_unit(self, code: str) -> bool:
        return code in self._units

    def units_of_kind(self, *kinds: UnitKind) -> list[Unit]:
        return [u for u in self.units if u.kind in kinds]

    def office_unit(self) -> Unit:
        return self.units_of_kind(UnitKind.OFFICE)[0]

    def peer_group(self, code: str) -> PeerGroup:
        return next(g for g in self.peer_groups if g.code == code)

    def peer_group_named(self, ref: str) -> PeerGroup | None:
        """The peer group typed as its code, name or one of its aliases (full- or half-width, any spacing)."""
        key = name_key(ref)
        return next((g for g in self.peer_groups if key in {name_key(n) for n in (g.code, g.name, *g.aliases)}), None)

    def group_units(self, group: str) -> list[Unit]:
        return [u for u in self.units if u.peer_group == group]

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    @cached_property
    def _categories(self) -> dict[str, Category]:
        return {c.code: c for c in self.categories}

    def category(self, code: str) -> Category | None:
        return self._categories.get(code)

    def scoring_for(self, group: str) -> Scoring:
        return self.peer_group(group).scoring or self.scoring

    def credit_rule_for(self, owner: Unit, host: Unit) -> CreditRule | None:
        if owner.code == host.code:
            return None
        return next(
            (r for r in self.credit_rules if owner.kind in r.owner_kinds and host.kind in r.host_kinds),
            None,
        )


def name_key(text: str) -> str:
    """How a typed name is compared: NFKC (（） and (), ＃ and #), no spaces, lower case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()
