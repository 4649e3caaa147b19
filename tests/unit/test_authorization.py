"""Who may do what, decided on the sender, never on a button's payload.

member / unit head / leader / office admin / unknown sender × read / write × own unit / other unit.
Members and unit heads write for their own unit only (its projects: those it is responsible for);
leaders and the office read everything; a lead's contact is seen by its owner unit, its responsible
unit and the office only; an unknown sender gets nothing but the explanation of how to join.
"""
from __future__ import annotations

import pytest

from core import events as ev
from core.names import normalize_company_name
from core.usecases.leads import LeadDraft, LogLead, log_lead
from storage.database import Database
from tests.conversation import (  # noqa: F401  (org_db, org_template are fixtures)
    Person,
    conversations,
    event_count,
    events,
    logged_lead,
    org_db,
    org_template,
    registered,
    state_of,
)
from tests.helpers import member

JOIN = "您好，这里是招商助手。使用前需要绑定单位：请向本单位负责人或大招商办索取邀请码，然后发送“/start 邀请码”。"
EAST_CONTACT = "张三 13800138000"
WEST_CONTACT = "李四 13900139000"
MOVED_CONTACT = "王五 13700137000"
UNIT_NAMES = {"east": "东区", "west": "西区", "hitech": "高新区"}


@pytest.fixture
async def world(org_db: Database) -> dict[str, object]:
    """东区's project, 西区's project, and one 东区 found that 高新区 is now responsible for."""
    conv = conversations(org_db)
    east = await registered(org_db, conv, "东小李")
    west = await registered(org_db, conv, "西小张")
    e = await logged_lead(east, f"宁德时代 新能源汽车零部件 投资5亿 来源驻点 联系人{EAST_CONTACT}")
    w = await logged_lead(west, f"万华化学 现代化工 投资8亿 来源驻点 联系人{WEST_CONTACT}")
    li = await member(org_db, "东小李")
    async with org_db.uow() as uow:  # as after a transfer: owner 东区, responsible 高新区
        moved = await log_lead(uow, li, LogLead(LeadDraft(
            name="浪潮信息", normalized_name=normalize_company_name("浪潮信息"), owner_unit="east",
            industry="大数据及数字经济", intended_wan=30_000, source="驻点招商", contact=MOVED_CONTACT,
            responsible_unit="hitech", responsible_person="高新小陈")))
        await uow.commit()
    return {"conv": conv, "east": e, "west": w, "moved": moved}


async def as_member(db: Database, world: dict, name: str) -> Person:
    return await registered(db, world["conv"], name)  # type: ignore[arg-type]


# -- write: /update ----------------------------------------------------------------------------------

WRITE = [
    ("东小李", "east", True), ("东小李", "west", False), ("东小李", "moved", False),
    ("东区长", "east", True), ("东区长", "west", False),
    ("西小张", "west", True), ("西小张", "east", False),
    ("高新小陈", "moved", True), ("高新小陈", "east", False),
    ("赵市长", "east", False), ("赵市长", "west", False),
    ("王办公", "east", True), ("王办公", "west", True), ("王办公", "moved", True),
]


@pytest.mark.parametrize("who,which,allowed", WRITE)
async def test_who_may_update(org_db: Database, world: dict, who: str, which: str, allowed: bool) -> None:
    project = world[which]
    person = await as_member(org_db, world, who)
    before = await event_count(org_db)
    await person.say(f"进展 {project.name}")
    if not allowed:
        unit = UNIT_NAMES[project.responsible_unit]
        assert person.texts == [f"“{project.name}”的责任单位是{unit}，您只能查看，不能更新。"
                                f"可发“查询 {project.name}”查看情况。"]
        assert await event_count(org_db) == before
        assert await state_of(org_db, await member(org_db, who)) is None
        return
    assert person.texts == [f"“{project.name}”（当前：线索）要更新什么？"]
    await person.press("进展情况")
    await person.say("企业来访洽谈")
    await person.press("跳过")
    assert person.texts[-1] == f"已记录“{project.name}”的进展。"
    [note] = await events(org_db, ev.NOTE_ADDED)
    assert (note.project_id, note.actor) == (project.id, (await member(org_db, who)).id)


@pytest.mark.parametrize("who,listed", [
    ("东小李", ["宁德时代"]),  # 浪潮信息 is 东区's find but 高新区's to update
    ("东区长", ["宁德时代"]),
    ("西小张", ["万华化学"]),
    ("高新小陈", ["浪潮信息"]),
])
async def test_update_offers_only_the_projects_the_sender_may_update(
        org_db: Database, world: dict, who: str, listed: list[str]) -> None:
    person = await as_member(org_db, world, who)
    await person.say("/update")
    assert [label.split(" ", 1)[1].split("（")[0] for label in person.labels] == listed


