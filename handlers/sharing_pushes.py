"""Who hears about a transfer, a refusal, a claim or a reminder: pushes through the outbox.

Each push is queued in the same transaction as the decision, keyed per (what, which transfer
or claim, recipient), so it goes out once. Buttons carry only ids: whoever presses is
authorised again by the use case.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.messages import Button, SendText
from core.org import OrgConfig
from core.ports import UnitOfWork
from core.records import Member, Project
from core.roles import Role
from core.sharing import Claim, Transfer
from texts import formatting as fmt
from texts import t


def unit_name(cfg: OrgConfig, code: str | None) -> str:
    if code is None:
        return "—"
    return cfg.unit(code).name if cfg.has_unit(code) else code


async def heads_of(uow: UnitOfWork, unit: str) -> list[Member]:
    return await uow.org.members(unit=unit, role=Role.UNIT_HEAD)


async def office_admins(uow: UnitOfWork) -> list[Member]:
    return await uow.org.members(role=Role.OFFICE_ADMIN)


async def receivers_of(uow: UnitOfWork, transfer: Transfer) -> list[Member]:
    """The receiving unit's heads; the office when the unit has none (someone must decide)."""
    return await heads_of(uow, transfer.to_unit) or await office_admins(uow)


def decision_buttons(transfer_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button(label=t("sharing.button.accept"), payload=f"s:tr_ok:{transfer_id}"),
             Button(label=t("sharing.button.refuse"), payload=f"s:tr_no:{transfer_id}")),)


@dataclass
class Reach:
    """Who a notice went to: queued for a chat now, or waiting until they bind one (the outbox keeps it)."""

    now: list[Member] = field(default_factory=list)
    later: list[Member] = field(default_factory=list)
    actor_among: bool = False  # whoever acted was one of the recipients (and is not told of their own act)

    def told(self, nobody: str) -> str:
        """The honest clause for the reply: 已通知 only whoever has a chat; `nobody` when there is no one."""
        reached, waiting = "、".join(m.name for m in self.now), "、".join(m.name for m in self.later)
        if reached and waiting:
            return t("notice.told_some", reached=reached, waiting=waiting)
        if reached:
            return t("notice.told", reached=reached)
        if waiting:
            return t("notice.told_later", waiting=waiting)
        return nobody


async def push(uow: UnitOfWork, key: str, kind: str, members: Iterable[Member], text: str,
               buttons: tuple[tuple[Button, ...], ...] = (), *, skip: int | None = None) -> Reach:
    """Queue one message to each member (once per key and member); `skip` is whoever acted. A member with
    no chat gets an undeliverable row, sent when they bind one (`Outbox.release_waiting`) unless stale."""
    reach, seen = Reach(), set()
    for m in members:
        if m.id == skip:
            reach.actor_among = True
        if m.id == skip or m.id in seen:
            continue
        seen.add(m.id)
        queued = await uow.outbox.enqueue_member(f"{key}:m{m.id}", kind, m.id, SendText(text=text, buttons=buttons),
                                                 undeliverable=t("outbox.reason.no_chat_yet"))
        (reach.now if queued else reach.later).append(m)
    return reach


def _project_brief(p: Project) -> str:
    return t("sharing.push.project", name=p.name, stage=fmt.stage(p.stage), amount=fmt.amount(p.intended_wan),
             industry=p.industry or t("common.unknown"))


async def transfer_proposed(uow: UnitOfWork, cfg: OrgConfig, transfer: Transfer, project: Project,
                            proposer: Member) -> Reach:
    recipients = await receivers_of(uow, transfer)
    text = t(f"sharing.push.{transfer.kind}_proposed", unit=unit_name(cfg, proposer.unit), person=proposer.name,
             project=_project_brief(project), to=unit_name(cfg, transfer.to_unit), reason=transfer.reason,
             owner=unit_name(cfg, transfer.owner_unit), id=transfer.id)
    return await push(uow, f"transfer:{transfer.id}:proposed", "transfer_proposed", recipients, text,
                      decision_buttons(transfer.id), skip=proposer.id)


async def _proposing_side(uow: UnitOfWork, transfer: Transfer) -> list[Member]:
    proposer = await uow.org.member(transfer.proposed_by) if transfer.proposed_by else None
    return ([proposer] if proposer else []) + await heads_of(uow, transfer.owner_unit)


async def transfer_decided(uow: UnitOfWork, cfg: OrgConfig, transfer: Transfer, project: Project,
                           decider: Member) -> None:
    """Accepted or refused: the proposer and the owner unit's heads are told (with the reason)."""
    text = t(f"sharing.push.{transfer.status}", name=project.name, to=unit_name(cfg, transfer.to_unit),
             person=decider.name, reason=transfer.decision_reason or "", owner=unit_name(cfg, transfer.owner_unit))
    await push(uow, f"transfer:{transfer.id}:{transfer.status}", f"transfer_{transfer.status}",
               await _proposing_side(uow, transfer), text, skip=decider.id)


async def transfer_withdrawn(uow: UnitOfWork, cfg: OrgConfig, transfer: Transfer, project: Project,
                             actor: Member) -> None:
    text = t("sharing.push.withdrawn", name=project.name, unit=unit_name(cfg, transfer.from_unit), person=actor.name)
    await push(uow, f"transfer:{transfer.id}:withdrawn", "transfer_withdrawn", await receivers_of(uow, transfer),
               text, skip=actor.id)


async def claim_opened(uow: UnitOfWork, cfg: OrgConfig, claim: Claim, project: Project, other: Project) -> None:
    text = t("sharing.push.claim", name=project.name, new=unit_name(cfg, project.owner_unit),
             other=unit_name(cfg, other.owner_unit), id=claim.id, new_id=project.id, other_id=other.id)
    buttons = ((Button(label=t("sharing.button.claims"), payload=f"s:claims:{claim.id}"),),)
    await push(uow, f"claim:{claim.id}:opened", "claim_opened", await office_admins(uow), text, buttons)


async def claim_resolved(uow: UnitOfWork, cfg: OrgConfig, claim: Claim, entries: list[Project],
                         actor: Member) -> Reach:
    """Both registrants (and their heads) learn who was found to have made first contact."""
    people: list[Member] = []
    for p in entries:
        creator = await uow.org.member(p.created_by) if p.created_by else None
        people += ([creator] if creator else []) + await heads_of(uow, p.owner_unit)
    text = t("sharing.push.claim_resolved", name=entries[0].name, unit=unit_name(cfg, claim.first_contact_unit),
             id=claim.first_contact_project_id, note=claim.note or t("common.none"))
    return await push(uow, f"claim:{claim.id}:resolved", "claim_resolved", people, text, skip=actor.id)


async def unit_joined(uow: UnitOfWork, cfg: OrgConfig, project: Project, actor: Member, what: str) -> Reach:
    """Interest marked (`interest`) or a supporting unit joined (`supporting`): the holder's heads are told."""
    text = t(f"sharing.push.{what}", name=project.name, unit=unit_name(cfg, actor.unit), person=actor.name)
    return await push(uow, f"{what}:{project.id}:{actor.unit}", f"sharing_{what}",
                      await heads_of(uow, project.responsible_unit), text, skip=actor.id)
