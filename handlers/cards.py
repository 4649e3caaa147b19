"""Cards: how a lead draft, a project, a list of projects and a project's events read in chat."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from core import events as ev
from core.records import Event, Member, Project
from core.stages import LIFECYCLE, Stage
from core.projects import can_see_contact
from texts import formatting as fmt
from texts import t
from handlers.context import Ctx


def lead_fields(ctx: Ctx, d: dict[str, Any]) -> str:
    """The fields of a lead draft that are filled in, one per line."""
    lines = []
    if d.get("name"):
        lines.append(f"{t('lead.field.name')}：{d['name']}")
    if d.get("credit_code"):
        lines.append(f"{t('lead.field.code')}：{d['credit_code']}")
    if d.get("industry_other"):
        lines.append(f"{t('lead.field.industry')}：{t('lead.industry_other_shown', text=d['industry_other'])}")
    elif "industry" in d:
        lines.append(f"{t('lead.field.industry')}：{d['industry'] or t('common.unknown')}")
    if d.get("foreign_wan") is not None:
        lines.append(f"{t('lead.field.amount')}：{fmt.amount(d['foreign_wan'], d.get('foreign_currency'))}"
                     f"（{t('lead.foreign')}）")
    elif "intended_wan" in d:
        lines.append(f"{t('lead.field.amount')}：{fmt.amount(d['intended_wan'])}")
    if d.get("source"):
        lines.append(f"{t('lead.field.source')}：{d['source']}")
    if d.get("contact"):
        lines.append(f"{t('lead.field.contact')}：{d['contact']}")
    if d.get("flags"):
        lines.append(f"{t('lead.field.flags')}：{'、'.join(t('flag.' + f) for f in d['flags'])}")
    if d.get("category"):
        category = ctx.cfg.category(d["category"])
        lines.append(f"{t('lead.field.category')}：{category.name if category else d['category']}")
    if d.get("content"):
        lines.append(f"{t('lead.field.content')}：{d['content']}")
    return "\n".join(lines)


def lead_card(ctx: Ctx, d: dict[str, Any]) -> str:
    body = lead_fields(ctx, d)
    extra = [t("lead.card_owner", unit=ctx.unit_name(ctx.me.unit), person=ctx.me.name)]
    if d.get("duplicate_of"):
        extra.append(t("lead.card_duplicate", id=d["duplicate_of"]))
    return t("lead.card", body=body, extra="\n".join(extra))


def duplicates(ctx: Ctx, dups: Sequence[Any]) -> str:
    lines = [t("lead.dup_found")]
    for dup in dups:
        p: Project = dup.project
        lines.append(t(f"lead.dup_line.{dup.reason}", id=p.id, name=p.name, stage=fmt.stage(p.stage),
                       unit=ctx.unit_name(p.owner_unit)))
    return "\n".join(lines)


def project_line(ctx: Ctx, p: Project) -> str:
    money = fmt.amount(p.contract_wan) if p.contract_wan is not None else fmt.amount(p.intended_wan)
    return t("project.line", id=p.id, name=p.name, stage=fmt.stage(p.stage), amount=money,
             unit=ctx.unit_name(p.responsible_unit))


async def member_names(ctx: Ctx, ids: set[int | None]) -> dict[int, str]:
    names: dict[int, str] = {}
    for member_id in ids:
        if member_id is not None and member_id not in names:
            m = await ctx.uow.org.member(member_id)
            names[member_id] = m.name if m else f"#{member_id}"
    return names


def describe_event(ctx: Ctx, e: Event, names: dict[int, str], *, file_names: bool = False) -> str:
    """One line of a project's history, in the words of the trade; an attached file is named only to a viewer
    who may read the project's evidence (`file_names`)."""
    p = e.payload
    who = names.get(e.actor or -1, t("common.system"))
    when = fmt.short_day(ctx.local(e.at).date())
    if e.type == ev.LEAD_LOGGED:
        what = t("event.logged", unit=ctx.unit_name(p.get("owner_unit")))
    elif e.type == ev.STAGE_CHANGED:
        what = t("event.stage", before=fmt.stage(p["from"]), after=fmt.stage(p["to"]))
        if p.get("contract_wan") is not None:
            what += t("event.contract", amount=fmt.amount(p["contract_wan"]))
        if p.get("reason"):
            what += t("event.reason", reason=p["reason"])
        what += _on(ctx, p)
    elif e.type == ev.FUNDS_ADDED:
        what = t("event.funds", amount=fmt.amount(p["amount_wan"]), total=fmt.amount(p["total_wan"])) + _on(ctx, p)
    elif e.type in CORRECTIONS:
        what = describe_correction(ctx, e)
    elif e.type == ev.NOTE_ADDED:
        what = t("event.note", text=_clip(p["text"]))
    elif e.type == ev.PROBLEM_RAISED:
        what = t("event.problem", text=_clip(p["text"]))
    elif e.type == ev.PROBLEM_RESOLVED:
        what = t("event.resolved")
    elif e.type == ev.FILE_ATTACHED:
        what = t("event.file_attached", name=p["name"] if file_names else t("event.file_hidden"),
                 size=fmt.size(p["size"]))
    elif e.type == ev.FUNDS_VERIFIED:
        key = "event.funds_verified" if p["verified_wan"] == p["reported_wan"] else "event.funds_verified_corrected"
        what = t(key, seq=p["funds_seq"], amount=fmt.amount(p["verified_wan"]), reported=fmt.amount(p["reported_wan"]),
                 reason=p.get("reason") or "")
    elif e.type == ev.FUNDS_RETURNED:
        what = t("event.funds_returned", seq=p["funds_seq"], reason=_clip(p["reason"]))
    elif e.type == ev.FUNDS_RESUBMITTED:
        what = t("event.funds_resubmitted", seq=p["funds_seq"])
    elif _has(f"event.{e.type}"):
        what = t(f"event.{e.type}", **_event_params(ctx, p))
    else:
        what = e.type
    return t("event.line", when=when, what=what, who=who)


