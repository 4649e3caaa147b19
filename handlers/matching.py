"""Finding things by what people type: projects by name, duplicates, options by a fuzzy word."""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from rapidfuzz import fuzz, process

from core.names import normalize_company_name
from core.org import OrgConfig, name_key
from core.ports import UnitOfWork
from core.project_list import ProjectQuery
from core.records import Project, ProjectTraits
from core.social_credit_code import is_valid_credit_code, normalize_credit_code
from core.stages import Stage, stage_from_text

# Below this a name is a different company; above it, the office would want to know.
SIMILAR_NAME = 85
SEARCH_CUTOFF = 60
# Offered as "did you mean" when nothing matched: low, since the person chooses (and has 其他).
CLOSEST_CUTOFF = 20
# Possible duplicates beyond a similar name, for a person to decide — the same levels at chat entry and in an
# import: names that start alike (the same 字号, 比亚迪汽车 / 比亚迪电子: one investor's, RELATED_PREFIX characters)
# in the same industry chain with intended amounts within 20% of the larger, or the same contact phone number.
# Not a fuzzy score: words of the trade (科技, 新材料) make unrelated names score alike.
RELATED_PREFIX = 2
AMOUNT_CLOSE = Fraction(1, 5)
PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(\d(?:[\s-]?\d){6,11})(?!\d)")
POSSIBLE = ("similar", "chain_amount", "phone")


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
    # One scan finds the exact and the close names alike (a lead is logged with one read); the traits' scan,
    # which the related entries' check reads next (possible_duplicates), so the writer reads it once.
    names = [(t.id, t.normalized_name) for t in await uow.projects.traits() if t.id not in found]
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
    return contained(a, b)


def contained(a: str, b: str) -> bool:
    """比亚迪 vs 比亚迪汽车: one name inside the other is worth a look when it is not trivially short."""
    return min(len(a), len(b)) >= 3 and (a in b or b in a)


def phone_numbers(contact: str | None) -> frozenset[str]:
    """The phone numbers in a contact (`王经理 0851-83661761`, `13800000001`): 7 to 12 digits, separators and
    a +86 dropped, so one number written two ways is one number."""
    if not contact:
        return frozenset()
    return frozenset(re.sub(r"[\s-]", "", m) for m in PHONE.findall(contact))


def amounts_close(a: int | None, b: int | None) -> bool:
    """Within 20% of the larger; an unknown or zero amount is close to nothing."""
    if not a or not b:
        return False
    return abs(a - b) <= AMOUNT_CLOSE * max(a, b)


def related(a: str, b: str) -> bool:
    """Names that begin with the same RELATED_PREFIX characters (the 字号 an investor's companies share)."""
    return len(a) >= RELATED_PREFIX and a[:RELATED_PREFIX] == b[:RELATED_PREFIX]


def possible_reason(new: ProjectTraits, old: ProjectTraits) -> str | None:
    """Why `old` may be the company `new` names, for a person to decide: similar / chain_amount / phone, or None."""
    if _similar(new.normalized_name, old.normalized_name):
        return "similar"
    if new.industry and new.industry == old.industry and related(new.normalized_name, old.normalized_name) \
            and amounts_close(new.intended_wan, old.intended_wan):
        return "chain_amount"
    if phone_numbers(new.contact) & phone_numbers(old.contact):
        return "phone"
    return None


async def possible_duplicates(uow: UnitOfWork, new: ProjectTraits, *, skip: frozenset[int] = frozenset(),
                              limit: int = 5) -> list[Duplicate]:
    """Projects that may be the one `new` describes (chain_amount, phone, similar), those in `skip` left out."""
    found = [(t.id, reason) for t in await uow.projects.traits()
             if t.id not in skip and (reason := possible_reason(new, t)) is not None][:limit]
    projects = {p.id: p for p in await uow.projects.many([pid for pid, _ in found])} if found else {}
    return [Duplicate(projects[pid], reason) for pid, reason in found if pid in projects]


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


