"""`zsbot` in a terminal, as a user runs it: the issue's "Done when" script with piped input, the
export that shows exactly what was typed, and a process killed in the middle of a flow whose
successor continues the same flow."""
from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.e2e.cli_runner import SOURCE

ROOT = Path(__file__).resolve().parents[2]
ZSBOT = Path(sys.executable).parent / "zsbot"
MINI_ORG = ROOT / "tests" / "data" / "mini_org.toml"
TIMEOUT = 120  # seconds for one process; start-up alone is a second or two


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: only what a shell gives and the database the test names."""
    return {**SOURCE, "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "LANG": "C.UTF-8",
            "ZSBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'zsbot.db'}"}


def zsbot(env: dict[str, str], cwd: Path, *args: str, input: str | None = None) -> str:
    done = subprocess.run([str(ZSBOT), *args], input=input, capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=TIMEOUT)
    assert done.returncode == 0, f"zsbot {' '.join(args)} → {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


@pytest.fixture
def org(env: dict[str, str], tmp_path: Path) -> str:
    """The mini organisation loaded; an invite for a new member of 东区."""
    zsbot(env, tmp_path, "init", "--org", str(MINI_ORG))
    return zsbot(env, tmp_path, "invite", "create", "--unit", "east").strip()


def chat(env: dict[str, str], cwd: Path, who: str, lines: list[str]) -> str:
    return zsbot(env, cwd, "chat", "--as", who, input="".join(f"{line}\n" for line in lines))


def turns(transcript: str) -> list[tuple[str, str]]:
    """(what was typed, everything the bot printed after it) for each typed line."""
    out: list[tuple[str, str]] = []
    for line in transcript.splitlines():
        if line.startswith("你："):
            out.append((line[2:], ""))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + line + "\n")
    return out


def test_the_done_when_script(env: dict[str, str], tmp_path: Path, org: str) -> None:
    script = [
        f"/start {org}",
        # one line, straight to the card
        "线索 宁德时代 新能源汽车零部件 投资5亿 来源以商招商",
        "1",
        # step by step
        "/lead",
        "比亚迪股份有限公司",
        "2",                       # 新能源汽车零部件, by its number
        "20亿",
        "驻点招商",                 # by its label
        "张三 13800138000",
        "确认",
        # the duplicate check
        "线索 比亚迪（深圳）有限公司 电子信息制造 投资3亿 来源驻点",
        "停止登记",
        # a trip
        "/trip",
        "本人",
        "深圳",
        "昨天",
        "比亚迪股份有限公司、腾讯",
        "比亚迪有意扩产",
        "跳过",
        "确认",
        # 签约 with the contract amount, then funds in place
        "进展 宁德时代",
        "阶段变更",
        "签约",
        "3亿5千万",
        "确认",
        "进展 宁德时代",
        "到位资金",
        "2",                       # no buttons on this question: a bare number is an amount without unit
        "8000万",
        "确认",
        "查询 宁德",
    ]
    transcript = chat(env, tmp_path, "小王", script)
    said = turns(transcript)
    assert [typed for typed, _ in said] == script, transcript
    reply = dict(said)
    assert "绑定成功！小王，您已加入“东区”，角色：成员。" in reply[f"/start {org}"]
    assert "请核对线索：" in reply["线索 宁德时代 新能源汽车零部件 投资5亿 来源以商招商"]
    assert "[1] 确认  [2] 修改  [3] 取消" in reply["线索 宁德时代 新能源汽车零部件 投资5亿 来源以商招商"]
    assert "已登记线索 #" in said[2][1] and "宁德时代（首报单位：东区）" in said[2][1]
    assert "请选择产业链：" in reply["比亚迪股份有限公司"]
    assert "已登记线索 #" in said[9][1] and "比亚迪股份有限公司（首报单位：东区）" in said[9][1]
    dup = reply["线索 比亚迪（深圳）有限公司 电子信息制造 投资3亿 来源驻点"]
    assert "发现可能重复的已登记项目：" in dup and "比亚迪股份有限公司（线索，首报：东区）— 企业名称相同" in dup
    assert "已停止登记，没有保存。" in reply["停止登记"]
    assert "已登记外出招商 #" in said[19][1] and "小王 赴深圳。" in said[19][1]
    assert "已更新：“宁德时代”现为【签约】。" in said[24][1]
    assert "“2”没有写单位，请写明万或亿，例如“5000万”或“3.5亿”。" in reply["2"]
    assert "已记录到位资金：“宁德时代”累计 8000万元。" in said[29][1]
    card = reply["查询 宁德"]
    assert "阶段：线索→在谈→【签约】→落地→开工→投产" in card
    assert "意向投资 5亿元 ｜ 签约额 3.5亿元 ｜ 到位资金 8000万元（22%）" in card
    assert "抱歉" not in transcript and "Traceback" not in transcript

    exported = json.loads(zsbot(env, tmp_path, "export", "projects", "--format", "json"))
    by_name = {p["name"]: p for p in exported}
    assert sorted(by_name) == ["宁德时代", "比亚迪股份有限公司"]  # the stopped duplicate was never saved
    catl, byd = by_name["宁德时代"], by_name["比亚迪股份有限公司"]
    assert {k: catl[k] for k in ("industry", "stage", "owner_unit", "responsible_unit", "responsible_person",
                                 "intended_amount_wan", "contract_amount_wan", "funds_in_place_wan",
                                 "foreign_amount_wan", "source", "duplicate_of", "flags")} == {
        "industry": "新能源汽车零部件", "stage": "signed", "owner_unit": "东区", "responsible_unit": "东区",
        "responsible_person": "小王", "intended_amount_wan": 50_000, "contract_amount_wan": 35_000,
        "funds_in_place_wan": 8_000, "foreign_amount_wan": None, "source": "以商招商", "duplicate_of": None,
        "flags": ["industrial"]}
    assert {k: byd[k] for k in ("industry", "stage", "owner_unit", "intended_amount_wan", "contract_amount_wan",
                                "funds_in_place_wan", "source", "duplicate_of")} == {
        "industry": "新能源汽车零部件", "stage": "lead", "owner_unit": "东区", "intended_amount_wan": 200_000,
        "contract_amount_wan": None, "funds_in_place_wan": 0, "source": "驻点招商", "duplicate_of": None}
    assert zsbot(env, tmp_path, "ledger", "verify").startswith("账本完好：")


class Session:
    """One `zsbot chat` process fed line by line, read as it answers (a person at a terminal)."""

    def __init__(self, env: dict[str, str], cwd: Path, who: str) -> None:
        self.proc = subprocess.Popen([str(ZSBOT), "chat", "--as", who], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.proc.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        self.seen = b""

    def send(self, line: str, *, until: str) -> str:
        """Type a line; return what the bot printed up to and including `until`."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{line}\n".encode())
        self.proc.stdin.flush()
        return self.read(until)

    def read(self, until: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        start = len(self.seen)
        while until.encode() not in self.seen[start:]:
            left = deadline - time.monotonic()
            assert left > 0, f"waited for {until!r}; got:\n{self.seen.decode(errors='replace')}"
            if self.selector.select(timeout=left):
                chunk = os.read(self.proc.stdout.fileno(), 65536)  # type: ignore[union-attr]
                assert chunk, f"the process ended; got:\n{self.seen.decode(errors='replace')}"
                self.seen += chunk
        return self.seen[start:].decode()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=TIMEOUT)
        self.selector.close()


