"""组织配置尚未载入时给运维看的一句话（zsbot 的各个命令和 zsbot run 共用）。"""
from __future__ import annotations

TEXTS: dict[str, str] = {
    "org_config.missing": "尚未载入组织配置：先运行 zsbot init --demo 或 zsbot init --org FILE",
}
