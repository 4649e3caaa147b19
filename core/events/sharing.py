"""The shared lead ledger's events (core/sharing.py): interest, routing and transfers, supporting units,
claims on the same company, and the credit split they freeze."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Self

from core.payload import Payload

__all__ = [
    "INTEREST_MARKED", "ROUTED", "TRANSFER_PROPOSED", "TRANSFER_ACCEPTED", "TRANSFER_REFUSED",
    "TRANSFER_WITHDRAWN", "SUPPORTING_JOINED", "CLAIM_OPENED", "CLAIM_RESOLVED", "InterestMarked",
    "TransferProposed", "Routed", "CreditSplit", "TransferAccepted", "TransferRefused",
    "TransferWithdrawn", "SupportingJoined", "ClaimOpened", "ClaimResolved",
]

INTEREST_MARKED: Final = "share.interest_marked"
ROUTED: Final = "share.routed"              # a routing is also a transfer proposal (kind "route")
TRANSFER_PROPOSED: Final = "transfer.proposed"
TRANSFER_ACCEPTED: Final = "transfer.accepted"
TRANSFER_REFUSED: Final = "transfer.refused"
TRANSFER_WITHDRAWN: Final = "transfer.withdrawn"
SUPPORTING_JOINED: Final = "share.supporting_joined"
CLAIM_OPENED: Final = "claim.opened"
CLAIM_RESOLVED: Final = "claim.resolved"


@dataclass(frozen=True)
class InterestMarked(Payload):
    TYPE = INTEREST_MARKED
    unit: str


@dataclass(frozen=True)
class TransferProposed(Payload):
    """Also the payload of ROUTED, which adds the suggested units (see Routed)."""

    TYPE = TRANSFER_PROPOSED
    from_unit: str
    to_unit: str
    owner_unit: str
    reason: str


@dataclass(frozen=True)
class Routed(TransferProposed):
    TYPE = ROUTED
    suggested: tuple[str, ...] = ()


@dataclass(frozen=True)
class CreditSplit(Payload):
    """The credit split frozen when responsibility or ownership moves (core/sharing.py: credit_split)."""

    TYPE = "credit"              # not an event: a part of TransferAccepted and ClaimResolved
    rule_code: str | None
    rule_name: str | None
    owner_unit: str
    host_unit: str
    owner_pct: int
    host_pct: int


@dataclass(frozen=True)
class TransferAccepted(Payload):
    TYPE = TRANSFER_ACCEPTED
    transfer_id: int
    kind: str
    from_unit: str
    to_unit: str
    owner_unit: str
    responsible_person: str | None
    credit: CreditSplit

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Self:
        return super().from_dict({**raw, "credit": CreditSplit.from_dict(raw["credit"])})


@dataclass(frozen=True)
class TransferRefused(Payload):
    TYPE = TRANSFER_REFUSED
    transfer_id: int
    from_unit: str
    to_unit: str
    reason: str | None = None


@dataclass(frozen=True)
class TransferWithdrawn(Payload):
    TYPE = TRANSFER_WITHDRAWN
    transfer_id: int
    from_unit: str
    to_unit: str


@dataclass(frozen=True)
class SupportingJoined(Payload):
    TYPE = SUPPORTING_JOINED
    unit: str
    holder_unit: str


@dataclass(frozen=True)
class ClaimOpened(Payload):
    TYPE = CLAIM_OPENED
    other_project_id: int
    new_unit: str
    other_unit: str
    reason: str                  # "code" | "name" | "similar"


@dataclass(frozen=True)
class ClaimResolved(Payload):
    TYPE = CLAIM_RESOLVED
    claim_id: int
    first_contact_project_id: int
    first_contact_unit: str
    kept_project_id: int
    duplicate_project_id: int
    owner_before: str
    credit: CreditSplit | None   # None: the owner stays, so the split does too
    note: str = ""

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Self:
        credit = raw.get("credit")
        return super().from_dict({**raw, "credit": CreditSplit.from_dict(credit) if credit else None})
