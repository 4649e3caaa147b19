"""Who a member is in the organisation, and what each role may read and write."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    UNIT_HEAD = "unit_head"
    LEADER = "leader"
    OFFICE_ADMIN = "office_admin"


ROLE_ZH: dict[Role, str] = {
    Role.MEMBER: "成员",
    Role.UNIT_HEAD: "单位负责人",
    Role.LEADER: "领导",
    Role.OFFICE_ADMIN: "办公室管理员",
}


class UnitKind(StrEnum):
    CITY = "city"
    DISTRICT = "district"          # 区（市、县）
    ZONE = "zone"                  # 开发区、新区
    DEPARTMENT = "department"      # 市直部门
    RESIDENT_OFFICE = "resident_office"  # 驻外办事处
    OFFICE = "office"              # 大招商办 (市投资促进局)
    LEADERSHIP = "leadership"      # 四大班子领导
    TEAM = "team"


UNIT_KIND_ZH: dict[UnitKind, str] = {
    UnitKind.CITY: "市",
    UnitKind.DISTRICT: "区（市、县）",
    UnitKind.ZONE: "开发区",
    UnitKind.DEPARTMENT: "市直部门",
    UnitKind.RESIDENT_OFFICE: "驻外办事处",
    UnitKind.OFFICE: "大招商办",
    UnitKind.LEADERSHIP: "领导",
    UnitKind.TEAM: "招商小分队",
}

# Districts and zones are "county level" for the credit-sharing rule (seed 004).
COUNTY_KINDS = frozenset({UnitKind.DISTRICT, UnitKind.ZONE})
CITY_LEVEL_KINDS = frozenset({UnitKind.DEPARTMENT, UnitKind.RESIDENT_OFFICE, UnitKind.OFFICE})


def reads_everything(role: Role) -> bool:
    """Leaders and the office see every unit's projects and every contact."""
    return role in (Role.LEADER, Role.OFFICE_ADMIN)


def may_write_for(role: Role, member_unit: str, target_unit: str) -> bool:
    """Everyone writes for their own unit (a leader's is the leadership); the office for any."""
    if role is Role.OFFICE_ADMIN:
        return True
    return member_unit == target_unit
