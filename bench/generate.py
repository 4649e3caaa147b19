"""A seeded, province-size ledger: units, members, projects and their events, hash-chained.

Events are written in bulk (they are plain rows with a canonical payload and a hash chain),
then every projection is built by the real projectors (`storage.projectors.rebuild`), so the
benchmark's tables are exactly what the application itself would have produced.
"""
from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert

from core import events as ev
from core.names import normalize_company_name
from core.org import OrgConfig
from core.stages import LIFECYCLE
from core.usecases.org import config_digest
from bench.bulk import project_in_bulk
from storage.database import Database
from storage.ledger import GENESIS, canonical_json, event_hash
from storage.projectors import rebuild
from storage.tables.ledger import EventRow

INDUSTRIES = ["电子信息制造", "先进装备制造", "中高端消费品制造", "健康医药", "现代化工", "铝及铝加工",
              "新能源汽车零部件", "大数据及数字经济", "现代服务业", "总部经济", "文化旅游", "现代农业"]
SOURCES = ["驻点招商", "以商招商", "委托招商", "展会活动", "领导带头招商", "产业链招商"]
WORDS = "华瑞丰源鑫达泰宏盛安信诚德联创新科恒通力远航美佳亿嘉汇利兴隆昌和明光金银海天星云山川"


@dataclass(frozen=True)
class Size:
    units: int = 100
    projects: int = 50_000
    events: int = 1_000_000


