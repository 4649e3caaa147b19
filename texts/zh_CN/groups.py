"""群聊绑定的文案。"""
from __future__ import annotations

TEXTS: dict[str, str] = {
    "help.bindgroup": "在本单位工作群里发送，把群绑定到本单位（接收本单位的提醒和排名）",
    "help.unbindgroup": "解除本群与单位的绑定",
    "groups.only_in_group": "请在要绑定的群聊里发送这个命令。",
    "groups.bound": "本群已绑定到“{unit}”，本单位的提醒和排名会发到这里。",
    "groups.unbound": "本群已解除绑定，不再接收单位推送。",
    "refusal.group_bind_not_head": "只有单位负责人或大招商办可以绑定或解绑群聊。",
}
