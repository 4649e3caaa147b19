"""Sliding-window flood limits modelled on Telegram's documented bot limits.

Telegram documents (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):

* no more than ~30 messages per second overall (bulk notifications),
* no more than one message per second in a particular chat,
* no more than 20 messages per minute in a group chat.

:class:`RateLimiter` enforces configurable versions of these with sliding windows on a
monotonic clock.  A send that would exceed a limit is *not* counted and yields the number
of seconds after which it would be allowed (always an integer >= 1, as Telegram's
``retry_after`` is), which the fake turns into a 429 answer.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

__all__ = ["RateLimiter", "SlidingWindow", "Violation"]


class SlidingWindow:
    """At most ``limit`` events in any ``window`` seconds."""

    __slots__ = ("limit", "window", "_events")

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._events: deque[float] = deque()

    def _prune(self, now: float) -> None:
        events = self._events
        while events and events[0] <= now - self.window:
            events.popleft()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits (0.0 if it fits now)."""
        self._prune(now)
        if len(self._events) < self.limit:
            return 0.0
        # the event that must leave the window before a new one fits
        oldest_blocking = self._events[len(self._events) - self.limit]
        return max(0.0, oldest_blocking + self.window - now)

    def add(self, now: float) -> None:
        self._events.append(now)

    def __len__(self) -> int:
        return len(self._events)


@dataclass(frozen=True)
class Violation:
    """One refused send: which limit, for which chat, and the retry_after given."""

    limit: str  # "global" | "per_chat" | "group_per_minute"
    chat_id: Hashable
    retry_after: int
    time: float


@dataclass
class RateLimiter:
    """Telegram-like flood control.

    ``per_second`` is the overall limit, ``per_chat_per_second`` applies to every chat and
    ``group_per_minute`` additionally to group/supergroup chats.  Any of them may be set
    to ``None`` to disable it.  ``clock`` defaults to :func:`time.monotonic`.
    """

    per_second: int | None = 30
    per_chat_per_second: int | None = 1
    group_per_minute: int | None = 20
    clock: Callable[[], float] = time.monotonic
    violations_log: list[Violation] = field(default_factory=list)
    _global: SlidingWindow | None = field(init=False, default=None, repr=False)
    _per_chat: dict[Hashable, SlidingWindow] = field(init=False, default_factory=dict, repr=False)
    _per_group: dict[Hashable, SlidingWindow] = field(
        init=False, default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        if self.per_second:
            self._global = SlidingWindow(self.per_second, 1.0)

    @property
    def violations(self) -> int:
        """How many sends were refused."""
        return len(self.violations_log)

    def reset(self) -> None:
        """Forget all counted sends and violations."""
        if self.per_second:
            self._global = SlidingWindow(self.per_second, 1.0)
        self._per_chat.clear()
        self._per_group.clear()
        self.violations_log.clear()

    def _windows(self, chat_id: Hashable, is_group: bool) -> list[tuple[str, SlidingWindow]]:
        windows: list[tuple[str, SlidingWindow]] = []
        if self._global is not None:
            windows.append(("global", self._global))
        if self.per_chat_per_second:
            win = self._per_chat.get(chat_id)
            if win is None:
                win = self._per_chat[chat_id] = SlidingWindow(self.per_chat_per_second, 1.0)
            windows.append(("per_chat", win))
        if is_group and self.group_per_minute:
            win = self._per_group.get(chat_id)
            if win is None:
                win = self._per_group[chat_id] = SlidingWindow(self.group_per_minute, 60.0)
            windows.append(("group_per_minute", win))
        return windows

    def check(self, chat_id: Hashable, *, is_group: bool = False) -> int | None:
        """Count one send to ``chat_id``.

        Returns ``None`` if it is allowed (and records it), or the ``retry_after`` in whole
        seconds (>= 1) if it is refused (then nothing is recorded but the violation).
        """
        now = self.clock()
        windows = self._windows(chat_id, is_group)
        worst_name, worst_wait = "", 0.0
        for name, win in windows:
            wait = win.wait_time(now)
            if wait > worst_wait:
                worst_name, worst_wait = name, wait
        if worst_wait > 0:
            retry_after = max(1, math.ceil(worst_wait))
            self.violations_log.append(Violation(worst_name, chat_id, retry_after, now))
            return retry_after
        for _, win in windows:
            win.add(now)
        return None
