"""The ranking chart draws Chinese labels with a CJK font, or refuses clearly when there is none."""
from __future__ import annotations

import io
import logging
import warnings

import pytest

from reports.chart import (
    PREFERRED_FAMILIES,
    NoCJKFontError,
    find_cjk_font,
    ranking_groups_png,
    ranking_png,
)
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


def test_the_chart_uses_a_cjk_font_and_no_glyph_is_missing() -> None:
    font = find_cjk_font()
    assert any(font.family.lower().startswith(f.lower()) for f in PREFERRED_FAMILIES), font
    ranking = scripted()
    data, complaints = draw(ranking_png, ranking.group("districts"), highlight="east", title="2026年10月 区县 综合得分")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert complaints == []  # e.g. "Glyph 20013 (中) missing from font(s) DejaVu Sans." would be here
    from matplotlib.image import imread

    image = imread(io.BytesIO(data))
    assert image.shape[0] > 150 and image.shape[1] > 600
    # Something dark was drawn (labels) and the highlighted bar's orange is there.
    assert (image[..., :3].sum(axis=2) < 1.0).any()
    assert ((abs(image[..., 0] - 0xDD / 255) < 0.02) & (abs(image[..., 1] - 0x5C / 255) < 0.02)).any()


def test_every_group_fits_in_one_image() -> None:
    data, complaints = draw(ranking_groups_png, scripted(), highlight="gongxin")
    assert data.startswith(b"\x89PNG") and complaints == []


def test_without_a_cjk_font_it_says_how_to_install_one_instead_of_drawing_boxes() -> None:
    group = scripted().group("districts")
    with pytest.raises(NoCJKFontError) as refused:
        ranking_png(group, fonts=[])
    assert "fonts-wqy-microhei" in str(refused.value) and "fonts-noto-cjk" in str(refused.value)
    import matplotlib.font_manager as fm

    latin_only = [e for e in fm.fontManager.ttflist if e.name.startswith("DejaVu")]
    assert latin_only
    with pytest.raises(NoCJKFontError):
        find_cjk_font(latin_only)


def test_matplotlibs_last_resort_font_is_not_taken_for_a_chinese_one() -> None:
    import matplotlib.font_manager as fm

    last_resort = [e for e in fm.fontManager.ttflist if e.name.startswith("Last Resort")]
    assert last_resort, "matplotlib ships LastResortHE; this test guards against choosing it"
    with pytest.raises(NoCJKFontError):
        find_cjk_font(last_resort)
