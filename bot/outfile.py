"""Writing an output file all or nothing: a temporary file beside the target, renamed over it when complete."""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path`; on any failure the target is untouched and no partial file is left."""
    folder = path.parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); give it the mode an ordinary write would have.
        os.chmod(tmp, _mode(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_problem(path: Path, exc: OSError) -> str:
    """Why `path` could not be written, in Chinese, for a one-line error."""
    if exc.errno == errno.ENOENT or not path.parent.is_dir():
        return f"无法写入 {path}：文件夹 {path.parent} 不存在"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"无法写入 {path}：没有写入权限"
    if exc.errno == errno.EISDIR or path.is_dir():
        return f"无法写入 {path}：这是一个文件夹"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"无法写入 {path}：磁盘空间不足"
    return f"无法写入 {path}：{exc.strerror or exc}"


def _mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