def test_a_killed_process_leaves_the_flow_for_the_next_one(env: dict[str, str], tmp_path: Path, org: str) -> None:
    chat(env, tmp_path, "小王", [f"/start {org}"])
    first = Session(env, tmp_path, "小王")
    try:
        first.send("/lead", until="请输入企业名称")
        first.send("宁德时代", until="[6] 暂不确定")
        first.send("2", until="请输入意向投资额")
    finally:
        first.kill()  # no goodbye, no flush: SIGKILL in the middle of the flow
    assert first.proc.returncode == -signal.SIGKILL

    second = Session(env, tmp_path, "小王")
    try:
        # The new process never showed the source buttons; the number still answers the open question.
        out = second.send("5亿", until="[6] 其他")
        assert "请选择线索来源：" in out and "[2] 以商招商" in out
        second.send("2", until="请输入企业联系人和电话")
    finally:
        second.kill()

    transcript = chat(env, tmp_path, "小王", ["跳过", "确认", "查询 宁德时代"])
    said = dict(turns(transcript))
    assert "请核对线索：" in said["跳过"]
    for field in ("企业名称：宁德时代", "产业链：新能源汽车零部件", "意向投资：5亿元", "来源：以商招商"):
        assert field in said["跳过"]
    assert "已登记线索 #" in said["确认"]
    assert "意向投资 5亿元" in said["查询 宁德时代"]
    exported = json.loads(zsbot(env, tmp_path, "export", "projects", "--format", "json"))
    assert [(p["name"], p["intended_amount_wan"], p["source"], p["industry"]) for p in exported] == [
        ("宁德时代", 50_000, "以商招商", "新能源汽车零部件")]


def _a_day_passes(db: Path) -> None:
    """The next morning, as the conversation row sees it: its last answer a day earlier (the CLI reads the
    real clock, so the row is moved instead of the clock)."""
    import sqlite3
    from datetime import datetime, timedelta

    with sqlite3.connect(db) as conn:
        for key, expires in conn.execute("SELECT key, expires_at FROM conversations").fetchall():
            earlier = datetime.fromisoformat(expires) - timedelta(days=1)
            conn.execute("UPDATE conversations SET expires_at = ? WHERE key = ?",
                         (earlier.isoformat(sep=" "), key))


def test_a_form_paused_for_a_command_survives_a_restart_and_is_announced_the_next_day(
        env: dict[str, str], tmp_path: Path, org: str) -> None:
    chat(env, tmp_path, "小王", [f"/start {org}"])
    first = dict(turns(chat(env, tmp_path, "小王", ["/lead", "宁德时代", "2", "我的项目"])))
    # Issue 16: at the amount question 我的项目 runs, and the form is kept.
    assert "（“登记线索”已暂停并保留，发“继续”或 /lead 回到刚才的问题。）" in first["我的项目"]
    assert "没看懂金额" not in first["我的项目"]
    _a_day_passes(tmp_path / "zsbot.db")
    said = turns(chat(env, tmp_path, "小王", ["5亿", "继续", "5亿", "2", "跳过", "确认"]))
    assert said[0][1].startswith("助手：您")
    assert "填写的“登记线索”还没有完成，已暂停。已保留：企业名称 宁德时代；产业链 新能源汽车零部件。" in said[0][1]
    assert "请输入意向投资额" in said[1][1]
    assert "请选择线索来源：" in said[2][1]
    assert "已登记线索 #" in said[5][1]
    exported = json.loads(zsbot(env, tmp_path, "export", "projects", "--format", "json"))
    assert [(p["name"], p["intended_amount_wan"], p["industry"]) for p in exported] == [
        ("宁德时代", 50_000, "新能源汽车零部件")]
