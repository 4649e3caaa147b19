"""An export is written all or nothing: a failure leaves the previous file as it was and no temporary file."""
from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from bot.outfile import write_atomically, write_problem


def test_a_complete_write_replaces_the_file_with_an_ordinary_mode(tmp_path: Path) -> None:
    target = tmp_path / "p.csv"
    target.write_bytes(b"old")
    target.chmod(0o644)
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["p.csv"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "p.xlsx"
    target.write_bytes(b"last month")

    def disk_full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError) as caught:
        write_atomically(target, b"x" * 100_000)
    assert target.read_bytes() == b"last month"
    assert [p.name for p in tmp_path.iterdir()] == ["p.xlsx"]
    assert write_problem(target, caught.value) == f"无法写入 {target}：磁盘空间不足"


def test_a_missing_folder_is_said_in_chinese(tmp_path: Path) -> None:
    target = tmp_path / "no" / "p.csv"
    with pytest.raises(OSError) as caught:
        write_atomically(target, b"x")
    assert write_problem(target, caught.value) == f"无法写入 {target}：文件夹 {tmp_path / 'no'} 不存在"
