"""企业微信 / 政务微信渠道的文案：选项以按钮卡片（模板卡片）或编号列表给出。"""
from __future__ import annotations

TEXTS: dict[str, str] = {
    "wecom.choose": "回复数字或选项文字选择：",
    "wecom.choice": "{number}. {label}",
    # 按钮卡片：提示太长放不进卡片时，全文先以文本发出，卡片只留这个标题和按钮。
    "wecom.card_title": "请选择：",
    # 按下按钮后，卡片的按钮变灰并显示所选。
    # 选项多于 6 个（或文字较长）时的单选卡片上的提交按钮。
    "wecom.card_submit": "提交",
    "wecom.card_chosen": "✓ {label}",
    "wecom.card_done": "✓ 已选择",
}