async def test_a_leader_has_no_unit_projects_to_update(org_db: Database, world: dict) -> None:
    mayor = await as_member(org_db, world, "赵市长")
    await mayor.say("/update")
    assert mayor.texts == ["本单位还没有可更新的项目。先发“线索 企业名称”登记一个吧。"]


async def test_leads_and_trips_are_always_the_senders_own_unit(org_db: Database, world: dict) -> None:
    head = await as_member(org_db, world, "东区长")
    await logged_lead(head, "比亚迪 新能源汽车零部件 投资20亿 来源驻点")
    await head.say("/trip")
    await head.press("本人")
    for answer in ("深圳", "昨天", "1", "1", "1", "确认"):
        await head.say(answer)
    office = await as_member(org_db, world, "王办公")
    await logged_lead(office, "腾讯 大数据及数字经济 投资10亿 来源驻点")
    logged = {e.payload["name"]: (e.payload["owner_unit"], e.unit) for e in await events(org_db, ev.LEAD_LOGGED)}
    assert logged["比亚迪"] == ("east", "east") and logged["腾讯"] == ("office", "office")
    [trip] = await events(org_db, ev.TRIP_LOGGED)
    assert trip.unit == "east"


# -- read: /status and its contact details -----------------------------------------------------------

READ = [
    ("东小李", "east", True), ("东小李", "west", False), ("东小李", "moved", True),
    ("东区长", "east", True), ("东区长", "west", False),
    ("西小张", "west", True), ("西小张", "east", False), ("西小张", "moved", False),
    ("高新小陈", "moved", True), ("高新小陈", "east", False),
    ("赵市长", "east", False), ("赵市长", "west", False), ("赵市长", "moved", False),
    ("王办公", "east", True), ("王办公", "west", True), ("王办公", "moved", True),
]
CONTACTS = {"east": EAST_CONTACT, "west": WEST_CONTACT, "moved": MOVED_CONTACT}


@pytest.mark.parametrize("who,which,sees_contact", READ)
async def test_everyone_reads_the_card_only_some_see_the_contact(
        org_db: Database, world: dict, who: str, which: str, sees_contact: bool) -> None:
    project = world[which]
    person = await as_member(org_db, world, who)
    before = await event_count(org_db)
    await person.say(f"查询 {project.name}")
    card = person.text
    assert card.startswith(f"【#{project.id} {project.name}】")
    if sees_contact:
        assert f"联系人：{CONTACTS[which]}" in card
    else:
        assert "联系人：仅首报单位、责任单位和大招商办可见" in card
        assert CONTACTS[which] not in card and CONTACTS[which].split()[1] not in card
    # The same through a status button, whoever made it: the sender decides what is shown.
    await person.payload(f"s:status:{project.id}")
    assert (CONTACTS[which] in person.text) is sees_contact
    assert await event_count(org_db) == before


@pytest.mark.parametrize("who,city", [("东小李", False), ("东区长", False), ("赵市长", True), ("王办公", True)])
async def test_my_projects_scope(org_db: Database, world: dict, who: str, city: bool) -> None:
    person = await as_member(org_db, world, who)
    await person.say("/my")
    if city:
        assert person.text == ("全市在库项目（按责任单位）：\n· 东区：1 个，其中已签约 0 个\n"
                               "· 西区：1 个，其中已签约 0 个\n· 高新区：1 个，其中已签约 0 个\n"
                               "点单位名称看它的项目，或发“我的项目 单位名称”。")  # issue 16: a button per unit
    else:
        assert person.text.startswith("东区的项目（共 2 个）：")
        assert "宁德时代" in person.text and "浪潮信息" in person.text and "万华化学" not in person.text


async def test_the_city_overview_counts_leaders_and_the_offices_own_leads(org_db: Database, world: dict) -> None:
    mayor = await as_member(org_db, world, "赵市长")
    await logged_lead(mayor, "比亚迪 新能源汽车零部件 投资20亿 来源领导带头招商")
    await mayor.say("/my")
    assert "· 市领导：1 个，其中已签约 0 个" in mayor.text


