"""What operators read about pushes: each kind's Chinese name, why a due push was skipped, and the
reasons the outbox records on a row. Codes (`report.reminder`, `queued`) stay in the database
where code branches on them; these functions turn them into Chinese from the text catalog.
"""
from __future__ import annotations

import re

from texts import has, t

# What the outbox recorded before its reasons were Chinese, so old rows read in Chinese too.
_LEGACY: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(member has no chat bound on an active channel|no_chat)$"), "no_chat"),
    (re.compile(r"^429: retry after (?P<seconds>[\d.]+)s$"), "retry_after"),
    (re.compile(r"^read timeout, may have been delivered: not retried: (?P<error>.*)$", re.S), "ambiguous"),
    (re.compile(r"^refused: (?P<error>.*)$", re.S), "refused"),
    (re.compile(r"^send error: (?P<error>.*)$", re.S), "send_error"),
    (re.compile(r"^internal error: (?P<error>.*)$", re.S), "internal"),
    (re.compile(r"^gave up after (?P<attempts>\d+) attempts: (?P<error>.*)$", re.S), "gave_up"),
)
_SKIPPED_BY_PREFIX = {"ranking.": "ranking", "transfer.": "transfer", "funds.": "funds"}
# Outbox kinds queued outside the calendar (unit groups on ranking day, sharing notices, replies).
OTHER_KINDS = ("ranking.group", "transfer_proposed", "transfer_accepted", "transfer_refused", "transfer_withdrawn",
               "claim_opened", "claim_resolved", "sharing_interest", "sharing_supporting", "reply", "flow_paused",
               "funds_verified", "funds_returned")


def kind_name(kind: str) -> str:
    """半月报提醒 for `report.reminder`; an unknown kind (a test's, a benchmark's) is shown as its code."""
    key = f"push.kind.{kind}"
    return t(key) if has(key) else kind


def kind_code(name_or_code: str) -> str:
    """`--kind 半月报提醒` or `--kind report.reminder`: the code either way."""
    for code in (*known_kinds(), *OTHER_KINDS):
        if kind_name(code) == name_or_code:
            return code
    return name_or_code


def known_kinds() -> list[str]:
    from reminders.planner import kinds
    from reminders.ticker import FALLBACK_KIND

    return [*kinds(), FALLBACK_KIND]


def status_name(status: str | None) -> str:
    """已排入 / 无可用聊天 / 已跳过 for a decision, 未决定 for none; outbox statuses likewise."""
    key = f"ops.status.{status or 'undecided'}"
    return t(key) if has(key) else str(status)


def skipped_reason(kind: str) -> str:
    """Why a due push of this kind is skipped: its render found nothing to say (e.g. already filed)."""
    key = f"push.skipped.{kind}"
    if has(key):
        return t(key)
    for prefix, group in _SKIPPED_BY_PREFIX.items():
        if kind.startswith(prefix):
            return t(f"push.skipped.{group}")
    return t("push.skipped.other")


def reason(code: str, **params: object) -> str:
    """The Chinese reason the outbox stores for a row (`outbox.reason.<code>`), at most 500 characters."""
    return t(f"outbox.reason.{code}", **params)[:500]


def shown_reason(stored: str) -> str:
    """A stored reason as an operator reads it: new rows are Chinese already, old English ones mapped."""
    for pattern, code in _LEGACY:
        match = pattern.match(stored)
        if match:
            return t(f"outbox.reason.{code}", **match.groupdict())
    return stored
