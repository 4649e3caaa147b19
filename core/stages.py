"""Project lifecycle 线索→在谈→签约→落地→开工→投产, or 终止 with a reason."""
from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    LEAD = "lead"
    NEGOTIATING = "negotiating"
    SIGNED = "signed"
    LANDED = "landed"
    STARTED = "started"
    PRODUCING = "producing"
    TERMINATED = "terminated"


# The forward order; 终止 sits outside it because it can be reached from any live stage.
LIFECYCLE: tuple[Stage, ...] = (
    Stage.LEAD,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.LANDED,
    Stage.STARTED,
    Stage.PRODUCING,
)

STAGE_ZH: dict[Stage, str] = {
    Stage.LEAD: "线索",
    Stage.NEGOTIATING: "在谈",
    Stage.SIGNED: "签约",
    Stage.LANDED: "落地",
    Stage.STARTED: "开工",
    Stage.PRODUCING: "投产",
    Stage.TERMINATED: "终止",
}

_ZH_ALIASES: dict[str, Stage] = {
    "线索": Stage.LEAD,
    "在谈": Stage.NEGOTIATING,
    "洽谈": Stage.NEGOTIATING,
    "签约": Stage.SIGNED,
    "已签约": Stage.SIGNED,
    "落地": Stage.LANDED,
    "入园": Stage.LANDED,
    "开工": Stage.STARTED,
    "投产": Stage.PRODUCING,
    "终止": Stage.TERMINATED,
    "中止": Stage.TERMINATED,
}


def stage_from_text(text: str) -> Stage | None:
    """The stage a user or config names, by code or Chinese word."""
    text = text.strip()
    try:
        return Stage(text)
    except ValueError:
        return _ZH_ALIASES.get(text)


def is_live(stage: Stage) -> bool:
    return stage is not Stage.TERMINATED


def rank(stage: Stage) -> int:
    """Position in the lifecycle; 终止 ranks below every live stage."""
    return LIFECYCLE.index(stage) if stage in LIFECYCLE else -1


def reached(stage: Stage, threshold: Stage) -> bool:
    """Whether a live project at `stage` has reached `threshold` (签约 is reached by 开工)."""
    return is_live(stage) and rank(stage) >= rank(threshold)


def can_move(current: Stage, target: Stage) -> bool:
    """Only forward moves; 终止 from any live stage; nothing leaves 终止."""
    if not is_live(current):
        return False
    if target is Stage.TERMINATED:
        return True
    return rank(target) > rank(current)


def next_stages(current: Stage) -> list[Stage]:
    """Stages a project may move to, in lifecycle order, then 终止."""
    if not is_live(current):
        return []
    return [s for s in LIFECYCLE if rank(s) > rank(current)] + [Stage.TERMINATED]
