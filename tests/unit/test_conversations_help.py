"""帮助 lists what the sender's role and unit can use (issue 16)."""
from __future__ import annotations

import pytest

from storage.database import Database
from tests.conversation import org_db, org_template, conversations, registered  # noqa: F401  (fixtures)


def commands(text: str) -> list[str]:
    return [line.split("（")[0] for line in text.split("\n") if line.startswith("/")]


async def test_a_member_of_a_district(org_db: Database) -> None:
    east = await registered(org_db, conversations(org_db), "东小李")
    await east.say("帮助")
    assert east.text.split("\n")[:2] == ["招商助手可用命令（斜杠命令或中文关键词均可）：", "您的单位：东区，角色：成员。下面是您能用的命令："]
    assert commands(east.text) == ["/lead", "/trip", "/update", "/edit", "/void", "/attach", "/verify", "/report", "/observe",
                                   "/status", "/history", "/rank", "/my", "/stale", "/pool", "/transfer", "/route", "/web",
                                   "/help", "/cancel"]
    assert "/my（我的项目）— 本单位项目（按阶段）" in east.text


async def test_a_unit_head_also_accepts_and_binds_groups(org_db: Database) -> None:
    head = await registered(org_db, conversations(org_db), "东区长")
    await head.say("/help")
    listed = commands(head.text)
    assert "/accept" in listed and "/bindgroup" in listed and "/unbindgroup" in listed and "/claims" not in listed
    assert "/void" in listed and "/restore" not in listed   # undoing a void is the office's


async def test_a_leader_sees_the_city_and_no_unit_chores(org_db: Database) -> None:
    mayor = await registered(org_db, conversations(org_db), "赵市长")
    await mayor.say("帮助")
    listed = commands(mayor.text)
    for absent in ("/report", "/observe", "/transfer", "/route", "/accept", "/claims", "/bindgroup"):
        assert absent not in listed, absent
    assert "您的单位：市领导，角色：领导。" in mayor.text
    assert "/my（我的项目）— 全市各单位在库项目；“我的项目 单位名称”看某个单位的项目，如“我的项目 驻深圳办事处”" in mayor.text


@pytest.mark.parametrize("name", ["王办公"])
async def test_the_office_sees_its_own_tools(org_db: Database, name: str) -> None:
    office = await registered(org_db, conversations(org_db), name)
    await office.say("帮助")
    listed = commands(office.text)
    assert {"/claims", "/accept", "/transfer", "/route", "/bindgroup", "/restore"} <= set(listed)
    assert "/observe" not in listed
