"""The base of the ledger's payload types (core/events/): one dataclass, one stored dict.

A payload serialises (`to_dict`) to exactly the dict the ledger has always stored — same keys,
None kept — because the canonical JSON of that dict is what the hash chain covers. `from_dict`
reads a stored payload back; keys an older writer left out take the field's default.
"""
from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar, Self


def _plain(value: Any) -> Any:
    if isinstance(value, Payload):
        return value.to_dict()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Payload:
    """Base of the payload types. A field's `key` metadata names its key when that is no identifier."""

    TYPE: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        """A field marked `omit_none` is left out while None, so events written before it existed keep their
        exact shape (and a writer that never sets it writes what it always wrote)."""
        return {f.metadata.get("key", f.name): _plain(getattr(self, f.name)) for f in fields(self)
                if not (f.metadata.get("omit_none") and getattr(self, f.name) is None)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Self:
        values: dict[str, Any] = {}
        for f in fields(cls):
            key = f.metadata.get("key", f.name)
            if key in raw:
                value = raw[key]
                values[f.name] = tuple(value) if isinstance(value, list) else value
            elif f.default is MISSING and f.default_factory is MISSING:
                raise KeyError(f"{cls.TYPE}: {key}")
        return cls(**values)