CORRECTIONS = frozenset({ev.PROJECT_CORRECTED, ev.FUNDS_CORRECTED, ev.CONTRACT_CORRECTED, ev.PROJECT_VOIDED,
                         ev.PROJECT_RESTORED})


def describe_correction(ctx: Ctx, e: Event) -> str:
    """A correction, void or undo in words: old → new and the reason, so the card and /history show what changed."""
    p = e.payload
    if e.type == ev.PROJECT_VOIDED:
        return t("event.voided", reason=p["reason"])
    if e.type == ev.PROJECT_RESTORED:
        return t("event.restored") + (t("event.correction_reason", reason=p["reason"]) if p.get("reason") else "")
    if e.type == ev.CONTRACT_CORRECTED:
        what = t("event.contract_corrected", before=fmt.amount(p["before_wan"]), after=fmt.amount(p["amount_wan"]))
        return what + (t("event.correction_reason", reason=p["reason"]) if p.get("reason") else "")
    if e.type == ev.FUNDS_CORRECTED:
        before = p["amount_wan"] - p["offset_wan"]
        return t("event.funds_corrected", entry=p["entry"], before=fmt.amount(before),
                 after=fmt.amount(p["amount_wan"]), total=fmt.amount(p["total_wan"]), reason=p["reason"])
    before, changes = p.get("before", {}), p.get("changes", {})
    parts = [t("event.change", field=_field_name(k), before=_value(ctx, k, before.get(k)),
               after=_value(ctx, k, v)) if k in before else _field_name(k)
             for k, v in changes.items() if k != "normalized_name"]
    what = t("event.corrected_values", changes="；".join(parts))
    return what + (t("event.correction_reason", reason=p["reason"]) if p.get("reason") else "")


def _field_name(key: str) -> str:
    return t(f"field.{key}") if _has(f"field.{key}") else key


def _value(ctx: Ctx, key: str, value: Any) -> str:
    if value is None or value == [] or value == "":
        return t("common.none")
    if key.endswith("_wan") and isinstance(value, int):
        return fmt.amount(value)
    if key == "flags":
        return "、".join(t(f"flag.{f}") for f in value)
    return str(value)


def _on(ctx: Ctx, p: dict[str, Any]) -> str:
    """A fact entered after the day it happened says that day."""
    if not p.get("on"):
        return ""
    return t("event.on", day=fmt.short_day(ctx.local(datetime.fromisoformat(p["on"])).date()))


