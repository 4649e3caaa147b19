"""The lead flow's field steps: name, credit code, industry, amount, source, contact, flags, category.

Each stores its answer in the flow's fields and goes on to `next`, which picks the next question.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from core.errors import Refusal
from core.names import display_company_name
from core.org import FLAGS
from core.projects import INDUSTRY_OTHER_MAX, check_amount, check_name, default_flags
from core.social_credit_code import CreditCodeError, validate_credit_code
from texts import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Step
from handlers.lead_parser import parse_lead_line
from handlers.matching import closest_options, match_options
from handlers.parsing import AmountError, normalize_input, parse_amount

SKIP = "__skip__"
OTHER = "__other__"   # 其他: the chain as typed, for the office to map
ALL = "__all__"       # 全部产业链: the whole list again, asked for
EDITABLE = ("name", "code", "industry", "amount", "source", "contact", "flags", "category")


class LeadFields:
    """Mixed into LeadFlow; `next` is the flow's order of questions."""

    next: Callable[[Ctx], Awaitable[None]]

    def field_steps(self) -> dict[str, Step]:
        return {"name": Step(self.ask_name, self.on_name, takes_text=True), "code": Step(self.ask_code, self.on_code),
                "industry": Step(self.ask_industry, self.on_industry),
                "amount": Step(self.ask_amount, self.on_amount), "source": Step(self.ask_source, self.on_source),
                "contact": Step(self.ask_contact, self.on_contact, takes_text=True), "flags": Step(self.ask_flags, self.on_flags),
                "category": Step(self.ask_category, self.on_category)}

    async def ask_name(self, ctx: Ctx) -> None:
        ctx.ask("name", t("lead.ask_name"))

    async def on_name(self, ctx: Ctx, ans: Answer) -> None:
        parsed = parse_lead_line(ans.text, ctx.cfg)
        if not parsed.name:
            ctx.say(t("lead.name_empty"))
            return await self.ask_name(ctx)
        name = display_company_name(ctx.typed(parsed.name))
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

    async def ask_industry(self, ctx: Ctx) -> None:
        """The whole list at most twice (asked, and once again); after that the closest chains, 其他 for
        what was typed, and 全部产业链 for whoever wants the list again."""
        d = ctx.data
        unsure = Choice(t("lead.industry_unsure"), SKIP)
        typed = d.get("industry_typed")
        other = [Choice(t("lead.industry_other", text=typed), OTHER)] if typed else []
        if d.get("industry_candidates") or (typed and d.get("industry_lists", 0) >= 1):
            ctx.ask("industry", t("lead.ask_industry_close") if typed else t("lead.ask_industry"),
                    [Choice(i, i) for i in d.get("industry_candidates") or []],
                    extra=other + [Choice(t("lead.industry_all"), ALL), unsure])
            return
        if d.get("industry_lists", 0) >= 2:
            ctx.ask("industry", t("lead.ask_industry_short"), extra=[Choice(t("lead.industry_all"), ALL), unsure])
            return
        d["industry_lists"] = d.get("industry_lists", 0) + 1
        ctx.ask("industry", t("lead.ask_industry"), [Choice(i, i) for i in ctx.cfg.industries], extra=[unsure])

    async def on_industry(self, ctx: Ctx, ans: Answer) -> None:
        d = ctx.data
        if ans.value == ALL:
            # Asked for: the list once more, whatever was shown before.
            for key in ("industry_candidates", "industry_typed"):
                d.pop(key, None)
            d["industry_lists"] = min(d.get("industry_lists", 0), 1)
            return await self.ask_industry(ctx)
        d.pop("industry_other", None)
        if ans.value == SKIP:
            d["industry"] = None
        elif ans.value == OTHER:
            # Kept as typed for the office to map (项目库 › 产业链 › 其他（待归类）); counted under no chain.
            d["industry"], d["industry_other"] = None, d["industry_typed"]
            ctx.say(t("lead.industry_other_kept", text=d["industry_typed"]))
        else:
            hits = [ans.value] if ans.value else match_options(ans.text, ctx.cfg.industries)
            if len(hits) != 1:
                d["industry_candidates"] = hits or closest_options(ans.text, ctx.cfg.industries) or None
                if hits:
                    d.pop("industry_typed", None)
                    ctx.say(t("lead.industry_which"))
                else:
                    d["industry_typed"] = ctx.typed(ans.text.strip())[:INDUSTRY_OTHER_MAX]
                    ctx.say(t("lead.industry_unknown", text=d["industry_typed"]))
                return await self.ask_industry(ctx)
            d["industry"] = hits[0]
            d["flags"] = sorted(set(d.get("flags", [])) | set(default_flags(hits[0])))
        for key in ("industry_candidates", "industry_typed", "industry_lists"):
            d.pop(key, None)
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
            store_amount(d, amount)
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


def store_amount(d: dict[str, Any], amount: Any) -> None:
    if amount.currency == "CNY":
        d["intended_wan"] = amount.wan
        d.pop("foreign_wan", None)
        d.pop("foreign_currency", None)
    else:
        d["foreign_wan"], d["foreign_currency"] = amount.wan, amount.currency
        d["intended_wan"] = None
        d["flags"] = sorted(set(d.get("flags", [])) | {"foreign"})
