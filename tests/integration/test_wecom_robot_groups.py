"""A unit given a WeCom group-robot key in the org file: the robot is one of the unit's group chats."""
from __future__ import annotations

from sqlalchemy import select

from core.messages import SendText
from core.org import OrgConfig
from core.usecases.org import ConfigureOrg, configure_org
from storage.database import Database
from storage.tables.operational import OutboxRow
from tests.helpers import mini_org, setup_org

KEY = "robot-key-KEEP-OUT-OF-THE-OUTBOX"


def with_robot(org: OrgConfig, unit: str, key: str | None) -> OrgConfig:
    units = tuple(u.model_copy(update={"robot_webhook_key": key}) if u.code == unit else u for u in org.units)
    return org.model_copy(update={"units": units})


async def queue(db: Database, key: str, unit: str, channels: tuple[str, ...] | None) -> int:
    db.channels = channels
    async with db.uow() as uow:
        queued = await uow.outbox.enqueue_unit_groups(key, "ranking", unit, SendText(text="10月排名"))
        await uow.commit()
    return queued


async def test_a_units_robot_receives_its_group_pushes(db: Database) -> None:
    await setup_org(db, with_robot(mini_org(), "east", KEY))
    assert await queue(db, "ranking:2026-10:east", "east", ("wecom",)) == 1
    assert await queue(db, "ranking:2026-10:east", "east", ("wecom",)) == 0      # once per key
    assert await queue(db, "ranking:2026-10:west", "west", ("wecom",)) == 0      # west has no robot
    assert await queue(db, "ranking:2026-11:east", "east", ("telegram",)) == 0   # not a WeCom deployment
    async with db.uow(readonly=True) as uow:
        rows = (await uow.session.execute(select(OutboxRow.key, OutboxRow.channel, OutboxRow.chat_id,
                                                 OutboxRow.action))).all()
    assert [(r.key, r.channel, r.chat_id) for r in rows] == [
        ("ranking:2026-10:east@wecom:robot:east", "wecom", "robot:east")]
    assert KEY not in repr(rows)

    # The office removes the key from the org file: the robot gets nothing more.
    async with db.uow() as uow:
        await configure_org(uow, ConfigureOrg(with_robot(mini_org(), "east", None)))
        await uow.commit()
    assert await queue(db, "ranking:2026-12:east", "east", None) == 0