def province_org(units: int, rng: random.Random) -> dict[str, Any]:
    """An organisation file (as data) with `units` units in three peer groups."""
    ranked = units - 3
    n_res = max(2, ranked // 10)
    n_dept = max(2, ranked * 3 // 10)
    n_dist = ranked - n_res - n_dept
    out_units: list[dict[str, Any]] = [
        {"code": "province", "name": "测试省", "kind": "city"},
        {"code": "office", "name": "省投资促进局", "kind": "office", "parent": "province"},
        {"code": "leadership", "name": "省领导", "kind": "leadership", "parent": "province"},
    ]

    def targets(scale: int) -> dict[str, int]:
        return {"funds_in_place": scale * rng.randint(50, 150), "industrial_funds": scale * rng.randint(20, 70),
                "signed_projects": rng.randint(20, 200), "started_projects": rng.randint(10, 100),
                "strong_enterprises": rng.randint(5, 50), "funds_rate": 40, "start_rate": 80,
                "leader_trips": 12}

    for i in range(n_dist):
        out_units.append({"code": f"d{i:03d}", "name": f"第{i + 1}区", "kind": "district" if i % 5 else "zone",
                          "parent": "province", "peer_group": "districts",
                          "industries": rng.sample(INDUSTRIES, 3), "targets": targets(10_000)})
    for i in range(n_dept):
        out_units.append({"code": f"m{i:03d}", "name": f"省直部门{i + 1}", "kind": "department",
                          "parent": "province", "peer_group": "departments", "targets": targets(3_000)})
    for i in range(n_res):
        out_units.append({"code": f"r{i:03d}", "name": f"驻外办事处{i + 1}", "kind": "resident_office",
                          "parent": "province", "peer_group": "resident_offices", "targets": targets(1_000)})
    indicators = [
        {"code": "funds_in_place", "name": "到位资金", "kind": "funds_in_place", "unit": "万元"},
        {"code": "industrial_funds", "name": "工业项目到位资金", "kind": "industrial_funds", "unit": "万元"},
        {"code": "signed_projects", "name": "新签约项目", "kind": "projects_reached", "stage": "signed", "unit": "个"},
        {"code": "started_projects", "name": "新开工项目", "kind": "projects_reached", "stage": "started", "unit": "个"},
        {"code": "strong_enterprises", "name": "优强企业", "kind": "flagged_projects", "flag": "strong", "unit": "家"},
        {"code": "funds_rate", "name": "资金到位率", "kind": "funds_rate", "unit": "%"},
        {"code": "start_rate", "name": "开工率", "kind": "start_rate", "unit": "%"},
        {"code": "leader_trips", "name": "领导外出招商", "kind": "leader_trips", "unit": "次"},
    ]
    weights = {"funds_in_place": 30, "industrial_funds": 20, "signed_projects": 15, "started_projects": 10,
               "strong_enterprises": 10, "funds_rate": 5, "start_rate": 5, "leader_trips": 5}
    return {
        "organisation": {"name": "测试省大招商", "city": "测试省", "year": 2026},
        "peer_groups": [
            {"code": "districts", "name": "市县区", "weights": weights},
            {"code": "departments", "name": "省直部门", "weights": weights},
            {"code": "resident_offices", "name": "驻外办事处", "weights": weights,
             "scoring": {"method": "relative_to_best", "cap_pct": 120}},
        ],
        "indicators": indicators,
        "units": out_units,
        "industries": INDUSTRIES,
        "sources": SOURCES,
        "categories": [
            {"code": "manufacturing", "name": "加工制造业", "basis": "actual", "coefficient_pct": 100},
            {"code": "hotel", "name": "四星级以上酒店", "basis": "actual", "coefficient_pct": 70},
            {"code": "guaranteed_infra", "name": "政府保证回报的基础设施", "basis": "excluded", "coefficient_pct": 0},
        ],
        "credit_rules": [{"code": "city_unit_to_county", "name": "省直单位引进落户市县",
                          "owner_kinds": ["department", "resident_office", "office"],
                          "host_kinds": ["district", "zone"], "owner_pct": 100, "host_pct": 50}],
    }


class _Chain:
    """Builds event rows with the same canonical serialisation and hash chain as the ledger."""

    def __init__(self) -> None:
        self.seq = 0
        self.prev = GENESIS
        self.rows: list[dict[str, Any]] = []

    def add(self, at: datetime, type_: str, payload: dict[str, Any], *, actor: int | None = None,
            unit: str | None = None, project_id: int | None = None, new_project: bool = False) -> int:
        self.seq += 1
        if new_project:
            project_id = self.seq
        body = canonical_json(payload)
        digest = event_hash(seq=self.seq, at=at, actor=actor, unit=unit, project_id=project_id, type=type_,
                            payload=body, prev_hash=self.prev)
        self.rows.append({"seq": self.seq, "at": at, "actor": actor, "unit": unit, "project_id": project_id,
                          "type": type_, "payload": body, "prev_hash": self.prev, "hash": digest})
        self.prev = digest
        return self.seq


def _company(rng: random.Random, i: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(2, 4))) + f"{i}号科技有限公司"


def build_events(size: Size, seed: int) -> tuple[list[dict[str, Any]], OrgConfig]:
    """All event rows, in time order, for a year of activity (January to November 2026)."""
    rng = random.Random(seed)
    org_data = province_org(size.units, rng)
    cfg = OrgConfig.model_validate(org_data)
    chain = _Chain()
    start = datetime(2026, 1, 1, 1, 0, tzinfo=timezone.utc)
    chain.add(start, ev.ORG_CONFIGURED, {"config": cfg.model_dump(mode="json"), "digest": config_digest(cfg)})
    ranked = [u for u in cfg.units if u.peer_group]
    members: dict[str, list[int]] = {}
    for u in ranked:
        for k in range(3):
            seq = chain.add(start, ev.MEMBER_ADDED, {
                "name": f"{u.name}成员{k}", "unit": u.code, "role": "unit_head" if k == 0 else "member",
                "title": "", "trip_quota": 12 if k == 0 else None, "reporter": k == 1}, unit=u.code)
            members.setdefault(u.code, []).append(seq)
    # Plan the remaining events per project so the total lands on size.events.
    budget = size.events - chain.seq
    per_project = budget / size.projects
    seconds = (datetime(2026, 11, 30, tzinfo=timezone.utc) - start).total_seconds()
    plans: list[tuple[float, str, dict[str, Any]]] = []
    hosts = [u for u in ranked if u.kind.value in ("district", "zone")]
    for i in range(size.projects):
        owner = rng.choice(ranked)
        host = owner if owner.kind.value in ("district", "zone") or rng.random() < 0.6 else rng.choice(hosts)
        t0 = rng.random() * seconds * 0.9
        plans.append((t0, "lead", {"i": i, "owner": owner.code, "host": host.code}))
        # Some planned events are dropped (funds before signing), so plan a third more and stop at the target.
        n = max(1, int(rng.expovariate(1 / max(per_project * 1.35 - 1, 1))))
        stage_rank, t = 0, t0
        for _ in range(n):
            t += rng.random() * (seconds - t) * 0.15
            roll = rng.random()
            if roll < 0.15 and stage_rank < len(LIFECYCLE) - 1:
                stage_rank += 1
                plans.append((t, "stage", {"i": i, "to": LIFECYCLE[stage_rank].value, "host": host.code}))
            elif roll < 0.75 and stage_rank >= 2:
                plans.append((t, "funds", {"i": i, "amount": rng.randint(10, 5_000), "host": host.code}))
            elif roll < 0.97:
                plans.append((t, "note", {"i": i, "host": host.code}))
            else:
                plans.append((t, "trip", {"host": host.code}))
    plans.sort(key=lambda p: p[0])
    project_ids: dict[int, int] = {}
    contract: dict[int, bool] = {}
    stage_of: dict[int, str] = {}
    funds_of: dict[int, int] = {}
    for t, kind, p in plans:
        if chain.seq >= size.events:
            break
        at = start + timedelta(seconds=t)
        if kind == "lead":
            name = _company(rng, p["i"])
            actor = rng.choice(members[p["owner"]])
            flags = sorted(f for f in ("industrial", "strong", "digital") if rng.random() < 0.3)
            project_ids[p["i"]] = chain.add(at, ev.LEAD_LOGGED, {
                "name": name, "normalized_name": normalize_company_name(name), "credit_code": None,
                "industry": rng.choice(INDUSTRIES), "intended_wan": rng.randint(100, 500_000), "foreign_wan": None,
                "foreign_currency": None, "source": rng.choice(SOURCES), "contact": None, "content": None,
                "category": rng.choice([None, None, None, "manufacturing", "hotel", "guaranteed_infra"]),
                "flags": flags, "owner_unit": p["owner"], "responsible_unit": p["host"],
                "responsible_person": None, "leader_member_id": None, "stage": "lead", "duplicate_of": None,
            }, actor=actor, unit=p["owner"], new_project=True)
            continue
        if kind == "trip":
            head = members[p["host"]][0]
            day = at.date()
            chain.add(at, ev.TRIP_LOGGED, {"traveller": "区长", "destination": "深圳", "start_date": day.isoformat(),
                                           "end_date": day.isoformat(), "companies": [], "outcome": None,
                                           "next_steps": None, "leader_member_id": head}, actor=head, unit=p["host"])
            continue
        pid = project_ids.get(p["i"])
        if pid is None:
            continue
        actor = rng.choice(members[p["host"]])
        if kind == "stage":
            payload = {"from": stage_of.get(pid, "lead"), "to": p["to"], "reason": None,
                       "contract_wan": rng.randint(1_000, 800_000) if p["to"] == "signed" and not contract.get(pid)
                       else None}
            contract[pid] = contract.get(pid, False) or payload["contract_wan"] is not None
            stage_of[pid] = p["to"]
            chain.add(at, ev.STAGE_CHANGED, payload, actor=actor, unit=p["host"], project_id=pid)
        elif kind == "funds":
            funds_of[pid] = funds_of.get(pid, 0) + p["amount"]
            chain.add(at, ev.FUNDS_ADDED, {"amount_wan": p["amount"], "total_wan": funds_of[pid]}, actor=actor,
                      unit=p["host"], project_id=pid)
        else:
            chain.add(at, ev.NOTE_ADDED, {"text": "正在对接，已提交用地需求", "next_steps": "下周再访"},
                      actor=actor, unit=p["host"], project_id=pid)
    return chain.rows, cfg


async def generate(url: str, size: Size, *, seed: int = 20261122, batch: int = 20_000,
                   progress: Any = None, bulk: bool = True) -> dict[str, float]:
    """Write the ledger to a migrated, empty database and build its projections; returns timings.
    `bulk=False` replays through the real projectors (slow; the test compares the two)."""
    import time

    db = Database(url)
    await db.migrate()
    t0 = time.perf_counter()
    rows, _cfg = build_events(size, seed)
    t1 = time.perf_counter()
    async with db.uow() as uow:
        for i in range(0, len(rows), batch):
            await uow.session.execute(insert(EventRow.__table__), rows[i:i + batch])
            if progress:
                progress(f"events {min(i + batch, len(rows))}/{len(rows)}")
        await uow.commit()
    t2 = time.perf_counter()
    async with db.uow() as uow:
        if bulk:
            await project_in_bulk(uow.session, rows)
        else:
            await rebuild(uow.session)
        await uow.commit()
    t3 = time.perf_counter()
    await db.dispose()
    return {"events": len(rows), "build_s": t1 - t0, "insert_s": t2 - t1, "project_s": t3 - t2}


def main() -> None:
    import sys

    url = sys.argv[1]
    events = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    projects = max(100, events // 20)
    print(asyncio.run(generate(url, Size(units=100, projects=projects, events=events), progress=print)))


if __name__ == "__main__":
    main()
