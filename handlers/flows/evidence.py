"""附件 (evidence): a photo or file sent while a project flow is open, or after `附件 #编号`, is attached to
that project; `附件 #编号` lists the project's files and sends one back on request.

The channel has already downloaded the file (bounded, outside this unit of work); here it is checked
against the policy, kept under its SHA-256 and recorded as file.attached.
"""
from __future__ import annotations

from collections.abc import Callable

from core.errors import Refusal
from core.evidence import can_read_evidence
from core.messages import ChatType, Inbound, SendFile, SendPhoto
from core.ports import UnitOfWork
from core.records import AttachedFile, Project
from core.roles import may_write_for
from core.usecases import evidence as uc
from handlers.cards import member_names
from core.conversation_state import ConversationState
from handlers.context import MENU, Answer, Choice, Ctx, conversation_key
from handlers.inbound_check import check_ids
from handlers.parsing import normalize_input
from handlers.flows.base import Flow, Step
from handlers.parsing.ids import as_id
from handlers.registry import Command, Feature, registry
from handlers.steps.lookup import show_found
from texts import formatting as fmt
from texts import t

DONE = "__done__"
SHOWN = 8          # files offered as buttons (the newest); the rest are listed by number
PHOTO_MAX = 10 * 1024 * 1024   # larger pictures go back as files (Telegram's photo limit)


