"""The demo's past year, planned from one seed before anything is written: which leads each unit
logged, when each moved stage, its contract and the funds that arrived, transfers and a claim.

Pure data: a `random.Random(seed)`, the org file and the working-day calendar in, dated `Action`s
out (bot/demo_activity.py adds transfers, a claim, trips, reports and observations; bot/demo_history.py carries the
actions out through the use cases; bot/demo_records.py holds the window, the action and the lead). Same seed,
same dates, same plan.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import demo_names as words
from bot.demo_records import Action, Lead, Window
from core.org import OrgConfig
from core.roles import COUNTY_KINDS, UnitKind
from core.sharing import RECEIVER_KINDS
from core.stages import LIFECYCLE, Stage
from core.workdays import Workdays

# How far a lead is headed (it stops earlier when the year runs out): 线索 … 投产, or 终止.
FINAL = [(Stage.LEAD, 12), (Stage.NEGOTIATING, 16), (Stage.SIGNED, 15), (Stage.LANDED, 12),
         (Stage.STARTED, 19), (Stage.PRODUCING, 12), (Stage.TERMINATED, 14)]
# Days from one stage to the next (lead→在谈, 在谈→签约, 签约→落地, 落地→开工, 开工→投产).
STEP_DAYS = [(5, 40), (15, 90), (10, 50), (10, 60), (40, 140)]
# Share of the contract in place by the end of the year, by the furthest stage reached.
FUNDED = {Stage.SIGNED: (0.0, 0.25), Stage.LANDED: (0.15, 0.45), Stage.STARTED: (0.3, 0.7),
          Stage.PRODUCING: (0.55, 1.0)}
INDUSTRIAL = {"电子信息制造", "先进装备制造", "中高端消费品制造", "健康医药", "现代化工", "铝及铝加工",
              "新能源汽车零部件", "特色食品", "新型建材", "航空航天"}
MAX_CONTRACT_WAN = 1_500_000  # 150亿元: the largest signing the demo invents
KEJI_FUNDS_WAN = 150_000      # a unit with no target still works some projects (15亿元 a year)


class Planner:
    def __init__(self, cfg: OrgConfig, window: Window, workdays: Workdays, tz: ZoneInfo, seed: int) -> None:
        self.cfg, self.w, self.wd, self.tz = cfg, window, workdays, tz
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.leads: list[Lead] = []
        self.actions: list[Action] = []
        self.working = [u for u in cfg.units if u.kind in RECEIVER_KINDS and u.peer_group is not None]
        self.counties = [u for u in self.working if u.kind in COUNTY_KINDS]

    # -- time ---------------------------------------------------------------------------
    def at(self, day: date, earliest: int = 9, latest: int = 18) -> datetime:
        """A time in office hours on the first working day from `day`, never past the window."""
        day = self.wd.on_or_after(max(day, self.w.start))
        if day > self.w.end:
            day = self.wd.on_or_before(self.w.end)
        minute = self.rng.randrange(earliest * 60, latest * 60)
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz)

    def add(self, at: datetime, kind: str, key: int | None = None, **data: Any) -> None:
        self.actions.append(Action(at, kind, key, data))

    # -- leads and their timelines ------------------------------------------------------
    def plan_leads(self) -> None:
        weights = {u.code: _lead_weight(u.kind, u.targets.get("signed_projects", 8)) for u in self.working}
        total = self.rng.randint(320, 360)
        scale = total / sum(weights.values())
        for u in self.working:
            for _ in range(max(4, round(weights[u.code] * scale))):
                self.leads.append(self._lead(u.code))
        self.leads.sort(key=lambda lead: (lead.logged, lead.key))

    def _lead(self, owner: str) -> Lead:
        rng, unit = self.rng, self.cfg.unit(owner)
        own = list(unit.industries)
        industry = rng.choice(own) if own and rng.random() < 0.7 else rng.choice(list(self.cfg.industries))
        host = owner
        if unit.kind is UnitKind.DEPARTMENT and rng.random() < 0.5 or \
                unit.kind is UnitKind.RESIDENT_OFFICE and rng.random() < 0.65:
            fits = [c.code for c in self.counties if industry in c.industries] or [c.code for c in self.counties]
            host = rng.choice(fits)
        logged = self.w.start + timedelta(days=int((self.w.days - 4) * rng.random() ** 1.25))
        lead = Lead(len(self.leads) + 1, owner, host, industry, logged, weight=rng.lognormvariate(0, 0.8))
        final = rng.choices([s for s, _ in FINAL], [p for _, p in FINAL])[0]
        day = logged
        for i, stage in enumerate(LIFECYCLE[1:]):
            if final is not Stage.TERMINATED and LIFECYCLE.index(final) < i + 1:
                break
            if final is Stage.TERMINATED and i >= rng.choice([1, 1, 2, 3]):
                break
            day += timedelta(days=rng.randint(*STEP_DAYS[i]))
            if day > self.w.end:
                break
            lead.steps.append((day, stage))
        if final is Stage.TERMINATED and (end := day + timedelta(days=rng.randint(10, 80))) <= self.w.end:
            lead.steps.append((end, Stage.TERMINATED))
        lead.flags = self._flags(owner, industry)
        lead.category = _category(rng, industry, lead.flags)
        return lead

    def _flags(self, owner: str, industry: str) -> frozenset[str]:
        rng = self.rng
        odds = {"industrial": 0.92 if industry in INDUSTRIAL else 0.04, "strong": 0.32,
                "headquarters": 0.8 if industry == "总部经济" else 0.03,
                "digital": {"大数据及数字经济": 0.95, "电子信息制造": 0.3}.get(industry, 0.03),
                "central_soe": 0.45 if owner == "guoziwei" else 0.06}
        return frozenset(flag for flag, p in odds.items() if rng.random() < p)

    def plan_funds(self) -> None:
        """Funds arrive in one to four increments after signing, as a share of the contract."""
        for lead in self.leads:
            signed = lead.reached(Stage.SIGNED)
            live = [s for _, s in lead.steps if s is not Stage.TERMINATED]
            if signed is None or Stage.TERMINATED in {s for _, s in lead.steps}:
                continue
            low, high = FUNDED[live[-1]]
            share = self.rng.uniform(low, high) if self.rng.random() > 0.25 or low > 0 else 0.0
            span = (self.w.end - signed).days
            if share <= 0 or span < 5:
                continue
            n = min(1 + LIFECYCLE.index(live[-1]) - 2 + self.rng.randint(0, 1), 4)
            days = sorted(signed + timedelta(days=self.rng.randint(3, span)) for _ in range(max(n, 1)))
            cuts = sorted(self.rng.random() for _ in range(len(days) - 1))
            parts = [b - a for a, b in zip([0.0, *cuts], [*cuts, 1.0])]
            lead.funds = [(d, share * p) for d, p in zip(days, parts)]

    # -- amounts --------------------------------------------------------------------------
    def size_contracts(self) -> None:
        """Contracts scaled so each unit's funds this year land near its target × 时序进度 × a
        performance drawn per unit (0.55–1.35): some ahead, some behind, an interesting ranking."""
        perf = {u.code: self.rng.uniform(0.55, 1.35) for u in self.working}
        counted: dict[str, float] = {}   # 万元 counted this year for a unit through city-unit projects
        order = sorted(self.working, key=lambda u: u.kind in COUNTY_KINDS)  # city-level units first
        for unit in order:
            own = [lead for lead in self.leads if lead.owner == unit.code]
            target = unit.targets.get("funds_in_place", KEJI_FUNDS_WAN) * self.w.progress * perf[unit.code]
            if unit.kind in COUNTY_KINDS:
                target = max(target - counted.get(unit.code, 0.0), 0.35 * target)
            weighted = sum(lead.weight * self._in_year(lead) for lead in own)
            per_weight = target / weighted if weighted > 0 else target / max(len(own), 1) / 3
            for lead in own:
                lead.contract_wan = _round_wan(min(per_weight * lead.weight, MAX_CONTRACT_WAN))
                if lead.host != lead.owner:
                    extra = lead.contract_wan * self._in_year(lead) * 0.5
                    counted[lead.host] = counted.get(lead.host, 0.0) + extra

    def _in_year(self, lead: Lead) -> float:
        category = self.cfg.category(lead.category) if lead.category else None
        coef = category.coefficient_pct / 100 if category else 1.0
        return coef * sum(share for d, share in lead.funds if d >= self.w.year_start)

    # -- the project actions ------------------------------------------------------------
    def emit_projects(self) -> None:
        rng = self.rng
        for lead in self.leads:
            city = words.OFFICE_CITY.get(lead.owner) or rng.choice(words.CITIES + ["贵阳"] * 4)
            name = words.company_name(rng, lead.industry, city if lead.owner in words.OFFICE_CITY else None,
                                      self.names)
            times = _Sequential(self)
            self.add(times.next(lead.logged), "lead", lead.key, name=name, industry=lead.industry,
                     owner=lead.owner, host=lead.host if lead.transfer is None else lead.owner,
                     code=words.credit_code(rng, city) if rng.random() < 0.55 else None,
                     contact=words.contact(rng), content=words.project_content(rng, lead.industry),
                     intended=_round_wan(lead.contract_wan * rng.uniform(0.7, 1.4)), flags=sorted(lead.flags),
                     category=lead.category, source=_source(rng, lead.owner, self.cfg))
            events: list[tuple[date, str, dict[str, Any]]] = [
                (d, "stage", {"to": s.value, "contract": lead.contract_wan if s is Stage.SIGNED else None,
                              "reason": rng.choice(words.TERMINATIONS) if s is Stage.TERMINATED else None})
                for d, s in lead.steps]
            events += [(d, "funds", {"share": share}) for d, share in lead.funds]
            if lead.transfer:
                proposed, decided, to_unit, accepted = lead.transfer
                events += [(proposed, "propose", {"to": to_unit, "reason": rng.choice(words.TRANSFER_REASONS)}),
                           (decided, "accept" if accepted else "refuse", {"reason": words.REFUSAL_REASONS[0]})]
            events += self._notes_and_problems(lead)
            amounts = _fund_amounts(lead)
            for day, kind, data in sorted(events, key=lambda e: (e[0], e[1] != "stage")):
                if kind == "funds":
                    data = {"amount": amounts.pop(0)}
                    if data["amount"] <= 0:
                        continue
                self.add(times.next(day), kind, lead.key, **data)

    def _notes_and_problems(self, lead: Lead) -> list[tuple[date, str, dict[str, Any]]]:
        rng, out = self.rng, []
        points = [(lead.logged, Stage.LEAD), *lead.steps]
        for (day, stage), nxt in zip(points, [*points[1:], (self.w.end, None)]):
            gap = (nxt[0] - day).days
            if stage is Stage.TERMINATED or gap < 4 or rng.random() > 0.6:
                continue
            text, steps = rng.choice(words.NOTES[stage.value])
            out.append((day + timedelta(days=rng.randint(2, gap - 1)), "note", {"text": text, "next": steps}))
        signed = lead.reached(Stage.SIGNED)
        end = next((d for d, s in lead.steps if s is Stage.TERMINATED), self.w.end)
        if signed is not None and (end - signed).days > 20 and rng.random() < 0.22:
            raised = signed + timedelta(days=rng.randint(5, (end - signed).days - 10))
            out.append((raised, "problem", {"text": rng.choice(words.PROBLEMS)}))
            solved = raised + timedelta(days=rng.randint(7, 45))
            if solved < end and rng.random() < 0.6:
                out.append((solved, "resolve", {"text": rng.choice(words.RESOLUTIONS)}))
        return out


class _Sequential:
    """A project's actions in strictly increasing time, even when two land on one working day."""

    def __init__(self, planner: Planner) -> None:
        self.p = planner
        self.last: datetime | None = None

    def next(self, day: date) -> datetime:
        at = self.p.at(day)
        if self.last is not None and at <= self.last:
            at = self.last + timedelta(minutes=self.p.rng.randint(3, 20))
        self.last = at
        return at


