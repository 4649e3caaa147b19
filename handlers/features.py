"""Every feature of the conversation core, in one place: the `FEATURE` of each flow module.

Listed rather than discovered from file names, so a reader sees them all and a type checker
follows them; tests/unit/test_registries.py fails when a module defining FEATURE is missing.
"""
from __future__ import annotations

from handlers.flows import (ask, claims, edit, evidence, general, groups, history, lead, observe, pool, rank, report,
                            status, transfer, transfer_decide, trip, update, verify, void, web)
from handlers.registry import Feature

FEATURES: tuple[Feature, ...] = (
    ask.FEATURE,
    claims.FEATURE,
    edit.FEATURE,
    evidence.FEATURE,
    general.FEATURE,
    groups.FEATURE,
    history.FEATURE,
    lead.FEATURE,
    observe.FEATURE,
    pool.FEATURE,
    rank.FEATURE,
    report.FEATURE,
    status.FEATURE,
    transfer.FEATURE,
    transfer_decide.FEATURE,
    trip.FEATURE,
    update.FEATURE,
    verify.FEATURE,
    void.FEATURE,
    web.FEATURE,
)
