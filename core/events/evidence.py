"""Evidence and the verification of reported funds: a file attached to a project (its SHA-256 in the ledger,
its bytes in the blob table), and a funds report (project.funds_added, by its seq) verified, returned or
resubmitted."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from core.payload import Payload

__all__ = [
    "FILE_ATTACHED", "FUNDS_VERIFIED", "FUNDS_RETURNED", "FUNDS_RESUBMITTED", "FileAttached", "FundsVerified",
    "FundsReturned", "FundsResubmitted",
]

FILE_ATTACHED: Final = "file.attached"
FUNDS_VERIFIED: Final = "funds.verified"
FUNDS_RETURNED: Final = "funds.returned"
FUNDS_RESUBMITTED: Final = "funds.resubmitted"


@dataclass(frozen=True)
class FileAttached(Payload):
    """Who sent it is the event's actor; `channel` is where it came from (telegram, wecom, console, web)."""

    TYPE = FILE_ATTACHED
    sha256: str
    size: int
    name: str
    mime_type: str
    channel: str


@dataclass(frozen=True)
class FundsVerified(Payload):
    """核实: the report `funds_seq` confirmed at `verified_wan` (a corrected amount carries its reason)."""

    TYPE = FUNDS_VERIFIED
    funds_seq: int
    reported_wan: int
    verified_wan: int
    reason: str | None = None


@dataclass(frozen=True)
class FundsReturned(Payload):
    """退回: the report goes back to its unit with the reason; it waits again once resubmitted."""

    TYPE = FUNDS_RETURNED
    funds_seq: int
    reason: str


@dataclass(frozen=True)
class FundsResubmitted(Payload):
    """A returned report submitted again (with more evidence attached, and a note): 待核实 once more."""

    TYPE = FUNDS_RESUBMITTED
    funds_seq: int
    note: str | None = None
