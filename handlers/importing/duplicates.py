"""Possible duplicates in a whole sheet at once: the chat's levels (handlers/matching.py `possible_reason`:
a similar name, a related name in the same chain with an amount within 20%, the same phone) for every row
against the ledger and the rows above it.

A row compared one by one with 5,000 others is 12 million name comparisons; rapidfuzz's `cdist` scores them
in C, a block of rows at a time, and only the pairs over RELATED_NAME (or one name inside the other) reach
`possible_reason`."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from core.records import ProjectTraits
from handlers.matching import RELATED_NAME, phone_numbers, possible_reason

BLOCK = 256      # rows scored at once: BLOCK × (ledger + sheet) bytes of scores


@dataclass(frozen=True)
class Possible:
    reason: str                  # similar | chain_amount | phone
    project_id: int | None       # the ledger's entry, or
    row: int | None              # an earlier row of the sheet


def possible_twins(rows: Sequence[tuple[int, ProjectTraits]], ledger: Sequence[ProjectTraits]) -> dict[int, Possible]:
    """For each sheet row (number, traits) that may duplicate a ledger entry or an earlier row, the first such."""
    import numpy as np

    pool = [t.normalized_name for t in ledger] + [t.normalized_name for _, t in rows]
    phones: dict[str, int] = {}
    for i, t in enumerate(ledger):
        for p in phone_numbers(t.contact):
            phones.setdefault(p, i)
    joined = "\n" + "\n".join(pool) + "\n"
    at: dict[str, list[int]] = {}
    for i, name in enumerate(pool):
        at.setdefault(name, []).append(i)
    out: dict[int, Possible] = {}
    for start in range(0, len(rows), BLOCK):
        block = rows[start:start + BLOCK]
        scores = process.cdist([t.normalized_name for _, t in block], pool, scorer=fuzz.ratio,
                               score_cutoff=RELATED_NAME, dtype=np.uint8, workers=1)
        for k, (number, me) in enumerate(block):
            here = len(ledger) + start + k            # the row's own place in the pool: only those above count
            candidates = set(np.flatnonzero(scores[k, :here]).tolist())
            key = me.normalized_name
            if len(key) >= 3 and joined.count(key) > 1:     # inside a longer name: rare, so a plain scan
                candidates.update(i for i in range(here) if key in pool[i] and pool[i] != key)
            for part in _parts(key):                         # a shorter name inside this one
                candidates.update(i for i in at.get(part, ()) if i < here)
            for p in phone_numbers(me.contact):
                if p in phones and phones[p] < here:
                    candidates.add(phones[p])
            found = _first(me, sorted(candidates), ledger, rows, scores[k])
            if found is not None:
                out[number] = found
            for p in phone_numbers(me.contact):
                phones.setdefault(p, here)
    return out


def _parts(key: str) -> set[str]:
    """Every piece of a name of 3 characters or more, shorter than the name."""
    return {key[a:b] for a in range(len(key)) for b in range(a + 3, len(key) + 1) if b - a < len(key)}


def _first(me: ProjectTraits, candidates: list[int], ledger: Sequence[ProjectTraits],
           rows: Sequence[tuple[int, ProjectTraits]], scores: object) -> Possible | None:
    for i in candidates:
        other = ledger[i] if i < len(ledger) else rows[i - len(ledger)][1]
        reason = possible_reason(me, other, float(scores[i]) or None)  # type: ignore[index]
        if reason is not None:
            return Possible(reason, other.id if i < len(ledger) else None,
                            rows[i - len(ledger)][0] if i >= len(ledger) else None)
    return None
