"""Each unit's and each host's sums over a month's project groups, the integers every indicator is computed from.

A month end at province scale has some ten thousand groups, and the running month's facts change with every
recorded event — but only in the one or two groups the event's project moved in or out of: facts brought
forward keep every other group object as it was (storage/queries/running_facts.py). So the sums of the last few
facts are kept, and new facts that share most groups with kept ones are summed from those: less the groups that
left, plus the groups that came.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from core.credit_sharing import Share, coefficient_pct, credit_shares
from core.figures import MonthFacts, ProjectGroup
from core.org import OrgConfig

FLAGS = ("industrial", "strong", "headquarters", "digital", "central_soe")


@dataclass
class Host:
    funds_all: int = 0
    contract: int = 0
    signed: int = 0
    landed: int = 0
    started: int = 0
    producing: int = 0


@dataclass
class Unit:
    # Integer numerators: funds in 万元 × coefficient% × share% (÷ 10000), contracts × share% (÷ 100).
    funds: int = 0
    industrial: int = 0
    soe_contract: int = 0
    contract: int = 0            # contract amounts of the projects first signed this year, credit-shared
    reached: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    flagged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reported: int = 0
    verified: int = 0
    pending: int = 0


    def copy(self) -> "Unit":
        return replace(self, reached=defaultdict(int, self.reached), flagged=defaultdict(int, self.flagged))


@dataclass
class Tally:
    units: dict[str, Unit]
    hosts: dict[str, Host]
    city: Unit = field(default_factory=Unit)      # each project once, all of it: no credit sharing
    city_host: Host = field(default_factory=Host)

    def copy(self) -> "Tally":
        return Tally(defaultdict(Unit, {k: u.copy() for k, u in self.units.items()}),
                     defaultdict(Host, {k: replace(h) for k, h in self.hosts.items()}), self.city.copy(),
                     replace(self.city_host))


# The last few tallies: (rules, the groups summed, the tally). The groups are kept with it, so the identities
# compared below cannot be reused by other objects meanwhile.
_KEPT: list[tuple[OrgConfig, tuple[ProjectGroup, ...], Tally]] = []
_KEEP = 6


def tally(cfg: OrgConfig, facts: MonthFacts) -> Tally:
    """The month's sums under `cfg`. The result is shared: callers must not change it."""
    groups = facts.groups
    for kept_cfg, kept_groups, kept in _KEPT:
        if kept_cfg is cfg and kept_groups is groups:
            return kept
    found = _from_kept(cfg, groups)
    if found is None:
        found = Tally(defaultdict(Unit), defaultdict(Host))
        _add(cfg, groups, found, 1)
    _KEPT.insert(0, (cfg, groups, found))
    del _KEPT[_KEEP:]
    return found


def _from_kept(cfg: OrgConfig, groups: tuple[ProjectGroup, ...]) -> Tally | None:
    """The sums of `groups` from a kept tally of mostly the same group objects, if there is one."""
    limit = len(groups) // 4
    ids = {id(g) for g in groups}
    for kept_cfg, kept_groups, kept in _KEPT:
        if kept_cfg is not cfg or abs(len(kept_groups) - len(groups)) > limit:
            continue
        kept_ids = {id(g) for g in kept_groups}
        left = [g for g in kept_groups if id(g) not in ids]
        came = [g for g in groups if id(g) not in kept_ids]
        if len(left) + len(came) > limit:
            continue
        out = kept.copy()
        _add(cfg, left, out, -1)
        _add(cfg, came, out, 1)
        return out
    return None


def _add(cfg: OrgConfig, groups: Iterable[ProjectGroup], into: Tally, sign: int) -> None:
    basis = cfg.verification.count_funds
    shares: dict[tuple[str, str, int | None, int | None], tuple[Share, ...]] = {}
    coefficients: dict[str | None, int] = {}
    for g in groups:
        key = (g.owner_unit, g.host_unit, g.credit_owner_pct, g.credit_host_pct)
        split = shares.get(key)
        if split is None:
            split = shares[key] = credit_shares(cfg, g.owner_unit, g.host_unit, recorded_owner_pct=g.credit_owner_pct,
                                                recorded_host_pct=g.credit_host_pct)
        coef = coefficients.get(g.category)
        if coef is None:
            coef = coefficients[g.category] = coefficient_pct(cfg, g.category)
        counted_year, counted_all = g.counted_funds(basis)
        flagged = [flag for flag in FLAGS if getattr(g, f"flag_{flag}")]
        for share in split:
            _credit(into.units[share.unit], g, sign, share.pct, coef, counted_year, flagged)
        _credit(into.city, g, sign, 100, coef, counted_year, flagged)
        for h in (into.hosts[g.host_unit], into.city_host):
            h.funds_all += sign * counted_all
            h.contract += sign * g.contract_signed_ever_wan
            h.signed += sign * g.signed_ever
            h.landed += sign * g.landed_ever
            h.started += sign * g.started_ever
            h.producing += sign * g.producing_ever


def _credit(u: Unit, g: ProjectGroup, sign: int, share_pct: int, coef: int, counted_year: int,
            flagged: list[str]) -> None:
    """`share_pct` percent of the group's amounts and all its counts, added (`sign` 1) or taken away (-1); funds
    weighted by the category's `coef` percent."""
    pct = sign * share_pct
    funds = counted_year * coef * pct
    u.funds += funds
    u.reported += g.funds_year_wan * coef * pct
    u.verified += g.verified_year_wan * coef * pct
    u.pending += g.pending_year_wan * coef * pct
    if g.flag_industrial:
        u.industrial += funds
    if g.flag_central_soe:
        u.soe_contract += g.contract_signed_year_wan * pct
    u.contract += g.contract_signed_year_wan * pct
    u.reached["signed"] += sign * g.signed_year
    u.reached["started"] += sign * g.started_year
    u.reached["producing"] += sign * g.producing_year
    for flag in flagged:
        u.flagged[flag] += sign * g.signed_year
