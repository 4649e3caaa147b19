"""The ranking chart draws Chinese with the bundled Noto Sans SC (no system font), or refuses in one line."""
from __future__ import annotations

import io
import logging
import shutil
import warnings
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from reports.chart import BAR, BAR_HIGHLIGHT, ranking_groups_png, ranking_png
from reports.fonts import FontFileError, FontSearch, NoCJKFontError, bundled_font_path, find_cjk_font, use_font
from tests.unit.test_ranking_text import scripted


def draw(fn, *args, **kwargs) -> tuple[bytes, list[str]]:  # noqa: ANN001
    """Render, collecting every warning and every WARNING log record matplotlib emits meanwhile."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Collect(level=logging.WARNING)
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            data = fn(*args, **kwargs)
    finally:
        logger.removeHandler(handler)
    return data, records + [str(w.message) for w in caught]


def bundled() -> Path:
    path = bundled_font_path()
    assert path is not None and path.is_file(), "pylopdf-fonts-zh-cn is a dependency of zsbot"
    return path


def pixels(data: bytes) -> Any:
    from matplotlib.image import imread

    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return imread(io.BytesIO(data))[..., :3]


def has_colour(image: Any, hex_colour: str) -> bool:
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return bool(((abs(image[..., 0] - r) < 0.02) & (abs(image[..., 1] - g) < 0.02)
                 & (abs(image[..., 2] - b) < 0.02)).any())


def test_the_chart_draws_chinese_with_the_bundled_font_and_no_glyph_is_missing() -> None:
    # The Python install alone: the font comes from the pylopdf-fonts-zh-cn package, not the system.
    font = find_cjk_font()
    assert font.path == str(bundled()) and font.family == "Noto Sans SC"
    ranking = scripted()
    data, complaints = draw(ranking_png, ranking.group("districts"), highlight="east", title="2026年10月 区县 综合得分")
    assert complaints == []  # e.g. "Glyph 20013 (中) missing from font(s) DejaVu Sans." would be here
    image = pixels(data)
    assert image.shape[0] > 150 and image.shape[1] > 600
    # Something dark was drawn (labels) and the highlighted bar's orange is there.
    assert (image.sum(axis=2) < 1.0).any()
    assert has_colour(image, BAR_HIGHLIGHT)


def test_every_group_fits_in_one_image() -> None:
    data, complaints = draw(ranking_groups_png, scripted(), highlight="gongxin")
    assert data.startswith(b"\x89PNG") and complaints == []


def test_an_empty_month_is_a_picture_that_says_so_with_no_bars() -> None:
    sentence = "2026年10月没有任何单位有计入考核的数字（各项指标均为0或无数据），本月排名为空。"
    for data, _ in (draw(ranking_groups_png, scripted(), empty_text=sentence),
                    draw(ranking_png, scripted().group("districts"), title="2026年10月 区县 综合得分",
                         empty_text=sentence)):
        image = pixels(data)
        assert not has_colour(image, BAR) and not has_colour(image, BAR_HIGHLIGHT)
        assert (image.sum(axis=2) < 1.0).any()  # the sentence is written
    # The sentence is drawn text: a different sentence is a different picture.
    other, _ = draw(ranking_groups_png, scripted(), empty_text="本月排名为空。")
    assert other != draw(ranking_groups_png, scripted(), empty_text=sentence)[0]


def test_a_character_the_font_lacks_is_refused_not_drawn_as_a_box() -> None:
    group = scripted().group("districts")
    odd = replace(group, units=(replace(group.units[0], name="东区𠀀"), *group.units[1:]))
    with pytest.raises(NoCJKFontError) as refused:
        ranking_png(odd, fonts=FontSearch(bundled=bundled(), system=[]))
    assert "“𠀀”" in str(refused.value) and "ZSBOT_CHART_FONT" in str(refused.value)
    with pytest.raises(NoCJKFontError) as none:
        ranking_png(group, fonts=FontSearch(bundled=None, system=[]))
    assert "pip install --force-reinstall pylopdf-fonts-zh-cn" in str(none.value)


def test_without_the_bundled_font_a_system_font_with_every_glyph_is_the_fallback() -> None:
    import matplotlib.font_manager as fm

    latin_only = [e for e in fm.fontManager.ttflist if e.name.startswith("DejaVu")]
    assert latin_only
    with pytest.raises(NoCJKFontError):
        find_cjk_font(search=FontSearch(system=latin_only))
    # A "system" font that has the glyphs (here the bundled file, seen as an installed font) is taken.
    installed = [SimpleNamespace(name="Noto Sans SC", fname=str(bundled()))]
    assert find_cjk_font(search=FontSearch(system=latin_only + installed)).path == str(bundled())


def test_matplotlibs_last_resort_font_is_not_taken_for_a_chinese_one() -> None:
    import matplotlib.font_manager as fm

    last_resort = [e for e in fm.fontManager.ttflist if e.name.startswith("Last Resort")]
    assert last_resort, "matplotlib ships LastResortHE; this test guards against choosing it"
    with pytest.raises(NoCJKFontError):
        find_cjk_font(search=FontSearch(system=last_resort))


def test_a_font_file_that_cannot_be_read_is_one_chinese_line(tmp_path: Path) -> None:
    garbage = tmp_path / "broken.otf"
    garbage.write_bytes(b"OTTO" + bytes(range(256)) * 4)
    truncated = tmp_path / "truncated.otf"
    truncated.write_bytes(bundled().read_bytes()[:200_000])
    group = scripted().group("districts")
    for search, hint in ((FontSearch(override=tmp_path / "missing.ttf"), "ZSBOT_CHART_FONT"),
                         (FontSearch(override=garbage, bundled=bundled()), "ZSBOT_CHART_FONT"),
                         (FontSearch(bundled=truncated), "pip install --force-reinstall pylopdf-fonts-zh-cn")):
        with pytest.raises(FontFileError) as refused:
            ranking_png(group, fonts=search)
        message = str(refused.value)
        assert message.startswith("无法读取字体文件 ") and hint in message and "\n" not in message


def test_an_explicit_font_is_used_first(tmp_path: Path) -> None:
    mine = tmp_path / "mine.otf"
    shutil.copy(bundled(), mine)
    use_font(mine)
    try:
        assert find_cjk_font().path == str(mine)
    finally:
        use_font(None)
    assert find_cjk_font().path == str(bundled())
