"""Plain-text views for the command line (the chat has its own catalog)."""
from __future__ import annotations

from core.org import OrgConfig, Unit
from core.records import Identity, Member
from core.roles import ROLE_ZH, UNIT_KIND_ZH


def find_unit(cfg: OrgConfig, ref: str) -> Unit | None:
    """A unit by code, full name or short name."""
    ref = ref.strip()
    return next((u for u in cfg.units if ref in (u.code, u.name, u.short_name)), None)


def find_member(members: list[Member], ref: str) -> Member | None:
    ref = ref.strip()
    if ref.isdigit():
        return next((m for m in members if m.id == int(ref)), None)
    named = [m for m in members if m.name == ref]
    return named[0] if len(named) == 1 else None


def render_org_tree(cfg: OrgConfig, members: list[Member], identities: dict[int, list[Identity]]) -> str:
    by_unit: dict[str, list[Member]] = {}
    for m in members:
        by_unit.setdefault(m.unit, []).append(m)
    children: dict[str | None, list[Unit]] = {}
    for u in cfg.units:
        children.setdefault(u.parent, []).append(u)
    groups = {g.code: g.name for g in cfg.peer_groups}
    lines = [f"{cfg.organisation.name}（{cfg.organisation.year} 年度）"]

    def walk(parent: str | None, depth: int) -> None:
        for u in children.get(parent, []):
            group = f"，考核组：{groups[u.peer_group]}" if u.peer_group else ""
            lines.append(f"{'  ' * depth}- {u.name} [{u.code}]（{UNIT_KIND_ZH[u.kind]}{group}）")
            for m in by_unit.get(u.code, []):
                # A member can hold several identities on one channel (e.g. two consoles): name it once.
                bound = "、".join(dict.fromkeys(i.channel for i in identities.get(m.id, []))) or "未绑定"
                extra = f"，{m.title}" if m.title else ""
                flag = "，半月报填报人" if m.reporter else ""
                lines.append(f"{'  ' * (depth + 1)}· #{m.id} {m.name}（{ROLE_ZH[m.role]}{extra}{flag}；{bound}）")
            walk(u.code, depth + 1)

    walk(None, 0)
    return "\n".join(lines)
