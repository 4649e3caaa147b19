"""Evidence (凭证) rules that need no storage: which files are kept, who reads a project's files, and who
verifies a unit's reported funds (核查).

A channel asks `FilePolicy.problem` before it downloads (so a 30 MB video is never fetched) and the core asks
again before it stores (so a console path or a forged Inbound is held to the same limits).
"""
from __future__ import annotations

import fnmatch
import mimetypes
from dataclasses import dataclass, field
from typing import Final, Literal

from core.org import OrgConfig
from core.records import Member, Project
from core.roles import Role, reads_everything

# Telegram bots download at most 20 MB (getFile); WeCom's media/get serves files up to 20 MB too.
MAX_BYTES: Final = 20 * 1024 * 1024
NAME_MAX: Final = 120

# Images, PDF, Office and WPS documents, and OFD (China's e-invoice and e-document format).
DEFAULT_TYPES: Final = (
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/bmp", "image/tiff",
    "application/pdf", "application/ofd",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.*", "application/wps-office.*",
)
# What a bare extension means when the channel names no type (the console, WeCom's files).
_EXTRA_TYPES: Final = {".ofd": "application/ofd", ".heic": "image/heic", ".heif": "image/heif",
                       ".wps": "application/wps-office.wps", ".et": "application/wps-office.et",
                       ".dps": "application/wps-office.dps", ".webp": "image/webp"}

Problem = Literal["empty", "too_large", "type"]


def mime_of(name: str, declared: str | None = None) -> str:
    """The file's MIME type: what the channel declared when it says something specific, else by its name."""
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and declared not in ("application/octet-stream", "binary/octet-stream"):
        return declared
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    return _EXTRA_TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"


def clean_name(name: str, mime: str) -> str:
    """A file name safe to show and send back: no path, no control characters, at most NAME_MAX characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable()).strip() or "file"
    if "." not in base:
        base += mimetypes.guess_extension(mime) or ""
    if len(base) > NAME_MAX:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) < 10 else base[:NAME_MAX]
    return base


@dataclass(frozen=True)
class FilePolicy:
    """The size limit and the allow-list of MIME types (patterns: `application/vnd.openxmlformats-officedocument.*`)."""

    max_bytes: int = MAX_BYTES
    allowed: tuple[str, ...] = field(default=DEFAULT_TYPES)

    def allows(self, mime: str) -> bool:
        return any(fnmatch.fnmatchcase(mime.lower(), pattern.lower()) for pattern in self.allowed)

    def problem(self, mime: str, size: int | None) -> Problem | None:
        """Why a file is refused (size None: not known yet, before the download)."""
        if size is not None and size <= 0:
            return "empty"
        if size is not None and size > self.max_bytes:
            return "too_large"
        if not self.allows(mime):
            return "type"
        return None


def can_read_evidence(actor: Member, project: Project, *, verifies: bool = False) -> bool:
    """A project's files are read by its owner and responsible units, leaders, the office, and the member who
    verifies its funds (`verifies`); never by another unit."""
    return (actor.active and (reads_everything(actor.role) or actor.unit in (project.owner_unit, project.responsible_unit)
                              or verifies))


# -- 核查: who verifies whose reported funds ----------------------------------------------------------------

@dataclass(frozen=True)
class Verifier:
    """Who decides a unit's reports: the office's admins, or the unit heads of `unit` (its parent)."""

    office: bool
    unit: str | None = None


def verifier_of(cfg: OrgConfig, unit: str, heads: dict[str, list[int]]) -> Verifier:
    """The configured verifier of `unit`'s reports; `parent_head` falls back to the office when the parent
    unit has no active unit head (`heads`: unit → its unit heads' member ids), so no report waits for nobody."""
    if not cfg.has_unit(unit):
        return Verifier(office=True)
    u = cfg.unit(unit)
    if cfg.verification.rule_for(u.kind) == "parent_head" and u.parent and heads.get(u.parent):
        return Verifier(office=False, unit=u.parent)
    return Verifier(office=True)


def may_verify(actor: Member, verifier: Verifier, *, report_unit: str, reporter: int | None, office_unit: str) -> bool:
    """Nobody decides a report they made, nor one of their own unit (the office's own reports, rare, are
    decided by another of its admins)."""
    if not actor.active or actor.id == reporter:
        return False
    if verifier.office:
        if actor.role is not Role.OFFICE_ADMIN:
            return False
        return actor.unit != report_unit or report_unit == office_unit
    return actor.role is Role.UNIT_HEAD and actor.unit == verifier.unit and actor.unit != report_unit
