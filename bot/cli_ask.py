"""`zsbot ask "问题" [--as 成员] [--why]`: a question in plain Chinese, the chat's parser and answer."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

import click

from bot.cli import Fail, run, settings

if TYPE_CHECKING:
    from storage.database import Database


def register(cli: click.Group) -> None:
    cli.add_command(ask_command)


@click.command("ask")
@click.argument("question", metavar="问题")
@click.option("--as", "who", metavar="成员", help="以哪位成员的身份提问（姓名或编号），按其权限回答；默认大招商办（看全部）。")
@click.option("--why", is_flag=True, help="同时列出“怎么算的”：构成这个数字的账本事件。")
def ask_command(question: str, who: str | None, why: bool) -> None:
    """用中文提问账本里的数字，如“本月驻深圳办事处到位资金多少？”“今年区县签约额前三是谁？”。"""
    tz = settings().tz

    async def go(db: "Database") -> str:
        from bot.views import find_member
        from core.roles import reads_everything
        from handlers.questions.reply import Viewer
        from handlers.questions.answer_lists import answer_projects, decode_projects
        from handlers.questions.ask import ask
        from handlers.questions.explain import explain_answer, explain_city
        from texts import t, use_locale

        use_locale(settings().locale)
        today = datetime.now(timezone.utc).astimezone(tz).date()
        async with db.uow(readonly=True) as uow:
            cfg = await uow.org.config()
            if cfg is None:
                raise Fail(t("org_config.missing"))
            viewer = Viewer(unit=cfg.office_unit().code, name=None, reads_all=True)
            if who is not None:
                member = find_member(await uow.org.members(), who)
                if member is None:
                    raise Fail(f"没有成员 {who!r}（姓名须唯一，或写成员编号）：用 zsbot org show 查看")
                viewer = Viewer(unit=member.unit, name=member.name, reads_all=reads_everything(member.role))
            reply = await ask(uow, cfg, question, viewer, tz, today)
            out = [reply.text]
            for label, payload in reply.buttons:
                out.append(f"[{label}]")
            if why and reply.buttons:
                payload = reply.buttons[0][1]
                action, _, arg = payload.removeprefix("s:").partition(":")
                if action == "why":
                    out.append((await explain_answer(uow, arg, viewer, tz, today)).text)
                elif action == "whycity":
                    out.append((await explain_city(uow, arg, tz, today)).text)
                elif action == "askp" and (decoded := decode_projects(cfg, arg)) is not None:
                    out.append((await answer_projects(uow, cfg, *decoded)).text)
        return "\n".join(out)

    click.echo(run(go))
