"""企业微信 / 政务微信渠道的文案：应用消息没有按钮，选项以编号列出。"""
from __future__ import annotations

TEXTS: dict[str, str] = {
    "wecom.choose": "回复数字或选项文字选择：",
    "wecom.choice": "{number}. {label}",
}
