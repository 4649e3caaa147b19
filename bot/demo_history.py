"""`zsbot init --demo`'s past year: the plan (bot/demo_plan.py, bot/demo_activity.py) carried out
through the real use cases, in time order, with a FixedClock set before each action — so the
ledger verifies and every figure can be explained. One unit of work per simulated day.
"""
from __future__ import annotations

import time as timer
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from bot.composition import InitResult, initialise
from bot.demo_activity import plan
from bot.demo_plan import Planner
from bot.demo_records import Action, Window, window_for
from core.usecases import leads
from core.usecases import sharing
from core.clock import FixedClock
from core.names import normalize_company_name
from core.org import OrgConfig
from core.records import Member
from core.usecases.halfmonthly import Entry, NameObservation, SubmitReport, name_observation, submit_report
from core.roles import Role
from core.stages import STAGE_ZH, Stage
from core.usecases import evidence as evidence_uc
from core.usecases import projects as uc
from core.usecases.trips import TripDraft, log_trip
from core.workdays import deadline
from storage import ledger
from storage.database import Database
from storage.queries.export import all_projects

DEMO_SEED = 20261
# 核查 in the demo: verifiers decide each report two working days after it, up to this many days before the
# window's end, so the last days' reports wait in /verify as they would in real life.
VERIFY_AFTER_WORKDAYS = 2
VERIFY_LAST_DAYS = 7
LANDED_STAGES = (Stage.LANDED, Stage.STARTED, Stage.PRODUCING)


@dataclass(frozen=True)
class Seeded:
    projects: int
    events: int
    window: Window
    by_stage: dict[str, int]
    seconds: float

    def line(self) -> str:
        return (f"演示历史：{self.projects:,} 个项目、{self.events:,} 个事件"
                f"（{self.window.start.isoformat()} 至 {self.window.end.isoformat()}）")

    def stages_line(self) -> str:
        return "各阶段：" + "，".join(f"{STAGE_ZH[s]} {self.by_stage.get(s.value, 0)}" for s in Stage)


@dataclass(frozen=True)
class DemoInit:
    result: InitResult
    seeded: Seeded | None
    skipped: str | None       # why the history was not written (Chinese, for the operator)


async def initialise_demo(db: Database, clock: FixedClock, org: OrgConfig, *, today: date, now: datetime,
                          tz: ZoneInfo, history: bool = True, seed: int = DEMO_SEED) -> DemoInit:
    """The demo organisation and members, then the past year when the ledger has no projects yet.

    History is written in time order, so it goes only into a ledger whose events all come before
    the window (a fresh database): the organisation is then configured on the window's first day.
    """
    await db.migrate()
    window = window_for(today)
    begin = datetime.combine(window.start, time(8, 0), tzinfo=tz)
    async with db.uow(readonly=True) as uow:
        seq, _ = await ledger.head(uow.session)
        has_projects = bool(await all_projects(uow.session)) if seq else False
        last = await ledger.last_at(uow.session) if seq else None
    skipped = None
    if history and has_projects:
        skipped = "演示历史：账本中已有项目，不再写入"
    elif history and last is not None and last >= begin:
        skipped = (f"演示历史未写入：账本已有 {last.astimezone(tz).date().isoformat()} 的事件，历史须按时间先后写入；"
                   "请用新的数据库再运行 zsbot init --demo")
    seeding = history and skipped is None
    clock.set(begin if seeding else now)
    result = await initialise(db, org, demo_members=True)
    seeded = await seed_history(db, clock, org, window, tz, seed=seed) if seeding else None
    clock.set(now)
    return DemoInit(result, seeded, skipped)


async def seed_history(db: Database, clock: FixedClock, cfg: OrgConfig, window: Window, tz: ZoneInfo, *,
                       seed: int = DEMO_SEED) -> Seeded:
    """Plan the year from `seed` and carry it out day by day; returns what was written."""
    from reminders.calendar import workdays

    started = timer.perf_counter()
    days = workdays(cfg.calendar)
    planner = Planner(cfg, window, days, tz, seed)
    plan(planner)
    actions = sorted(enumerate(planner.actions), key=lambda ia: (ia[1].at, ia[0]))
    async with db.uow(readonly=True) as uow:
        first, _ = await ledger.head(uow.session)
        members = await uow.org.members()
    run = _Run(members, cfg, days, tz)
    for date_, day in groupby((a for _, a in actions), key=lambda a: a.at.date()):
        async with db.uow() as uow:
            run.watch(uow)
            for action in day:
                clock.set(action.at)
                await run.do(uow, action)
            await run.verify_due(uow, clock, date_, window.end - timedelta(days=VERIFY_LAST_DAYS))
            await uow.commit()
    async with db.uow(readonly=True) as uow:
        last, _ = await ledger.head(uow.session)
        projects = await all_projects(uow.session)
    return Seeded(len(projects), last - first, window, dict(Counter(p.stage.value for p in projects)),
                  timer.perf_counter() - started)


