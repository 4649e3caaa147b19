"""The evidence rules with no storage: a file's type and name, the policy's refusals, who verifies whom."""
from __future__ import annotations

from core.evidence import FilePolicy, clean_name, may_verify, mime_of, verifier_of
from core.org_file import load_org
from core.records import Member
from core.roles import Role
from tests.helpers import MINI_ORG

TEAM = """
[[units]]
code = "east_team"
name = "东区招商一队"
kind = "team"
parent = "east"

[verification.verifiers]
team = "parent_head"
"""


def test_the_type_is_the_declared_one_else_the_extension_s() -> None:
    assert mime_of("进账单.JPG") == "image/jpeg" and mime_of("发票.ofd") == "application/ofd"
    assert mime_of("scan", "application/pdf; charset=binary") == "application/pdf"
    assert mime_of("协议.docx", "application/octet-stream").startswith("application/vnd.openxmlformats")
    assert mime_of("noextension") == "application/octet-stream"


def test_names_lose_paths_and_control_characters_and_stay_short() -> None:
    assert clean_name("../../etc/passwd", "text/plain") == "passwd.txt"
    assert clean_name("C:\\Users\\李\\进账单\x07.jpg", "image/jpeg") == "进账单.jpg"
    long = clean_name("很长" * 100 + ".pdf", "application/pdf")
    assert len(long) <= 120 and long.endswith(".pdf")


def test_the_policy_refuses_empty_large_and_unlisted_files() -> None:
    policy = FilePolicy()
    assert policy.problem("image/jpeg", 1000) is None and policy.problem("image/jpeg", None) is None
    assert policy.problem("application/pdf", 0) == "empty"
    assert policy.problem("application/pdf", 20 * 1024 * 1024 + 1) == "too_large"
    assert policy.problem("application/x-msdownload", 10) == "type"
    assert policy.allows("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert FilePolicy(allowed=("image/*",)).problem("application/pdf", 10) == "type"


def test_who_verifies_whom() -> None:
    cfg = load_org(MINI_ORG.read_text(encoding="utf-8") + TEAM)
    office = Member(1, "王办公", "office", Role.OFFICE_ADMIN)
    head = Member(2, "东区长", "east", Role.UNIT_HEAD)
    west_head = Member(3, "西区长", "west", Role.UNIT_HEAD)
    heads = {"east": [2], "west": [3]}
    team = verifier_of(cfg, "east_team", heads)
    assert (team.office, team.unit) == (False, "east")
    assert verifier_of(cfg, "east_team", {}).office  # no head above: the office decides
    assert verifier_of(cfg, "east", heads).office and verifier_of(cfg, "zhu_sz", heads).office

    def may(m: Member, unit: str, reporter: int = 99) -> bool:
        return may_verify(m, verifier_of(cfg, unit, heads), report_unit=unit, reporter=reporter, office_unit="office")

    assert may(head, "east_team") and not may(west_head, "east_team") and not may(office, "east_team")
    assert may(office, "east") and not may(head, "east")          # a district's own report: the office's
    assert not may(office, "east", reporter=1)                    # never one's own report
    assert may(office, "office", reporter=7) and not may(office, "office", reporter=1)