@pytest.mark.parametrize("who,seen", [
    ("东小李", {"宁德时代", "浪潮信息"}), ("西小张", {"万华化学"}), ("高新小陈", {"浪潮信息"}),
    ("赵市长", {"宁德时代", "浪潮信息", "万华化学"}), ("王办公", {"宁德时代", "浪潮信息", "万华化学"}),
])
async def test_stale_scope(org_db: Database, world: dict, clock, who: str, seen: set[str]) -> None:  # noqa: ANN001
    clock.advance(days=20)
    person = await as_member(org_db, world, who)
    await person.say("/stale")
    listed = {name for name in ("宁德时代", "浪潮信息", "万华化学") if name in person.text}
    assert listed == seen


# -- a button payload never authorises ---------------------------------------------------------------

async def test_another_members_button_does_not_act_on_their_project(org_db: Database, world: dict) -> None:
    east = await as_member(org_db, world, "东小李")
    west = await as_member(org_db, world, "西小张")
    await east.say("进展 宁德时代")
    await east.press("进展情况")  # east's flow now waits for a note on 宁德时代
    await west.say("进展 万华化学")
    stolen = east.last_buttons and east.last_buttons[0].payload
    before = await event_count(org_db)
    # West replays east's buttons: they mean nothing outside east's own conversation.
    for payload in [b.payload for b in east.last_buttons] + ["f:1:0", "f:5:0", "f:99:1", str(stolen)]:
        await west.payload(payload)
    await west.say("伪造的进展")
    assert await event_count(org_db) == before
    assert await events(org_db, ev.NOTE_ADDED) == []
    assert (await state_of(org_db, await member(org_db, "东小李"))).step == "note"


async def test_a_forged_status_payload_hides_contacts_from_other_units(org_db: Database, world: dict) -> None:
    west = await as_member(org_db, world, "西小张")
    await west.payload(f"s:status:{world['east'].id}")
    assert "宁德时代" in west.text and EAST_CONTACT not in west.text


# -- unknown senders ------------------------------------------------------------------------------

UNKNOWN_INPUTS = [
    ("text", "/help"), ("text", "帮助"), ("text", "/lead 比亚迪 新能源汽车零部件 20亿 驻点"),
    ("text", "线索 比亚迪 20亿"), ("text", "/trip"), ("text", "/update 宁德时代"), ("text", "进展 宁德时代"),
    ("text", "/status 宁德时代"), ("text", "查询宁德时代"), ("text", "/my"), ("text", "/stale 1"),
    ("text", "/cancel"), ("text", "取消"), ("text", "/start"), ("text", "1"), ("text", "你好"), ("text", ""),
    ("payload", "s:status:1"), ("payload", "f:1:0"), ("payload", "s:resume"), ("payload", "s:cancel"),
    ("payload", "s:trip_lead:1:0"), ("payload", "s:nope"), ("payload", "garbage"),
]


@pytest.mark.parametrize("kind,value", UNKNOWN_INPUTS)
async def test_an_unknown_sender_gets_only_the_join_explanation(
        org_db: Database, world: dict, kind: str, value: str) -> None:
    stranger = Person(org_db, world["conv"], sender_id="tg-999", channel="telegram", name="路人")  # type: ignore
    before = await event_count(org_db)
    if kind == "text":
        await stranger.say(value)
    else:
        await stranger.payload(value)
    assert stranger.texts == [JOIN]
    assert stranger.labels == []
    assert await event_count(org_db) == before


async def test_a_project_id_in_a_payload_tells_an_unknown_sender_nothing(org_db: Database, world: dict) -> None:
    stranger = Person(org_db, world["conv"], sender_id="tg-999", channel="telegram")  # type: ignore[arg-type]
    await stranger.payload(f"s:status:{world['east'].id}")
    assert stranger.texts == [JOIN] and "宁德时代" not in stranger.text


async def test_a_bad_invite_gets_the_reason_in_one_message(org_db: Database, world: dict) -> None:
    stranger = Person(org_db, world["conv"], sender_id="tg-999", channel="telegram")  # type: ignore[arg-type]
    before = await event_count(org_db)
    await stranger.say("/start not-a-code")
    # issue 16: one message, not the error followed by the whole welcome
    assert stranger.texts == ["邀请码无效，请核对后重发“/start 邀请码”。"]
    await stranger.say("/start 123456")
    assert stranger.texts == ["邀请码无效，请核对后重发“/start 邀请码”。"]
    assert await event_count(org_db) == before


async def test_a_member_bound_on_one_channel_is_unknown_on_another(org_db: Database, world: dict) -> None:
    # 东小李 is bound on the console; the same person writing from an unbound Telegram account is a stranger.
    tg = Person(org_db, world["conv"], sender_id="tg-dongxiaoli", channel="telegram")  # type: ignore[arg-type]
    await tg.say("/my")
    assert tg.texts == [JOIN]
