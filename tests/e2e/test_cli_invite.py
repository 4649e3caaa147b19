"""`zsbot invite create`: codes fit a Telegram /start payload, are single-use and expire."""
from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from core.clock import FixedClock, SystemClock
from core.messages import Inbound
from handlers.router import Conversations
from reminders.calendar import workdays
from storage.database import Database
from tests.e2e.cli_runner import Cli, cli  # noqa: F401  (cli is a fixture)
from tests.helpers import MINI_ORG

CODE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")  # 22 base64url characters carry 132 bits


async def start(db_url: str, clock: FixedClock, code: str, who: str) -> str:
    """What a Telegram user who sends `/start CODE` at the clock's time reads back."""
    db = Database(db_url, clock)
    try:
        conversations = Conversations(db.uow, tz=ZoneInfo("Asia/Shanghai"), workdays=workdays)
        out = await conversations.handle(Inbound(channel="telegram", chat_id=who, sender_id=who, sender_name=who,
                                                 text=f"/start {code}", at=clock.now()))
    finally:
        await db.dispose()
    return "\n".join(o.text for o in out)


async def test_invite_codes_are_random_single_use_and_name_unknown_units(cli: Cli) -> None:
    cli("init", "--org", str(MINI_ORG)).ok()
    first, second, unknown = cli.many(("invite", "create", "--unit", "east", "--role", "unit_head"),
                                      ("invite", "create", "--unit", "东区", "--role", "unit_head"),
                                      ("invite", "create", "--unit", "atlantis", "--role", "unit_head"))
    codes = [first.ok().out.strip(), second.ok().out.strip()]
    for code in codes:
        assert CODE.match(code), code
    assert codes[0] != codes[1]
    line = unknown.one_line_error()
    assert "atlantis" in line and "zsbot org show" in line
    count, _ = cli.verified()
    assert count == 1 + 2  # the org, two invites; the refused one wrote nothing

    joined = cli("chat", "--as", "新主任", input=f"/start {codes[0]}\n").ok().out
    assert "绑定成功" in joined and "东区" in joined and "单位负责人" in joined
    again = cli("chat", "--as", "冒名者", input=f"/start {codes[0]}\n").ok().out
    assert "已经被使用过" in again and "绑定成功" not in again
    back = cli("chat", "--as", "新主任", input="/start whatever\n").ok().out  # the operator, as that member
    assert "已经绑定过单位" in back
    show = cli("org", "show").ok().out
    assert re.search(r"- 东区 \[east\].*\n\s+· #\d+ 新主任（单位负责人；console）", show), show
    assert "冒名者" not in show


async def test_an_expired_invite_is_refused(db_url: str, cli: Cli) -> None:
    cli("init", "--org", str(MINI_ORG)).ok()
    made = SystemClock().now()
    short, week = (r.ok().out.strip() for r in cli.many(("invite", "create", "--unit", "west", "--days", "1"),
                                                         ("invite", "create", "--unit", "west")))
    late = FixedClock(made + timedelta(days=1, minutes=5))
    reply = await start(db_url, late, short, "9001")
    assert "已过期" in reply and "绑定成功" not in reply
    in_time = FixedClock(made + timedelta(days=6, hours=23))
    reply = await start(db_url, in_time, week, "9002")
    assert "绑定成功" in reply and "西区" in reply and "成员" in reply
    count, _ = cli.verified()
    assert count == 1 + 2 + 3  # org, two invites, then one redemption: member, invite used, identity