def _event_params(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    """What a catalog line may use: plain values and nested dicts; `*unit` codes read as unit names."""
    return {k: ctx.unit_name(v) if k.endswith("unit") and isinstance(v, str) else v
            for k, v in p.items() if isinstance(v, (str, int, dict))}


def _has(key: str) -> bool:
    from texts import has

    return has(key)


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def stage_path(stage: Stage) -> str:
    if stage is Stage.TERMINATED:
        return fmt.stage(stage)
    return "→".join(f"【{fmt.stage(s)}】" if s is stage else fmt.stage(s) for s in LIFECYCLE)


async def status_text(ctx: Ctx, p: Project, *, viewer: Member | None = None) -> str:
    viewer = viewer or ctx.me
    lines = [t("status.title", id=p.id, name=p.name), t("status.stage", path=stage_path(p.stage))]
    if p.voided_at is not None:
        lines.append(t("status.voided", day=fmt.day(ctx.local(p.voided_at).date()), reason=p.void_reason or "—"))
    if p.stage is Stage.TERMINATED and p.terminated_reason:
        lines.append(t("status.terminated", reason=p.terminated_reason))
    if p.industry:
        lines.append(t("status.industry", industry=p.industry))
    elif p.industry_other:
        lines.append(t("status.industry", industry=t("lead.industry_other_shown", text=p.industry_other)))
    money = [t("status.intended", amount=fmt.amount(p.intended_wan))]
    if p.foreign_wan is not None:
        money.append(t("status.foreign", amount=fmt.amount(p.foreign_wan, p.foreign_currency)))
    if p.contract_wan is not None:
        money.append(t("status.contract", amount=fmt.amount(p.contract_wan)))
    if p.funds_wan or p.contract_wan:
        share = f"（{p.funds_wan * 100 // p.contract_wan}%）" if p.contract_wan else ""
        money.append(t("status.funds", amount=fmt.amount(p.funds_wan), share=share))
    lines.append(" ｜ ".join(money))
    lines.append(t("status.units", owner=ctx.unit_name(p.owner_unit), unit=ctx.unit_name(p.responsible_unit),
                   person=p.responsible_person or "—"))
    if p.contact:
        lines.append(t("status.contact", contact=p.contact) if can_see_contact(viewer, p)
                     else t("status.contact_hidden"))
    local = ctx.local(p.updated_at)
    lines.append(t("status.updated", day=fmt.day(local.date()), age=fmt.age(p.updated_at, ctx.now)))
    if p.duplicate_of:
        lines.append(t("status.duplicate", id=p.duplicate_of))
    events = await ctx.uow.projects.events(p.id, limit=5)
    if events:
        names = await member_names(ctx, {e.actor for e in events})
        lines.append(t("status.recent"))
        named = await may_read_files(ctx, p, viewer)
        lines.extend(describe_event(ctx, e, names, file_names=named) for e in reversed(events))
    problems = await ctx.uow.projects.open_problems(p.id)
    if problems:
        lines.append(t("status.problems", items="；".join(_clip(x.text) for x in problems)))
    lines += await evidence_lines(ctx, p, viewer)
    return "\n".join(lines)


async def may_read_files(ctx: Ctx, p: Project, viewer: Member | None = None) -> bool:
    from core.evidence import can_read_evidence
    from core.usecases.evidence import verifies_project

    viewer = viewer or ctx.me
    return can_read_evidence(viewer, p, verifies=await verifies_project(ctx.uow, viewer, p.id))


async def evidence_lines(ctx: Ctx, p: Project, viewer: Member) -> list[str]:
    """The funds reports' verification and the files, as far as the viewer may read them."""
    lines = []
    reports = await ctx.uow.evidence.reports_of(p.id)
    if reports:
        verified = sum(r.verified_wan or 0 for r in reports if r.status == "verified")
        pending = sum(r.amount_wan for r in reports if r.status == "pending")
        returned = sum(1 for r in reports if r.status == "returned")
        line = t("status.verification", verified=fmt.amount(verified), pending=fmt.amount(pending))
        if returned:
            line += t("status.verification_returned", count=returned)
        lines.append(line)
    files = await ctx.uow.evidence.files(p.id)
    if files:
        if await may_read_files(ctx, p, viewer):
            shown = "、".join(_clip(f.name, 20) for f in files[-3:])
            lines.append(t("status.files", count=len(files), names=shown, id=p.id))
        else:
            lines.append(t("status.files_hidden", count=len(files)))
    return lines


async def send_status(ctx: Ctx, p: Project) -> None:
    ctx.say(await status_text(ctx, p))


def by_stage(ctx: Ctx, projects: Sequence[Project], title: str) -> str:
    if not projects:
        return t("my.empty", title=title)
    lines = [title]
    for stage in (*LIFECYCLE, Stage.TERMINATED):
        group = [p for p in projects if p.stage is stage]
        if group:
            lines.append(t("my.stage_header", stage=fmt.stage(stage), count=len(group)))
            lines.extend(project_line(ctx, p) for p in group)
    return "\n".join(lines)
