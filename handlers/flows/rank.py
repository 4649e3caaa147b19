"""/rank 排名: a month's ranking in chat — the sender's peer group with their unit marked, and its chart.

`排名` alone gives the last complete month of the sender's own peer group; `排名 2026-10` or
`排名 10月` another month; `排名 区县` another group (by name, code or an alias from the org file). Leaders and the office,
whose units are in no peer group, get every group and a button per group to look at one. Figures are those `zsbot report ranking`
prints: computed from the ledger as of the month's end, ending with the ledger head.
"""
from __future__ import annotations

import logging
import re
from datetime import date

from core.figures import last_complete_month, parse_month
from core.messages import SendPhoto
from texts import t
from handlers.context import Ctx
from reports.ranking_text import month_zh, render_ranking
from handlers.registry import Command, Feature
from reports.chart import ChartFontError, ranking_groups_png, ranking_png
from reports.ranking import rank_month

log = logging.getLogger("zsbot.rank")
_MONTH_ONLY = re.compile(r"^(\d{1,2})月(份)?$")
_YEAR_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月(份)?$")


def parse_month_arg(text: str, today: date) -> str | None:
    """"2026-10", "2026年10月" or "10月" (the latest such month not after this one) → "2026-10"."""
    text = text.strip()
    try:
        return parse_month(text)
    except ValueError:
        pass
    if m := _YEAR_MONTH.match(text):
        year, mon = int(m.group(1)), int(m.group(2))
    elif m := _MONTH_ONLY.match(text):
        mon = int(m.group(1))
        year = today.year if mon <= today.month else today.year - 1
    else:
        return None
    return f"{year:04d}-{mon:02d}" if 1 <= mon <= 12 else None


async def rank_command(ctx: Ctx, args: str) -> None:
    month, words = last_complete_month(ctx.today), []
    for word in args.split():
        parsed = parse_month_arg(word, ctx.today)
        if parsed is not None:
            month = parsed
        else:
            words.append(word)
    # A group's name may hold spaces or brackets either width: 区（市、县）、开发区, 区(市、县)、开发区.
    group_ref = " ".join(words) or None
    if month >= f"{ctx.today.year:04d}-{ctx.today.month:02d}":
        ctx.say(t("rank.not_closed", month=month_zh(month)))
        return
    found = await ctx.uow.figures.month(month, ctx.tz)
    if found is None:
        ctx.say(t("error.no_org"))
        return
    cfg, facts = found
    own = cfg.unit(ctx.me.unit).peer_group if ctx.me.unit in {u.code for u in cfg.units} else None
    group = own
    if group_ref is not None:
        found_group = cfg.peer_group_named(group_ref)
        group = found_group.code if found_group is not None else None
        if group is None:
            ctx.say(t("ranking.unknown_group", group=group_ref, groups="、".join(g.name for g in cfg.peer_groups)))
            return
    ranking = rank_month(cfg, facts, group=group)
    text = render_ranking(ranking, group=group, highlight=ctx.me.unit)
    if group is None and not ranking.empty:
        # Leaders and the office see every group, and pick one to look at closely.
        ctx.offer(text, [(g.name, f"s:rank:{month} {g.code}") for g in ranking.groups], columns=3)
    else:
        ctx.say(text)
    if ranking.empty:
        return  # the text says the month is empty; a picture would say only the same
    try:
        if group is not None:
            g = ranking.group(group)
            png = ranking_png(g, highlight=ctx.me.unit, title=f"{month_zh(month)} {g.name} 综合得分")
        else:
            png = ranking_groups_png(ranking, highlight=ctx.me.unit)
    except ChartFontError as exc:
        log.warning("排名图未生成：%s", exc)
        return  # the text carries every figure; the chart's font is unusable on this server
    mine = group is not None and any(u.unit == ctx.me.unit for u in ranking.group(group).units)
    caption = t("rank.caption" if mine else "rank.caption_group" if group else "rank.caption_all", month=month_zh(month))
    ctx.send(SendPhoto(data=png, filename=f"排名{month}.png", caption=caption))


FEATURE = Feature(
    commands=(Command("rank", ("排名", "考核排名"), run=rank_command, order=48, glued=("排名",)),),
    actions={"rank": rank_command},  # a group button: "s:rank:2026-10 districts"
)
