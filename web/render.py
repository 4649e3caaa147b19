"""Templates and the values they show: one Jinja2 environment, the app's keys, pages and problem pages.

The console's words come from the same places as the chat's: the catalog (`t`), the chat's formatting
of amounts and stages, the ranking text's numbers."""
from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any

import jinja2
from aiohttp import web

from core.org import FLAGS
from texts import formatting as fmt
from texts import t
from reports.ranking_text import format_pct, format_score, format_value, month_zh
from core.ports import Store
from web.config import WebConfig
from web.figures_cache import Figures, MonthCache
from core.ports import UnitOfWork

DB = web.AppKey("db", Store)
CONFIG = web.AppKey("config", WebConfig)
ENV = web.AppKey("env", jinja2.Environment)
FIGURES = web.AppKey("figures", MonthCache)
# Per request: who is logged in, the session id, the forms' CSRF token (RequestKey from aiohttp 3.12).
_key: Any = getattr(web, "RequestKey", lambda name, _type: name)
MEMBER, SESSION, CSRF = _key("member", object), _key("session_id", str), _key("csrf", str)

NAV = (("/", "驾驶舱"), ("/projects", "项目库"), ("/rankings", "排名"), ("/reports", "半月报"), ("/sharing", "流转"),
       ("/trips", "外出"), ("/verify", "核查"), ("/ledger", "台账"))
OFFICE_NAV = (("/org", "组织"), ("/audit", "访问记录"))

__all__ = ["CONFIG", "CSRF", "DB", "ENV", "FIGURES", "MEMBER", "SESSION", "environment", "month_figures", "page",
           "problem", "t", "this_month"]


def this_month(request: web.Request) -> str:
    today = request.app[DB].clock.now().astimezone(request.app[CONFIG].tz).date()
    return f"{today.year}-{today.month:02d}"


async def month_figures(request: web.Request, uow: UnitOfWork, month: str) -> Figures | None:
    """The month's rules and facts, through the app's cache (web/figures_cache.py)."""
    return await request.app[FIGURES].month(uow, month, request.app[CONFIG].tz, current=this_month(request))


def environment(cfg: WebConfig) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("web", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)

    def local(at: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
        return "" if at is None else at.astimezone(cfg.tz).strftime(pattern)

    env.filters.update(
        amount=lambda wan, currency=None: fmt.amount(wan, currency),
        stage=fmt.stage, role=fmt.role, local=local,
        value=lambda v, measure: "—" if v is None else format_value(v, measure),
        pct=lambda r: "—" if r is None else format_pct(r),
        score=format_score, month_zh=month_zh,
        flag=lambda f: t(f"flag.{f}"),
        ratio=lambda r: 0 if r is None else float(min(r, Fraction(3, 2))) * 100,
    )
    env.globals.update(t=t, FLAGS=FLAGS)
    return env


async def page(request: web.Request, template: str, context: dict[str, Any], *, status: int = 200
               ) -> web.Response:
    env = request.app[ENV]
    member = request.get(MEMBER)
    nav = NAV + (OFFICE_NAV if member is not None and member.role.value == "office_admin" else ())
    body = env.get_template(template).render(member=member, csrf=request.get(CSRF), nav=nav,
                                             path=request.path, **context)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                 "Referrer-Policy": "same-origin"})


async def problem(request: web.Request, status: int, what: str, todo: str) -> web.Response:
    """A Chinese page that says what happened and what to do, with the right status code."""
    return await page(request, "problem.html", {"what": what, "todo": todo, "status": status}, status=status)
