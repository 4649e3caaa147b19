"""Ledger checkpoints: `#seq hash` pairs that left the database, and how they are written down.

A push carries `账本链头 #26 0123456789abcdef` (the first 16 hex digits); `zsbot ledger head`
prints the whole hash. Both, and `26:<hash>`, are read back as a checkpoint.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

MIN_HEX = 16  # what a pushed text carries; a shorter prefix would prove too little
_PAIR = re.compile(r"#?(\d{1,18})\s*[:：\s]\s*([0-9a-fA-F]{16,64})(?![0-9a-fA-F])")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int
    hash: str          # the whole hash, or a prefix of at least MIN_HEX hex digits
    via: str = ""      # the push that carried it: kind and period
    published_at: datetime | None = None

    @property
    def label(self) -> str:
        return f"#{self.seq} {self.hash[:16]}"


def parse_checkpoints(text: str) -> list[Checkpoint]:
    """Every `seq:hash`, `#seq hash` or `账本链头 #seq hash` in `text`, in order, repeats dropped."""
    seen: set[tuple[int, str]] = set()
    out: list[Checkpoint] = []
    for m in _PAIR.finditer(text):
        pair = (int(m.group(1)), m.group(2).lower())
        if pair not in seen:
            seen.add(pair)
            out.append(Checkpoint(*pair))
    return out