class AttachFlow(Flow):
    """One step, `files`: every photo or file sent now is attached; its buttons send a file back."""

    name = "attach"
    answers_text = False
    pauses = False

    async def begin(self, ctx: Ctx, args: str) -> None:
        if not args.strip():
            ctx.say(t("evidence.usage"))
            return

        async def one(p: Project) -> None:
            await open_attach(ctx, p)

        await show_found(ctx, args.strip(), one, "attach", lambda p: p.responsible_unit)

    def steps(self) -> dict[str, Step]:
        return {"files": Step(self.ask_files, self.on_files)}

    async def ask_files(self, ctx: Ctx) -> None:
        p = await ctx.uow.projects.get(ctx.data["project_id"])
        if p is None:
            ctx.finish()
            ctx.say(t("status.gone"))
            return
        await open_attach(ctx, p, reopen=True)

    async def on_files(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == DONE:
            name = ctx.data.get("project_name", "")
            ctx.finish()
            ctx.say(t("evidence.done", name=name))
            return
        if ans.value and ans.value.startswith("get:"):
            await send_file(ctx, ans.value.removeprefix("get:"))
            # The pressed list was marked as answered: offer it again under the file.
            return await self.ask_files(ctx)
        ctx.say(t("evidence.send_now"))

    def summary(self, data: dict[str, object]) -> str:
        return t("update.kept", name=data["project_name"]) if data.get("project_name") else t("flow.nothing_kept")


async def open_attach(ctx: Ctx, p: Project, *, intro: str = "", reopen: bool = False, after: bool = False) -> None:
    """List the project's files (to a member who may read them) and, for one who may add to it, wait for files.
    `after`: the open form has just ended (funds recorded) and the wait takes its place rather than putting it
    aside, so nothing says it was paused."""
    me = ctx.me
    verifies = await uc.verifies_project(ctx.uow, me, p.id)
    if not can_read_evidence(me, p, verifies=verifies):
        raise Refusal("evidence_not_yours", unit=ctx.unit_name(p.responsible_unit))
    files = await ctx.uow.evidence.files(p.id)
    lines = [intro] if intro else []
    lines.append(await files_text(ctx, p, files))
    writes = may_write_for(me.role, me.unit, p.responsible_unit)
    lines.append(t("evidence.send_hint", id=p.id) if writes else t("evidence.read_only"))
    choices = [Choice(t("evidence.get_button", n=n, name=_short(f.name)), f"get:{f.seq}")
               for n, f in list(enumerate(files, 1))[-SHOWN:]]
    if not reopen or ctx.flow != AttachFlow.name:
        ctx.replacing = ctx.replacing or after
        ctx.open(AttachFlow.name, {"project_id": p.id, "project_name": p.name})
    ctx.ask("files", "\n".join(lines), choices, columns=1, extra=[Choice(t("evidence.done_button"), DONE)])


async def files_text(ctx: Ctx, p: Project, files: list[AttachedFile]) -> str:
    if not files:
        return t("evidence.none", id=p.id, name=p.name)
    names = await member_names(ctx, {f.actor for f in files})
    lines = [t("evidence.title", id=p.id, name=p.name, count=len(files))]
    lines += [t("evidence.line", n=n, name=f.name, size=fmt.size(f.size), who=names.get(f.actor or -1, "—"),
                when=fmt.short_day(ctx.local(f.at).date())) for n, f in enumerate(files, 1)]
    return "\n".join(lines)


async def send_file(ctx: Ctx, arg: str) -> None:
    """Send one attached file back, to a member who may read its project's evidence (the button is not trusted)."""
    seq = as_id(arg)
    if seq is None:
        ctx.say(t("refusal.file_unknown"))
        return
    found, data = await uc.readable_file(ctx.uow, ctx.me, seq)
    caption = t("evidence.caption", id=found.project_id, name=found.name)
    if found.mime_type in ("image/jpeg", "image/png") and found.size <= PHOTO_MAX:
        ctx.send(SendPhoto(data=data, filename=found.name, caption=caption))
    else:
        ctx.send(SendFile(data=data, filename=found.name, caption=caption))


async def on_file(ctx: Ctx, caption: str) -> bool:
    """A photo or file: attach it to the project its caption names (附件 #12), or to the open flow's project."""
    if ctx.in_group:
        return True   # people share files with each other there; evidence goes to the bot in private
    if ctx.member is None:
        ctx.say(t("evidence.register_first"))
        return True
    attachment = ctx.inbound.attachment
    assert attachment is not None
    state = ctx.state
    project_id = file_target(caption, state if ctx.flow is not None else None)
    if project_id is None:
        ctx.say(t("evidence.which_project"))
        return True
    if attachment.problem is not None or attachment.data is None:
        problem = attachment.problem or "unavailable"   # not fetched: the flow ended between look and handle
        ctx.say(t(f"refusal.file_{problem}", name=attachment.name, limit_mb=ctx.files.max_bytes // (1024 * 1024)))
        return True
    cmd = uc.AttachFile(project_id=int(project_id), data=attachment.data, name=attachment.name,
                        mime_type=attachment.mime_type, channel=ctx.inbound.channel)
    kept = await uc.attach_file(ctx.uow, ctx.me, cmd, ctx.files)
    p = await ctx.uow.projects.get(kept.project_id)
    ctx.say(t("evidence.attached", id=kept.project_id, project=p.name if p else "", name=kept.name,
              size=fmt.size(kept.size)))
    if ctx.flow is not None and ctx.flow != AttachFlow.name and state is not None and state.control.asked:
        ctx.say(t("evidence.flow_goes_on", question=state.control.asked))
    return True


def file_target(caption: str, state: ConversationState | None) -> int | None:
    """The project a file is for: the one its caption names (附件 #12), else the open flow's project."""
    named = _named(caption)
    if named is not None:
        return named
    if state is None or state.flow == MENU or state.control.parked:
        return None
    value = state.data.get("project_id")
    return value if isinstance(value, int) else None

async def wants_file(uow_factory: Callable[..., UnitOfWork], inbound: Inbound) -> bool:
    """Would a file in this message be kept (a registered sender in a private chat, and a project named by
    its caption or the open flow)? The channel downloads the file only then, before the core handles it, so no
    stranger makes the bot fetch 20 MB and no download happens inside the unit of work holding the lock."""
    if check_ids(inbound) is not None or inbound.chat_type is not ChatType.PRIVATE:
        return False
    async with uow_factory(readonly=True) as uow:
        found = await uow.org.sender(inbound.channel, inbound.sender_id)
        member = found[1] if found else None
        if member is None or not member.active:
            return False
        state = await uow.conversations.load(conversation_key(member.id))
        if state is not None and state.expires_at <= uow.clock.now() and registry().flows.get(state.flow) is not None:
            state = None  # idle: it will be paused before the file arrives
    return file_target(normalize_input(inbound.text or ""), state) is not None



def _named(caption: str) -> int | None:
    """`附件 #12`, `#12` or `凭证 12` as a file's caption: the project it is for."""
    words = caption.replace("＃", "#").split()
    if not words:
        return None
    if words[0] in ("附件", "凭证", "/attach", "/附件") and len(words) > 1:
        return as_id(words[1])
    return as_id(words[0]) if words[0].startswith("#") else None


async def attach_action(ctx: Ctx, arg: str) -> None:
    """One project among several matches of `附件 名称`."""
    p = await ctx.uow.projects.get(pid) if (pid := as_id(arg)) is not None else None
    if p is None:
        ctx.say(t("status.gone"))
        return
    await open_attach(ctx, p)


def _short(name: str, n: int = 24) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


FEATURE = Feature(
    commands=(Command("attach", ("附件", "凭证", "上传凭证"), flow="attach", order=33, glued=("附件",)),),
    flows=(AttachFlow(),),
    actions={"attach": attach_action, "file": send_file},
    file_handlers=(on_file,),
)
