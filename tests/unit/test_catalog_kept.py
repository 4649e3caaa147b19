"""What a paused form says it kept ("已保留：{kept}。") reads as one sentence: each flow's `*.kept` phrase is a noun
phrase with no full stop of its own, so the notice never ends in "。。" (it did for 修改 and 核实)."""
from __future__ import annotations

from texts import _texts, t


def test_every_kept_phrase_fits_the_paused_notice() -> None:
    kept = {k: v for k, v in _texts("zh_CN").items() if k.endswith(".kept")}
    assert {"edit.kept", "verify.kept", "update.kept"} <= kept.keys()
    for key, phrase in kept.items():
        assert not phrase.rstrip().endswith(("。", "！", "？", ".")), key
    notice = t("flow.paused", title="核实", kept=t("verify.kept"), command="verify")
    assert "已保留：等您核实的列表。" in notice and "。。" not in notice
