"""Credit sharing 成果共享: who is credited with a project's figures: the owner (首报/首谈单位) and the host (where it lands).

Seed 004: a city-level unit's project that lands in a county counts fully for the city unit,
and 50% of its funds are deducted from the county's figure — configured as a CreditRule.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.org import OrgConfig


@dataclass(frozen=True)
class Share:
    unit: str
    pct: int


def credit_shares(cfg: OrgConfig, owner: str, host: str, *, recorded_owner_pct: int | None = None,
                  recorded_host_pct: int | None = None) -> tuple[Share, ...]:
    """The units credited and their percentage of the project's amounts.

    A project that stays with its owner counts once, for it. A split recorded when a transfer was
    accepted wins over the file's current rule (later rule changes do not rewrite history).
    Without a matching rule the host — where the project lands and is worked — counts it alone.
    """
    if owner == host:
        return (Share(host, 100),)
    if recorded_owner_pct is not None and recorded_host_pct is not None:
        return _nonzero((Share(owner, recorded_owner_pct), Share(host, recorded_host_pct)))
    if cfg.has_unit(owner) and cfg.has_unit(host):
        rule = cfg.credit_rule_for(cfg.unit(owner), cfg.unit(host))
        if rule is not None:
            return _nonzero((Share(owner, rule.owner_pct), Share(host, rule.host_pct)))
    return (Share(host, 100),)


def _nonzero(shares: tuple[Share, ...]) -> tuple[Share, ...]:
    return tuple(s for s in shares if s.pct > 0)


def coefficient_pct(cfg: OrgConfig, category: str | None) -> int:
    """Seed 004's counting coefficient for a project category (no category: 100% of actual investment)."""
    if category is None:
        return 100
    found = cfg.category(category)
    if found is None:
        return 100
    return 0 if found.basis == "excluded" else found.coefficient_pct
