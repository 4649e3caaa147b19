"""The plan: which pushes fall due in a time window. Pure — the org config, the members and the
working-day calendar in, `Push` records out; `zsbot schedule` prints it and the ticker sends it.

## Adding kinds of push (the contract)

A module `reminders/pushes_<feature>.py` defines `KINDS: tuple[PushKind, ...]` and is listed in
`push_modules()` (one line; tests/unit/test_registries.py fails when a module defining KINDS is
missing there). A `PushKind` has:

- `name`: the kind, e.g. "report.reminder" (≤ 40 characters; it is the outbox row's `kind`), with
  its Chinese name for operators in the catalog as `push.kind.<name>` (a test fails without one) and,
  if `render` can return None, why as `push.skipped.<name>` (`reminders/names.py`).
- `plan(ctx: PlanContext, start, end) -> Iterable[Push]`: every push of this kind whose `due`
  lies in [start, end] (aware UTC). Pure: it may read only `ctx` (config, members, working days,
  time zone), never the clock or the database. A push's `key` — `kind:period:m<member id>` —
  must be stable: the same push planned twice has the same key, which is what makes it go out
  at most once. Put anything that distinguishes two pushes to one person into `period`.
  `expires` is when the push stops mattering (after downtime it is not sent late): e.g. a
  reminder expires at the next reminder or at the deadline.
- `async render(ctx: RenderContext, push) -> Outbound | None`: called once, at or after `due`,
  inside the tick's transaction; reads what it needs through `ctx.uow` (e.g. has the unit filed
  already?) and returns the message, or None when it is no longer needed (recorded as skipped,
  never asked again). `ctx.memo` is shared by the pushes of one tick, so a list built for the
  first recipient can be reused for the others.

Send to people, not chats: the ticker queues `uow.outbox.enqueue_member(push.key, …)`, one row
per chat the member is bound on.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from types import ModuleType
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from core.messages import SendText
from core.org import OrgConfig
from core.ports import UnitOfWork
from core.records import Member
from core.roles import Role
from core.workdays import Workdays


@dataclass(frozen=True)
class Push:
    kind: str
    period: str
    member_id: int
    due: datetime
    expires: datetime
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.period}:m{self.member_id}"


@dataclass
class PlanContext:
    cfg: OrgConfig
    members: tuple[Member, ...]
    tz: ZoneInfo
    days: Workdays

    def active(self) -> list[Member]:
        return [m for m in self.members if m.active]

    def with_role(self, role: Role) -> list[Member]:
        return [m for m in self.active() if m.role is role]

    def office(self) -> list[Member]:
        return self.with_role(Role.OFFICE_ADMIN)

    def leaders(self) -> list[Member]:
        return self.with_role(Role.LEADER)

    def heads_of(self, unit: str) -> list[Member]:
        return [m for m in self.active() if m.unit == unit and m.role is Role.UNIT_HEAD]

    def reporters_of(self, unit: str) -> list[Member]:
        """Who fills in a unit's reports: its reporters, else its heads (someone must be asked)."""
        reporters = [m for m in self.active() if m.unit == unit and m.reporter]
        return reporters or self.heads_of(unit)

    def unit_name(self, code: str) -> str:
        try:
            return self.cfg.unit(code).name
        except KeyError:
            return code


@dataclass
class RenderContext:
    uow: UnitOfWork
    plan: PlanContext
    now: datetime
    since: datetime
    memo: dict[str, Any] = field(default_factory=dict)

    @property
    def cfg(self) -> OrgConfig:
        return self.plan.cfg

    @property
    def tz(self) -> ZoneInfo:
        return self.plan.tz


class PushKind(Protocol):
    name: str

    def plan(self, ctx: PlanContext, start: datetime, end: datetime) -> Iterable[Push]: ...

    async def render(self, ctx: RenderContext, push: Push) -> SendText | None: ...


@cache
def kinds() -> dict[str, PushKind]:
    """Every kind of push, from the `KINDS` of each module in `push_modules()`."""
    found: dict[str, PushKind] = {}
    for module in push_modules():
        for kind in module.KINDS:
            if kind.name in found:
                raise RuntimeError(f"push kind {kind.name!r} defined twice")
            found[kind.name] = kind
    return found


def push_modules() -> tuple[ModuleType, ...]:
    """The modules that define kinds of push: listed, not found by file name, so a reader sees them all."""
    # Imported here, not at the top: they import this module for Push and PushKind.
    from reminders import (pushes_dispatch, pushes_observation, pushes_ranking, pushes_reports, pushes_transfers,
                           pushes_verification)

    return (pushes_dispatch, pushes_observation, pushes_ranking, pushes_reports, pushes_transfers,
            pushes_verification)


def plan(ctx: PlanContext, start: datetime, end: datetime) -> list[Push]:
    """Every push due in [start, end], in due order (then key), each once."""
    pushes: dict[str, Push] = {}
    for kind in kinds().values():
        for push in kind.plan(ctx, start, end):
            if start <= push.due <= end:
                pushes.setdefault(push.key, push)
    return sorted(pushes.values(), key=lambda p: (p.due, p.key))
