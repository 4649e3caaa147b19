"""The demo year's sharing and routine beside the projects: transfers and a 首谈 claim, trips 外出招商 (district heads and city leaders
against their quotas), half-monthly reports 半月报 (most on time, some late, a few missing) and
the quarterly observation project 季观摩 — planned as dated actions on a `Planner`.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot import demo_names as words
from bot.demo_plan import Planner
from core.halfmonthly import periods_between, quarter_of, quarter_start
from core.roles import COUNTY_KINDS, Role
from core.stages import Stage
from core.workdays import due_date


def plan_trips(p: Planner) -> None:
    """Each district head's trips this year near 12 × 时序进度 (some more, some fewer); leader-led
    leads follow a trip; the city leaders' trips are logged by the office."""
    rng, year_days = p.rng, (p.w.end - p.w.year_start).days + 1
    heads = {m.unit: m for m in p.cfg.members if m.role is Role.UNIT_HEAD and m.trip_quota}
    office = next(m.name for m in p.cfg.members if m.role is Role.OFFICE_ADMIN)
    leads = [a for a in p.actions if a.kind == "lead"]
    for unit in p.counties:
        head = heads.get(unit.code)
        if head is None:
            continue
        wanted = round(head.trip_quota * p.w.progress * rng.uniform(0.45, 1.35))
        led = [a for a in leads if a.data["owner"] == unit.code and a.data["source"] == "领导带头招商"]
        for lead in led:
            lead.data["leader"] = head.name
            end = lead.at.date() - timedelta(days=rng.randint(2, 6))
            if end >= p.w.start:
                _trip(p, head.unit, head.name, head.name, end - timedelta(days=rng.randint(0, 2)), end,
                      [lead.data["name"]], lead=True)
                wanted -= end >= p.w.year_start
        for _ in range(max(wanted, 0)):
            _trip(p, head.unit, head.name, head.name, p.w.year_start + timedelta(days=rng.randrange(year_days)))
        if rng.random() < 0.7 and p.w.start < p.w.year_start:
            _trip(p, head.unit, head.name, head.name, p.w.start + timedelta(days=rng.randint(0, 20)))
    for leader in (m for m in p.cfg.members if m.role is Role.LEADER and m.trip_quota):
        for _ in range(round(leader.trip_quota * p.w.progress * rng.uniform(0.6, 1.3))):
            _trip(p, "office", office, leader.name, p.w.year_start + timedelta(days=rng.randrange(year_days)))


def _trip(p: Planner, unit: str, actor: str, leader: str, start: date, end: date | None = None,
          companies: list[str] | None = None, *, lead: bool = False) -> None:
    rng = p.rng
    start = p.wd.on_or_after(start) if end is None else min(p.wd.on_or_after(start), end)
    end = end or start + timedelta(days=rng.randint(0, 2))
    if end > p.w.end:
        return
    met = list(companies or []) + [words.company_name(rng, rng.choice(list(p.cfg.industries)), None, p.names)
                                   for _ in range(rng.randint(1, 2))]
    # Logged the working day after coming back, so a leader-led lead is never logged before its trip.
    at = p.at(end + timedelta(days=1), 9, 12) if lead else p.at(end + timedelta(days=rng.randint(0, 2)))
    p.add(at, "trip", None, unit=unit, actor=actor, leader=leader, destination=rng.choice(words.CITIES),
          start=start.isoformat(), end=end.isoformat(), companies=met, outcome=rng.choice(words.TRIP_OUTCOMES))


def plan_reports(p: Planner) -> None:
    """Every ranked unit's half-monthly reports; a unit's reliability decides how often it is late."""
    rng, cal = p.rng, p.cfg.calendar
    for unit in p.cfg.units:
        if unit.peer_group is None:
            continue
        on_time = rng.uniform(0.93, 1.0) if rng.random() < 0.7 else rng.uniform(0.65, 0.9)
        for period in periods_between(p.w.start, p.w.end, cal.half_monthly_days):
            due = due_date(period, cal, p.wd)
            roll = rng.random()
            if roll < on_time:
                day = due - timedelta(days=rng.randint(0, 3))
                at = p.at(day if p.wd.is_workday(day) else p.wd.on_or_before(day), 9, 17)
                if at.date() > due:
                    at = datetime.combine(due, time(16, 30), tzinfo=p.tz)
            elif roll < on_time + (1 - on_time) * 0.7:
                at = p.at(p.wd.nth_after(due, rng.randint(1, 4)))
                if at.date() <= due:
                    continue
            else:
                continue                       # missing: never filed
            if at.date() <= p.w.end:
                p.add(at, "report", None, unit=unit.code, period=period.isoformat())


def plan_observations(p: Planner) -> None:
    """Districts and zones name an observation project early in most quarters (季观摩)."""
    rng = p.rng
    quarters = sorted({quarter_of(d) for d in (p.w.start + timedelta(days=i) for i in range(p.w.days))})
    for quarter in quarters:
        first = quarter_start(quarter)
        if first < p.w.start:
            continue
        for unit in p.cfg.units:
            if unit.kind in COUNTY_KINDS and rng.random() < 0.85:
                p.add(p.at(first + timedelta(days=rng.randint(4, 18))), "observe", None, unit=unit.code,
                      quarter=quarter)


def plan_transfers(self: Planner) -> None:
    """Two resident-office projects handed to a district and accepted; one refused."""
    outcomes = [True, True, False]
    for lead in self.leads:
        if not outcomes:
            return
        neg, signed = lead.reached(Stage.NEGOTIATING), lead.reached(Stage.SIGNED)
        if lead.owner not in words.OFFICE_CITY or lead.host != lead.owner or neg is None:
            continue
        if signed is None or (signed - neg).days < 14:
            continue
        proposed = neg + timedelta(days=self.rng.randint(3, 5))
        decided = proposed + timedelta(days=self.rng.randint(2, 4))
        fits = [c.code for c in self.counties if lead.industry in c.industries] or [self.counties[0].code]
        accepted = outcomes.pop(0)
        lead.transfer = (proposed, decided, self.rng.choice(fits), accepted)
        if accepted:
            lead.host = lead.transfer[2]


def plan_claim(self: Planner) -> None:
    """A second district logs a company a district already has: the office records first contact."""
    for lead in self.leads:
        unit = self.cfg.unit(lead.owner)
        if unit.kind not in COUNTY_KINDS or lead.transfer or (self.w.end - lead.logged).days < 70:
            continue
        other = next(c.code for c in self.counties if c.code != lead.owner and lead.industry in c.industries) \
            if any(c.code != lead.owner and lead.industry in c.industries for c in self.counties) \
            else next(c.code for c in self.counties if c.code != lead.owner)
        second = lead.logged + timedelta(days=self.rng.randint(12, 25))
        self.add(self.at(second), "claim_lead", lead.key, owner=other)
        self.add(self.at(second + timedelta(days=self.rng.randint(5, 9))), "claim_resolve", lead.key)
        self.add(self.at(second + timedelta(days=self.rng.randint(12, 16))), "claim_drop", lead.key,
                 reason="与他单位重复登记，经首谈认定由首报单位跟进")
        return


def plan(p: Planner) -> None:
    """The whole year, in the order that keeps one seed's plan the same."""
    p.plan_leads()
    p.plan_funds()
    plan_transfers(p)
    p.size_contracts()
    p.emit_projects()
    plan_claim(p)
    plan_trips(p)
    plan_reports(p)
    plan_observations(p)
