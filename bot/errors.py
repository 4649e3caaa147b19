"""Turn the failures an operator can cause (bad URL, database down, bad file) into one line."""
from __future__ import annotations

import socket


class StartError(Exception):
    """One line for the operator: why the bot cannot start."""


def describe(exc: BaseException) -> str | None:
    """A one-line Chinese description, or None when the error is a bug that deserves a traceback."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    from bot.config import SettingsError
    from core.org_file import ConfigError
    from storage.engine import DatabaseUrlError

    if isinstance(exc, (SettingsError, ConfigError, DatabaseUrlError)):
        return str(exc)
    if isinstance(exc, socket.gaierror):
        return f"无法连接数据库：主机名无法解析（{exc.strerror}）"
    if isinstance(exc, ConnectionRefusedError):
        return "无法连接数据库：连接被拒绝（数据库服务未启动，或地址、端口不对）"
    if isinstance(exc, BrokenPipeError):
        return None  # the reader of our output left (`zsbot schedule | head`): click ends quietly on EPIPE
    if isinstance(exc, (TimeoutError, OSError)) and not isinstance(exc, DBAPIError):
        return f"无法连接数据库：{exc.strerror or exc}"
    if isinstance(exc, (OperationalError, DBAPIError)):
        orig = getattr(exc, "orig", None)
        detail = str(orig or exc).strip().splitlines()[0]
        # SQLite "no such table", PostgreSQL undefined_table: the schema was never created here.
        if getattr(orig, "pgcode", None) == "42P01" or detail.startswith("no such table"):
            return "数据库尚未初始化（没有数据表）：先运行 zsbot init"
        if type(getattr(orig, "__cause__", None)).__name__ in _CONNECT_ERRORS:
            return f"无法连接数据库：{detail}"
        return f"数据库错误：{detail}"
    if type(exc).__name__ in _CONNECT_ERRORS:
        return f"无法连接数据库：{str(exc).splitlines()[0]}"
    return None


_CONNECT_ERRORS = ("InvalidCatalogNameError", "InvalidPasswordError", "InvalidAuthorizationSpecificationError")
