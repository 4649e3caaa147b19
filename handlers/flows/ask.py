"""Questions in plain Chinese (issue 21): a private message that is no command and no answer to an open form,
and reads as a question, is answered from the ledger — the figure, its period, the ledger head and a
怎么算的 button (`s:why:`), or what was understood and two questions that would work."""
from __future__ import annotations

from core.roles import reads_everything
from handlers.context import Ctx
from handlers.parsing import find_amount
from handlers.questions import NotUnderstood, looks_like_question, parse_question
from handlers.questions.reply import Reply, Viewer
from handlers.questions.answer_lists import answer_projects, decode_projects
from handlers.questions.ask import answer, not_understood
from handlers.questions.explain import explain_answer, explain_city
from handlers.registry import Feature
from texts import t


def viewer_of(ctx: Ctx) -> Viewer:
    me = ctx.me
    return Viewer(unit=me.unit, name=me.name, reads_all=reads_everything(me.role))


def _send(ctx: Ctx, reply: Reply) -> None:
    if reply.buttons:
        ctx.offer(reply.text, reply.buttons, columns=2)
    else:
        ctx.say(reply.text)


async def question_fallback(ctx: Ctx, text: str) -> bool:
    """Answer `text` if it is a question (or names a figure); False leaves it to the general fallback."""
    parsed = parse_question(text, ctx.cfg, ctx.today, asker_unit=ctx.me.unit, asker_name=ctx.me.name)
    if isinstance(parsed, NotUnderstood):
        if not looks_like_question(text):
            return False
        _send(ctx, not_understood(ctx.cfg, parsed))
        return True
    if not looks_like_question(text) and (parsed.subject == "projects" or find_amount(text) is not None):
        # "比亚迪 新能源汽车零部件 投资20亿" is a lead typed without 线索, not a question about the chain.
        return False
    _send(ctx, await answer(ctx.uow, parsed, viewer_of(ctx), ctx.tz, ctx.today))
    return True


async def why(ctx: Ctx, arg: str) -> None:
    _send(ctx, await explain_answer(ctx.uow, arg, viewer_of(ctx), ctx.tz, ctx.today))


async def why_city(ctx: Ctx, arg: str) -> None:
    _send(ctx, await explain_city(ctx.uow, arg, ctx.tz, ctx.today))


async def more_projects(ctx: Ctx, arg: str) -> None:
    decoded = decode_projects(ctx.cfg, arg)
    if decoded is None:
        ctx.say(t("button.expired"))
        return
    q, page = decoded
    _send(ctx, await answer_projects(ctx.uow, ctx.cfg, q, page))


FEATURE = Feature(
    actions={"why": why, "whycity": why_city, "askp": more_projects},
    fallbacks=(question_fallback,),
)