class _Run:
    """Carries out one action at a time; keeps the plan's keys → project ids and what each
    project saw since its unit's last half-monthly report."""

    def __init__(self, members: list[Member], cfg: OrgConfig, days: Any, tz: ZoneInfo) -> None:
        self.cfg, self.days, self.tz = cfg, days, tz
        self.by_name = {(m.name, m.unit): m for m in members}
        self.by_unit: dict[str, list[Member]] = {}
        for m in members:
            self.by_unit.setdefault(m.unit, []).append(m)
        self.office = next(m for m in members if m.role is Role.OFFICE_ADMIN)
        self.pid: dict[int, int] = {}
        self.problems: dict[int, int] = {}
        self.transfers: dict[int, int] = {}
        self.claims: dict[int, tuple[int, int]] = {}
        self.since_report: dict[int, list[tuple[str, int]]] = {}
        self.held: dict[int, str] = {}           # live project id → responsible unit
        self.last_seq = 0

    def watch(self, uow: Any) -> None:
        """Remember each event's seq as it is recorded (the report entries name them)."""
        record = uow.record

        async def recording(*args: Any, **kwargs: Any) -> Any:
            event = await record(*args, **kwargs)
            self.last_seq = event.seq
            return event

        uow.record = recording

    def worker(self, unit: str, key: int = 0) -> Member:
        """Who types it: the unit's reporter most days, a colleague some days."""
        staff = [m for m in self.by_unit.get(unit, []) if m.role is Role.MEMBER] or self.by_unit[unit]
        reporter = [m for m in staff if m.reporter] or staff
        return staff[key % len(staff)] if key % 3 == 2 else reporter[0]

    async def verify_due(self, uow: Any, clock: FixedClock, day: date, until: date) -> None:
        """The verifiers confirm, as reported, what waited VERIFY_AFTER_WORKDAYS working days, at the day's end."""
        if day > until:
            return
        end = datetime.combine(day, time(17, 30), tzinfo=self.tz)
        for report in await uow.evidence.waiting():
            reported = report.reported_at.astimezone(self.tz).date()
            if self.days.between(reported, day) < VERIFY_AFTER_WORKDAYS:
                continue
            verifier = await evidence_uc.verifier_for(uow, self.cfg, report.unit)
            who = self.head(verifier.unit) if verifier.unit else self.office
            if who.id == report.reported_by or (verifier.office and who.role is not Role.OFFICE_ADMIN):
                who = next(m for m in self.by_unit[self.office.unit]
                           if m.role is Role.OFFICE_ADMIN and m.id != report.reported_by)
            clock.set(max(clock.now(), end))
            await evidence_uc.verify_funds(uow, who, evidence_uc.VerifyFunds(report.seq))

    def head(self, unit: str) -> Member:
        return next((m for m in self.by_unit[unit] if m.role is Role.UNIT_HEAD), self.worker(unit))

    async def do(self, uow: Any, a: Action) -> None:
        await getattr(self, f"_{a.kind}")(uow, a)

    def _touched(self, pid: int, kind: str) -> None:
        self.since_report.setdefault(pid, []).append((kind, self.last_seq))

    async def _project(self, uow: Any, a: Action) -> tuple[int, Member]:
        pid = self.pid[a.key or 0]
        return pid, self.worker(self.held[pid], a.key or 0)

    async def _lead(self, uow: Any, a: Action) -> None:
        d = a.data
        actor = self.worker(d["owner"], a.key or 0)
        leader = self.by_name.get((d["leader"], d["owner"])) if d.get("leader") else None
        draft = leads.LeadDraft(
            name=d["name"], normalized_name=normalize_company_name(d["name"]), owner_unit=d["owner"],
            credit_code=d["code"], industry=d["industry"], intended_wan=d["intended"], source=d["source"],
            contact=d["contact"], content=d["content"], category=d["category"], flags=frozenset(d["flags"]),
            responsible_unit=d["host"], responsible_person=self.worker(d["host"]).name,
            leader_member_id=leader.id if leader else None)
        project, _ = await leads.register_lead(uow, actor, leads.LogLead(draft))
        self.pid[a.key or 0] = project.id
        self.held[project.id] = d["host"]

    async def _stage(self, uow: Any, a: Action) -> None:
        pid, actor = await self._project(uow, a)
        to = Stage(a.data["to"])
        await uc.change_stage(uow, actor, uc.ChangeStage(pid, to, contract_wan=a.data["contract"], reason=a.data["reason"]))
        self._touched(pid, "stage")
        if to is Stage.TERMINATED:
            del self.held[pid]

    async def _funds(self, uow: Any, a: Action) -> None:
        pid, actor = await self._project(uow, a)
        await uc.add_funds(uow, actor, uc.AddFunds(pid, a.data["amount"]))
        self._touched(pid, "funds")

    async def _note(self, uow: Any, a: Action) -> None:
        pid, actor = await self._project(uow, a)
        await uc.add_note(uow, actor, uc.AddNote(pid, a.data["text"], next_steps=a.data["next"]))
        self._touched(pid, "note")

    async def _problem(self, uow: Any, a: Action) -> None:
        pid, actor = await self._project(uow, a)
        self.problems[a.key or 0] = await uc.raise_problem(uow, actor, uc.RaiseProblem(pid, a.data["text"]))
        self._touched(pid, "problem")

    async def _resolve(self, uow: Any, a: Action) -> None:
        pid = self.pid[a.key or 0]
        await uc.resolve_problem(uow, self.office, uc.ResolveProblem(pid, self.problems[a.key or 0], a.data["text"]))

    async def _propose(self, uow: Any, a: Action) -> None:
        pid, actor = await self._project(uow, a)
        transfer = await sharing.propose_transfer(uow, actor, sharing.ProposeTransfer(pid, a.data["to"], a.data["reason"]))
        self.transfers[a.key or 0] = transfer.id

    async def _accept(self, uow: Any, a: Action) -> None:
        transfer = await uow.sharing.transfer(self.transfers[a.key or 0])
        await sharing.accept_transfer(uow, self.head(transfer.to_unit), sharing.AcceptTransfer(transfer.id))
        self.held[transfer.project_id] = transfer.to_unit

    async def _refuse(self, uow: Any, a: Action) -> None:
        transfer = await uow.sharing.transfer(self.transfers[a.key or 0])
        await sharing.refuse_transfer(uow, self.head(transfer.to_unit), sharing.RefuseTransfer(transfer.id, a.data["reason"]))

    async def _claim_lead(self, uow: Any, a: Action) -> None:
        original = await uow.projects.get(self.pid[a.key or 0])
        actor = self.worker(a.data["owner"])
        draft = leads.LeadDraft(name=original.name, normalized_name=original.normalized_name,
                             owner_unit=a.data["owner"], industry=original.industry, intended_wan=original.intended_wan,
                             source="以商招商", content=original.content)
        project, claim = await leads.register_lead(uow, actor, leads.LogLead(draft, duplicate_of=original.id))
        assert claim is not None
        self.claims[a.key or 0] = (project.id, claim.id)
        self.held[project.id] = a.data["owner"]

    async def _claim_resolve(self, uow: Any, a: Action) -> None:
        _, claim = self.claims[a.key or 0]
        await sharing.resolve_claim(uow, self.office, sharing.ResolveClaim(claim, self.pid[a.key or 0], "首报单位先行对接，有拜访记录为证"))

    async def _claim_drop(self, uow: Any, a: Action) -> None:
        duplicate, _ = self.claims[a.key or 0]
        await uc.change_stage(uow, self.worker(self.held.pop(duplicate)),
                              uc.ChangeStage(duplicate, Stage.TERMINATED, reason=a.data["reason"]))

    async def _trip(self, uow: Any, a: Action) -> None:
        d = a.data
        actor = self.by_name[(d["actor"], d["unit"])]
        leader = next(m for m in self.by_name.values() if m.name == d["leader"] and m.trip_quota is not None)
        await log_trip(uow, actor, TripDraft(
            traveller=leader.name, destination=d["destination"], start_date=date.fromisoformat(d["start"]),
            end_date=date.fromisoformat(d["end"]), companies=tuple(d["companies"]), outcome=d["outcome"],
            leader_member_id=leader.id))

    async def _report(self, uow: Any, a: Action) -> None:
        unit, period = a.data["unit"], a.data["period"]
        tracked = sorted(pid for pid, held in self.held.items() if held == unit)
        entries = []
        for pid in tracked:
            seen = self.since_report.pop(pid, [])
            entries.append(Entry(pid, tuple(dict.fromkeys(k for k, _ in seen)), tuple(s for _, s in seen)))
        due = deadline(date.fromisoformat(period), self.cfg.calendar, self.tz, self.days)
        await submit_report(uow, self.worker(unit), SubmitReport(unit=unit, period=period, deadline=due, entries=entries))

    async def _observe(self, uow: Any, a: Action) -> None:
        unit = a.data["unit"]
        landed = [p for p in await uow.projects.of_unit(unit) if p.responsible_unit == unit and p.stage in LANDED_STAGES]
        if not landed:
            return
        best = min(landed, key=lambda p: (-(p.contract_wan or 0), p.id))
        await name_observation(uow, self.worker(unit), NameObservation(unit=unit, quarter=a.data["quarter"], name=best.name,
                                                                 project_id=best.id))
