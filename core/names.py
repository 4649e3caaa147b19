"""Company-name keys for duplicate detection (比亚迪股份有限公司 = 比亚迪（深圳）有限公司 = 比亚迪集团)."""
from __future__ import annotations

import re
import unicodedata

from core.typed_text import keep_typed

# Longest first, so 集团股份有限公司 goes in one step rather than leaving 集团股份.
_CN_SUFFIXES = sorted(
    ["集团股份有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "集团",
     "股份公司", "公司", "总公司"],
    key=len, reverse=True,
)
_BRANCH = "分公司"
_CN_LEGAL_FORM = re.compile("|".join(_CN_SUFFIXES))
# After NFKC （） are (), so these cover Chinese and ASCII brackets.
_BRACKETED = re.compile(r"\([^()]*\)|【[^【】]*】|\[[^\[\]]*\]|〔[^〔〕]*〕|［[^［］]*］|〖[^〖〗]*〗")
# Latin legal forms must end a word: "Zinc" is not "Z" + "inc".
_LATIN_SUFFIX = re.compile(
    r"(?<![A-Za-z0-9])(?:co\.?\s*,?\s*ltd\.?|ltd\.?|limited|inc\.?|incorporated|corp\.?|corporation"
    r"|co\.?|company|llc|plc|gmbh|group)[\s.,]*$",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


def _strip_cn_suffixes(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in _CN_SUFFIXES:
            if key.endswith(suffix):
                key, changed = key[: -len(suffix)], True
                break
    return key


def _is_punct(c: str) -> bool:
    return unicodedata.category(c)[0] in "PSZ"


def normalize_company_name(name: str) -> str:
    """A comparison key: same key means "probably the same company", to flag, never to merge.

    - NFKC, whitespace removed, Latin lower-cased, punctuation and symbols removed.
    - Every bracketed part is dropped wherever it is: （深圳）, (贵州), 【苏州】, (有限合伙), (中国).
    - Legal forms are dropped from the end repeatedly (股份有限公司, 有限公司, 集团, 公司, Co., Ltd., Inc…).
    - A branch keeps its 分公司 marker, because it is registered separately with its own credit code:
      比亚迪股份有限公司深圳分公司 → 比亚迪深圳分公司 (the parent's legal form is still dropped).
    - If nothing would be left (the name is just 集团公司), the NFKC, whitespace-free name is returned.
    """
    key = _key(name)
    for _ in range(8):  # stripping can expose another suffix ("亚C.o" → 亚co → 亚); settle on a fixpoint
        if (again := _key(key)) == key or not again:
            break
        key = again
    return key or _SPACES.sub("", unicodedata.normalize("NFKC", name))


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    while (cut := _BRACKETED.sub("", text)) != text:  # nested brackets come off layer by layer
        text = cut
    while (cut := _LATIN_SUFFIX.sub("", text).rstrip()) != text:
        text = cut
    key = "".join(c for c in text.lower() if not _is_punct(c))
    if not key.endswith(_BRANCH):
        return _strip_cn_suffixes(key)
    parent, branch = key[: -len(_BRANCH)], ""
    forms = list(_CN_LEGAL_FORM.finditer(parent))
    if forms:
        parent, branch = parent[: forms[-1].start()], parent[forms[-1].end():]
    return _strip_cn_suffixes(parent) + branch + _BRANCH if parent else key


def display_company_name(name: str) -> str:
    """The name as typed, for storage and display: trimmed, whitespace collapsed, full-width brackets kept.

    Only the key above is normalised; rows stored NFKC'd before keep matching since their key is the same.
    """
    return keep_typed(name)