@dataclass(frozen=True)
class Criteria:
    """What a 查询 names: a number, a credit code, or a unit, stage and industry chain around a name."""

    project_id: int | None = None
    credit_code: str | None = None
    unit: str | None = None
    stage: Stage | None = None
    industry: str | None = None
    words: str = ""

    @property
    def filtered(self) -> bool:
        return self.unit is not None or self.stage is not None or self.industry is not None


def unit_named(cfg: OrgConfig, word: str) -> str | None:
    """The unit a word names: its code, name or short name (either bracket width)."""
    key = name_key(word)
    return next((u.code for u in cfg.units if key in {name_key(n) for n in (u.code, u.name, u.short_name or "")}), None)


def units_meant(cfg: OrgConfig, text: str) -> list[str]:
    """Units a typed name means: the one it names, else those whose name holds it (深圳 → 驻深圳办事处)."""
    if (code := unit_named(cfg, text)) is not None:
        return [code]
    key = name_key(text)
    return [u.code for u in cfg.units if len(key) >= 2 and key in name_key(u.name)] if key else []


def read_criteria(cfg: OrgConfig | None, text: str) -> Criteria:
    """`#66`, a credit code, or words each read as a unit, a stage, an industry chain, else part of a name."""
    text = text.strip()
    ref = text.lstrip("#＃").strip()
    if ref.isdigit() and len(ref) <= 12 and (ref != text or len(ref) <= 6):
        return Criteria(project_id=int(ref))
    if len(text) == 18 and is_valid_credit_code(text):
        return Criteria(credit_code=normalize_credit_code(text))
    unit = stage = industry = None
    rest: list[str] = []
    for word in text.split():
        if cfg is not None and unit is None and (code := unit_named(cfg, word)) is not None:
            unit = code
        elif stage is None and (found := stage_from_text(word)) is not None and not word.isascii():
            stage = found
        elif cfg is not None and industry is None and (chain := _industry(cfg, word)) is not None:
            industry = chain
        else:
            rest.append(word)
    return Criteria(unit=unit, stage=stage, industry=industry, words=" ".join(rest))


def _industry(cfg: OrgConfig, word: str) -> str | None:
    if word in cfg.industries:
        return word
    inside = [i for i in cfg.industries if len(word) >= 3 and word in i]
    return inside[0] if len(inside) == 1 else None


async def find_projects(uow: UnitOfWork, cfg: OrgConfig | None, text: str, *,
                        limit: int = 8) -> tuple[list[Project], int]:
    """The projects a 查询 means (at most `limit`, most recently updated first) and how many match in all."""
    c = read_criteria(cfg, text)
    if c.project_id is not None:
        found = await uow.projects.get(c.project_id)
        return ([found], 1) if found is not None else ([], 0)
    if c.credit_code is not None:
        by_code = await uow.projects.by_credit_code(c.credit_code)
        return by_code[:limit], len(by_code)
    if not c.filtered:
        by_name = await search_projects(uow, c.words, limit=limit)
        return by_name, len(by_name)
    page = await uow.projects.search(ProjectQuery(
        unit=c.unit, stage=c.stage, industry=c.industry, text=c.words or None,
        normalized_text=normalize_company_name(c.words) or None if c.words else None, per_page=limit))
    return page.projects, page.total


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


def closest_options(text: str, options: tuple[str, ...] | list[str], *, limit: int = 4) -> list[str]:
    """The options nearest a word that matched none (低空经济 → 大数据及数字经济, 总部经济, 航空航天), best first;
    none when nothing shares a character."""
    word = text.strip()
    return [o for o, _, _ in process.extract(word, list(options), scorer=fuzz.WRatio, limit=limit,
                                             score_cutoff=CLOSEST_CUTOFF)] if word else []


def by_words(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """Synonyms typed instead of a button label; whole words only, so 不对 is not 对."""
    word = text.strip().lower()
    return next((value for value, words in table.items() if word in words), None)
