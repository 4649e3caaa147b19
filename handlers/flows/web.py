"""/web 网页: a one-time login link to the web console (10 minutes, single use), sent to the member."""
from __future__ import annotations

from core.usecases.web_login import LINK_TTL, issue_link
from texts import t
from handlers.context import Ctx
from handlers.registry import Command, Feature

_base_url = "http://127.0.0.1:8080"


def use_web_url(url: str) -> None:
    """Set once by the composition root from ZSBOT_WEB_URL (like the locale and the chart font)."""
    global _base_url
    _base_url = url.rstrip("/")


def login_url(token: str) -> str:
    return f"{_base_url}/login?t={token}"


async def web_command(ctx: Ctx, args: str) -> None:
    if ctx.in_group:  # anyone in the group could open it as this member
        ctx.say(t("web.private_only"))
        return
    token = await issue_link(ctx.uow, ctx.me)
    ctx.say(t("web.link", minutes=int(LINK_TTL.total_seconds() // 60), url=login_url(token)))


FEATURE = Feature(commands=(Command("web", ("网页", "网页版", "控制台"), run=web_command, order=95),))
