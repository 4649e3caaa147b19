"""The 项目库's question: which projects, in what order, which page. Storage answers it
(`uow.projects.search`); the web console builds it from the query string."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.records import Project
from core.stages import Stage

SORTS: dict[str, str] = {
    "updated": "最近更新",
    "id": "编号",
    "name": "名称",
    "contract": "签约额",
    "funds": "到位资金",
    "intended": "意向投资",
}


# The industry filter's value for leads logged under 其他 (a chain typed that the org file does not list).
INDUSTRY_OTHER = "__other__"


@dataclass(frozen=True)
class ProjectQuery:
    unit: str | None = None             # responsible or owner unit
    stage: Stage | None = None
    industry: str | None = None
    source: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)   # all of them
    min_wan: int | None = None          # on the amount that matters: contract, else intended
    max_wan: int | None = None
    updated_before: datetime | None = None   # stale: not updated since
    text: str | None = None             # name (normalised), #id or credit code
    normalized_text: str | None = None
    sort: str = "updated"
    descending: bool = True
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class ProjectPage:
    projects: list[Project]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))
