"""What a handler works with for one message: who, what, the open flow, and the replies so far."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import Refusal
from core.evidence import FilePolicy
from core.messages import Button, ChatType, EditText, Inbound, SendFile, SendPhoto, SendText
from core.org import Calendar, OrgConfig
from core.conversation_state import FlowControl, split_stored, stored_data
from core.ports import ConversationState, UnitOfWork
from core.records import Member
from core.workdays import Workdays
from core.typed_text import typed_part
from texts import t

MENU = "menu"  # the pseudo-flow that only remembers the last offered choices


@dataclass(frozen=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True)
class Answer:
    """A reply to a step: typed text, or a chosen value (with its label as text)."""

    text: str
    value: str | None = None


@dataclass
class Ctx:
    uow: UnitOfWork
    inbound: Inbound
    member: Member | None
    cfg: OrgConfig
    now: datetime
    tz: ZoneInfo
    timeout: timedelta
    workdays: Callable[[Calendar], Workdays]
    state: ConversationState | None = None
    files: FilePolicy = field(default_factory=FilePolicy)  # which attachments are kept (ZSBOT_ATTACHMENT_*)
    out: list[SendText | EditText | SendPhoto | SendFile] = field(default_factory=list)
    state_dirty: bool = False
    # What became of forms this turn, for the router's one-line notices (handlers/forms.py `notices`).
    shelved_now: str | None = None   # the form `open` put aside for the new one
    shelved_at: int = 0              # where in `out` the new form began (the notice goes there)
    dropped: list[str] = field(default_factory=list)  # forms given up: an older one already put aside
    restored: str | None = None      # a form put aside earlier, back (paused) because this one ended
    replacing: bool = False          # `open` replaces the current form (its steps were unreadable): not put aside

    # -- who and when -------------------------------------------------------------------------
    @property
    def me(self) -> Member:
        assert self.member is not None, "registered sender required"
        return self.member

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    @property
    def in_group(self) -> bool:
        return self.inbound.chat_type is ChatType.GROUP

    def unit_name(self, code: str | None) -> str:
        if code is None:
            return "—"
        try:
            u = self.cfg.unit(code)
        except KeyError:
            return code
        return u.name

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.tz)

    def typed(self, part: str) -> str:
        """`part` of this message's normalised text as the person typed it (（深圳）, 不足，需), to store and show."""
        return typed_part(self.inbound.text or "", part)

    # -- replies ------------------------------------------------------------------------------
    def say(self, text: str, buttons: list[list[Button]] | None = None) -> None:
        self.out.append(SendText(text=text, buttons=tuple(tuple(r) for r in buttons or ())))

    def refuse(self, refusal: Refusal) -> None:
        self.say(render_refusal(refusal))

    def send(self, action: SendText | EditText | SendPhoto | SendFile) -> None:
        self.out.append(action)

    # -- flow state ---------------------------------------------------------------------------
    @property
    def flow(self) -> str | None:
        if self.state is None or self.state.flow == MENU or self.state.control.parked:
            return None
        return self.state.flow

    @property
    def data(self) -> dict[str, Any]:
        assert self.state is not None
        return self.state.data

    def open(self, flow: str, data: dict[str, Any] | None = None) -> None:
        """Start `flow`. A form already open or paused is put aside (one at most: an older one put aside
        is given up) and comes back, paused, when this one ends (`finish`)."""
        old = self.state
        version = (old.version + 1) if old else 1
        shelf = None
        if old is not None and old.flow != MENU:
            if self.replacing:
                shelf = old.control.shelved
            else:
                if old.control.shelved is not None:
                    self.dropped.append(old.control.shelved["flow"])
                shelf = shelve(old)
                self.shelved_now, self.shelved_at = old.flow, len(self.out)
        self.state = ConversationState(
            key=conversation_key(self.me.id), flow=flow, step="", data=dict(data or {}), version=version,
            expires_at=self.now + self.timeout, channel=self.inbound.channel, chat_id=self.inbound.chat_id,
            control=FlowControl(shelved=shelf))
        self.state_dirty = True

    def ask(self, step: str, text: str, choices: list[Choice] | None = None, *, columns: int = 2,
            extra: list[Choice] | None = None) -> None:
        """Move to `step` and ask; choices become buttons, or numbers on channels without them."""
        assert self.state is not None
        self.state.step = step
        self.state.version += 1
        offered = list(choices or []) + list(extra or [])
        self.state.control.choices = [(c.label, c.value) for c in offered]
        self.state.control.asked = text
        self.state.expires_at = self.now + self.timeout
        self.state.channel, self.state.chat_id = self.inbound.channel, self.inbound.chat_id
        self.state_dirty = True
        buttons = [Button(label=c.label, payload=f"f:{self.state.version}:{i}") for i, c in enumerate(offered)]
        main, tail = buttons[: len(choices or [])], buttons[len(choices or []):]
        rows = [main[i:i + columns] for i in range(0, len(main), columns)]
        if tail:
            rows.append(tail)
        self.say(text, rows)

    def unpause(self) -> None:
        """Take a paused flow up again at its step (the caller asks the step's question)."""
        assert self.state is not None
        self.state.control.parked = False
        self.state.control.menu = []
        self.state.expires_at = self.now + self.timeout
        self.state_dirty = True

    def finish(self) -> None:
        """End the form; one put aside for it comes back, paused (the router says so)."""
        old = self.state
        self.state = None
        self.state_dirty = True
        if old is not None and old.control.shelved is not None and self.member is not None:
            self.state = self._unshelve(old.control.shelved, old.version + 1)
            pause(self.state)
            self.restored = self.state.flow

    def swap(self) -> None:
        """Take up the form put aside and put the current one aside in its place (`继续`, or its command)."""
        current = self.state
        assert current is not None and current.control.shelved is not None
        back = self._unshelve(current.control.shelved, current.version + 1)
        back.control.shelved = shelve(current)
        self.state = back
        self.shelved_now, self.shelved_at = current.flow, len(self.out)
        self.state_dirty = True

    def _unshelve(self, shelf: dict[str, Any], version: int) -> ConversationState:
        # A new version: buttons shown before it was put aside (and the other form's) are stale.
        data, control = split_stored(shelf["data"])
        control.parked, control.menu, control.shelved = False, [], None
        return ConversationState(
            key=conversation_key(self.me.id), flow=shelf["flow"], step=shelf["step"], data=data, version=version,
            expires_at=self.now + self.timeout, channel=self.inbound.channel, chat_id=self.inbound.chat_id,
            control=control)

    def offer(self, text: str, choices: list[tuple[str, str]], *, columns: int = 1) -> None:
        """Stateless buttons (payload `s:...`) outside any flow; remembered so a number also works."""
        buttons = [Button(label=label, payload=payload) for label, payload in choices]
        self.say(text, [buttons[i:i + columns] for i in range(0, len(buttons), columns)])
        if self.state is not None and self.state.control.parked:
            # Keep the paused flow (it resumes by /command or its button); numbers now mean these choices.
            self.state.control.menu = list(choices)
            self.state_dirty = True
        elif self.flow is None and self.member is not None:
            self.state = ConversationState(
                key=conversation_key(self.member.id), flow=MENU, step="", data={},
                version=(self.state.version + 1) if self.state else 1, expires_at=self.now + self.timeout,
                channel=self.inbound.channel, chat_id=self.inbound.chat_id, control=FlowControl(menu=list(choices)))
            self.state_dirty = True


def shelve(state: ConversationState) -> dict[str, Any]:
    """A form as it is put aside: which, at what step, and its stored object (without what it had put aside)."""
    inner = ConversationState(key=state.key, flow=state.flow, step=state.step, data=state.data,
                              version=state.version, expires_at=state.expires_at, channel=state.channel,
                              chat_id=state.chat_id, control=FlowControl(choices=list(state.control.choices),
                                                                         asked=state.control.asked))
    return {"flow": state.flow, "step": state.step, "data": stored_data(inner)}


def pause(state: ConversationState) -> None:
    """Mark an idle flow paused; numbers typed now mean 继续填写 / 取消."""
    state.control.parked = True
    state.control.menu = [(t("flow.resume_button"), "s:resume"), (t("button.cancel"), "s:cancel")]


CONVERSATION_PREFIX = "m"


def conversation_key(member_id: int) -> str:
    """One conversation per person, whichever channel or chat they type in."""
    return f"{CONVERSATION_PREFIX}{member_id}"


def render_refusal(refusal: Refusal) -> str:
    from texts.formatting import refusal_params

    return t(f"refusal.{refusal.code}", **refusal_params(refusal.params))
