"""Input clean-up shared by the parsers: NFKC, trimmed, whitespace collapsed."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize_input(text: str) -> str:
    """NFKC (full-width digits, letters and ，：（） become ASCII), trim, collapse whitespace to one space."""
    # NFKC turns the ideographic space U+3000 into a plain space, so one regex handles both.
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
