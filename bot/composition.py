"""The composition root: the one place that sees every piece and wires them together — the database, the
organisation file, the conversation core, and the channel the service runs."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.errors import StartError
from core.clock import Clock, SystemClock
from core.delivery import ChannelSender
from core.messages import Delivery
from core.org import OrgConfig
from core.org_file import load_org
from core.usecases.org import BindIdentity, ConfigureOrg, configure_org, seed_members
from storage.database import Database
from storage.transient import is_transient

if TYPE_CHECKING:
    from web.config import WebConfig
    from bot.service import Runtime
    from handlers.router import Conversations

log = logging.getLogger("zsbot.run")


def read_org_file(path: Path) -> OrgConfig:
    """Read and check an organisation file (ConfigError names the key and line)."""
    from core.org_file import ConfigError

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(str(path), "(文件编码)", "不是 UTF-8 编码：请用 UTF-8 另存该文件", line) from None
    return load_org(text, source=str(path))


def open_database(settings: Settings, clock: Clock | None = None) -> Database:
    from sqlalchemy.engine import make_url

    from storage.engine import DatabaseUrlError, is_sqlite

    url = settings.database_url
    if is_sqlite(url):
        # SQLite only says "unable to open database file"; name the directory the operator must fix.
        path = make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).parent.is_dir():
            raise DatabaseUrlError(f"ZSBOT_DATABASE_URL: SQLite 数据库所在目录不存在：{Path(path).parent}")
    return Database(url, clock or SystemClock())


@dataclass(frozen=True)
class InitResult:
    configured: bool
    members_added: int


async def initialise(db: Database, org: OrgConfig | None, *, demo_members: bool) -> InitResult:
    """Migrate the schema, then record the organisation (and demo members) if they changed."""
    await db.migrate()
    if org is None:
        return InitResult(False, 0)
    async with db.uow() as uow:
        configured = await configure_org(uow, ConfigureOrg(org))
        added = await seed_members(uow, org) if demo_members else 0
        await uow.commit()
    return InitResult(configured, added)


def build_conversations(settings: Settings, db: Database, *, bot_username: str | None = None) -> "Conversations":
    """The conversation core over this database, in the configured language and time zone."""
    from datetime import timedelta

    from handlers.flows.web import use_web_url
    from handlers.router import Conversations
    from reminders.calendar import workdays
    from reports.fonts import use_font
    from texts import use_locale

    use_locale(settings.locale)
    use_web_url(settings.web_base_url())  # the console's login links (/web)
    use_font(settings.chart_font)  # the ranking chart in /rank and the ranking-day pushes
    # Its units of work are retried on a lost connection, so they skip the pool's pre-ping.
    return Conversations(db.retried_uow, tz=settings.tz, workdays=workdays, timeout=timedelta(minutes=settings.conversation_timeout_minutes),
                         bot_username=bot_username, transient=is_transient,
                         files=settings.file_policy(), reply_lease=timedelta(seconds=settings.reply_lease_seconds),
                         reply_window=timedelta(minutes=settings.reply_window_minutes))


async def console_identity(db: Database, ref: str) -> tuple[str, str]:
    """(sender id, display name) for `zsbot chat --as REF`: a member by name or id is bound to the
    console on the spot (the operator already holds the database); any other name is a stranger
    who must /start with an invite like everyone else."""
    from bot.views import find_member
    from core.usecases.org import bind_identity

    async with db.uow() as uow:
        member = find_member(await uow.org.members(), ref)
        if member is None:
            return f"guest:{ref}", ref
        external = f"member:{member.id}"
        if await uow.org.identity("console", external) is None:
            await bind_identity(uow, member, BindIdentity(channel="console", external_id=external, chat_id=external))
            await uow.commit()
        return external, member.name


async def start_channel(rt: "Runtime") -> ChannelSender:
    """The configured channel, started and registered on the runtime; it is also what the outbox sends through."""
    if rt.settings.channel == "telegram":
        return await _start_telegram(rt)
    if rt.settings.channel == "console":
        return _ConsolePrinter()
    return await _start_wecom(rt)


async def _start_telegram(rt: "Runtime") -> ChannelSender:
    from bot.channels.telegram.channel import Telegram, make_backend
    from bot.channels.telegram.contract import TelegramStartError
    from handlers.commands import menu

    s = rt.settings
    if s.telegram_token is None or not s.telegram_token.get_secret_value().strip():
        raise StartError("缺少 ZSBOT_TELEGRAM_TOKEN：在 BotFather 创建机器人后把令牌写入环境变量或 .env")
    holder: dict[str, Telegram] = {}

    async def on_incoming(incoming: Any) -> None:
        await holder["channel"].on_incoming(incoming)

    backend = make_backend(s.telegram_framework, s.telegram_token.get_secret_value(), s.telegram_api_url,
                           on_incoming, timeout=s.telegram_timeout_seconds)
    try:
        await backend.open()
    except TelegramStartError as exc:
        raise StartError(str(exc)) from None
    rt.cleanups.append(backend.close)
    conversations = build_conversations(s, rt.db, bot_username=backend.username)
    rt.cleanups.insert(0, conversations.close)  # the last cleanup: after the channel has sent its replies

    channel = Telegram(backend, conversations.handle, enqueue_reply=_enqueue_reply(rt), files=s.file_policy(),
                       wants_file=conversations.wants_file, replied=conversations.replied)
    holder["channel"] = channel
    rt.channel = channel
    await backend.set_commands(menu())
    if s.webhook_url:
        if s.webhook_secret is None:
            raise StartError("使用 webhook 时必须设置 ZSBOT_WEBHOOK_SECRET（Telegram 会在每个请求里带上它）")
        secret = s.webhook_secret.get_secret_value()
        host, _, port = s.webhook_listen.rpartition(":")
        from aiohttp import web

        runner = web.AppRunner(channel.webhook_app(secret, path=_path_of(s.webhook_url)))
        await runner.setup()
        await web.TCPSite(runner, host, int(port)).start()
        rt.cleanups.append(runner.cleanup)
        await backend.set_webhook(s.webhook_url, secret)
        log.info("webhook listening on %s for %s", s.webhook_listen, s.webhook_url)
    else:
        rt.tasks.append(asyncio.create_task(channel.poll(rt.stop), name="telegram-polling"))
    return channel


async def _start_wecom(rt: "Runtime") -> ChannelSender:
    from bot.channels.wecom.client import WeComClient
    from bot.channels.wecom.contract import WeComApiError, WeComCryptoError, WeComNetworkError
    from bot.channels.wecom.crypto import WeComCrypto
    from bot.channels.wecom.endpoint import CALLBACK_PATH, WeCom, org_robot_keys

    s = rt.settings

    def plain(value: Any) -> str:
        raw = value.get_secret_value() if hasattr(value, "get_secret_value") else value
        return str(raw or "").strip()

    for name, value, where in (("ZSBOT_WECOM_CORP_ID", s.wecom_corp_id, "管理后台“我的企业”页底部的企业ID"),
                               ("ZSBOT_WECOM_AGENT_ID", s.wecom_agent_id, "自建应用详情页的 AgentId"),
                               ("ZSBOT_WECOM_SECRET", s.wecom_secret, "自建应用详情页的 Secret"),
                               ("ZSBOT_WECOM_TOKEN", s.wecom_token, "应用“接收消息”设置里的 Token"),
                               ("ZSBOT_WECOM_AES_KEY", s.wecom_aes_key, "应用“接收消息”设置里的 EncodingAESKey")):
        if not plain(value):
            raise StartError(f"缺少 {name}：填写{where}")
    corp_id = plain(s.wecom_corp_id)
    try:
        crypto = WeComCrypto(plain(s.wecom_token), plain(s.wecom_aes_key), corp_id)
    except WeComCryptoError:
        raise StartError("ZSBOT_WECOM_AES_KEY 应为“接收消息”设置里随机生成的 43 位 EncodingAESKey") from None
    try:
        client = WeComClient(s.wecom_api_url, corp_id, plain(s.wecom_secret), int(s.wecom_agent_id or 0))
    except ValueError:
        raise StartError(f"ZSBOT_WECOM_API_URL 应以 https:// 或 http:// 开头，而不是 {s.wecom_api_url!r}") from None
    try:
        await client.ensure_token()  # a wrong corp id, secret or host stops here, with one line
    except (WeComApiError, WeComNetworkError) as exc:
        await client.close()
        if isinstance(exc, WeComApiError):
            raise StartError(f"企业微信拒绝了 ZSBOT_WECOM_CORP_ID / ZSBOT_WECOM_SECRET（errcode {exc.errcode}）") from None
        raise StartError(f"无法连接企业微信接口 {s.wecom_api_url}：核对 ZSBOT_WECOM_API_URL 和网络") from None
    rt.cleanups.append(client.close)

    conversations = build_conversations(s, rt.db)
    rt.cleanups.insert(0, conversations.close)  # the last cleanup: after the channel has sent its replies
    channel = WeCom(client, crypto, conversations.handle, robot_key=org_robot_keys(rt.db.uow),
                    enqueue_reply=_enqueue_reply(rt), cards=s.wecom_cards, files=s.file_policy(),
                    wants_file=conversations.wants_file, replied=conversations.replied)
    rt.channel = channel
    rt.cleanups.append(channel.close)
    host, _, port = s.wecom_listen.rpartition(":")
    try:
        rt.cleanups.append(await channel.listen(host, int(port)))
    except OSError as exc:
        await client.close()
        raise StartError(f"ZSBOT_WECOM_LISTEN {s.wecom_listen} 无法监听：{exc.strerror or exc}") from None
    log.info("WeCom callback listening on %s%s", s.wecom_listen, CALLBACK_PATH)
    return channel


def _enqueue_reply(rt: "Runtime") -> Callable[[str, Delivery], Awaitable[None]]:
    """A reply the channel could not send now (flood control) goes to the outbox, which paces it."""

    async def enqueue_reply(key: str, delivery: Delivery) -> None:
        async with rt.db.uow() as uow:
            await uow.outbox.enqueue(key, "reply", delivery)
            await uow.commit()
        if rt.sender is not None:
            rt.sender.notify()

    return enqueue_reply


def web_config(settings: Settings, base_url: str | None = None, db: "Database | None" = None) -> "WebConfig":
    """The console's settings: the cookie key (without ZSBOT_WEB_SECRET a random one per start, so sessions
    end at restart), chinesecalendar for the half-monthly deadlines, 企业微信网页授权 when the WeCom
    application is configured (ZSBOT_WECOM_CORP_ID, _AGENT_ID, _SECRET), and the 台账 upload over `db`."""
    import secrets
    from datetime import timedelta

    from reminders.calendar import published
    from web.config import WebConfig, WecomLogin

    key = settings.web_secret.get_secret_value() if settings.web_secret else secrets.token_urlsafe(32)
    wecom = None
    if settings.wecom_corp_id and settings.wecom_agent_id and settings.wecom_secret:
        from bot.channels.wecom.client import WeComClient

        client = WeComClient(settings.wecom_api_url, settings.wecom_corp_id, settings.wecom_secret.get_secret_value(),
                             settings.wecom_agent_id)
        wecom = WecomLogin(settings.wecom_corp_id, settings.wecom_agent_id, client.user_of_code,
                           authorize_url=settings.wecom_oauth_url)
    importer = None
    if db is not None:
        from bot.importer.upload import upload_importer

        importer = upload_importer(db, settings.tz)
    return WebConfig(base_url or settings.web_base_url(), key.encode("utf-8"), settings.tz,
                     timedelta(minutes=settings.web_idle_minutes), settings.locale, published, wecom, importer)


def _path_of(url: str) -> str:
    from urllib.parse import urlparse

    return urlparse(url).path or "/telegram"


class _ConsolePrinter:
    """`ZSBOT_CHANNEL=console zsbot run`: pushes are printed (use `zsbot chat` to talk)."""

    channel = "console"

    def is_group(self, chat_id: str) -> bool:
        return False

    async def deliver(self, chat_id: str, action: Any) -> None:
        text = getattr(action, "text", None) or getattr(action, "caption", "") or action.kind
        print(f"[推送 → {chat_id}] {text}", flush=True)
