"""A ledger written before payloads were typed still verifies and rebuilds to the same projections.

tests/data/ledger_v1.json holds every column of every event of a small ledger (every event kind)
written by the code of commit e7eebc1. Its hashes must keep verifying, and replaying it must keep
giving the values asserted here, whatever shape the code that reads payloads takes.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from storage import ledger
from storage.database import Database
from storage.projectors import rebuild
from storage.tables import EventRow, IdentityRow
from storage.tables_groups import UnitChatRow

pytestmark = pytest.mark.asyncio

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ledger_v1.json"


def fixture_rows() -> list[dict[str, object]]:
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))["events"]
    return [{**r, "at": datetime.fromisoformat(r["at"])} for r in rows]


async def load_and_rebuild(db: Database) -> int:
    rows = fixture_rows()
    async with db.uow() as uow:
        await uow.session.execute(insert(EventRow.__table__), rows)
        result = await ledger.verify(uow.session)
        assert result.ok, result
        assert result.count == len(rows) and result.head == rows[-1]["hash"]
        applied = await rebuild(uow.session)
        await uow.commit()
    return applied


async def test_the_v1_ledger_verifies_and_rebuilds(db: Database) -> None:
    assert await load_and_rebuild(db) == 62
    async with db.uow(readonly=True) as uow:
        byd = await uow.projects.get(13)
        assert byd is not None
        assert (byd.name, byd.stage.value, byd.contract_wan, byd.funds_wan) == ("比亚迪股份有限公司", "landed", 300000,
                                                                              512000)
        assert (byd.intended_wan, byd.planned_wan, byd.flags) == (360000, 200000, frozenset({"industrial"}))
        assert (byd.owner_unit, byd.responsible_unit, byd.responsible_person) == ("west", "east", "李四")
        assert (byd.foreign_wan, byd.foreign_currency, byd.next_steps) == (8000, "USD", "下周签补充协议")
        assert [p.text for p in await uow.projects.open_problems(13)] == ["电力增容"]
        phos = await uow.projects.get(14)
        assert phos is not None
        assert (phos.name, phos.industry, phos.contact) == ("贵州磷化集团有限责任公司", "现代化工", "刘总")
        assert (phos.stage.value, phos.terminated_reason) == ("terminated", "企业战略调整")
        huawei, tencent = await uow.projects.get(15), await uow.projects.get(16)
        assert huawei is not None and tencent is not None
        assert (huawei.owner_unit, huawei.responsible_unit) == ("gongxin", "hitech")
        assert (tencent.owner_unit, tencent.responsible_unit) == ("zhu_sz", "hitech")
        assert [(t.id, t.kind, t.status) for t in await uow.sharing.transfers(16)] == [
            (32, "transfer", "refused"), (34, "transfer", "withdrawn"), (36, "route", "accepted")]
        credit = await uow.sharing.credit(15)
        assert credit is not None and (credit.owner_pct, credit.host_pct, credit.rule_code) == (
            100, 50, "city_unit_to_county")
        claim = await uow.sharing.claim(40)
        assert claim is not None and (claim.status, claim.first_contact_unit, claim.note) == ("resolved", "west",
                                                                                              "西区先接触")
        assert [c.id for c in await uow.sharing.open_claims()] == [46]
        assert await uow.sharing.supporting_units(13) == ["west"]
        assert [(i.unit, i.member_id) for i in await uow.sharing.interests(13)] == [("west", 7)]
        trips = await uow.trips.of_unit("east")
        assert sorted((t.destination, t.companies, t.leader_member_id) for t in trips) == [
            ("深圳", ("比亚迪", "华为"), None), ("长沙", (), 3)]
        submissions = await uow.reports.submissions("2026-10-25")
        assert {u: (s.on_time, s.projects, s.updated) for u, s in submissions.items()} == {
            "east": (True, 2, 1), "west": (False, 0, 0)}
        assert await uow.reports.observations(["2026Q4"]) == {"2026Q4": {"east", "west"}}
        assert [(m.name, m.unit) for m in await uow.org.members(unit="east")][-1] == ("东新人", "east")
        identities = (await uow.session.execute(select(func.count()).select_from(IdentityRow))).scalar()
        chats = (await uow.session.execute(select(UnitChatRow.chat_id, UnitChatRow.title))).all()
    assert identities == 2
    assert [tuple(c) for c in chats] == [("-1001", "东区招商群")]


async def test_every_correctable_field_is_a_column_the_projector_sets(db: Database) -> None:
    from core.projects import CORRECTABLE
    from storage.projectors.records import FLAG_COLUMNS
    from storage.tables import ProjectRow

    columns = set(ProjectRow.__table__.columns.keys())
    assert {f for f in CORRECTABLE if f != "flags"} <= columns
    assert set(FLAG_COLUMNS.values()) <= columns
