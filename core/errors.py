"""Refusals: a domain rule said no. The code and parameters are rendered by the text catalog."""
from __future__ import annotations

from typing import Any


class Refusal(Exception):
    """A use case declined a command; nothing was written."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:
        return f"Refusal({self.code!r}, {self.params!r})"


class Unavailable(Exception):
    """The store failed for a reason that passes (a lost connection, a serialization failure, a
    deadlock) and retries did not get through: nothing was kept, so the update must not be
    acknowledged — the channel redelivers it. Not a bug, and not answered with the internal error."""
