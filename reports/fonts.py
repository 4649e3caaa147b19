"""Which font draws the chart's Chinese.

In order: the operator's explicit font (ZSBOT_CHART_FONT, set through `use_font`), else Noto Sans SC
from the pylopdf-fonts-zh-cn package (a dependency, SIL OFL 1.1 — so a pip-only machine draws
Chinese), else an installed system font with the glyphs. A font that lacks a character the chart
must draw is refused (NoCJKFontError) rather than drawing empty boxes; a font file that cannot be
read is refused too (FontFileError), never silently replaced. Both say so in one Chinese line.
matplotlib is imported inside the functions so importing this module costs nothing.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

# Family names, best first (matched case-insensitively as a prefix, so "Noto Sans CJK" finds "Noto Sans CJK SC").
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans SC", "Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans SC", "Source Han Sans",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Serif CJK SC", "Noto Serif CJK", "Source Han Serif", "SimHei",
    "Microsoft YaHei", "PingFang SC", "Heiti SC", "Droid Sans Fallback", "AR PL UMing", "AR PL UKai",
)
GLYPH_SAMPLE = "中文排名得分区县未设目标"
REINSTALL = "pip install --force-reinstall pylopdf-fonts-zh-cn"


class ChartFontError(RuntimeError):
    """The chart cannot be drawn with a font that shows every character; the message says why, in Chinese."""


class NoCJKFontError(ChartFontError):
    """No usable font has every character the chart must draw."""

    def __init__(self, missing: str = "") -> None:
        chars = "、".join(f"“{ch}”" for ch in dict.fromkeys(missing)) if missing else ""
        what = f"没有可显示{chars}的字体" if chars else "没有找到可显示中文的字体"
        super().__init__(f"{what}，无法生成排名图（否则文字会显示成方框）。请重新安装随程序提供的中文字体"
                         f"（{REINSTALL}），或用 ZSBOT_CHART_FONT 指定一个含这些字的字体文件。")


class FontFileError(ChartFontError):
    """A font file that should draw the chart cannot be read."""

    def __init__(self, path: Path | str, *, bundled: bool) -> None:
        hint = f"请重新安装：{REINSTALL}" if bundled else "请检查 ZSBOT_CHART_FONT 指向的文件"
        super().__init__(f"无法读取字体文件 {path}，无法生成排名图。{hint}。")


@dataclass(frozen=True)
class CJKFont:
    family: str
    path: str


@dataclass(frozen=True)
class FontSearch:
    """Where to look: an explicit font, the bundled one, and the system's fonts (None: every font
    matplotlib knows or finds; otherwise FontEntry-like objects with name and fname)."""

    override: Path | None = None
    bundled: Path | None = None
    system: Sequence[Any] | None = None


_override: Path | None = None


def use_font(path: Path | str | None) -> None:
    """The operator's chart font for this process (ZSBOT_CHART_FONT), or None for the bundled one."""
    global _override
    _override = Path(path) if path else None


def bundled_font_path() -> Path | None:
    """Noto Sans SC from pylopdf-fonts-zh-cn; None when the package is not installed."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    return Path(pylopdf_fonts_zh_cn.sans_path())


def default_search() -> FontSearch:
    return FontSearch(override=_override, bundled=bundled_font_path())


def find_cjk_font(needed: str = GLYPH_SAMPLE, search: FontSearch | None = None) -> CJKFont:
    """The first font of `search` (default: this process's) that has every character of `needed`."""
    search = search or default_search()
    needed = _drawn(needed)
    if search.override is not None:
        return _checked(search.override, needed, bundled=False)
    if search.bundled is not None:
        font = _checked(search.bundled, needed, bundled=True, refuse=False)
        if font is not None:
            return font
    found = _system(needed, search.system)
    if found is None:
        raise NoCJKFontError(_missing(search.bundled, needed) if search.bundled is not None else "")
    return found


def covers(path: str, sample: str) -> bool:
    """Whether the font file has a glyph for every character of `sample` (False when it cannot be read)."""
    face = _face(path)
    return face is not None and all(face.get_char_index(ord(ch)) != 0 for ch in _drawn(sample))


def register(font: CJKFont) -> None:
    """Make matplotlib's font manager know the font, so its family can be asked for by name."""
    import matplotlib.font_manager as fm

    if font.path not in {e.fname for e in fm.fontManager.ttflist}:
        try:
            fm.fontManager.addfont(font.path)
        except Exception:  # noqa: BLE001 - whatever FreeType says, the file is not a font we can use
            raise FontFileError(font.path, bundled=False) from None


# -- inside ---------------------------------------------------------------------------------


def _drawn(text: str) -> str:
    """The distinct characters that need a glyph (white space draws nothing)."""
    return "".join(dict.fromkeys(ch for ch in text if not ch.isspace()))


def _face(path: str) -> Any:
    from matplotlib import ft2font

    try:
        face = ft2font.FT2Font(str(path))
        face.load_glyph(face.get_char_index(ord("中")))  # reads glyph data, not only the header (0: .notdef)
    except Exception:  # noqa: BLE001 - missing, truncated, corrupted or not a font
        return None
    return face


@overload
def _checked(path: Path, needed: str, *, bundled: bool, refuse: Literal[True] = True) -> CJKFont: ...
@overload
def _checked(path: Path, needed: str, *, bundled: bool, refuse: bool) -> CJKFont | None: ...
def _checked(path: Path, needed: str, *, bundled: bool, refuse: bool = True) -> CJKFont | None:
    """The font at `path` if it has every character of `needed`; else an error (`refuse`) or None."""
    face = _face(str(path))
    if face is None:
        raise FontFileError(path, bundled=bundled)
    missing = "".join(ch for ch in needed if face.get_char_index(ord(ch)) == 0)
    if missing:
        if refuse:
            raise NoCJKFontError(missing)
        return None
    return CJKFont(face.family_name, str(path))


def _missing(path: Path, needed: str) -> str:
    face = _face(str(path))
    return "".join(ch for ch in needed if face is not None and face.get_char_index(ord(ch)) == 0)


def _system(needed: str, fonts: Sequence[Any] | None) -> CJKFont | None:
    import matplotlib.font_manager as fm

    entries = list(fm.fontManager.ttflist) if fonts is None else list(fonts)
    found = _choose(entries, needed)
    if found is None and fonts is None:
        # matplotlib's cache may predate the font's installation: look at the system's font files too.
        known = {e.fname for e in entries}
        for path in fm.findSystemFonts():
            if path not in known:
                try:
                    fm.fontManager.addfont(path)
                except Exception:  # noqa: BLE001 - an unreadable font file is simply not a candidate
                    continue
        found = _choose(list(fm.fontManager.ttflist), needed)
    return found


def _choose(entries: Sequence[Any], needed: str) -> CJKFont | None:
    for family in PREFERRED_FAMILIES:
        for e in entries:
            if e.name.lower().startswith(family.lower()) and "mono" not in e.name.lower() and covers(e.fname, needed):
                return CJKFont(e.name, e.fname)
    for e in sorted(entries, key=lambda e: (e.name, e.fname)):
        # matplotlib's Last Resort font maps every code point to a placeholder box: it "covers" Chinese
        # on paper but draws none of it.
        if not e.name.lower().startswith("last resort") and covers(e.fname, needed):
            return CJKFont(e.name, e.fname)
    return None
