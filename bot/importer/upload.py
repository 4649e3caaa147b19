"""The console's 台账 upload (/org/import): the same import as `zsbot import projects`, handed to web/ as a
function by the composition root, since web/ imports no bot/."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.importer.report import mapping_lines, report_xlsx, summary_line
from bot.importer.run import HeaderNotFound, import_sheet
from bot.importer.sheet_file import SheetError, sheet_of
from core.clock import FixedClock
from handlers.importing.headers import Synonyms
from storage.database import Database
from texts import t
from web.config import Importer, ImportRefused, ImportReport, ImportRow, SheetUpload


def upload_importer(db: Database, tz: ZoneInfo, synonyms: Synonyms | None = None) -> Importer:
    """An import of uploaded bytes as the uploading member; each run dates its events on a clock of its own."""

    async def run(upload: SheetUpload) -> ImportReport:
        try:
            sheet = sheet_of(upload.data, upload.filename, upload.sheet)
        except SheetError as exc:
            raise ImportRefused(str(exc)) from None
        clock = FixedClock(db.clock.now())
        try:
            result = await import_sheet(db.with_clock(clock), clock, sheet, actor_name=str(upload.actor_id),
                                        default_unit=upload.unit, synonyms=synonyms or Synonyms(), tz=tz,
                                        dry_run=upload.dry_run)
        except HeaderNotFound as exc:
            raise ImportRefused(str(exc)) from None
        rows = tuple(ImportRow(r.number, r.status, t(f"import.status.{r.status}"), r.message, r.project_id)
                     for r in result.rows)
        return ImportReport(upload.filename, result.sheet, result.sha256, upload.dry_run, tuple(mapping_lines(result)),
                            summary_line(result), rows, report_xlsx(sheet, result))

    return run
