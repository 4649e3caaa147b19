"""Recognising commands: slash commands (with @botname in groups) and their Chinese keywords."""
from __future__ import annotations

import re

from texts import t
from handlers.context import Ctx
from handlers.registry import Command, registry

# Punctuation right after a command word separates it from its argument, as a space does:
# 线索：浙江吉利…, 查询，比亚迪 (the text is NFKC already, so ：，； arrive as :,; but 、 stays).
_SEP = "\\s:：,，、;；"
_HEAD = re.compile(rf"([^{_SEP}]*)[{_SEP}]*(.*)", re.DOTALL)
_LEADING_SEP = re.compile(rf"^[{_SEP}]+")


def _split(text: str) -> tuple[str, str]:
    m = _HEAD.fullmatch(text)
    assert m is not None  # every string matches
    return m.group(1), m.group(2).strip()


def parse_command(text: str, bot_username: str | None, *, in_flow: bool,
                  takes_text: bool = False) -> tuple[Command | None, str] | None:
    """(command, args) for a slash command or a Chinese keyword; (None, "") when meant for another bot.

    Inside a form (`in_flow`) a keyword heading the message is a command — `我的项目` at the amount
    question, `进展 华为` on a confirm card — except where the question takes free text (`takes_text`: a
    company name, a note): there only the keyword alone is one, and `线索 来自展会` is the answer. A
    keyword run into its argument (查询比亚迪) counts only outside a form."""
    commands = registry().commands
    if text.startswith("/"):
        head, args = _split(text[1:])
        name, _, target = head.partition("@")
        if target and bot_username and target.lower() != bot_username.lower():
            return None, ""
        command = commands.get(name.lower())
        return (command, args.strip()) if command else (Command("unknown", (), run=unknown_command), name)
    by_alias = {alias: c for c in commands.values() for alias in c.aliases}
    head, args = _split(text)
    if head in by_alias and (not in_flow or not takes_text or not args):
        return by_alias[head], args.strip()
    if in_flow:
        return None
    # 查询比亚迪: phones make spaces a chore, so some keywords may run straight into their argument.
    # Longest alias first: 线索池新能源 is /pool 新能源, not /lead 池新能源.
    glued = sorted(((alias, c) for c in commands.values() for alias in c.glued), key=lambda ac: -len(ac[0]))
    for alias, c in glued:
        if text.startswith(alias) and len(text) > len(alias):
            return c, _LEADING_SEP.sub("", text[len(alias):]).strip()
    return None


async def unknown_command(ctx: Ctx, name: str) -> None:
    ctx.say(t("command.unknown", name=name))


def menu() -> list[tuple[str, str]]:
    """(command, Chinese description) for a channel's command menu (Telegram setMyCommands)."""
    return [(c.name, t(f"help.{c.name}")) for c in registry().commands.values() if c.in_menu]
