"""Run the installed `zsbot` console script as an operator does: a subprocess, a clean environment
(only the ZSBOT_* variables the test gives), a scratch working directory."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.names import normalize_company_name
from core.stages import Stage
from core.usecases.leads import LeadDraft, LogLead, log_lead
from core.usecases.projects import AddFunds, ChangeStage, add_funds, change_stage
from storage.database import Database
from tests.helpers import member, setup_org

ZSBOT = Path(sys.executable).parent / "zsbot"
# The checkout these tests belong to comes first on the script's path: a worktree's tests run its own code, not
# the one the shared virtual environment was installed from (nothing else from the caller's environment leaks).
SOURCE = {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}
VERIFIED = re.compile(r"^账本完好：(\d+) 个事件，链头 ([0-9a-f]{64})$")


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"zsbot {' '.join(self.args)} → exit {self.code}\n--- stdout\n{self.out}--- stderr\n{self.err}"

    def ok(self) -> "Result":
        assert self.code == 0, str(self)
        assert "Traceback" not in self.err, str(self)
        return self

    def one_line_error(self) -> str:
        """The failure an operator should see: non-zero exit, one line on stderr, no traceback."""
        assert self.code != 0, str(self)
        assert "Traceback" not in self.err + self.out, str(self)
        lines = self.err.splitlines()
        assert len(lines) == 1 and lines[0].strip(), str(self)
        return lines[0]


class Cli:
    """`zsbot` bound to one database URL and one working directory."""

    def __init__(self, db_url: str, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.db_url, self.cwd, self.env = db_url, cwd, env or {}

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return run(args, cwd=self.cwd, env={"ZSBOT_DATABASE_URL": self.db_url, **self.env, **(env or {})},
                   input=input)

    def many(self, *commands: Sequence[str]) -> list[Result]:
        """Independent invocations at the same time (each one is a full process start-up)."""
        env = {**SOURCE, "ZSBOT_DATABASE_URL": self.db_url, **self.env}
        procs = [subprocess.Popen([str(ZSBOT), *args], cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
                 for args in commands]
        results = []
        for args, proc in zip(commands, procs, strict=True):
            out, err = proc.communicate(timeout=120)
            results.append(Result(tuple(args), proc.returncode, out, err))
        return results

    def verified(self) -> tuple[int, str]:
        """(event count, head hash) from `zsbot ledger verify`, which must succeed."""
        result = self("ledger", "verify").ok()
        match = VERIFIED.match(result.out.strip())
        assert match, str(result)
        return int(match.group(1)), match.group(2)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a `zsbot run` as a service manager would: SIGTERM, then a kill if it has not left in 15 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def run(args: Sequence[str], *, cwd: Path, env: dict[str, str], input: str | None = None) -> Result:
    proc = subprocess.run([str(ZSBOT), *args], cwd=cwd, env={**SOURCE, **env}, input=input if input is not None else "",
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    return Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Cli:
    work = tmp_path / "work"
    work.mkdir()
    return Cli(db_url, work)


# What log_projects records, as `zsbot export projects` must show it (unit names from mini_org.toml).
LOGGED = [
    {"name": "贵州东方电子科技有限公司", "credit_code": None, "industry": "电子信息制造", "stage": "signed",
     "owner_unit": "东区", "responsible_unit": "东区", "responsible_person": "东小李",
     "intended_amount_wan": 35000, "contract_amount_wan": 123456789, "funds_in_place_wan": 35000, "flags": []},
    {"name": "深圳鹏城新能源股份有限公司", "credit_code": "91520900MA6DLXXX1P", "industry": "新能源汽车零部件",
     "stage": "lead", "owner_unit": "驻深圳办事处", "responsible_unit": "高新区", "responsible_person": "李驻深",
     "intended_amount_wan": 123456789, "contract_amount_wan": None, "funds_in_place_wan": 0,
     "flags": ["industrial", "strong"]},
    {"name": "西部化工集团", "credit_code": None, "industry": "现代化工", "stage": "negotiating",
     "owner_unit": "西区", "responsible_unit": "西区", "responsible_person": "西小张",
     "intended_amount_wan": 0, "contract_amount_wan": None, "funds_in_place_wan": 0, "flags": []},
]


async def log_projects(db: Database) -> list[int]:
    """The mini organisation with its members, and three projects logged through the core."""
    await setup_org(db)
    east, shenzhen, west = [await member(db, n) for n in ("东小李", "李驻深", "西小张")]
    ids = []
    async with db.uow() as uow:
        p = await log_lead(uow, east, LogLead(LeadDraft(name=LOGGED[0]["name"], normalized_name=normalize_company_name(
            LOGGED[0]["name"]), owner_unit="east", industry="电子信息制造", intended_wan=35000)))
        await change_stage(uow, east, ChangeStage(p.id, Stage.SIGNED, contract_wan=123456789))
        await add_funds(uow, east, AddFunds(p.id, 35000))
        ids.append(p.id)
        p = await log_lead(uow, shenzhen, LogLead(LeadDraft(
            name=LOGGED[1]["name"], normalized_name=normalize_company_name(LOGGED[1]["name"]), owner_unit="zhu_sz",
            credit_code="91520900MA6DLXXX1P", industry="新能源汽车零部件", intended_wan=123456789,
            flags=frozenset({"strong", "industrial"}), responsible_unit="hitech")))
        ids.append(p.id)
        p = await log_lead(uow, west, LogLead(LeadDraft(name=LOGGED[2]["name"], normalized_name=normalize_company_name(
            LOGGED[2]["name"]), owner_unit="west", industry="现代化工", intended_wan=0, stage=Stage.NEGOTIATING)))
        ids.append(p.id)
        await uow.commit()
    return ids
