"""月度排名: on the ranking day (the org file's `ranking_day`, default the 3rd, moved to the next
working day; at `ranking_time`) last month's ranking goes out.

- Each unit head of a ranked unit: the chart of their peer group, then its ranking as text with
  their unit marked; the same two go to the unit's bound group chats (`/bindgroup`).
- Each leader and office admin: every group in one chart, the leader digest (reports/
  leader_digest.py), the month's 台账 workbook, and the whole ranking as text.

Every text ends with the ledger head the figures were computed from (the file's caption too),
so a pushed figure can be checked later against `zsbot report ranking --month`; each push
that carries it records it in `ledger_checkpoints` (`zsbot ledger checkpoints`), the pairs a
verifier gives `zsbot ledger verify --against`. The figures are read as of the push's instant, which is
the checkpoint's time: `zsbot report ranking --month M --as-of <that time>` prints the pushed ranking again
however many corrections reach the month later (the head is the newest event they read, a correction made
after the month's end included). The month is
ranked once per tick (`ctx.memo`), exactly as the CLI ranks it. An empty month (no unit has a
counted figure: reports/ranking.py, the rule `zsbot report ranking` and /rank follow) is not pushed. A push not sent within a week (downtime) is dropped: the month has moved on.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from core.figures import LedgerEvent, LedgerRow, MonthFacts
from core.messages import SendFile, SendPhoto, SendText
from core.records import Member
from core.workdays import at_local
from texts import t
from reports.leader_digest import render_digest
from reports.ranking_text import head_line, ledger_event_describer, month_zh, render_ranking
from reminders.planner import PlanContext, Push, RenderContext
from reminders.pushes_dispatch import _months
from reminders.pushes_reports import local_days
from reports.chart import ChartFontError, ranking_groups_png, ranking_png
from reports.ranking import Ranking, rank_month
from reports.workbook import ledger_xlsx

EXPIRES_AFTER = timedelta(days=7)
log = logging.getLogger("zsbot.calendar")


def ranking_instant(year: int, month: int, ctx: PlanContext) -> datetime:
    cal = ctx.cfg.calendar
    return at_local(ctx.days.on_or_after(date(year, month, cal.ranking_day)), cal.ranking_time, ctx.tz)


def previous_month(year: int, month: int) -> str:
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def recipients(ctx: PlanContext, *, heads: bool = True) -> list[tuple[Member, str | None]]:
    """(member, their ranked unit) for the heads of units in a peer group; (member, None) for
    leaders and the office, who see every group."""
    ranked = {u.code for u in ctx.cfg.units if u.peer_group}
    out: list[tuple[Member, str | None]] = []
    if heads:
        # A unit without a head hears it through whoever files its reports.
        out += [(m, m.unit) for code in sorted(ranked) for m in ctx.heads_of(code) or ctx.reporters_of(code)]
    seen = {m.id for m, _ in out}
    out += [(m, None) for m in ctx.leaders() + ctx.office() if m.id not in seen]
    return out


async def month_figures(ctx: RenderContext, month: str) -> tuple[MonthFacts, Ranking] | None:
    """The month's facts and ranking, computed once per tick; None when there is nothing to rank."""
    memo = f"ranking:{month}"
    if memo not in ctx.memo:
        # As of the push's instant (the checkpoint publish_head records): the anchor of --as-of.
        found = await ctx.uow.figures.month(month, ctx.tz, as_of=ctx.now)
        ranking = rank_month(found[0], found[1]) if found is not None else None
        ctx.memo[memo] = None if found is None or ranking is None or ranking.empty else (found[1], ranking)
    figures: tuple[MonthFacts, Ranking] | None = ctx.memo[memo]
    return figures


async def publish_head(ctx: RenderContext, ranking: Ranking, kind: str) -> None:
    """The push carries the ledger head: record it as a checkpoint its recipients hold (once per kind and month)."""
    memo = f"checkpoint:{kind}:{ranking.month}"
    if memo not in ctx.memo and ranking.head_hash is not None:
        ctx.memo[memo] = True
        await ctx.uow.chain.publish(ranking.head_seq, ranking.head_hash, f"{kind}:{ranking.month}", ctx.now)


async def month_ranking(ctx: RenderContext, month: str) -> Ranking | None:
    found = await month_figures(ctx, month)
    return found[1] if found is not None else None


async def month_ledger(ctx: RenderContext, month: str) -> tuple[list[LedgerRow], list[LedgerEvent]]:
    memo = f"ranking.ledger_rows:{month}"
    if memo not in ctx.memo:
        ctx.memo[memo] = await ctx.uow.figures.ledger(month, ctx.tz, unit_names(ctx))
    ledger: tuple[list[LedgerRow], list[LedgerEvent]] = ctx.memo[memo]
    return ledger


