"""/help 帮助, /cancel 取消 and /start for someone already registered."""
from __future__ import annotations

from collections.abc import Callable

from core import sharing as sh
from core.halfmonthly import OBSERVATION_KINDS, reporting_units
from core.roles import Role, reads_everything
from texts import formatting as fmt
from texts import t
from handlers import forms
from handlers.context import Ctx
from handlers.registry import Command, Feature, registry


def _office(ctx: Ctx) -> bool:
    return ctx.me.role is Role.OFFICE_ADMIN


def _head(ctx: Ctx) -> bool:
    return ctx.me.role in (Role.UNIT_HEAD, Role.OFFICE_ADMIN)


def _kind(ctx: Ctx) -> object:
    return ctx.cfg.unit(ctx.me.unit).kind if ctx.cfg.has_unit(ctx.me.unit) else None


# Who 帮助 lists a command for: the same lines the command's own refusals draw. A command not
# named here is for everyone.
FOR_WHOM: dict[str, Callable[[Ctx], bool]] = {
    "report": lambda ctx: ctx.me.unit in reporting_units(ctx.cfg, [ctx.me]),
    "observe": lambda ctx: _kind(ctx) in OBSERVATION_KINDS,
    "transfer": lambda ctx: _office(ctx) or sh.works_projects(ctx.cfg, ctx.me.unit),
    "route": lambda ctx: _office(ctx) or sh.works_projects(ctx.cfg, ctx.me.unit),
    "accept": _head,
    "claims": _office,
    "restore": _office,
    "bindgroup": _head,
    "unbindgroup": _head,
}


def commands_for(ctx: Ctx) -> list[Command]:
    """The menu's commands this sender's role and unit can use, in menu order."""
    return [c for c in registry().commands.values() if c.in_menu and (c.name not in FOR_WHOM or FOR_WHOM[c.name](ctx))]


async def help_command(ctx: Ctx, args: str) -> None:
    me = ctx.me
    lines = [t("help.title"), t("help.who", unit=ctx.unit_name(me.unit), role=fmt.role(me.role))]
    for c in commands_for(ctx):
        key = "help.my_city" if c.name == "my" and reads_everything(me.role) else f"help.{c.name}"
        lines.append(t("help.line", command=c.name, aliases="／".join(c.aliases[:1]), text=t(key)))
    lines.append(t("help.footer"))
    ctx.say("\n".join(lines))


async def cancel_command(ctx: Ctx, args: str) -> None:
    state = ctx.state
    flows = registry().flows
    if state is None or state.flow not in flows:
        ctx.say(t("cancel.nothing"))
        if state is not None:
            ctx.finish()
        return
    title = flows[state.flow].title
    ctx.finish()
    ctx.say(t("flow.cancelled", title=title))


async def resume_command(ctx: Ctx, args: str) -> None:
    await forms.resume(ctx)


async def start_command(ctx: Ctx, args: str) -> None:
    if args.strip():
        ctx.say(t("refusal.already_registered"))
    ctx.say(t("start.welcome_back", name=ctx.me.name, unit=ctx.unit_name(ctx.me.unit)))


FEATURE = Feature(
    commands=(
        Command("help", ("帮助", "菜单", "?"), run=help_command, order=900),
        Command("cancel", ("取消", "退出"), run=cancel_command, order=910),
        Command("resume", ("继续", "继续填写"), run=resume_command, in_menu=False, order=920),
        Command("start", ("开始",), run=start_command, in_menu=False, order=999),
    ),
    actions={"cancel": cancel_command, "resume": resume_command},
)
