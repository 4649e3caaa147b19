"""An organisation file: TOML text (the caller reads the file) checked into an `OrgConfig`.

Every refusal names the key and, when it can, the line, so the office can fix the file without
reading a traceback.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from core.org import OrgConfig, name_key
from core.roles import UnitKind


class ConfigError(ValueError):
    """A refused organisation file: `source: key (第 N 行): reason`."""

    def __init__(self, source: str, key: str, reason: str, line: int | None = None) -> None:
        self.source, self.key, self.reason, self.line = source, key, reason, line
        where = f"{key} (第 {line} 行)" if line else key
        super().__init__(f"{source}: {where}: {reason}")


def load_org(text: str, source: str = "<org>") -> OrgConfig:
    """Parse and check an organisation file; raise ConfigError naming the key and line."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _line_from_toml_error(str(exc))
        raise ConfigError(source, "TOML", f"语法错误：{exc}", line) from None
    try:
        cfg = OrgConfig.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = _key(err["loc"])
        raise ConfigError(source, key, _reason(err), _line_of(text, err["loc"])) from None
    problem = next(iter(_cross_check(cfg)), None)
    if problem:
        loc, reason = problem
        raise ConfigError(source, _key(loc), reason, _line_of(text, loc))
    return cfg


def _cross_check(cfg: OrgConfig) -> Iterable[tuple[tuple[Any, ...], str]]:
    """References between sections: everything named must exist once, weights must add up."""
    seen: set[str] = set()
    for i, u in enumerate(cfg.units):
        if u.code in seen:
            yield ("units", i, "code"), f"单位代码“{u.code}”重复"
        seen.add(u.code)
    groups = {g.code for g in cfg.peer_groups}
    indicators = {ind.code for ind in cfg.indicators}
    if len(groups) != len(cfg.peer_groups):
        yield ("peer_groups",), "考核组代码重复"
    said: dict[str, str] = {}
    for i, g in enumerate(cfg.peer_groups):
        for n in {name_key(x) for x in (g.code, g.name, *g.aliases)}:
            if said.setdefault(n, g.code) != g.code:
                yield ("peer_groups", i, "aliases"), f"“{n}”已是考核组“{said[n]}”的名称或别名"
    if len(indicators) != len(cfg.indicators):
        yield ("indicators",), "指标代码重复"
    for i, u in enumerate(cfg.units):
        if u.parent is not None and u.parent not in seen:
            yield ("units", i, "parent"), f"上级单位“{u.parent}”不存在"
        if u.parent == u.code:
            yield ("units", i, "parent"), "单位不能以自己为上级"
        if u.peer_group is not None and u.peer_group not in groups:
            yield ("units", i, "peer_group"), f"考核组“{u.peer_group}”不存在"
        for key in u.targets:
            if key not in indicators:
                yield ("units", i, "targets", key), f"指标“{key}”未在 [[indicators]] 中定义"
    roots = [i for i, u in enumerate(cfg.units) if u.parent is None]
    if len(roots) != 1:
        yield ("units", roots[1] if len(roots) > 1 else 0, "parent"), "单位树必须有且只有一个根单位（没有 parent 的单位）"
    parents = {u.code: u.parent for u in cfg.units}
    for i, u in enumerate(cfg.units):
        seen_path, cur = {u.code}, u.parent
        while cur is not None and cur in parents:
            if cur in seen_path:
                yield ("units", i, "parent"), f"上级关系成环：{u.code} 最终又回到自己"
                break
            seen_path.add(cur)
            cur = parents[cur]
    industries = set(cfg.industries)
    for i, u in enumerate(cfg.units):
        for j, name in enumerate(u.industries):
            if name not in industries:
                yield ("units", i, "industries", j), f"产业链“{name}”不在顶层 industries 列表中"
    shorts = [u.short_name for u in cfg.units if u.short_name]
    if len(set(shorts)) != len(shorts):
        yield ("units",), "单位简称（short_name）重复"
    percent = {ind.code for ind in cfg.indicators if ind.unit == "%"}
    for i, u in enumerate(cfg.units):
        for key, value in u.targets.items():
            if key in percent and value > 100:
                yield ("units", i, "targets", key), f"比率类指标的目标应在 0–100 之间，现为 {value}"
    if sum(1 for u in cfg.units if u.kind is UnitKind.OFFICE) != 1:
        yield ("units",), "必须有且只有一个 kind = \"office\" 的单位（大招商办）"
    for i, g in enumerate(cfg.peer_groups):
        for key in g.weights:
            if key not in indicators:
                yield ("peer_groups", i, "weights", key), f"指标“{key}”未在 [[indicators]] 中定义"
        total = sum(g.weights.values())
        if total != 100:
            yield ("peer_groups", i, "weights"), f"权重合计应为 100，现为 {total}"
    for i, ind in enumerate(cfg.indicators):
        if ind.kind == "projects_reached" and ind.stage is None:
            yield ("indicators", i, "stage"), "projects_reached 指标须指定 stage"
        if ind.kind == "flagged_projects" and ind.flag is None:
            yield ("indicators", i, "flag"), "flagged_projects 指标须指定 flag"
    for i, m in enumerate(cfg.members):
        if m.unit not in seen:
            yield ("members", i, "unit"), f"单位“{m.unit}”不存在"
    codes = [c.code for c in cfg.categories]
    if len(set(codes)) != len(codes):
        yield ("categories",), "项目类别代码重复"
    if len(set(cfg.industries)) != len(cfg.industries):
        yield ("industries",), "产业链名称重复"
    for i, stage in enumerate(cfg.verification.evidence_stages):
        if stage.value not in ("signed", "landed", "started", "producing"):
            yield ("verification", "evidence_stages", i), f"“{stage.value}”不能要求凭证：可选 signed、landed、started、producing"
    for kind, rule in cfg.verification.verifiers.items():
        if rule == "parent_head" and kind in (UnitKind.CITY, UnitKind.OFFICE):
            yield ("verification", "verifiers", kind.value), f"{kind.value} 单位没有上级单位负责人可核实，请写 office"


