"""The shared lead ledger (seed 003): interest, routing 客商分流, transfer 项目流转, credit 成果共享, claims.

The records storage reads back and the pure rules; the use cases that check them and append the
events (each carrying the project id) are in core/usecases/sharing.py. Credit sharing is recorded as a snapshot of the org file's rule when a transfer is
accepted, so a later change of the rule never rewrites the past (seed 004's 50% 扣减).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

# The event names live in core/events.py; they are named here too, as this domain's vocabulary.
from core.events import CLAIM_OPENED, CLAIM_RESOLVED, INTEREST_MARKED, ROUTED, SUPPORTING_JOINED
from core.events import SHARING as ALL
from core.events import TRANSFER_ACCEPTED, TRANSFER_PROPOSED, TRANSFER_REFUSED, TRANSFER_WITHDRAWN
from core.org import OrgConfig
from core.records import Project
from core.roles import COUNTY_KINDS, UnitKind
from core.stages import Stage, is_live, rank

PENDING, ACCEPTED, REFUSED, WITHDRAWN = "pending", "accepted", "refused", "withdrawn"
OPEN, RESOLVED = "open", "resolved"

# Units that work projects and can therefore receive one.
RECEIVER_KINDS = frozenset({UnitKind.DISTRICT, UnitKind.ZONE, UnitKind.DEPARTMENT, UnitKind.RESIDENT_OFFICE})
# 宣城's rule: these may not register a company a district or zone already has 在谈 or beyond.
CITY_LEVEL_REGISTRANTS = frozenset({UnitKind.DEPARTMENT, UnitKind.RESIDENT_OFFICE})
HELD_FROM = Stage.NEGOTIATING
# Pending transfers: the receiver's head is reminded, then the office is told (working days).
REMIND_HEAD_AFTER = 2
REMIND_OFFICE_AFTER = 5
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_SCAN_DAYS = 400


# -- records read back from storage ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Transfer:
    id: int                      # the seq of the proposing (or routing) event
    project_id: int
    kind: str                    # "transfer" | "route"
    from_unit: str
    to_unit: str
    owner_unit: str
    reason: str
    proposed_by: int | None
    proposed_at: datetime
    status: str
    decided_by: int | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CreditSnapshot:
    """The credit split recorded at acceptance: pct of the project's funds for each unit."""

    project_id: int
    source_seq: int              # the accepted transfer, or the claim decision that changed the owner
    owner_unit: str
    host_unit: str
    rule_code: str | None
    rule_name: str | None
    owner_pct: int
    host_pct: int
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class Claim:
    id: int                      # the seq of claim.opened
    project_id: int              # the entry registered second
    other_project_id: int        # the entry it duplicates
    reason: str                  # "code" | "name" | "similar"
    status: str
    opened_at: datetime
    opened_by: int | None
    first_contact_unit: str | None = None
    first_contact_project_id: int | None = None
    decided_by: int | None = None
    decided_at: datetime | None = None
    note: str | None = None
    resolved_seq: int | None = None


@dataclass(frozen=True, slots=True)
class Interest:
    project_id: int
    unit: str
    member_id: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Suggestion:
    unit: str
    industry_match: bool
    landed: int                  # similar projects (same industry chain) signed or beyond there


# -- pure rules -----------------------------------------------------------------------------
def credit_split(cfg: OrgConfig, owner_unit: str, host_unit: str) -> dict[str, Any]:
    """The snapshot recorded at acceptance. No rule for the pair: the host carries it fully."""
    owner = cfg.unit(owner_unit) if cfg.has_unit(owner_unit) else None
    host = cfg.unit(host_unit) if cfg.has_unit(host_unit) else None
    if owner_unit == host_unit:
        return {"rule_code": None, "rule_name": None, "owner_unit": owner_unit, "host_unit": host_unit,
                "owner_pct": 100, "host_pct": 0}
    rule = cfg.credit_rule_for(owner, host) if owner is not None and host is not None else None
    if rule is None:
        return {"rule_code": None, "rule_name": None, "owner_unit": owner_unit, "host_unit": host_unit,
                "owner_pct": 0, "host_pct": 100}
    return {"rule_code": rule.code, "rule_name": rule.name, "owner_unit": owner_unit, "host_unit": host_unit,
            "owner_pct": rule.owner_pct, "host_pct": rule.host_pct}


def rank_suggestions(cfg: OrgConfig, project: Project, landed: dict[str, int], *, limit: int = 4) -> list[Suggestion]:
    """Districts and zones whose industry orientation fits, then where similar projects landed."""
    out = []
    for order, unit in enumerate(cfg.units):
        if unit.kind not in COUNTY_KINDS or unit.code == project.responsible_unit:
            continue
        match = project.industry is not None and project.industry in unit.industries
        count = landed.get(unit.code, 0)
        if match or count:
            out.append((not match, -count, order, Suggestion(unit.code, match, count)))
    return [s for *_, s in sorted(out, key=lambda x: x[:3])][:limit]


def holds_against_city_units(cfg: OrgConfig, project: Project) -> str | None:
    """The district or zone that holds this project 在谈 or beyond (宣城's rule), if any."""
    if not is_live(project.stage) or rank(project.stage) < rank(HELD_FROM):
        return None
    for code in (project.responsible_unit, project.owner_unit):
        if cfg.has_unit(code) and cfg.unit(code).kind in COUNTY_KINDS:
            return code
    return None


def workdays_later(start: datetime, n: int, is_workday: Callable[[date], bool], tz: ZoneInfo = SHANGHAI) -> datetime:
    """The same local time of day on the n-th working day after `start`'s local date (UTC)."""
    local = start.astimezone(tz)
    day, counted = local.date(), 0
    for _ in range(MAX_SCAN_DAYS):  # a calendar with no working days must not hang the ticker
        if counted >= n:
            break
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    at = datetime(day.year, day.month, day.day, local.hour, local.minute, local.second, local.microsecond,
                  tzinfo=tz)
    return at.astimezone(timezone.utc)


def transfer_escalations(proposed_at: datetime, now: datetime, is_workday: Callable[[date], bool],
                         tz: ZoneInfo = SHANGHAI) -> list[tuple[str, datetime]]:
    """Which reminders a still-pending transfer is due: ("head", at) after 2 working days, ("office", at) after 5."""
    due = []
    for level, days in (("head", REMIND_HEAD_AFTER), ("office", REMIND_OFFICE_AFTER)):
        at = workdays_later(proposed_at, days, is_workday, tz)
        if at <= now:
            due.append((level, at))
    return due


def works_projects(cfg: OrgConfig, unit: str) -> bool:
    """Districts, zones, departments and resident offices work projects; leaders and the office do not."""
    return cfg.has_unit(unit) and cfg.unit(unit).kind in RECEIVER_KINDS


__all__ = [
    "ACCEPTED", "ALL", "CITY_LEVEL_REGISTRANTS", "CLAIM_OPENED", "CLAIM_RESOLVED", "Claim", "CreditSnapshot",
    "HELD_FROM", "INTEREST_MARKED", "Interest", "OPEN", "PENDING", "RECEIVER_KINDS", "REFUSED", "REMIND_HEAD_AFTER",
    "REMIND_OFFICE_AFTER", "RESOLVED", "ROUTED", "SUPPORTING_JOINED", "Suggestion", "TRANSFER_ACCEPTED",
    "TRANSFER_PROPOSED", "TRANSFER_REFUSED", "TRANSFER_WITHDRAWN", "Transfer", "WITHDRAWN", "credit_split",
    "holds_against_city_units", "rank_suggestions", "transfer_escalations", "workdays_later", "works_projects",
]
