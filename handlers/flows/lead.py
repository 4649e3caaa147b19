"""/lead 线索: log a lead step by step, or in one line that goes straight to the confirm card."""
from __future__ import annotations

from typing import Any

from core.social_credit_code import CreditCodeError, validate_credit_code
from core.errors import Refusal
from core.names import display_company_name, normalize_company_name
from core.org import FLAGS
from core.roles import Role
from core.stages import Stage
from core.projects import CONTACT_MAX, MAX_WAN, check_amount, check_name, default_flags
from core.usecases.leads import LeadDraft, LogLead, holder_of, register_lead
from core.usecases.sharing import JoinAsSupporting, join_as_supporting
from handlers import cards
from handlers import formatting as fmt
from handlers import sharing_pushes as pushes
from handlers.catalog import t
from handlers.context import Answer, Choice, Ctx, render_refusal
from handlers.flows.base import Flow
from handlers.lead_parser import parse_lead_line
from handlers.matching import find_duplicates, match_options
from handlers.parsing import AmountError, normalize_input, parse_amount
from handlers.registry import Command, Feature

SKIP = "__skip__"
EDITABLE = ("name", "code", "industry", "amount", "source", "contact", "flags", "category")


class LeadFlow(Flow):
    name = "lead"

    async def begin(self, ctx: Ctx, args: str) -> None:
        ctx.open(self.name, {"flags": [], "stepwise": not args.strip()})
        if not args.strip():
            await self.ask_name(ctx)
            return
        parsed = parse_lead_line(args, ctx.cfg)
        d = ctx.data
        notes: list[str] = []
        if parsed.name:
            name = display_company_name(parsed.name)
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
            _store_amount(d, parsed.amount)
        elif parsed.amount_error:
            notes.append(t("lead.amount_doubtful"))
        if parsed.source:
            d["source"] = parsed.source
        if parsed.contact:
            d["contact"] = parsed.contact[:CONTACT_MAX]
        if parsed.rest:
            d["content"] = parsed.rest
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
        return await self.ask_confirm(ctx)

    # -- steps ----------------------------------------------------------------------------------
    async def ask_name(self, ctx: Ctx) -> None:
        ctx.ask("name", t("lead.ask_name"))

    async def on_name(self, ctx: Ctx, ans: Answer) -> None:
        parsed = parse_lead_line(ans.text, ctx.cfg)
        if not parsed.name:
            ctx.say(t("lead.name_empty"))
            return await self.ask_name(ctx)
        name = display_company_name(parsed.name)
        try:
            check_name(name)
        except Refusal as refusal:
            ctx.refuse(refusal)
            return await self.ask_name(ctx)
        ctx.data["name"] = name
        ctx.data["dup_checked"] = False
        ctx.data.pop("duplicate_of", None)  # a new name is checked afresh; the old suspicion no longer holds
        if parsed.credit_code:
            ctx.data["credit_code"] = parsed.credit_code
        if parsed.credit_code_error:
            ctx.say(parsed.credit_code_error)
            ctx.data["code_doubtful"] = True
        await self.next(ctx)

    async def ask_code(self, ctx: Ctx) -> None:
        ctx.ask("code", t("lead.ask_code"), extra=[Choice(t("button.skip"), SKIP)])

    async def on_code(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == SKIP:
            ctx.data.pop("credit_code", None)
        else:
            try:
                ctx.data["credit_code"] = validate_credit_code(ans.text)
            except CreditCodeError as exc:
                ctx.say(str(exc))
                return await self.ask_code(ctx)
        ctx.data.pop("code_doubtful", None)
        ctx.data["dup_checked"] = False
        ctx.data.pop("duplicate_of", None)
        await self.next(ctx)

    async def check_duplicates(self, ctx: Ctx) -> bool:
        d = ctx.data
        dups = await find_duplicates(ctx.uow, normalize_company_name(d["name"]), d.get("credit_code"))
        if not dups:
            return False
        d["dups"] = [x.project.id for x in dups]
        ctx.say(cards.duplicates(ctx, dups))
        # 宣城's rule: a department or resident office joins a district's live project instead.
        holder = await holder_of(ctx.uow, ctx.me, [x.project for x in dups if x.reason in ("code", "name")])
        d.pop("held_by", None)
        if holder is not None:
            d["held_by"] = holder.id
            ctx.say(t("sharing.held_by", name=holder.name, id=holder.id, stage=fmt.stage(holder.stage),
                      unit=ctx.unit_name(holder.responsible_unit)))
        await self.ask_dup(ctx)
        return True

    async def ask_dup(self, ctx: Ctx) -> None:
        if ctx.data.get("held_by"):
            ctx.ask("dup", t("lead.dup_question"), [
                Choice(t("sharing.join_supporting"), "support"), Choice(t("lead.dup_open"), "open"),
                Choice(t("lead.dup_stop"), "stop")], columns=1)
            return
        ctx.ask("dup", t("lead.dup_question"), [
            Choice(t("lead.dup_stop"), "stop"), Choice(t("lead.dup_open"), "open"),
            Choice(t("lead.dup_anyway"), "anyway")], columns=1)

    async def on_dup(self, ctx: Ctx, ans: Answer) -> None:
        choice = ans.value or _by_words(ans.text, {"stop": ("停止", "不登记", "不", "否"), "open": ("查看",),
                                                   "anyway": ("仍然登记", "继续", "登记"),
                                                   "support": ("协助", "加入", "作为协助单位加入")})
        held = ctx.data.get("held_by")
        if choice == "anyway" and held:
            ctx.say(t("sharing.held_no_anyway"))
            await self.ask_dup(ctx)
        elif choice == "support" and held:
            ctx.finish()
            await join_as_supporting(ctx.uow, ctx.me, JoinAsSupporting(held))
            project = await ctx.uow.projects.get(held)
            assert project is not None
            await pushes.unit_joined(ctx.uow, ctx.cfg, project, ctx.me, "supporting")
            ctx.say(t("sharing.joined", name=project.name, id=project.id,
                      unit=ctx.unit_name(project.responsible_unit)))
        elif choice == "stop":
            ctx.finish()
            ctx.say(t("lead.dup_stopped"))
        elif choice == "open":
            project = await ctx.uow.projects.get(held or ctx.data["dups"][0])
            ctx.finish()
            if project is not None:
                await cards.send_status(ctx, project)
        elif choice == "anyway":
            ctx.data["duplicate_of"] = ctx.data["dups"][0]
            await self.next(ctx)
        else:
            ctx.say(t("common.choose_one"))
            await self.ask_dup(ctx)

    async def ask_industry(self, ctx: Ctx) -> None:
        options = ctx.data.get("industry_candidates") or list(ctx.cfg.industries)
        ctx.ask("industry", t("lead.ask_industry"), [Choice(i, i) for i in options],
                extra=[Choice(t("lead.industry_unsure"), SKIP)])

    async def on_industry(self, ctx: Ctx, ans: Answer) -> None:
        d = ctx.data
        if ans.value == SKIP:
            d["industry"] = None
        else:
            hits = [ans.value] if ans.value else match_options(ans.text, ctx.cfg.industries)
            if len(hits) != 1:
                d["industry_candidates"] = hits or None
                ctx.say(t("lead.industry_unknown", text=ans.text) if not hits else t("lead.industry_which"))
                return await self.ask_industry(ctx)
            d["industry"] = hits[0]
            d["flags"] = sorted(set(d.get("flags", [])) | set(default_flags(hits[0])))
        d.pop("industry_candidates", None)
        await self.next(ctx)

    async def ask_amount(self, ctx: Ctx) -> None:
        ctx.ask("amount", t("lead.ask_amount"), extra=[Choice(t("lead.amount_unknown"), SKIP)])

    async def on_amount(self, ctx: Ctx, ans: Answer) -> None:
        d = ctx.data
        if ans.value == SKIP:
            d["intended_wan"] = None
            d.pop("foreign_wan", None)
        else:
            try:
                amount = parse_amount(ans.text)
                check_amount(amount.wan)
            except AmountError as exc:
                ctx.say(str(exc))
                return await self.ask_amount(ctx)
            except Refusal as refusal:
                ctx.refuse(refusal)
                return await self.ask_amount(ctx)
            _store_amount(d, amount)
        await self.next(ctx)

    async def ask_source(self, ctx: Ctx) -> None:
        ctx.ask("source", t("lead.ask_source"), [Choice(s, s) for s in ctx.cfg.sources])

    async def on_source(self, ctx: Ctx, ans: Answer) -> None:
        hits = [ans.value] if ans.value else match_options(ans.text, ctx.cfg.sources, cutoff=70)
        if len(hits) != 1:
            ctx.say(t("lead.source_unknown", text=ans.text))
            return await self.ask_source(ctx)
        ctx.data["source"] = hits[0]
        await self.next(ctx)

    async def ask_contact(self, ctx: Ctx) -> None:
        ctx.ask("contact", t("lead.ask_contact"), extra=[Choice(t("button.skip"), SKIP)])

    async def on_contact(self, ctx: Ctx, ans: Answer) -> None:
        ctx.data["contact"] = None if ans.value == SKIP else normalize_input(ans.text)[:200] or None
        await self.next(ctx)

    async def ask_flags(self, ctx: Ctx) -> None:
        chosen = set(ctx.data.get("flags", []))
        choices = [Choice(("✓ " if f in chosen else "") + t(f"flag.{f}"), f) for f in FLAGS]
        ctx.ask("flags", t("lead.ask_flags"), choices, extra=[Choice(t("button.done"), SKIP)])

    async def on_flags(self, ctx: Ctx, ans: Answer) -> None:
        flag = ans.value or next((f for f in FLAGS if t(f"flag.{f}") in ans.text), None)
        if flag == SKIP:
            return await self.next(ctx)
        if flag is None:
            ctx.say(t("common.choose_one"))
        else:
            flags = set(ctx.data.get("flags", []))
            flags.symmetric_difference_update({flag})
            ctx.data["flags"] = sorted(flags)
        await self.ask_flags(ctx)

    async def ask_category(self, ctx: Ctx) -> None:
        ctx.ask("category", t("lead.ask_category"), [Choice(c.name, c.code) for c in ctx.cfg.categories],
                columns=1)

    async def on_category(self, ctx: Ctx, ans: Answer) -> None:
        codes = {c.name: c.code for c in ctx.cfg.categories}
        hits = [ans.value] if ans.value else [codes[n] for n in match_options(ans.text, list(codes))]
        if len(hits) != 1:
            ctx.say(t("common.choose_one"))
            return await self.ask_category(ctx)
        ctx.data["category"] = hits[0]
        await self.next(ctx)

    async def ask_confirm(self, ctx: Ctx) -> None:
        ctx.data["_return"] = "confirm"
        ctx.ask("confirm", cards.lead_card(ctx, ctx.data), [
            Choice(t("button.confirm"), "yes"), Choice(t("button.edit"), "edit"), Choice(t("button.cancel"), "no")],
            columns=3)

    async def on_confirm(self, ctx: Ctx, ans: Answer) -> None:
        choice = ans.value or _by_words(ans.text, {"yes": ("确认", "是", "对", "好", "ok", "y", "yes"),
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
        await getattr(self, f"ask_{field}")(ctx)

    async def save(self, ctx: Ctx) -> None:
        d = ctx.data
        draft = LeadDraft(
            name=d["name"], normalized_name=normalize_company_name(d["name"]), owner_unit=ctx.me.unit,
            credit_code=d.get("credit_code"), industry=d.get("industry"), intended_wan=d.get("intended_wan"),
            foreign_wan=d.get("foreign_wan"), foreign_currency=d.get("foreign_currency"), source=d.get("source"),
            contact=d.get("contact"), content=d.get("content"), category=d.get("category"),
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
    from handlers.formatting import amount

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


def _store_amount(d: dict[str, Any], amount: Any) -> None:
    if amount.currency == "CNY":
        d["intended_wan"] = amount.wan
        d.pop("foreign_wan", None)
        d.pop("foreign_currency", None)
    else:
        d["foreign_wan"], d["foreign_currency"] = amount.wan, amount.currency
        d["intended_wan"] = None
        d["flags"] = sorted(set(d.get("flags", [])) | {"foreign"})


def _by_words(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """Synonyms typed instead of a button label; whole words only, so 不对 is not 对."""
    word = text.strip().lower()
    return next((value for value, words in table.items() if word in words), None)


FEATURE = Feature(
    commands=(Command("lead", ("线索", "登记线索", "新线索"), flow="lead", order=10, glued=("登记线索", "线索")),),
    flows=(LeadFlow(),),
)
