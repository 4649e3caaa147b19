"""Alembic, driven from code on an existing connection (so one URL, one driver, both engines)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(connection: Connection, revision: str = "head") -> None:
    command.upgrade(alembic_config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    command.downgrade(alembic_config(connection), revision)


def current_heads(connection: Connection) -> set[str]:
    from alembic.migration import MigrationContext

    return set(MigrationContext.configure(connection).get_current_heads())


def code_heads() -> set[str]:
    """The head revisions this code's migrations lead to (its projectors expect that schema)."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def applied_rebuild_needed(before: set[str], after: set[str]) -> bool:
    """Whether a revision applied between the two states declares REBUILDS_PROJECTIONS."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    done_before: set[str] = set()
    for head in before:
        done_before.update(r.revision for r in script.iterate_revisions(head, "base"))
    for head in after:
        for rev in script.iterate_revisions(head, "base"):
            if rev.revision not in done_before and getattr(rev.module, "REBUILDS_PROJECTIONS", False):
                return True
    return False


def revisions() -> list[str]:
    """Every revision from base to head, in order."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]
