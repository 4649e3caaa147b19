"""`zsbot` as an operator runs it: help, init with an org file or the demo, org show, refused org files."""
from __future__ import annotations

import tomllib
from pathlib import Path

import click
import pytest

from bot.cli import build
from tests.e2e.cli_runner import Cli, cli, run  # noqa: F401  (cli is a fixture)
from tests.helpers import DEMO_ORG, MINI_ORG


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


def test_help_lists_every_command_group(tmp_path: Path) -> None:
    result = run(["--help"], cwd=tmp_path, env={"ZSBOT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}).ok()
    listed = result.out.split("命令：", 1)[1]
    root = build()
    for name in root.commands:
        assert f"\n  {name} " in listed, f"{name} missing from zsbot --help:\n{result.out}"
    assert {"init", "org", "invite", "ledger", "export"} <= set(root.commands)


def test_every_command_and_subcommand_has_help(tmp_path: Path) -> None:
    paths = command_paths(build())
    assert ("org", "show") in paths and ("export", "projects") in paths and ("ledger", "verify") in paths
    # Help must not need a database: point at one that cannot exist and make sure nothing is created.
    bogus = Cli(f"sqlite:///{tmp_path}/nowhere/x.db", tmp_path)
    for path, result in zip(paths, bogus.many(*[(*path, "--help") for path in paths]), strict=True):
        result.ok()
        assert result.out.startswith(f"用法：zsbot {' '.join(path)}"), str(result)
        assert result.err == "", str(result)
    assert not (tmp_path / "nowhere").exists()


def tree_lines(show: str) -> list[str]:
    return [line for line in show.splitlines() if line.lstrip().startswith("- ")]


def test_init_org_shows_the_unit_tree_and_re_running_it_changes_nothing(cli: Cli) -> None:
    for result in cli.many(("org", "show"), ("invite", "create", "--unit", "east")):
        assert "zsbot init" in result.one_line_error()  # nothing configured yet: say what to run

    first = cli("init", "--org", str(MINI_ORG)).ok()
    assert "测试市大招商（10 个单位）— 已载入新配置" in first.out
    show, verify = cli.many(("org", "show"), ("ledger", "verify"))
    show_out = show.ok().out
    assert show_out.splitlines()[0] == "测试市大招商（2026 年度）"
    units = tree_lines(show_out)
    assert units[0] == "- 测试市 [city]（市）"
    assert "  - 东区 [east]（区（市、县），考核组：区县）" in units
    assert "  - 驻深圳办事处 [zhu_sz]（驻外办事处，考核组：驻外办事处）" in units
    assert len(units) == 10
    assert "账本完好：1 个事件" in verify.ok().out

    again = cli("init", "--org", str(MINI_ORG)).ok()
    assert "配置未变化" in again.out and "已载入新配置" not in again.out
    cli("init").ok()  # plain init on a configured database: migrate only
    assert verify.out == cli("ledger", "verify").ok().out


def test_init_demo_loads_every_unit_and_member_and_is_safe_to_re_run(cli: Cli) -> None:
    demo = tomllib.loads(DEMO_ORG.read_text(encoding="utf-8"))
    units, members = demo["units"], demo["members"]
    first = cli("init", "--demo", "--empty").ok()
    assert f"（{len(units)} 个单位）— 已载入新配置" in first.out
    assert f"演示成员：新增 {len(members)} 人" in first.out
    count, head = cli.verified()
    assert count == 1 + len(members)

    show = cli("org", "show").ok().out
    tree = tree_lines(show)
    assert len(tree) == len(units)
    for unit in units:
        assert any(f"- {unit['name']} [{unit['code']}]" in line for line in tree), unit
    member_lines = [line.strip() for line in show.splitlines() if line.lstrip().startswith("· #")]
    assert sorted(line.split(" ", 2)[2].split("（")[0] for line in member_lines) == sorted(m["name"] for m in members)
    roles = {"member": "成员", "unit_head": "单位负责人", "leader": "领导", "office_admin": "办公室管理员"}
    assert {line.split("（", 1)[1].split("，")[0].split("；")[0] for line in member_lines} == {
        roles[m.get("role", "member")] for m in members}

    assert "演示历史" not in first.out
    again = cli("init", "--demo", "--empty").ok()
    assert "配置未变化" in again.out and "演示成员：新增 0 人" in again.out
    assert cli.verified() == (count, head)
    assert cli("org", "show").ok().out == show


# -- refused organisation files ---------------------------------------------------------------

MINI = MINI_ORG.read_text(encoding="utf-8")
WEST = 'code = "west"\nname = "西区"\nkind = "district"\nparent = "city"'


def variant(old: str, new: str) -> str:
    assert MINI.count(old) == 1, old
    return MINI.replace(old, new)


# case: (file text, key named, the line the key is on)
BAD_ORGS = {
    "unknown_parent": (variant(WEST, WEST.replace('"city"', '"nowhere"')), "units[4].parent", 'parent = "nowhere"'),
    "duplicate_unit": (variant(WEST, WEST.replace('"west"', '"east"')), "units[4].code", 'code = "east"\nname = "西区"'),
    "negative_target": (variant("funds_in_place = 50000", "funds_in_place = -5"),
                        "units[4].targets.funds_in_place", "funds_in_place = -5"),
    "weights_not_100": (variant("funds_in_place = 60, signed_projects = 40", "funds_in_place = 60, signed_projects = 30"),
                        "peer_groups[0].weights", "weights = { funds_in_place = 60, signed_projects = 30 }"),
    "toml_syntax": (variant('name = "西区"', 'name = "西区'), "TOML", 'name = "西区'),
}


def line_number(text: str, needle: str) -> int:
    """The 1-based number of the line `needle` is (one whole line, or two consecutive lines)."""
    first, _, second = needle.partition("\n")
    lines = text.splitlines()
    hits = [n for n, line in enumerate(lines, 1) if line.strip() == first and (not second or lines[n] == second)]
    assert len(hits) == 1, needle
    return hits[0]


def test_refused_org_files_are_one_line_naming_file_key_and_line_and_write_nothing(cli: Cli, tmp_path: Path) -> None:
    files = {}
    for case, (text, _, _) in BAD_ORGS.items():
        files[case] = tmp_path / f"{case}.toml"
        files[case].write_text(text, encoding="utf-8")
    gbk = tmp_path / "gbk.toml"  # saved by Excel-era Windows tools: not UTF-8
    gbk.write_bytes(MINI.encode("gbk"))
    missing = tmp_path / "absent.toml"
    results = cli.many(*[("init", "--org", str(path)) for path in files.values()],
                       ("init", "--org", str(gbk)), ("init", "--org", str(missing)))
    for (case, (text, key, needle)), result in zip(BAD_ORGS.items(), results, strict=False):
        line = result.one_line_error()
        assert str(files[case]) in line and key in line, line
        assert f"(第 {line_number(text, needle)} 行)" in line, line
    line = results[-2].one_line_error()
    assert str(gbk) in line and "UTF-8" in line and "(第 2 行)" in line, line
    assert results[-1].code != 0 and "Traceback" not in results[-1].err and "absent.toml" in results[-1].err
    assert cli.verified()[0] == 0

    cli("init", "--org", str(MINI_ORG)).ok()
    before, show = cli.many(("ledger", "verify"), ("org", "show"))
    cli("init", "--org", str(files["negative_target"])).one_line_error()
    after, show_after = cli.many(("ledger", "verify"), ("org", "show"))
    assert after.ok().out == before.ok().out and show_after.ok().out == show.ok().out
