"""Numbers that become SQL parameters: ids and indexes, checked before any statement sees them.

`str.isdigit()` is true for `²` and `١٢`, and a 23-digit id overflows SQLite's INTEGER and
PostgreSQL's BIGINT: both ended in the internal-error reply. Here a number is ASCII digits
within range, or it is not a number at all (the caller answers as for an unknown id).
"""
from __future__ import annotations

import re

MAX_ID = 2**63 - 1          # BIGINT on PostgreSQL, INTEGER on SQLite
MAX_INDEX = 10_000          # no menu, choice list or trip is longer
_DIGITS = re.compile(r"[0-9]{1,19}")


def as_id(text: str) -> int | None:
    """`123`, `#123`, `＃123` → 123; anything else (other digits, signs, out of range) → None."""
    word = text.strip().lstrip("#＃")
    if not _DIGITS.fullmatch(word):
        return None
    value = int(word)
    return value if value <= MAX_ID else None


def as_index(text: str, size: int) -> int | None:
    """A 0-based index into a list of `size`, or None."""
    if not _DIGITS.fullmatch(text) or len(text) > 6:
        return None
    value = int(text)
    return value if value < min(size, MAX_INDEX) else None
