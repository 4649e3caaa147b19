"""What one message means, inside the unit of work the router opened: a command, the open flow's answer,
a pressed button or a typed choice (the number or label of what was offered), or a fallback.

handlers/router.py owns the transaction around it (the delivery record, the retries, saving the state);
this module only decides and acts on the `Ctx`.
"""
from __future__ import annotations

from core.errors import Refusal
from core.messages import EditText
from handlers import forms
from handlers.commands import parse_command
from handlers.context import MENU, Answer, Ctx
from handlers.parsing import normalize_input
from handlers.parsing.ids import as_id, as_index
from handlers.registry import Command, registry
from texts import t

# Commands that leave an open form open: help is read beside it, cancel and 继续 act on it.
_KEEP_OPEN = ("help", "cancel", "resume", "unknown")


async def route(ctx: Ctx, bot_username: str | None) -> None:
    """A registered sender's message: to a button, a file handler, a command, the open flow or a fallback."""
    text = normalize_input(ctx.inbound.text or "")
    payload = ctx.inbound.payload or ""
    if forms.announce(ctx, ctx.timeout):
        # Told what was kept: only a command or a stateless button goes on; an answer to a question
        # asked before the pause is not taken as one.
        if not payload.startswith("s:") and (payload or _parse(ctx, text, bot_username) is None):
            return
    if payload:
        await _payload(ctx, payload, pressed=True)
        return
    if ctx.inbound.attachment is not None:
        # A photo or file (its caption may name the project: 附件 #12): the feature that keeps files takes it.
        for on_file in registry().file_handlers:
            if await on_file(ctx, text):
                return
        return
    open_flow = registry().flows.get(ctx.flow) if ctx.flow is not None else None
    if open_flow is not None and not open_flow.answers_text and _typed_choice(ctx, text) is None:
        ctx.finish()  # it waits for files and buttons only (附件): typed text is a message of its own
    # A slash command is always one; a number or a label of what was offered comes before keywords
    # (修改 on a card is its 修改 button); then a keyword (handlers/commands.py says where).
    parsed = _parse(ctx, text, bot_username) if text.startswith("/") else None
    chosen = _typed_choice(ctx, text) if parsed is None else None
    if chosen is not None:
        await _payload(ctx, chosen, pressed=False)
        return
    if parsed is None:
        parsed = _parse(ctx, text, bot_username)
    if parsed is not None:
        command, args = parsed
        if command is None:  # addressed to another bot
            if not ctx.in_group:  # ...but in a private chat there is no other bot: answer anyway
                ctx.say(t("command.unknown", name=text[1:].partition(" ")[0]))
            return
        await _command(ctx, command, args)
        return
    if ctx.flow is not None:
        await registry().flows[ctx.flow].answer(ctx, Answer(text=text))
        return
    if ctx.in_group:
        return  # people talk to each other there; only commands are for the bot
    if ctx.state is not None and ctx.state.control.parked and ctx.state.flow in registry().flows:
        # Most likely the answer to the paused question: say again what was kept and how to go on.
        forms.remind(ctx)
        return
    for fallback in registry().fallbacks:
        if await fallback(ctx, text):
            return
    ctx.say(t("fallback.unknown"))


def _parse(ctx: Ctx, text: str, bot_username: str | None) -> tuple[Command | None, str] | None:
    flow = registry().flows.get(ctx.flow) if ctx.flow is not None else None
    step = ctx.state.step if ctx.state is not None else ""
    if flow is not None and not text.startswith("/") and flow.is_answer(step, text):
        return None
    return parse_command(text, bot_username, in_flow=flow is not None,
                         takes_text=flow is not None and flow.takes_text(step))


# -- commands -------------------------------------------------------------------------------------
async def _command(ctx: Ctx, command: Command, args: str) -> None:
    flows = registry().flows
    if command.flow is None:
        assert command.run is not None, f"command {command.name} has neither a flow nor a run"
        # A command that answers at once pauses the open form where it is (not /help, /cancel, 继续).
        paused = forms.paused_here(ctx) if command.name not in _KEEP_OPEN else None
        try:
            await command.run(ctx, args)
        except Refusal as refusal:
            ctx.refuse(refusal)
        if paused is not None and ctx.state is paused and paused.control.parked:
            ctx.say(t("flow.paused_kept", title=flows[paused.flow].title, command=paused.flow))
        elif command.name == "unknown" and ctx.flow is not None:
            ctx.say(t("flow.still_open", title=flows[ctx.flow].title, command=ctx.flow))
        return
    state = ctx.state if ctx.state is not None and ctx.state.flow in flows else None
    if state is not None and not args.strip():
        shelf = state.control.shelved
        if state.flow == command.flow or (shelf is not None and shelf["flow"] == command.flow):
            await forms.take_up(ctx, command.flow)
            return
    open_before = state if state is not None and not state.control.parked else None
    await flows[command.flow].begin(ctx, args)
    if open_before is not None and ctx.state is open_before and not open_before.control.parked:
        # It answered at once (`查询 名称`) and left the open form as it was: paused, as for 我的项目.
        forms.paused_here(ctx)
        ctx.say(t("flow.paused_kept", title=flows[open_before.flow].title, command=open_before.flow))


# -- buttons and numbered choices -----------------------------------------------------------------
def _typed_choice(ctx: Ctx, text: str) -> str | None:
    """A typed number or label that matches the choices last offered (channels without buttons);
    for a paused form, a label of its question too (确认 typed after a 查询 on the card)."""
    if ctx.state is None or not text:
        return None
    control = ctx.state.control
    question = [(label, f"f:{ctx.state.version}:{i}") for i, (label, _) in enumerate(control.choices)]
    if ctx.state.flow == MENU or control.parked:
        offered, labels_only = list(control.menu), question
    else:
        offered, labels_only = question, []
    if (chosen := as_index(text, len(offered) + 1)) is not None and chosen >= 1 and offered:
        return offered[chosen - 1][1]
    # The text was normalised (NFKC): so must the labels be, or 问题（提请调度） never matches.
    folded = text.strip().lower()
    return next((payload for label, payload in offered + labels_only
                 if normalize_input(label).lower() == folded), None)


async def _payload(ctx: Ctx, payload: str, *, pressed: bool) -> None:
    kind, _, rest = payload.partition(":")
    if kind == "f":
        version, _, index = rest.partition(":")
        state = ctx.state
        at = as_index(index, len(state.control.choices)) if state is not None else None
        if state is None or state.flow not in registry().flows or as_id(version) != state.version or at is None:
            ctx.say(t("button.expired"))
            return
        if state.control.parked:
            ctx.unpause()  # the paused question's own button (or label) takes the form up again
        label, value = state.control.choices[at]
        if pressed and ctx.inbound.message_id and state.control.asked:
            ctx.send(EditText(message_id=ctx.inbound.message_id, chosen=label,
                              text=t("button.chosen", question=state.control.asked, label=label)))
        await registry().flows[state.flow].answer(ctx, Answer(text=label, value=value))
        return
    if kind == "s":
        name, _, arg = rest.partition(":")
        action = registry().actions.get(name)
        if action is None:
            ctx.say(t("button.expired"))
            return
        await action(ctx, arg)
        return
    ctx.say(t("button.expired"))
