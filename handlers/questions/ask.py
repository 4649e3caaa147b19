"""One entry for the chat and `zsbot ask`: parse the question, answer it, or say what was understood."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from core.org import OrgConfig
from core.ports import UnitOfWork
from handlers.questions.answer import answer_indicator, answer_score
from handlers.questions.reply import Reply, Viewer
from handlers.questions.answer_lists import answer_late, answer_projects, answer_transfers, answer_trips
from handlers.questions.lexicon import lexicon_for
from handlers.questions.parser import parse_question
from handlers.questions.query import NotUnderstood, Question
from texts import t


def not_understood(cfg: OrgConfig, nu: NotUnderstood) -> Reply:
    examples = lexicon_for(cfg).examples
    if nu.missing == "period":
        said = t("ask.period_unsupported", period=nu.unknown)
    elif nu.understood:
        said = t("ask.understood_part", words="、".join(dict.fromkeys(nu.understood)))
    else:
        said = t("ask.understood_nothing")
    if nu.unknown and nu.missing != "period":
        said += t("ask.unknown_word", word=nu.unknown)
    return Reply(said + "\n" + t("ask.examples", first=examples[0], second=examples[1]))


async def answer(uow: UnitOfWork, q: Question, viewer: Viewer, tz: ZoneInfo, today: date) -> Reply:
    cfg = await uow.org.config()
    if cfg is None:
        return Reply(t("error.no_org"))
    if q.subject == "indicator":
        return await answer_indicator(uow, q, viewer, tz, today)
    if q.subject == "score":
        return await answer_score(uow, q, viewer, tz, today)
    if q.subject == "projects":
        return await answer_projects(uow, cfg, q)
    if q.subject == "transfers":
        return await answer_transfers(uow, cfg, q, viewer, today)
    if q.subject == "late_reports":
        return await answer_late(uow, q, viewer, tz, today)
    return await answer_trips(uow, q, viewer, tz, today)


async def ask(uow: UnitOfWork, cfg: OrgConfig, text: str, viewer: Viewer, tz: ZoneInfo, today: date) -> Reply:
    parsed = parse_question(text, cfg, today, asker_unit=viewer.unit, asker_name=viewer.name)
    if isinstance(parsed, NotUnderstood):
        return not_understood(cfg, parsed)
    return await answer(uow, parsed, viewer, tz, today)
