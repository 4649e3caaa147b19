"""`zsbot org show` and `zsbot invite create`: the unit tree as loaded, and one-time invite codes."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bot.cli import Fail, run
from texts import t

if TYPE_CHECKING:
    from storage.database import Database


def register(cli: click.Group) -> None:
    cli.add_command(org)
    cli.add_command(invite)


@click.group()
def org() -> None:
    """组织架构：单位、成员、角色。"""


@org.command("show")
def org_show() -> None:
    """显示单位树及各单位成员和角色。"""
    from bot.views import render_org_tree

    async def go(db: "Database") -> None:
        async with db.uow(readonly=True) as uow:
            cfg = await uow.org.config()
            if cfg is None:
                raise Fail(t("org_config.missing"))
            members = await uow.org.members()
            identities = {m.id: await uow.org.identities_of(m.id) for m in members}
        click.echo(render_org_tree(cfg, members, identities))

    run(go)


@click.group()
def invite() -> None:
    """邀请码：让新成员通过 /start 邀请码 加入单位。"""


@invite.command("create")
@click.option("--unit", required=True, metavar="单位", help="单位代码或名称，如 zhu_shenzhen 或 驻深圳办事处。")
@click.option("--role", type=click.Choice(["member", "unit_head", "leader", "office_admin"]), default="member",
              show_default=True, help="角色：member 成员、unit_head 单位负责人、leader 领导、office_admin 办公室管理员。")
@click.option("--days", type=click.IntRange(1, 90), default=7, show_default=True, metavar="天数", help="有效天数。")
@click.option("--member", "member_ref", default=None, metavar="成员",
              help="绑定到已有成员（姓名或编号），用于同一人在第二个渠道登录。")
def invite_create(unit: str, role: str, days: int, member_ref: str | None) -> None:
    """生成一次性、会过期的邀请码（只显示这一次）。"""
    from datetime import timedelta

    from bot.views import find_unit, find_member
    from core.roles import Role
    from core.usecases.org import CreateInvite, create_invite

    async def go(db: "Database") -> str:
        async with db.uow() as uow:
            cfg = await uow.org.config()
            if cfg is None:
                raise Fail(t("org_config.missing"))
            target = find_unit(cfg, unit)
            if target is None:
                raise Fail(f"未知单位 {unit!r}：用 zsbot org show 查看单位代码")
            member_id = None
            if member_ref:
                m = find_member(await uow.org.members(), member_ref)
                if m is None:
                    raise Fail(f"未找到成员 {member_ref!r}")
                member_id, target = m.id, cfg.unit(m.unit)
            code = await create_invite(uow, CreateInvite(unit=target.code, role=Role(role), ttl=timedelta(days=days), member_id=member_id))
            await uow.commit()
            return code

    click.echo(run(go))
