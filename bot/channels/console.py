"""The console channel: the real core in a terminal, one user message per line, buttons as numbers."""
from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from core.evidence import FilePolicy, mime_of
from core.messages import Attachment, Button, EditText, Inbound, SendFile, SendPhoto, SendText

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


def file_attachment(line: str, policy: FilePolicy) -> tuple[Attachment, str | None] | None:
    """`/file PATH [附件 #12]`: the file at PATH as a channel hands one over (read here, before the core, up to the
    size limit), and the rest of the line as its caption; None when the line is not a /file command."""
    command, _, rest = line.strip().partition(" ")
    if command not in ("/file", "/文件") or not rest.strip():
        return None
    path_text, _, caption = rest.strip().partition(" 附件")
    path = Path(path_text.strip()).expanduser()
    name = path.name
    mime = mime_of(name)
    try:
        size = path.stat().st_size
    except OSError:
        return Attachment(name=name, mime_type=mime, problem="unavailable"), None
    if size > policy.max_bytes:
        return Attachment(name=name, mime_type=mime, size=size, problem="too_large"), None
    try:
        data = path.read_bytes()
    except OSError:
        return Attachment(name=name, mime_type=mime, size=size, problem="unavailable"), None
    return Attachment(name=name, mime_type=mime, size=len(data), data=data), ("附件" + caption if caption else None)


async def chat_loop(handle: Handler, *, sender_id: str, sender_name: str, lines: Iterable[str],
                    renderer: ConsoleRenderer, now: Callable[[], datetime], echo: bool,
                    after_each: Callable[[], Awaitable[None]] | None = None, files: FilePolicy | None = None,
                    replied: Callable[[Inbound], Awaitable[None]] | None = None) -> None:
    """Feed each line to the core as `sender_id`; press a button when the line names one; `/file PATH` sends
    the file at PATH (a photo or document, as a phone would)."""
    counter = int(now().timestamp() * 1000)
    for raw in lines:
        text = raw.rstrip("\n")
        if not text.strip():
            continue
        if echo:
            print(f"你：{text}", file=renderer.out, flush=True)
        payload = renderer.press(text)
        counter += 1
        sent = file_attachment(text, files or FilePolicy()) if payload is None else None
        attachment, caption = sent if sent is not None else (None, None)
        inbound = Inbound(channel=CHANNEL, chat_id=sender_id, sender_id=sender_id, sender_name=sender_name,
                          text=caption if sent is not None else None if payload else text, payload=payload,
                          message_id=str(counter), at=now().astimezone(timezone.utc),
                          update_id=f"{sender_id}:{counter}", attachment=attachment)
        replies = await handle(inbound)
        renderer.render(replies)
        if replies and replied is not None:
            await replied(inbound)  # printed: not sent again by a later pick-up (handlers/stored_replies.py)
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
