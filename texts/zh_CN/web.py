"""简体中文文案：网页控制台（登录链接、/web 命令、错误页）。"""
from __future__ import annotations

TEXTS: dict[str, str] = {
    "help.web": "网页控制台的登录链接（驾驶舱、项目库、排名、台账）",
    "web.private_only": "登录链接只在私聊中发送：请在与招商助手的私聊中发送“网页”。",
    "web.link": "网页控制台登录链接（{minutes} 分钟内有效，只能用一次，请勿转发）：\n{url}",
    "web.get_link": "在聊天中向招商助手发送“网页”（/web），会收到一个新的登录链接（10 分钟内有效，只能用一次）；"
                    "值守人员也可以运行 zsbot web link --as 姓名。",
    "refusal.web_link_unknown": "这个登录链接无效",
    "refusal.web_link_used": "这个登录链接已经用过了",
    "refusal.web_link_expired": "这个登录链接已过期",
    "refusal.web_member_inactive": "这个账号已停用，不能登录网页控制台",
    "web.csrf": "表单已失效（缺少或不符的校验码）",
    "web.csrf_hint": "请回到上一页刷新后再提交。",
    "web.not_found": "没有这个页面",
    "web.not_found_hint": "请从上方菜单进入。",
    "web.project_unknown": "没有编号为 {id} 的项目",
    "web.project_unknown_hint": "请在项目库中搜索项目名称、编号或统一社会信用代码。",
    "web.month_bad": "月份“{month}”看不懂",
    "web.month_bad_hint": "月份应写成 YYYY-MM，例如 2026-10。",
    "web.month_future": "{month}还没有开始",
    "web.month_future_hint": "只能查看已经开始的月份；排名默认显示上一个完整月份。",
    "web.no_org": "尚未载入组织配置",
    "web.no_org_hint": "先运行 zsbot init --demo 或 zsbot init --org FILE。",
    "web.office_only": "只有大招商办可以打开这一页",
    "web.office_only_hint": "如需查看组织和成员，请联系大招商办。",
    "web.unknown_ref": "没有“{ref}”",
    "web.unknown_ref_hint": "请从页面上的链接进入。",
    "web.filter_bad": "筛选条件“{value}”看不懂",
    "web.filter_bad_hint": "金额写成万元整数，例如 5000；天数写成整数。",
}
