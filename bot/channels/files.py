"""What every channel does with a received photo or file before the core runs: ask the core whether it
would keep it, so nothing is downloaded for a stranger or for no project."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.messages import Inbound

log = logging.getLogger("zsbot.files")

WantsFile = Callable[[Inbound], Awaitable[bool]]


async def wanted(wants_file: WantsFile | None, inbound: Inbound) -> bool:
    """The core's answer (Conversations.wants_file); when it cannot say (the database is down), fetch anyway:
    the core then decides, or the update is not acknowledged and comes again."""
    if wants_file is None:
        return True
    try:
        return await wants_file(inbound)
    except Exception:  # noqa: BLE001 - any failure to look means: let the core decide with the bytes
        log.warning("could not ask whether update %s's file is wanted; downloading it", inbound.update_id)
        return True
