"""Finding things by what people type: projects by name, duplicates, options by a fuzzy word."""
from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from core.names import normalize_company_name
from core.ports import UnitOfWork
from core.records import Project

# Below this a name is a different company; above it, the office would want to know.
SIMILAR_NAME = 85
SEARCH_CUTOFF = 60


@dataclass(frozen=True)
class Duplicate:
    project: Project
    reason: str  # "code" | "name" | "similar"


async def find_duplicates(uow: UnitOfWork, normalized: str, credit_code: str | None) -> list[Duplicate]:
    """Same credit code, the same normalised name, or a close fuzzy match — in that order."""
    found: dict[int, Duplicate] = {}
    if credit_code:
        for p in await uow.projects.by_credit_code(credit_code):
            found.setdefault(p.id, Duplicate(p, "code"))
    # One scan of the names finds the exact and the close ones alike (a lead is logged with one read).
    names = [(pid, name) for pid, name in await uow.projects.names() if pid not in found]
    same = sorted(pid for pid, name in names if name == normalized)
    similar = sorted(pid for pid, name in names if name != normalized and _similar(normalized, name))[:5]
    wanted = same + similar
    for p in await uow.projects.many(wanted) if wanted else []:
        found.setdefault(p.id, Duplicate(p, "name" if p.id in same else "similar"))
    return list(found.values())


def _similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if fuzz.ratio(a, b) >= SIMILAR_NAME:
        return True
    # 比亚迪 vs 比亚迪汽车: one name inside the other is worth a look when it is not trivially short.
    return min(len(a), len(b)) >= 3 and (a in b or b in a)


async def search_projects(uow: UnitOfWork, query: str, *, limit: int = 8) -> list[Project]:
    """Projects whose name best matches what was typed: exact, then contained, then fuzzy."""
    key = normalize_company_name(query)
    if not key:
        return []
    names = await uow.projects.names()
    exact = [pid for pid, name in names if name == key]
    contained = [pid for pid, name in names if pid not in exact and (key in name or (len(name) >= 2 and name in key))]
    fuzzy = [pid for _, score, pid in process.extract(key, {pid: n for pid, n in names}, scorer=fuzz.WRatio,
                                                       limit=limit, score_cutoff=SEARCH_CUTOFF)
             if pid not in exact and pid not in contained] if len(exact) + len(contained) < limit else []
    ids = (exact + contained + fuzzy)[:limit]
    return await uow.projects.many(ids)


def match_options(text: str, options: tuple[str, ...] | list[str], *, cutoff: int = 80) -> list[str]:
    """Options meant by a typed word: exact, then contained either way, then fuzzy above `cutoff`."""
    word = text.strip()
    if not word:
        return []
    if word in options:
        return [word]
    contained = [o for o in options if word in o or o in word]
    if contained:
        return contained
    return [o for o, score, _ in process.extract(word, list(options), scorer=fuzz.WRatio, limit=3,
                                                  score_cutoff=cutoff)]


def by_words(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """Synonyms typed instead of a button label; whole words only, so 不对 is not 对."""
    word = text.strip().lower()
    return next((value for value, words in table.items() if word in words), None)