def unit_names(ctx: RenderContext) -> dict[str, str]:
    return {u.code: u.name for u in ctx.cfg.units}


def _group_of(ctx: RenderContext, unit: str | None) -> str | None:
    return ctx.cfg.unit(unit).peer_group if unit is not None else None


class _RankingDay:
    name = ""
    heads = True

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]:
        first, last = local_days(start, end, ctx.tz)
        for year, month in _months(first, last):
            at = ranking_instant(year, month, ctx)
            if not start <= at <= end:
                continue
            period = previous_month(year, month)
            for member, unit in recipients(ctx, heads=self.heads):
                yield Push(self.name, period, member.id, at, at + EXPIRES_AFTER, {"month": period, "unit": unit})


class RankingChart(_RankingDay):
    name = "ranking.chart"

    async def render(self, ctx: RenderContext, push: Push) -> Any:
        ranking = await month_ranking(ctx, push.data["month"])
        if ranking is None:
            return None
        photo = await chart(ctx, ranking, push.data["unit"])
        if photo is not None:
            await publish_head(ctx, ranking, self.name)
        return photo


async def chart(ctx: RenderContext, ranking: Ranking, unit: str | None) -> SendPhoto | None:
    group = _group_of(ctx, unit)
    memo = f"ranking.chart:{ranking.month}:{group}:{unit}"
    if memo not in ctx.memo:
        month = month_zh(ranking.month)
        try:
            if group is None:
                data = ranking_groups_png(ranking)
            else:
                g = ranking.group(group)
                data = ranking_png(g, highlight=unit, title=f"{month} {g.name} 综合得分")
        except ChartFontError as exc:
            log.warning("排名图未生成：%s", exc)
            data = None  # the text carries every figure; the chart's font is unusable on this server
        ctx.memo[memo] = None if data is None else SendPhoto(
            data=data, filename=f"排名{ranking.month}.png",
            caption=t("rank.caption" if group is not None else "rank.caption_all", month=month))
    photo: SendPhoto | None = ctx.memo[memo]
    return photo


class RankingText(_RankingDay):
    name = "ranking.text"

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        ranking = await month_ranking(ctx, push.data["month"])
        if ranking is None:
            return None
        unit = push.data["unit"]
        text = SendText(text=render_ranking(ranking, group=_group_of(ctx, unit), highlight=unit))
        if unit is not None:
            # The unit's group chats get what its head gets, once per unit (the key is the unit's).
            key = f"ranking.group:{ranking.month}:{unit}"
            picture = await chart(ctx, ranking, unit)
            if picture is not None:
                await ctx.uow.outbox.enqueue_unit_groups(f"{key}:chart", "ranking.group", unit, picture)
            await ctx.uow.outbox.enqueue_unit_groups(f"{key}:text", "ranking.group", unit, text)
        await publish_head(ctx, ranking, self.name)
        return text


class RankingLedger(_RankingDay):
    """The monthly 台账 for leaders and the office."""

    name = "ranking.ledger"
    heads = False

    async def render(self, ctx: RenderContext, push: Push) -> SendFile | None:
        ranking = await month_ranking(ctx, push.data["month"])
        if ranking is None:
            return None
        memo = f"ranking.ledger:{ranking.month}"
        if memo not in ctx.memo:
            names = unit_names(ctx)
            rows, events = await month_ledger(ctx, ranking.month)
            data = ledger_xlsx(rows, events, ranking, month=ranking.month, describe=ledger_event_describer(names))
            ctx.memo[memo] = SendFile(data=data, filename=f"{ranking.month}月度台账.xlsx", caption=t(
                "ranking.ledger_caption", month=month_zh(ranking.month), count=len(rows), head=head_line(ranking)))
        workbook: SendFile = ctx.memo[memo]
        await publish_head(ctx, ranking, self.name)
        return workbook


class RankingDigest(_RankingDay):
    """The leader digest: totals, movers, signings, reporting gaps, problems, leaders' trips."""

    name = "ranking.digest"
    heads = False

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None:
        found = await month_figures(ctx, push.data["month"])
        if found is None:
            return None
        facts, ranking = found
        memo = f"ranking.digest:{ranking.month}"
        if memo not in ctx.memo:
            year, month = (int(x) for x in ranking.month.split("-"))
            before = await month_ranking(ctx, previous_month(year, month))
            rows, events = await month_ledger(ctx, ranking.month)
            ctx.memo[memo] = SendText(text=render_digest(
                ranking, before, rows, events, facts, unit_names=unit_names(ctx),
                member_names={m.id: m.name for m in ctx.plan.members}))
        digest: SendText = ctx.memo[memo]
        await publish_head(ctx, ranking, self.name)
        return digest


KINDS = (RankingChart(), RankingDigest(), RankingLedger(), RankingText())
