"""/trip 外出: who went where and when, whom they met, what came of it; each company can become a lead."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from core.errors import Refusal
from core.roles import Role
from core.usecases.trips import TripDraft, log_trip
from texts import formatting as fmt
from texts import t
from handlers.context import Answer, Choice, Ctx
from handlers.flows.base import Flow, Step
from handlers.parsing import DateError, normalize_input, parse_date_range
from handlers.registry import Command, Feature, registry
from handlers.parsing.ids import as_id, as_index

SKIP = "__skip__"
SELF = "self"
TRIP_FIELDS = ("who", "destination", "dates", "companies", "outcome", "next_steps")  # what 修改 on the card offers
_LIST = re.compile(r"[,，、;；\n]+")


class TripFlow(Flow):
    name = "trip"

    async def begin(self, ctx: Ctx, args: str) -> None:
        ctx.open(self.name)
        await self.ask_who(ctx)

    async def ask_who(self, ctx: Ctx) -> None:
        quota_holders = [m for m in await ctx.uow.org.members()
                         if m.trip_quota is not None and m.id != ctx.me.id
                         and (m.role is Role.LEADER or m.unit == ctx.me.unit)]
        choices = [Choice(t("trip.self"), SELF)] + [Choice(f"{m.name}（{m.title or fmt.role(m.role)}）", str(m.id))
                                                    for m in quota_holders[:10]]
        ctx.ask("who", t("trip.ask_who"), choices, columns=1)

    async def on_who(self, ctx: Ctx, ans: Answer) -> None:
        if ans.value == SELF or (not ans.value and ans.text.strip() in ("本人", "我", "自己")):
            ctx.data["traveller"] = ctx.me.name
            ctx.data["leader_id"] = ctx.me.id if ctx.me.trip_quota is not None or ctx.me.role is Role.LEADER \
                else None
        elif ans.value:
            leader = await ctx.uow.org.member(int(ans.value))
            if leader is None:
                return await self.ask_who(ctx)
            ctx.data["traveller"], ctx.data["leader_id"] = leader.name, leader.id
        else:
            # A name typed freely (e.g. 招商小分队): recorded as the traveller, no quota counted.
            ctx.data["traveller"], ctx.data["leader_id"] = normalize_input(ans.text)[:100], None
        await self.then(ctx, self.ask_destination)

    async def ask_destination(self, ctx: Ctx) -> None:
        ctx.ask("destination", t("trip.ask_destination"))

    async def on_destination(self, ctx: Ctx, ans: Answer) -> None:
        place = ctx.typed(normalize_input(ans.text))[:100]
        if not place:
            return await self.ask_destination(ctx)
        ctx.data["destination"] = place
        await self.then(ctx, self.ask_dates)

    async def ask_dates(self, ctx: Ctx) -> None:
        ctx.ask("dates", t("trip.ask_dates"))

    async def on_dates(self, ctx: Ctx, ans: Answer) -> None:
        try:
            start, end = parse_date_range(ans.text, ctx.today, prefer="nearest")
        except DateError as exc:
            ctx.say(str(exc))
            return await self.ask_dates(ctx)
        if end < start:
            ctx.say(t("refusal.trip_dates_reversed"))
            return await self.ask_dates(ctx)
        # The questions after this one (成果, 下一步) are about a trip already made.
        if end > ctx.today:
            ctx.say(t("trip.date_future", date=fmt.day(end), today=fmt.day(ctx.today)))
            return await self.ask_dates(ctx)
        earliest = date(ctx.cfg.organisation.year - 1, 1, 1)
        if start < earliest:
            ctx.say(t("trip.date_too_old", date=fmt.day(start), earliest=fmt.day(earliest)))
            return await self.ask_dates(ctx)
        ctx.data["start"], ctx.data["end"] = start.isoformat(), end.isoformat()
        await self.then(ctx, self.ask_companies)

    async def ask_companies(self, ctx: Ctx) -> None:
        ctx.ask("companies", t("trip.ask_companies"), extra=[Choice(t("trip.no_companies"), SKIP)])

    async def on_companies(self, ctx: Ctx, ans: Answer) -> None:
        names = [] if ans.value == SKIP else [n.strip() for n in _LIST.split(normalize_input(ans.text)) if n.strip()]
        ctx.data["companies"] = names[:20]
        await self.then(ctx, self.ask_outcome)

    async def ask_outcome(self, ctx: Ctx) -> None:
        ctx.ask("outcome", t("trip.ask_outcome"), extra=[Choice(t("button.skip"), SKIP)])

    async def on_outcome(self, ctx: Ctx, ans: Answer) -> None:
        ctx.data["outcome"] = None if ans.value == SKIP else ctx.typed(ans.text.strip())[:2000] or None
        await self.then(ctx, self.ask_next_steps)

    async def ask_next_steps(self, ctx: Ctx) -> None:
        ctx.ask("next_steps", t("trip.ask_next_steps"), extra=[Choice(t("button.skip"), SKIP)])

    async def on_next_steps(self, ctx: Ctx, ans: Answer) -> None:
        ctx.data["next_steps"] = None if ans.value == SKIP else ctx.typed(ans.text.strip())[:2000] or None
        await self.ask_confirm(ctx)

    async def then(self, ctx: Ctx, ask_next: Any) -> None:
        """On to the next question; back to the card when a field was changed from it (修改)."""
        if ctx.data.get("_return") == "confirm":
            return await self.ask_confirm(ctx)
        await ask_next(ctx)

    async def ask_confirm(self, ctx: Ctx) -> None:
        ctx.data["_return"] = "confirm"
        ctx.ask("confirm", t("trip.card", body=self.card(ctx.data)),
                [Choice(t("button.confirm"), "yes"), Choice(t("button.edit"), "edit"), Choice(t("button.cancel"), "no")],
                columns=3)

    async def ask_edit(self, ctx: Ctx) -> None:
        ctx.ask("edit", t("trip.ask_edit"), [Choice(t(f"trip.edit.{f}"), f) for f in TRIP_FIELDS], columns=3)

    async def on_edit(self, ctx: Ctx, ans: Answer) -> None:
        field = ans.value or next((f for f in TRIP_FIELDS if t(f"trip.edit.{f}") in ans.text), None)
        if field is None:
            ctx.say(t("common.choose_one"))
            return await self.ask_edit(ctx)
        await self.ask_step(ctx, field)

    async def on_confirm(self, ctx: Ctx, ans: Answer) -> None:
        choice = ans.value or {"确认": "yes", "是": "yes", "取消": "no", "否": "no", "修改": "edit",
                               "改": "edit"}.get(ans.text.strip())
        if choice == "edit":
            return await self.ask_edit(ctx)
        if choice == "no":
            ctx.finish()
            ctx.say(t("flow.cancelled", title=self.title))
            return
        if choice != "yes":
            ctx.say(t("common.choose_one"))
            return await self.ask_confirm(ctx)
        d = ctx.data
        draft = TripDraft(traveller=d["traveller"], destination=d["destination"],
                          start_date=date.fromisoformat(d["start"]), end_date=date.fromisoformat(d["end"]),
                          companies=tuple(d.get("companies", [])), outcome=d.get("outcome"),
                          next_steps=d.get("next_steps"), leader_member_id=d.get("leader_id"))
        try:
            trip = await log_trip(ctx.uow, ctx.me, draft)
        except Refusal as refusal:
            ctx.finish()
            ctx.refuse(refusal)
            return
        ctx.finish()
        text = t("trip.saved", id=trip.id, who=trip.traveller, place=trip.destination)
        if trip.companies:
            ctx.offer(text + "\n" + t("trip.offer_leads"),
                      [(t("trip.lead_button", name=name), f"s:trip_lead:{trip.id}:{i}")
                       for i, name in enumerate(trip.companies)])
        else:
            ctx.say(text)

    def steps(self) -> dict[str, Step]:
        return {"who": Step(self.ask_who, self.on_who, takes_text=True),
                "destination": Step(self.ask_destination, self.on_destination, takes_text=True),
                "dates": Step(self.ask_dates, self.on_dates),
                "companies": Step(self.ask_companies, self.on_companies, takes_text=True),
                "outcome": Step(self.ask_outcome, self.on_outcome, takes_text=True),
                "next_steps": Step(self.ask_next_steps, self.on_next_steps, takes_text=True),
                "confirm": Step(self.ask_confirm, self.on_confirm), "edit": Step(self.ask_edit, self.on_edit)}

    def card(self, d: dict[str, Any]) -> str:
        start, end = date.fromisoformat(d["start"]), date.fromisoformat(d["end"])
        when = fmt.day(start) if start == end else f"{fmt.day(start)} 至 {fmt.day(end)}"
        lines = [t("trip.field.who", value=d["traveller"]), t("trip.field.where", value=d["destination"]),
                 t("trip.field.when", value=when),
                 t("trip.field.companies", value="、".join(d.get("companies") or []) or t("common.none"))]
        if d.get("outcome"):
            lines.append(t("trip.field.outcome", value=d["outcome"]))
        if d.get("next_steps"):
            lines.append(t("trip.field.next", value=d["next_steps"]))
        return "\n".join(lines)

    def summary(self, data: dict[str, Any]) -> str:
        kept = [v for k, v in (("who", data.get("traveller")), ("where", data.get("destination"))) if v]
        return "；".join(kept) or t("flow.nothing_kept")


async def trip_lead_action(ctx: Ctx, arg: str) -> None:
    """A company met on a trip becomes a lead: the lead flow opens with its name filled in."""
    from handlers.flows.lead import LeadFlow

    trip_id, _, index = arg.partition(":")
    trip = await ctx.uow.trips.get(tid) if (tid := as_id(trip_id)) is not None else None
    at = as_index(index, len(trip.companies)) if trip is not None else None
    if trip is None or at is None:
        ctx.say(t("button.expired"))
        return
    # Asked like any lead, the contact included; an open or paused form is put aside (ctx.open).
    await LeadFlow().begin(ctx, trip.companies[at], stepwise=True)


FEATURE = Feature(
    commands=(Command("trip", ("外出", "外出招商", "出差"), flow="trip", order=20),),
    flows=(TripFlow(),),
    actions={"trip_lead": trip_lead_action},
)
