"""/lead 线索: log a lead step by step, or in one line that goes straight to the confirm card."""
from __future__ import annotations

from typing import Any

from core.errors import Refusal
from core.names import display_company_name, normalize_company_name
from core.projects import CONTACT_MAX, MAX_WAN, check_name, default_flags
from core.roles import Role
from core.stages import Stage
from core.usecases.leads import LeadDraft, LogLead, register_lead
from handlers import cards
from handlers import sharing_pushes as pushes
from texts import t
from handlers.context import Answer, Choice, Ctx, render_refusal
from handlers.flows.base import Flow, Step
from handlers.flows.lead_duplicates import LeadDuplicates
from handlers.flows.lead_fields import EDITABLE, LeadFields, store_amount
from handlers.lead_parser import parse_lead_line
from handlers.matching import by_words
from handlers.registry import Command, Feature


class LeadFlow(LeadFields, LeadDuplicates, Flow):
    """Fields (handlers/flows/lead_fields.py), the duplicate check (lead_duplicates.py), then the card."""

    name = "lead"

    def steps(self) -> dict[str, Step]:
        return {**self.field_steps(), **self.duplicate_steps(), "confirm": Step(self.ask_confirm, self.on_confirm),
                "edit": Step(self.ask_edit, self.on_edit)}

    async def begin(self, ctx: Ctx, args: str, *, stepwise: bool | None = None) -> None:
        """`stepwise`: ask every question (the contact too) even though `args` named the company, as for a
        company met on a trip; by default only a bare /lead is asked step by step."""
        ctx.open(self.name, {"flags": [], "stepwise": not args.strip() if stepwise is None else stepwise})
        if not args.strip():
            await self.ask_name(ctx)
            return
        parsed = parse_lead_line(args, ctx.cfg)
        d = ctx.data
        notes: list[str] = []
        if parsed.name:
            name = display_company_name(ctx.typed(parsed.name))
            try:
                check_name(name)
                d["name"] = name
            except Refusal as refusal:
                notes.append(render_refusal(refusal))
        if parsed.credit_code:
            d["credit_code"] = parsed.credit_code
        if parsed.credit_code_error:
            notes.append(parsed.credit_code_error)
            d["code_doubtful"] = True
        if parsed.industry:
            d["industry"] = parsed.industry
            d["flags"] = default_flags(parsed.industry)
        elif parsed.industry_candidates:
            d["industry_candidates"] = parsed.industry_candidates
        if parsed.amount and parsed.amount.wan > MAX_WAN:
            notes.append(render_refusal(Refusal("amount_too_large", max=MAX_WAN)))
        elif parsed.amount:
            store_amount(d, parsed.amount)
        elif parsed.amount_error:
            notes.append(t("lead.amount_doubtful"))
        if parsed.source:
            d["source"] = parsed.source
        if parsed.contact:
            d["contact"] = parsed.contact[:CONTACT_MAX]
        if parsed.rest:
            d["content"] = " ".join(ctx.typed(word) for word in parsed.rest.split(" "))
        complete = "industry" in d and ("intended_wan" in d or "foreign_wan" in d) and "source" in d
        understood = cards.lead_fields(ctx, d)
        # Straight to the card when nothing is missing: the card itself shows what was understood.
        if understood and (notes or not complete):
            ctx.say(t("lead.understood", fields=understood))
        for note in notes:
            ctx.say(note)
        await self.next(ctx)

    # -- the order of questions ----------------------------------------------------------------
    async def next(self, ctx: Ctx) -> None:
        d = ctx.data
        if not d.get("name"):
            return await self.ask_name(ctx)
        if d.get("code_doubtful"):
            return await self.ask_code(ctx)
        if not d.get("dup_checked"):
            d["dup_checked"] = True
            if await self.check_duplicates(ctx):
                return None
        if d.get("_return") == "confirm":
            return await self.ask_confirm(ctx)
        if "industry" not in d:
            return await self.ask_industry(ctx)
        if "intended_wan" not in d and "foreign_wan" not in d:
            return await self.ask_amount(ctx)
        if "source" not in d:
            return await self.ask_source(ctx)
        if d.get("stepwise") and "contact" not in d:
            return await self.ask_contact(ctx)
        if not d.get("related_checked"):
            d["related_checked"] = True
            if await self.check_related(ctx):
                return None
        return await self.ask_confirm(ctx)

    # -- the card ------------------------------------------------------------------------------
    async def ask_confirm(self, ctx: Ctx) -> None:
        ctx.data["_return"] = "confirm"
        ctx.ask("confirm", cards.lead_card(ctx, ctx.data), [
            Choice(t("button.confirm"), "yes"), Choice(t("button.edit"), "edit"), Choice(t("button.cancel"), "no")],
            columns=3)

    async def on_confirm(self, ctx: Ctx, ans: Answer) -> None:
        choice = ans.value or by_words(ans.text, {"yes": ("确认", "是", "对", "好", "ok", "y", "yes"),
                                                   "edit": ("修改", "改"), "no": ("不", "否", "no", "n")})
        if choice == "no":
            ctx.finish()
            ctx.say(t("flow.cancelled", title=self.title))
        elif choice == "edit":
            await self.ask_edit(ctx)
        elif choice == "yes":
            await self.save(ctx)
        else:
            ctx.say(t("common.choose_one"))
            await self.ask_confirm(ctx)

    async def ask_edit(self, ctx: Ctx) -> None:
        ctx.ask("edit", t("lead.ask_edit"), [Choice(t(f"lead.field.{f}"), f) for f in EDITABLE], columns=3)

    async def on_edit(self, ctx: Ctx, ans: Answer) -> None:
        field = ans.value or next((f for f in EDITABLE if t(f"lead.field.{f}") in ans.text), None)
        if field is None:
            ctx.say(t("common.choose_one"))
            return await self.ask_edit(ctx)
        await self.ask_step(ctx, field)

    async def save(self, ctx: Ctx) -> None:
        d = ctx.data
        draft = LeadDraft(
            name=d["name"], normalized_name=normalize_company_name(d["name"]), owner_unit=ctx.me.unit,
            credit_code=d.get("credit_code"), industry=d.get("industry"), intended_wan=d.get("intended_wan"),
            foreign_wan=d.get("foreign_wan"), foreign_currency=d.get("foreign_currency"), source=d.get("source"),
            contact=d.get("contact"), content=d.get("content"), category=d.get("category"),
            industry_other=d.get("industry_other"),
            flags=frozenset(d.get("flags", [])), stage=Stage.LEAD,
            leader_member_id=ctx.me.id if ctx.me.role is Role.LEADER else None)
        try:
            project, claim = await register_lead(ctx.uow, ctx.me, LogLead(draft, duplicate_of=d.get("duplicate_of")))
        except Refusal as refusal:
            ctx.finish()
            ctx.refuse(refusal)
            return
        ctx.finish()
        other = await ctx.uow.projects.get(claim.other_project_id) if claim else None
        if claim is not None and other is not None:
            await pushes.claim_opened(ctx.uow, ctx.cfg, claim, project, other)
        key = "lead.saved_duplicate" if project.duplicate_of else "lead.saved"
        ctx.say(t(key, id=project.id, name=project.name, unit=ctx.unit_name(project.owner_unit)))

    def summary(self, data: dict[str, Any]) -> str:
        return "；".join(f"{t('lead.field.' + k)} {v}" for k, v in _kept(data)) or t("flow.nothing_kept")


def _kept(d: dict[str, Any]) -> list[tuple[str, str]]:
    from texts.formatting import amount

    out = []
    if d.get("name"):
        out.append(("name", d["name"]))
    if d.get("industry"):
        out.append(("industry", d["industry"]))
    if d.get("intended_wan") is not None:
        out.append(("amount", amount(d["intended_wan"])))
    elif d.get("foreign_wan") is not None:
        out.append(("amount", amount(d["foreign_wan"], d.get("foreign_currency"))))
    if d.get("source"):
        out.append(("source", d["source"]))
    return out


FEATURE = Feature(
    commands=(Command("lead", ("线索", "登记线索", "新线索"), flow="lead", order=10, glued=("登记线索", "线索")),),
    flows=(LeadFlow(),),
)
