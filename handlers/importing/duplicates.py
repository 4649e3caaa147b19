"""Possible duplicates in a whole sheet at once: the chat's levels (handlers/matching.py `possible_reason`:
a similar name, a name starting alike in the same chain with an amount within 20%, the same phone) for every
row against the ledger and the rows above it.

A row compared one by one with 5,000 others is 12 million comparisons; the candidates are found instead through
indexes (the names' first characters, the phone numbers, the pieces of each name) and rapidfuzz's `cdist`, which
scores the names in C a block of rows at a time; only candidates reach `possible_reason`."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from core.records import ProjectTraits
from handlers.matching import RELATED_PREFIX, SIMILAR_NAME, phone_numbers, possible_reason

BLOCK = 256      # rows scored at once: BLOCK × (ledger + sheet) bytes of scores


@dataclass(frozen=True)
class Possible:
    reason: str                  # similar | chain_amount | phone
    project_id: int | None       # the ledger's entry, or
    row: int | None              # an earlier row of the sheet


def possible_twins(rows: Sequence[tuple[int, ProjectTraits]], ledger: Sequence[ProjectTraits]) -> dict[int, Possible]:
    """For each sheet row (number, traits) that may duplicate a ledger entry or an earlier row, the first such."""
    import numpy as np

    traits = list(ledger) + [t for _, t in rows]
    pool = [t.normalized_name for t in traits]
    by_name: dict[str, list[int]] = {}
    by_head: dict[str, list[int]] = {}
    by_phone: dict[str, list[int]] = {}
    for i, t in enumerate(traits):
        by_name.setdefault(t.normalized_name, []).append(i)
        if len(t.normalized_name) >= RELATED_PREFIX:
            by_head.setdefault(t.normalized_name[:RELATED_PREFIX], []).append(i)
        for p in phone_numbers(t.contact):
            by_phone.setdefault(p, []).append(i)
    joined = "\n" + "\n".join(pool) + "\n"
    out: dict[int, Possible] = {}
    for start in range(0, len(rows), BLOCK):
        block = rows[start:start + BLOCK]
        here0 = len(ledger) + start
        scores = process.cdist([t.normalized_name for _, t in block], pool[:here0 + len(block)], scorer=fuzz.ratio,
                               score_cutoff=SIMILAR_NAME, dtype=np.uint8, workers=-1)
        for k, (number, me) in enumerate(block):
            here = here0 + k                          # the row's own place in the pool: only those above count
            key = me.normalized_name
            candidates = set(np.flatnonzero(scores[k, :here]).tolist())
            candidates.update(i for i in by_head.get(key[:RELATED_PREFIX], ()) if i < here)
            for p in phone_numbers(me.contact):
                candidates.update(i for i in by_phone.get(p, ()) if i < here)
            if len(key) >= 3 and joined.count(key) > 1:     # inside a longer name: rare, so a plain scan
                candidates.update(i for i in range(here) if key in pool[i] and pool[i] != key)
            for part in _parts(key):                         # a shorter name inside this one
                candidates.update(i for i in by_name.get(part, ()) if i < here)
            for i in sorted(candidates):
                reason = possible_reason(me, traits[i])
                if reason is not None:
                    out[number] = Possible(reason, traits[i].id if i < len(ledger) else None,
                                           rows[i - len(ledger)][0] if i >= len(ledger) else None)
                    break
    return out


def _parts(key: str) -> set[str]:
    """Every piece of a name of 3 characters or more, shorter than the name."""
    return {key[a:b] for a in range(len(key)) for b in range(a + 3, len(key) + 1) if b - a < len(key)}
