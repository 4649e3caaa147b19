"""The console channel: the real core in a terminal, one user message per line, buttons as numbers."""
from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from core.messages import Button, EditText, Inbound, SendFile, SendPhoto, SendText

CHANNEL = "console"
Handler = Callable[[Inbound], Awaitable[list[SendText | EditText | SendPhoto | SendFile]]]


class ConsoleRenderer:
    """Prints what the bot sends; remembers the last buttons so a typed number presses one."""

    def __init__(self, out: TextIO, files_dir: Path) -> None:
        self.out = out
        self.files_dir = files_dir
        self.buttons: list[Button] = []

    def render(self, actions: Iterable[SendText | EditText | SendPhoto | SendFile], *, prefix: str = "助手") -> None:
        # Numbers mean the buttons of this answer only: a question without buttons ("2" as an amount)
        # must not press an older one. The core still understands a typed number for an open question.
        self.buttons = []
        for action in actions:
            if isinstance(action, SendText):
                self._print(f"{prefix}：{action.text}")
                flat = [b for row in action.buttons for b in row]
                if flat:
                    self.buttons = flat
                    self._print("  " + "  ".join(f"[{i}] {b.label}" for i, b in enumerate(flat, 1)))
            elif isinstance(action, EditText):
                last = action.text.splitlines()[-1] if action.text else ""
                self._print(f"  （{last.lstrip('→ ').strip()}）")
            else:
                path = self._save(action.filename, action.data)
                caption = f" {action.caption}" if action.caption else ""
                self._print(f"{prefix}：[{'图片' if isinstance(action, SendPhoto) else '文件'}] {path}{caption}")

    def press(self, text: str) -> str | None:
        """The payload of a button chosen by its number or exact label, if the text names one."""
        word = text.strip()
        if word.isdigit() and 1 <= int(word) <= len(self.buttons):
            return self.buttons[int(word) - 1].payload
        return next((b.payload for b in self.buttons if b.label == word), None)

    def _save(self, filename: str, data: bytes) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / filename
        path.write_bytes(data)
        return path

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


async def chat_loop(handle: Handler, *, sender_id: str, sender_name: str, lines: Iterable[str],
                    renderer: ConsoleRenderer, now: Callable[[], datetime], echo: bool,
                    after_each: Callable[[], Awaitable[None]] | None = None) -> None:
    """Feed each line to the core as `sender_id`; press a button when the line names one."""
    counter = int(now().timestamp() * 1000)
    for raw in lines:
        text = raw.rstrip("\n")
        if not text.strip():
            continue
        if echo:
            print(f"你：{text}", file=renderer.out, flush=True)
        payload = renderer.press(text)
        counter += 1
        inbound = Inbound(channel=CHANNEL, chat_id=sender_id, sender_id=sender_id, sender_name=sender_name,
                          text=None if payload else text, payload=payload, message_id=str(counter),
                          at=now().astimezone(timezone.utc), update_id=f"{sender_id}:{counter}")
        renderer.render(await handle(inbound))
        if after_each is not None:
            await after_each()


def input_lines(prompt: str) -> Iterable[str]:
    """Interactive lines with a prompt on a terminal; plain lines when piped (ends at end of input)."""
    if not sys.stdin.isatty():
        yield from sys.stdin
        return
    while True:
        try:
            yield input(prompt)
        except EOFError:
            return
