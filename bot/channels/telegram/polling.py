"""Long polling for either backend: getUpdates in a loop, a batch's senders at once, confirm when handled."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.channels.telegram.contract import Backend
from core.delivery import SendError
from core.errors import Unavailable

log = logging.getLogger("zsbot.telegram")
# Senders handled at once from one polling batch: enough that one person's slow reply (or, on
# PostgreSQL, slow query) does not hold up the next; few, because the loop is one CPU and more only
# added HTTP connection-pool work in the benchmark (docs/BENCHMARKS.md); below the database pool.
POLL_CONCURRENCY = 4


async def poll(backend: Backend, stop: asyncio.Event, *, timeout: int = 30) -> None:
    """getUpdates in a loop. An update is confirmed (by the next offset) only after it was
    handled and its id recorded, so a crash means redelivery, and redelivery has no effect;
    a batch the database could not keep (`Unavailable`) is fetched again after a backoff."""
    await backend.delete_webhook()
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        fetch = asyncio.ensure_future(backend.get_updates(offset, timeout))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({fetch, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                break  # updates fetched while stopping are not confirmed: Telegram sends them again
            updates = fetch.result()
            backoff = 1.0
        except SendError as exc:
            log.warning("getUpdates failed (%s); retrying in %.0fs", exc, backoff)
            await _sleep_or_stop(stop, backoff)
            backoff = min(backoff * 2, 60.0)
            continue
        finally:
            for pending in (fetch, stopper):
                pending.cancel()
            await asyncio.gather(fetch, stopper, return_exceptions=True)
        try:
            await dispatch_batch(backend, updates)
        except Unavailable as exc:
            # The database did not keep some of them: the offset stays, Telegram sends the batch
            # again (what was kept is recognised by its update id and has no second effect).
            log.warning("updates not kept (%s); fetching them again in %.0fs", exc, backoff)
            await _sleep_or_stop(stop, backoff)
            backoff = min(backoff * 2, 60.0)
            continue
        if updates:
            offset = max(offset or 0, max(update_id for update_id, _ in updates) + 1)


async def dispatch_batch(backend: Backend, updates: list[tuple[int, Any]]) -> None:
    """One getUpdates batch: each sender's updates in the order they came, different senders at
    once (at most POLL_CONCURRENCY), as webhooks and WeCom already do. While one person's reply
    or database write waits, the next person is served. The batch is confirmed only when all of
    it is handled; if a dispatch raised, the first error is raised after the rest finished."""
    by_sender: dict[str, list[Any]] = {}
    for _, update in updates:
        by_sender.setdefault(backend.sender_of(update), []).append(update)
    gate = asyncio.Semaphore(POLL_CONCURRENCY)

    async def in_order(queue: list[Any]) -> None:
        async with gate:
            for update in queue:
                await backend.dispatch(update)

    results = await asyncio.gather(*(in_order(queue) for queue in by_sender.values()), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