def _lead_weight(kind: UnitKind, signed_target: int) -> float:
    return {UnitKind.DEPARTMENT: 0.6, UnitKind.RESIDENT_OFFICE: 2.5}.get(kind, 1.0) * max(signed_target, 8)


def _category(rng: random.Random, industry: str, flags: frozenset[str]) -> str | None:
    if "industrial" in flags:
        return "manufacturing"
    if industry == "文化旅游":
        return "hotel" if rng.random() < 0.3 else "tourism"
    return {"现代物流": "logistics", "现代农业": "agriculture"}.get(industry)


def _source(rng: random.Random, owner: str, cfg: OrgConfig) -> str:
    if owner in words.OFFICE_CITY:
        return rng.choices(["驻点招商", "以商招商", "展会活动"], [70, 15, 15])[0]
    kinds = ["以商招商", "产业链招商", "展会活动", "委托招商", "领导带头招商", "网络平台", "其他"]
    choice = rng.choices(kinds, [25, 22, 15, 10, 16, 7, 5])[0]
    return choice if choice in cfg.sources else cfg.sources[0]


def _round_wan(wan: float) -> int:
    step = 1000 if wan >= 100_000 else 100
    return max(1000, int(round(wan / step)) * step)


def _fund_amounts(lead: Lead) -> list[int]:
    """Each increment in whole 万元 (10万 steps), never more in total than the contract."""
    out, total = [], 0
    for _, share in lead.funds:
        amount = max(10, int(lead.contract_wan * share / 10) * 10)
        amount = min(amount, lead.contract_wan - total)
        out.append(amount)
        total += max(amount, 0)
    return out
