"""The possible-duplicate levels the chat and the import share (handlers/matching.py), and the import's bulk
version (handlers/importing/duplicates.py) agreeing with them row by row."""
from __future__ import annotations

import random

from core.records import ProjectTraits as T
from handlers.importing.duplicates import possible_twins
from handlers.matching import amounts_close, phone_numbers, possible_reason


def test_a_phone_written_two_ways_is_one_number_and_dates_are_no_phones() -> None:
    assert phone_numbers("汤经理 0851-83661761") == phone_numbers("085183661761") == {"085183661761"}
    assert phone_numbers("王 +86 138 0000 0001；李 13900000002") == {"13800000001", "13900000002"}
    assert phone_numbers("2026年3月5日 签约 5000万") == frozenset() and phone_numbers(None) == frozenset()


def test_the_levels() -> None:
    assert amounts_close(100, 120) and amounts_close(120, 100) and not amounts_close(100, 126)
    assert not amounts_close(None, 100) and not amounts_close(0, 0)
    assert possible_reason(T(0, "宁德时代新能源"), T(1, "宁德时代")) == "similar"
    assert possible_reason(T(0, "比亚迪电子", industry="新能源", intended_wan=180_000),
                           T(1, "比亚迪汽车", industry="新能源", intended_wan=200_000)) == "chain_amount"
    assert possible_reason(T(0, "比亚迪电子", industry="新能源", intended_wan=150_000),
                           T(1, "比亚迪汽车", industry="新能源", intended_wan=200_000)) is None   # 25% apart
    assert possible_reason(T(0, "比亚迪电子", industry="电子", intended_wan=200_000),
                           T(1, "比亚迪汽车", industry="新能源", intended_wan=200_000)) is None   # another chain
    # Words of the trade are no investor: 新材料科技 in both names, another 字号.
    assert possible_reason(T(0, "华信新材料科技", industry="新材料", intended_wan=1000),
                           T(1, "瑞泰新材料科技", industry="新材料", intended_wan=1000)) is None
    assert possible_reason(T(0, "万华化学", contact="李四 085183661761"), T(1, "宁德时代", contact="0851-83661761")) \
        == "phone"
    assert possible_reason(T(0, "万华化学"), T(1, "宁德时代")) is None


def test_the_bulk_import_finds_what_the_pairwise_rule_finds() -> None:
    rnd = random.Random(7)
    words = "华信达通恒源科创瑞泰鑫安博凯远盛"
    chains = ("新能源", "电子", "化工")

    def traits(i: int) -> T:
        return T(i, "".join(rnd.sample(words, rnd.choice((3, 4, 5)))), industry=rnd.choice(chains),
                 intended_wan=rnd.choice((1000, 1100, 1500, 3000)),
                 contact=f"经理 0851-8{rnd.randrange(100, 130)}0000" if rnd.random() < 0.5 else None)

    ledger = [traits(i) for i in range(1, 80)]
    rows = [(n, traits(0)) for n in range(2, 300)]
    got = possible_twins(rows, ledger)
    pool = [(t.id, None, t) for t in ledger] + [(None, n, t) for n, t in rows]
    for k, (number, me) in enumerate(rows):
        above = pool[:len(ledger) + k]
        expected = {(pid, row) for pid, row, other in above if possible_reason(me, other) is not None}
        if not expected:
            assert number not in got
        else:
            assert number in got and (got[number].project_id, got[number].row) in expected
            assert got[number].reason == possible_reason(me, next(o for p, r, o in above
                                                                  if (p, r) == (got[number].project_id,
                                                                                got[number].row)))
