"""Forms that give way (issue 16): a form paused for a command, put aside for another form, taken up again.

A person has one conversation row. A command typed in the middle of a form runs: one that answers at once
(我的项目, 查询 名称) pauses the form where it is; one that opens another form puts the first aside in the
row (`FlowControl.shelved`, one at most) until the new one ends. Either way one line says what was kept and
how to go back: `继续`, or the form's own command.
"""
from __future__ import annotations

from datetime import date, timedelta

from core.conversation_state import ConversationState
from core.messages import Button, SendText
from texts import formatting as fmt
from texts import t
from handlers.context import MENU, Ctx, pause
from handlers.registry import registry


def resume_buttons() -> tuple[tuple[Button, ...], ...]:
    return ((Button(label=t("flow.resume_button"), payload="s:resume"),
             Button(label=t("button.cancel"), payload="s:cancel")),)


def title(flow: str) -> str:
    return registry().flows[flow].title


def kept(state: ConversationState) -> str:
    return registry().flows[state.flow].summary(state.data)


def paused_here(ctx: Ctx) -> ConversationState | None:
    """Pause the open form where it is (a command that answers at once is about to run); the form paused."""
    state = ctx.state
    if ctx.flow is None or state is None:
        return None
    pause(state)
    ctx.state_dirty = True
    return state


async def take_up(ctx: Ctx, flow: str) -> None:
    """The form's own command, typed alone while it is open, paused or put aside: back to its question."""
    state = ctx.state
    if state is not None and state.flow != flow and state.control.shelved is not None:
        ctx.swap()
        await registry().flows[flow].reask(ctx)
        return
    await resume(ctx)


async def resume(ctx: Ctx) -> None:
    """`继续` (or 继续填写, or the form's own command): the paused form at its question; the form put aside
    when another is open (that one is put aside in its place); the open one's question again."""
    state = ctx.state
    flows = registry().flows
    if state is None or state.flow not in flows:
        ctx.say(t("flow.nothing_to_resume"))
        return
    if state.control.parked:
        ctx.unpause()
    elif state.control.shelved is not None and state.control.shelved["flow"] in flows:
        ctx.swap()
    else:
        ctx.say(t("flow.already_open", title=title(state.flow)))
    assert ctx.state is not None
    await flows[ctx.state.flow].reask(ctx)


def notices(ctx: Ctx) -> None:
    """After a turn: say which form was put aside, given up, or is back waiting — one line each."""
    flows = registry().flows
    at = ctx.shelved_at
    for gone in ctx.dropped:
        if gone in flows:
            ctx.out.insert(at, SendText(text=t("flow.replaced", title=title(gone))))
            at += 1
    state = ctx.state
    if ctx.restored is not None and state is not None and state.flow == ctx.restored and state.flow in flows:
        if ctx.shelved_now == ctx.restored:
            # Put aside and back in the same turn (the other form ended at once): it is simply paused.
            ctx.say(t("flow.paused_kept", title=title(state.flow), command=state.flow))
            return
        # Buttons only while numbers still mean them (a list offered since has the numbers now).
        plain = state.control.menu != [(t("flow.resume_button"), "s:resume"), (t("button.cancel"), "s:cancel")]
        ctx.send(SendText(text=t("flow.back_to", title=title(state.flow), kept=kept(state), command=state.flow),
                          buttons=() if plain else resume_buttons()))
        return
    if ctx.shelved_now is not None and ctx.shelved_now in flows:
        ctx.out.insert(at, SendText(text=t("flow.shelved", title=title(ctx.shelved_now))))


# -- pauses the person did not ask for: idle past the timeout, or left from an earlier day ----------------

def parked_message(title: str, kept: str, command: str, timeout: timedelta) -> str:
    return t("flow.expired", title=title, minutes=int(timeout.total_seconds() // 60), kept=kept, command=command)


def announce(ctx: Ctx, timeout: timedelta) -> bool:
    """A form left from an earlier day, or idle past the timeout: paused, and said so, at the first
    message (never silently continued). True when something was said."""
    s = ctx.state
    if s is None or s.flow == MENU:
        return False
    active = ctx.local(s.expires_at - timeout).date()  # the last answer: each question sets now + timeout
    if active < ctx.today:
        if not park(ctx, timeout, since=active):
            return False
        if ctx.state is not None:
            ctx.state.expires_at = ctx.now + timeout  # told once: today's messages count from now
        return True
    if not s.control.parked and s.expires_at <= ctx.now:
        return park(ctx, timeout)
    return False


def park(ctx: Ctx, timeout: timedelta, *, since: date | None = None) -> bool:
    """An idle form is paused, not thrown away: say what was kept and how to go on. False when nothing was
    said: a form with nothing worth keeping (附件 waiting for files) just ends."""
    state = ctx.state
    assert state is not None
    flow = registry().flows.get(state.flow)
    if flow is not None and not flow.pauses:
        ctx.finish()
        return False
    pause(state)
    ctx.state_dirty = True
    if flow is None:
        ctx.state = None
        return True
    if since is not None:
        text = t("flow.earlier_day", day=fmt.short_day(since), title=flow.title, kept=flow.summary(state.data),
                 command=state.flow)
    else:
        text = parked_message(flow.title, flow.summary(state.data), state.flow, timeout)
    ctx.send(SendText(text=text, buttons=resume_buttons()))
    return True


def remind(ctx: Ctx) -> None:
    """Text typed while a form is paused: what was kept and how to go on, again."""
    state = ctx.state
    assert state is not None
    pause(state)
    ctx.state_dirty = True
    ctx.send(SendText(text=t("flow.paused", title=title(state.flow), kept=kept(state), command=state.flow),
                      buttons=resume_buttons()))
