"""What one sheet row asks of the ledger, as ordered actions: a new row's lead, its stage moves on their dates,
its funds and problem; a row imported before, only what changed (the ledger moves forward only)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.records import Project
from core.stages import LIFECYCLE, Stage, rank
from handlers.importing.rows import RowData
from texts import t


@dataclass(frozen=True)
class Action:
    when: date | None            # None: the import time
    order: int                   # the row's position, then the step's, so a row's steps stay in order
    row: RowData
    kind: str                    # lead | stage | funds | correct | problem
    data: dict[str, Any] = field(default_factory=dict)



def _stage_steps(row: RowData, current: Stage, has_contract: bool, order: int, first: int) -> list[Action]:
    """The stage moves from `current` to the row's stage: one per dated stage on its date, then the row's
    stage (undated: the import time); the contract amount goes with the first move to 签约 or beyond."""
    steps: list[Action] = []
    dated = dict(row.stage_dates)
    targets = [s for s in LIFECYCLE if rank(current) < rank(s) <= rank(row.stage) and s in dated] \
        if row.stage is not Stage.TERMINATED else [s for s in LIFECYCLE if rank(current) < rank(s) and s in dated]
    if row.stage not in targets and row.stage is not current:
        targets.append(row.stage)
    need_contract = not has_contract
    when: date | None = None
    for n, s in enumerate(targets):
        when = dated.get(s, when if s is not Stage.TERMINATED else None)
        data: dict[str, Any] = {"to": s}
        if need_contract and s is not Stage.TERMINATED and rank(s) >= rank(Stage.SIGNED):
            data["contract"], need_contract = row.contract_wan, False
        if s is Stage.TERMINATED:
            data["reason"] = row.terminated_reason or t("import.terminated_reason")
        steps.append(Action(when if s in dated else None, order * 100 + first + n, row, "stage", data))
    return steps


def new_actions(row: RowData, order: int) -> list[Action]:
    first_date = row.lead_date or (row.stage_dates[0][1] if row.stage_dates else None)
    actions = [Action(first_date, order * 100, row, "lead")]
    start = Stage.NEGOTIATING if row.stage is Stage.NEGOTIATING else Stage.LEAD
    actions += _stage_steps(row, start, False, order, 1)
    if row.funds_wan:
        actions.append(Action(None, order * 100 + 50, row, "funds", {"amount": row.funds_wan}))
    if row.problem:
        actions.append(Action(None, order * 100 + 60, row, "problem", {"text": row.problem}))
    return actions


CORRECTED = ("credit_code", "industry", "category", "source", "contact", "responsible_person", "intended_wan",
             "foreign_wan", "foreign_currency")


def update_actions(row: RowData, p: Project, order: int) -> tuple[list[Action], list[str]] | str:
    """What the row changes on the project it imported before, or why it cannot (the ledger only moves forward)."""
    actions: list[Action] = []
    said: list[str] = []
    if row.stage is not p.stage:
        if p.stage is Stage.TERMINATED or (row.stage is not Stage.TERMINATED and rank(row.stage) < rank(p.stage)):
            return t("import.result.stage_backwards", id=p.id, current=p.stage, target=row.stage)
        actions += _stage_steps(row, p.stage, p.contract_wan is not None, order, 1)
        said.append(t("import.changed.stage", stage=row.stage))
    if row.funds_wan < p.funds_wan:
        return t("import.result.funds_lower", id=p.id, ledger=p.funds_wan, sheet=row.funds_wan)
    if row.funds_wan > p.funds_wan:
        actions.append(Action(None, order * 100 + 50, row, "funds", {"amount": row.funds_wan - p.funds_wan}))
        said.append(t("import.changed.funds", amount=row.funds_wan - p.funds_wan))
    changes = {k: getattr(row, k) for k in CORRECTED if getattr(row, k) is not None and getattr(row, k) != getattr(p, k)}
    if row.flags != p.flags:
        changes["flags"] = sorted(row.flags)
    if changes:
        actions.append(Action(None, order * 100 + 40, row, "correct", {"changes": changes}))
        said.append(t("import.changed.fields", fields="、".join(t(f"import.field.{k}") for k in changes)))
    return actions, said
