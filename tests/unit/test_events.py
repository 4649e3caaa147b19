"""Typed payloads serialise to exactly the dicts the ledger has stored (the hash chain covers them)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import events as ev
from core.errors import Refusal
from core.projects import CORRECTABLE, check_correctable, default_flags, is_industrial

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ledger_v1.json"


def test_every_stored_payload_reads_back_and_serialises_to_the_same_dict() -> None:
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))["events"]
    kinds = set()
    for row in rows:
        stored = json.loads(row["payload"])
        typed = ev.PAYLOADS[row["type"]].from_dict(stored)
        assert typed.to_dict() == stored, row["seq"]
        kinds.add(row["type"])
    # No use case writes member.changed yet; corrections, voids and their undo came after the v1 ledger,
    # and so did the evidence events.
    later = {ev.FUNDS_CORRECTED, ev.CONTRACT_CORRECTED, ev.PROJECT_VOIDED, ev.PROJECT_RESTORED}
    assert kinds == set(ev.PAYLOADS) - {ev.MEMBER_CHANGED} - later - ev.EVIDENCE


def test_evidence_payloads_keep_their_keys() -> None:
    attached = ev.FileAttached(sha256="ab" * 32, size=3, name="进账单.jpg", mime_type="image/jpeg", channel="telegram")
    assert ev.FileAttached.from_dict(attached.to_dict()) == attached
    assert ev.FundsVerified(funds_seq=7, reported_wan=5000, verified_wan=3000, reason="只见3000万").to_dict() == {
        "funds_seq": 7, "reported_wan": 5000, "verified_wan": 3000, "reason": "只见3000万"}
    assert ev.FundsReturned.from_dict({"funds_seq": 7, "reason": "缺进账单"}).reason == "缺进账单"
    assert ev.FundsResubmitted.from_dict({"funds_seq": 7}).note is None


def test_a_key_an_older_writer_left_out_takes_the_default_and_a_missing_required_one_fails() -> None:
    assert ev.MemberAdded.from_dict({"name": "甲", "unit": "east", "role": "member"}).title == ""
    assert ev.StageChanged.from_dict({"from": "lead", "to": "signed"}).to_dict() == {
        "from": "lead", "to": "signed", "contract_wan": None, "reason": None}
    with pytest.raises(KeyError):
        ev.FundsAdded.from_dict({"amount_wan": 1})


def test_a_correction_outside_the_list_is_refused() -> None:
    check_correctable({"name", "flags"})
    with pytest.raises(Refusal) as caught:
        check_correctable({"name", "stage", "funds_wan"})
    assert (caught.value.code, caught.value.params) == ("correction_field_not_allowed", {"field": "funds_wan"})
    assert "stage" not in CORRECTABLE and "responsible_unit" not in CORRECTABLE


def test_what_counts_as_industrial() -> None:
    assert is_industrial("电子信息制造") and is_industrial("现代化工")
    assert not is_industrial("大数据及数字经济") and not is_industrial(None)
    assert default_flags("新能源汽车零部件") == ["industrial"] and default_flags("现代服务业") == []
