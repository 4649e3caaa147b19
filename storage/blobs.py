"""The attached files checked against the ledger: each file.attached event's SHA-256 against the bytes the
blobs table holds (the hash covers the size too), so a swapped or edited file is caught by `zsbot ledger verify`."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import events as ev
from storage.tables.evidence import BlobRow
from storage.tables.ledger import EventRow


@dataclass(frozen=True)
class FilesCheck:
    count: int                                          # file.attached events checked
    failures: list[str] = field(default_factory=list)   # one Chinese line each, in ledger order


async def check_files(session: AsyncSession) -> FilesCheck:
    """Every attached file's bytes, read one blob at a time (each hash once), against its event."""
    events = (await session.execute(select(EventRow.seq, EventRow.project_id, EventRow.payload)
                                    .where(EventRow.type == ev.FILE_ATTACHED).order_by(EventRow.seq))).all()
    verdicts: dict[str, str | None] = {}
    failures: list[str] = []
    for seq, project_id, raw in events:
        p = ev.FileAttached.from_dict(json.loads(raw))
        if p.sha256 not in verdicts:
            data = (await session.execute(select(BlobRow.data).where(BlobRow.sha256 == p.sha256))).scalar()
            if data is None:
                verdicts[p.sha256] = "内容不在数据库里（文件丢失）"
            elif hashlib.sha256(bytes(data)).hexdigest() != p.sha256:
                verdicts[p.sha256] = "内容与账本记录的 SHA-256 不符（文件被替换或改动）"
            else:
                verdicts[p.sha256] = None
        problem = verdicts[p.sha256]
        if problem:
            failures.append(f"项目 #{project_id} 的附件“{p.name}”（第 {seq} 号事件）{problem}")
    return FilesCheck(len(events), failures)