def _key(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(根)"


def _reason(err: Any) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "缺少必填项"
    if kind == "extra_forbidden":
        return "未知的配置项（拼写错误？）"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能为负数或过小：{err.get('input')!r}"
    if kind in ("less_than_equal", "less_than"):
        return f"数值过大：{err.get('input')!r}"
    if kind == "literal_error":
        return f"可选 {str(err.get('ctx', {}).get('expected', '')).replace(' or ', ' 或 ')}（值：{err.get('input')!r}）"
    return f"{err.get('msg')}（值：{err.get('input')!r}）"


_TOML_LINE = re.compile(r"line (\d+)")


def _line_from_toml_error(message: str) -> int | None:
    m = _TOML_LINE.search(message)
    return int(m.group(1)) if m else None


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of a key path: the n-th [[table]] header, then the key inside it."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    i = 0
    while i < len(loc):
        part = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if isinstance(part, str) and isinstance(nxt, int):
            header = re.compile(rf"^\s*\[\[\s*{re.escape(part)}\s*\]\]")
            hits = [n for n in range(start, end) if header.match(lines[n])]
            if nxt >= len(hits):
                return None
            start = hits[nxt]
            end = next((n for n in range(start + 1, len(lines)) if lines[n].lstrip().startswith("[")
                        and not lines[n].lstrip().startswith(f"[{part}.")), len(lines))
            i += 2
            continue
        if isinstance(part, str):
            key = re.compile(rf"^\s*(\[\s*)?([\w.]*\.)?{re.escape(part)}\s*(=|\])")
            hit = next((n for n in range(start, end) if key.match(lines[n])), None)
            if hit is None:
                return start + 1 if i else None
            start = hit
        i += 1
    return start + 1 if loc else None
