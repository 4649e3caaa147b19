"""What a WeCom text looks like: choices as a numbered list (when no card carries them), texts cut to
WeCom's byte limits."""
from __future__ import annotations

from core.messages import SendText, buttons_in
from texts import t


def app_text(action: SendText) -> str:
    """The text with its buttons as "1. 确认" lines: the person replies with the number or the label,
    which the core accepts for the choices it last offered."""
    buttons = buttons_in(action)
    if not buttons:
        return action.text
    lines = [t("wecom.choice", number=i, label=b.label) for i, b in enumerate(buttons, 1)]
    return "\n".join([action.text, "", t("wecom.choose"), *lines])


def choices_text(action: SendText) -> str:
    """Only the numbered choices, for a prompt whose text was sent already."""
    lines = [t("wecom.choice", number=i, label=b.label) for i, b in enumerate(buttons_in(action), 1)]
    return "\n".join([t("wecom.choose"), *lines])


def robot_text(action: SendText) -> str:
    """A group robot cannot receive answers, so its buttons are left out."""
    return action.text


def split_bytes(text: str, limit: int) -> list[str]:
    """Cut at line breaks so each part is at most `limit` UTF-8 bytes (inside a line only when it
    alone is longer); never inside a character."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _cut_line(line, limit):
            candidate = f"{current}\n{piece}" if current else piece
            if current and _size(candidate) > limit:
                parts.append(current)
                current = piece
            else:
                current = candidate
    if current.strip():
        parts.append(current)
    return parts


def _cut_line(line: str, limit: int) -> list[str]:
    if _size(line) <= limit:
        return [line]
    pieces: list[str] = []
    piece, size = "", 0
    for char in line:
        width = _size(char)
        if size + width > limit:
            pieces.append(piece)
            piece, size = "", 0
        piece += char
        size += width
    return pieces + [piece]


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
