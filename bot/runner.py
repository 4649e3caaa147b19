"""`zsbot run`: the configured channel, the conversation core, the outbox sender and the clock jobs."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.bootstrap import build_conversations, open_database
from bot.config import Settings
from core.delivery import ChannelSender
from core.messages import Delivery
from reminders.outbox import Limits, OutboxSender
from storage.database import Database
from storage.leader import LeaderLock

log = logging.getLogger("zsbot.run")
SHUTDOWN_GRACE_SECONDS = 10.0


class StartError(Exception):
    """One line for the operator: why the bot cannot start."""


@dataclass
class Runtime:
    """What a running bot is made of; tests build one against fake servers and stop it."""

    settings: Settings
    db: Database
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    cleanups: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    sender: OutboxSender | None = None
    channel: Any = None
    calendar: Any = None  # reminders.scheduler.CalendarService when ZSBOT_CALENDAR is on

    async def shutdown(self) -> None:
        self.stop.set()
        # Let work in hand finish first: an update being handled has been recorded, so a reply
        # cut off now would never be sent (its redelivery has no second effect).
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=SHUTDOWN_GRACE_SECONDS)
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                await cleanup()
        await self.db.dispose()


def outbox_limits(settings: Settings) -> Limits:
    return Limits(per_second=settings.outbox_per_second, chat_interval=1.0 / settings.outbox_per_chat_per_second,
                  group_per_minute=settings.outbox_per_group_per_minute)


async def start(settings: Settings, *, db: Database | None = None) -> Runtime:
    """Build and start everything; raise StartError with one line when the bot cannot start."""
    db = db or open_database(settings)
    db.channels = (settings.channel,)
    await db.migrate()
    async with db.uow(readonly=True) as uow:
        if await uow.org.config() is None:
            raise StartError("尚未载入组织配置：先运行 zsbot init --demo 或 zsbot init --org FILE")
    rt = Runtime(settings, db)
    if settings.channel == "telegram":
        sender = await _start_telegram(rt)
    elif settings.channel == "console":
        sender = _ConsolePrinter()
    else:
        sender = await _start_wecom(rt)
    lock = LeaderLock(db.engine)
    rt.sender = OutboxSender(db.uow, {settings.channel: sender}, db.clock, outbox_limits(settings),
                             leading=lambda: lock.is_leader)
    rt.tasks.append(asyncio.create_task(rt.sender.run(rt.stop), name="outbox"))
    if settings.calendar:
        await _start_calendar(rt, lock)
    else:
        # No scheduler here: this process still sends its own queued replies (SQLite: the only one;
        # PostgreSQL: only if no other process leads).
        rt.tasks.append(asyncio.create_task(_every(settings.calendar_poll_seconds, rt.stop, _lead(lock)),
                                            name="outbox-leadership"))
        rt.cleanups.append(lock.release)
    rt.tasks.append(asyncio.create_task(_every(60, rt.stop, _expire_idle(rt)), name="expire-idle"))
    return rt


async def _start_calendar(rt: Runtime, lock: LeaderLock) -> None:
    from reminders.scheduler import CalendarService

    async def on_leadership(leading: bool) -> None:
        if leading and rt.sender is not None:
            rt.sender.notify()

    calendar = CalendarService(rt.db.uow, tz=rt.settings.tz, lock=lock,
                               poll_seconds=rt.settings.calendar_poll_seconds, on_leadership=on_leadership,
                               on_tick=rt.sender.notify if rt.sender is not None else None)
    await calendar.start()
    rt.calendar = calendar
    rt.cleanups.append(calendar.stop)


def _lead(lock: LeaderLock) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        await lock.acquire()

    return job


async def _start_telegram(rt: Runtime) -> ChannelSender:
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

    channel = Telegram(backend, conversations.handle, enqueue_reply=_enqueue_reply(rt))
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


async def _start_wecom(rt: Runtime) -> ChannelSender:
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

    channel = WeCom(client, crypto, build_conversations(s, rt.db).handle, robot_key=org_robot_keys(rt.db.uow),
                    enqueue_reply=_enqueue_reply(rt))
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


def _enqueue_reply(rt: Runtime) -> Callable[[str, Delivery], Awaitable[None]]:
    """A reply the channel could not send now (flood control) goes to the outbox, which paces it."""

    async def enqueue_reply(key: str, delivery: Delivery) -> None:
        async with rt.db.uow() as uow:
            await uow.outbox.enqueue(key, "reply", delivery)
            await uow.commit()
        if rt.sender is not None:
            rt.sender.notify()

    return enqueue_reply


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


def _expire_idle(rt: Runtime) -> Callable[[], Awaitable[None]]:
    conversations = build_conversations(rt.settings, rt.db)

    async def job() -> None:
        if await conversations.expire_idle() and rt.sender is not None:
            rt.sender.notify()

    return job


async def _every(seconds: float, stop: asyncio.Event, job: Callable[[], Awaitable[None]]) -> None:
    while not stop.is_set():
        try:
            await job()
        except Exception:
            log.exception("periodic job failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


async def serve(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM."""
    rt = await start(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, rt.stop.set)
    log.info("zsbot running: channel=%s", settings.channel)
    try:
        await rt.stop.wait()
    finally:
        await rt.shutdown()
