"""`uow.opening`: what every message reads first — the configuration's digest, the sender's identity
and member, and their conversation — in one statement instead of three round trips."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import String, bindparam, cast, func, literal, select, true

from core.conversation_state import ConversationState, split_stored
from core.ports import Opening
from core.records import Identity, Member
from core.roles import Role
from storage import upsert
from storage.direct import direct
from storage.repositories.org import SqlOrgRepository
from storage.repositories.update_log import SqlUpdateLog
from storage.session_connection import SessionConnection
from storage.tables.operational import ConversationRow
from storage.tables.org import IdentityRow, MemberRow, OrgConfigRow

_IDENTITIES = IdentityRow.__table__
_MEMBERS = MemberRow.__table__
_CONVERSATIONS = ConversationRow.__table__
# The newest configuration's digest is the one row everything else is joined to: no configuration,
# no row (and the message is answered with "no organisation" before anything else matters).
_DIGEST = select(OrgConfigRow.digest).order_by(OrgConfigRow.seq.desc()).limit(1).subquery("config")
_SENDER = (_DIGEST
           .outerjoin(_IDENTITIES, (_IDENTITIES.c.channel == bindparam("identity_channel"))
                      & (_IDENTITIES.c.external_id == bindparam("external_id")))
           .outerjoin(_MEMBERS, _MEMBERS.c.id == _IDENTITIES.c.member_id))
_KEY = bindparam("prefix", type_=String) + cast(_MEMBERS.c.id, String)
_COLUMNS = (_DIGEST.c.digest, _IDENTITIES.c.member_id, _IDENTITIES.c.chat_id,
            *(c.label(f"m_{c.name}") for c in _MEMBERS.c))


@cache
def _opening(dialect: str) -> Any:
    if dialect != "postgresql":
        return direct(select(*_COLUMNS, *(c.label(f"c_{c.name}") for c in _CONVERSATIONS.c))
                      .select_from(_SENDER.outerjoin(_CONVERSATIONS, _CONVERSATIONS.c.key == _KEY)))
    # PostgreSQL: the conversation row is locked (FOR UPDATE, in a LATERAL subquery because an outer
    # join's nullable side cannot be), so a person's messages run one after another even without the
    # ledger lock, and the second reads what the first saved (storage/ledger_lock.py).
    conversation = select(_CONVERSATIONS).where(_CONVERSATIONS.c.key == _KEY).with_for_update().lateral("conversation")
    return direct(select(*_COLUMNS, *(c.label(f"c_{c.name}") for c in conversation.c))
                  .select_from(_SENDER.outerjoin(conversation, true())))

@cache
def _recorded_opening() -> Any:
    """PostgreSQL: the update recorded (and the replies sent since forgotten, storage/upsert.py) and the opening
    read in one statement — one round trip fewer per message. Always one row: `recorded` (0: seen recently)
    and the opening's columns (a null digest: no configuration)."""
    forget, recorded = upsert.sent_and_recorded()
    read = _opening("postgresql").lateral("opening")
    one = select(literal(1).label("one")).subquery("one")
    return direct(select(select(func.count()).select_from(recorded).scalar_subquery().label("recorded"), *read.c)
                  .select_from(one.outerjoin(read, true())).add_cte(forget))


async def opening(conn: SessionConnection, org: SqlOrgRepository, updates: SqlUpdateLog, channel: str,
                  external_id: str, key_prefix: str, *, update_id: str | None = None,
                  sent: Sequence[str] = ()) -> Opening:
    # No parameter is named after a column of processed_updates: its UPDATE and INSERT would take it as a value.
    values: dict[str, Any] = {"identity_channel": channel, "external_id": external_id, "prefix": key_prefix}
    if update_id is not None and conn.dialect.name == "postgresql" and update_id not in sent:
        now = updates.now()
        # Lock-free, as each part is alone (storage/ledger_lock.py): the update's primary key decides, and
        # the conversation row is locked; a concurrent second delivery waits for the first's commit.
        row = (await conn.execute(_recorded_opening(), {
            **values, "sent_channel": channel, "sent": list(sent), "record_update": update_id, "record_at": now,
            "cutoff": now - timedelta(hours=24)}, lock_free=True)).one()
        if row.recorded == 0:
            return Opening(config=None, identity=None, member=None, state=None, seen=True)
        if row.digest is None:
            return Opening(config=None, identity=None, member=None, state=None)
    else:
        if update_id is not None and await updates.seen(channel, update_id, sent=sent):
            return Opening(config=None, identity=None, member=None, state=None, seen=True)
        row = (await conn.execute(_opening(conn.dialect.name), values, lock_free=True)).first()
        if row is None:
            return Opening(config=None, identity=None, member=None, state=None)
    config = await org.config_with_digest(row.digest)
    if row.member_id is None:
        return Opening(config=config, identity=None, member=None, state=None)
    identity = Identity(channel, external_id, row.member_id, row.chat_id)
    member = None if row.m_id is None else _member(row)
    return Opening(config=config, identity=identity, member=member,
                   state=None if row.c_key is None else _state(row))


def _member(r: Any) -> Member:
    return Member(id=r.m_id, name=r.m_name, unit=r.m_unit, role=Role(r.m_role), active=r.m_active,
                  title=r.m_title or "", trip_quota=r.m_trip_quota, reporter=r.m_reporter)


def _state(r: Any) -> ConversationState:
    data, control = split_stored(json.loads(r.c_data))
    return ConversationState(key=r.c_key, flow=r.c_flow, step=r.c_step, data=data, version=r.c_version,
                             expires_at=r.c_expires_at, channel=r.c_channel, chat_id=r.c_chat_id, control=control)
