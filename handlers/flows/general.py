"""/help 帮助, /cancel 取消 and /start for someone already registered."""
from __future__ import annotations

from texts import t
from handlers.context import Ctx
from handlers.registry import Command, Feature, registry


async def help_command(ctx: Ctx, args: str) -> None:
    commands = [c for c in registry().commands.values() if c.in_menu]
    lines = [t("help.title")]
    lines += [t("help.line", command=c.name, aliases="／".join(c.aliases[:1]), text=t(f"help.{c.name}"))
              for c in commands]
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


async def start_command(ctx: Ctx, args: str) -> None:
    if args.strip():
        ctx.say(t("refusal.already_registered"))
    ctx.say(t("start.welcome_back", name=ctx.me.name, unit=ctx.unit_name(ctx.me.unit)))


FEATURE = Feature(
    commands=(
        Command("help", ("帮助", "菜单", "?"), run=help_command, order=900),
        Command("cancel", ("取消", "退出"), run=cancel_command, order=910),
        Command("start", ("开始",), run=start_command, in_menu=False, order=999),
    ),
    actions={"cancel": cancel_command},
)
