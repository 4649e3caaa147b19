"""Text kept as people typed it (names, notes): whitespace tidied, full-width Latin folded, Chinese punctuation kept.

Matching and parsing normalise with NFKC on their own (core/names.py, handlers/parsing); what is stored
and shown is this, so 腾讯科技（深圳）有限公司 and 用地指标不足，需市自然资源局协调 stay as typed.
"""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_FULL_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]")
# Full-width ASCII punctuation (not the brackets): folded only right after ASCII, so
# ＢＹＤ　Ｃｏ．，Ｌｔｄ． reads BYD Co.,Ltd. while 不足，需 keeps its Chinese comma.
_FULL_PUNCT = re.compile(r"(?<=[!-~])[！-／：-＠［-｀｛-～]")
_BRACKETS = set("（）［］｛｝")


def _fold_punct(m: re.Match[str]) -> str:
    return m.group() if m.group() in _BRACKETS else unicodedata.normalize("NFKC", m.group())


def keep_typed(text: str) -> str:
    """Trimmed, runs of whitespace (the ideographic space too) as one space, ０-９Ａ-Ｚ folded; nothing else changed."""
    out = _FULL_ALNUM.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    while (folded := _FULL_PUNCT.sub(_fold_punct, out)) != out:  # Ｃｏ．， folds one mark at a time
        out = folded
    return _SPACES.sub(" ", out).strip()


def typed_part(typed: str, part: str) -> str:
    """The typed form of `part`, a piece of the NFKC-normalised message `typed`; `part` itself if it is not there.

    The chat core routes on normalised text; a name or a note it keeps is looked up again in what was typed.
    """
    tidy = keep_typed(typed)
    pieces = [unicodedata.normalize("NFKC", c) for c in tidy]
    joined = "".join(pieces)
    at = joined.find(part) if part else -1
    if at < 0:
        return part
    starts: dict[int, int] = {}
    pos = 0
    for i, piece in enumerate(pieces):
        starts[pos] = i
        pos += len(piece)
    starts[pos] = len(pieces)
    end = at + len(part)
    if at not in starts or end not in starts:
        return part  # part begins or ends inside one character's expansion (㎡ → m2): keep the normalised text
    return tidy[starts[at]:starts[end]]
