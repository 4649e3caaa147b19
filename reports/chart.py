"""The ranking chart: horizontal bars of scores with Chinese labels (matplotlib, Agg, no pyplot).

Chinese needs a CJK font. The finder prefers well-known families by name, then any installed font
whose file has the glyphs; when there is none it raises NoCJKFontError saying how to install one
rather than drawing empty boxes. matplotlib is imported inside the functions so importing this
module costs nothing.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from reports.ranking import GroupRanking, Ranking

# Family names, best first (matched case-insensitively as a prefix, so "Noto Sans CJK" finds "Noto Sans CJK SC").
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans SC", "Source Han Sans", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Noto Serif CJK SC", "Noto Serif CJK", "Source Han Serif", "SimHei", "Microsoft YaHei",
    "PingFang SC", "Heiti SC", "Droid Sans Fallback", "AR PL UMing", "AR PL UKai",
)
GLYPH_SAMPLE = "中文排名得分区县未设目标"
INSTALL_HINT = ("没有找到可显示中文的字体，无法生成排名图（否则中文会显示成方框）。请安装一种中文字体，例如 "
                "Debian/Ubuntu：sudo apt-get install fonts-wqy-microhei（或 fonts-noto-cjk），"
                "然后删除 matplotlib 的字体缓存（~/.cache/matplotlib）再试。")
BAR = "#4C72B0"
BAR_HIGHLIGHT = "#DD5C1F"


class NoCJKFontError(RuntimeError):
    """No installed font can draw Chinese; the message says how to install one."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


@dataclass(frozen=True)
class CJKFont:
    family: str
    path: str


def find_cjk_font(fonts: Iterable[Any] | None = None) -> CJKFont:
    """A font that draws Chinese. `fonts`: matplotlib FontEntry-like objects (name, fname); default: every
    font matplotlib knows, and — if its cache predates the font's installation — the system's font files."""
    import matplotlib.font_manager as fm

    entries = list(fm.fontManager.ttflist) if fonts is None else list(fonts)
    found = _choose(entries)
    if found is None and fonts is None:
        known = {e.fname for e in entries}
        for path in fm.findSystemFonts():
            if path not in known:
                try:
                    fm.fontManager.addfont(path)
                except Exception:  # noqa: BLE001 - an unreadable font file is simply not a candidate
                    continue
        found = _choose(list(fm.fontManager.ttflist))
    if found is None:
        raise NoCJKFontError()
    return found


def _choose(entries: Sequence[Any]) -> CJKFont | None:
    for family in PREFERRED_FAMILIES:
        for e in entries:
            if e.name.lower().startswith(family.lower()) and "mono" not in e.name.lower() and _covers(e.fname):
                return CJKFont(e.name, e.fname)
    for e in sorted(entries, key=lambda e: (e.name, e.fname)):
        # matplotlib's Last Resort font maps every code point to a placeholder box: it "covers" Chinese
        # on paper but draws none of it.
        if not e.name.lower().startswith("last resort") and _covers(e.fname):
            return CJKFont(e.name, e.fname)
    return None


def _covers(path: str, sample: str = GLYPH_SAMPLE) -> bool:
    from matplotlib import ft2font

    try:
        face = ft2font.FT2Font(path)
    except Exception:  # noqa: BLE001 - unreadable or not a font
        return False
    return all(face.get_char_index(ord(ch)) != 0 for ch in sample)


def ranking_png(group: GroupRanking, *, highlight: str | None = None, title: str | None = None,
                fonts: Iterable[Any] | None = None) -> bytes:
    """One peer group's scores as horizontal bars, rank 1 on top; `highlight` (a unit code) in orange."""
    return _render([(group, title or f"{group.name} 综合得分")], highlight=highlight, suptitle=None, fonts=fonts)


def ranking_groups_png(ranking: Ranking, *, highlight: str | None = None, fonts: Iterable[Any] | None = None) -> bytes:
    """Every peer group of a month in one image, one panel per group (what leaders receive)."""
    year, mon = ranking.month.split("-")
    anchor = f"账本链头 #{ranking.head_seq} {(ranking.head_hash or '')[:16]}".rstrip()
    suptitle = f"{year}年{int(mon)}月 招商考核排名（{anchor}）"
    return _render([(g, g.name) for g in ranking.groups], highlight=highlight, suptitle=suptitle, fonts=fonts)


def _render(panels: list[tuple[GroupRanking, str]], *, highlight: str | None, suptitle: str | None,
            fonts: Iterable[Any] | None) -> bytes:
    font = find_cjk_font(fonts)
    import matplotlib
    import matplotlib.font_manager as fm
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if font.path not in {e.fname for e in fm.fontManager.ttflist}:
        fm.fontManager.addfont(font.path)
    heights = [max(len(g.units), 1) * 0.42 + 1.1 for g, _ in panels] or [1.5]
    style = {"font.family": [font.family], "axes.unicode_minus": False, "svg.fonttype": "none"}
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(8, sum(heights) + (0.5 if suptitle else 0)), dpi=110, layout="constrained")
        FigureCanvasAgg(fig)  # the Agg canvas, without touching pyplot's global backend
        axes = fig.subplots(max(len(panels), 1), 1, squeeze=False, height_ratios=heights)[:, 0]
        marker = "▶ " if _covers(font.path, "▶") else ""
        for ax, (group, title) in zip(axes, panels):
            _panel(ax, group, title, highlight, marker)
        if not panels:
            axes[0].axis("off")
            axes[0].text(0.5, 0.5, "没有考核组", ha="center", va="center")
        if suptitle:
            fig.suptitle(suptitle, fontsize=12)
        out = io.BytesIO()
        fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _panel(ax: Any, group: GroupRanking, title: str, highlight: str | None, marker: str) -> None:
    ranked = [u for u in group.units if u.ranked]
    unranked = [u for u in group.units if not u.ranked]
    # No bold: most CJK fonts have one weight, and matplotlib would complain while faking it.
    labels = [f"{marker if u.unit == highlight else ''}{u.rank}. {u.name}" for u in ranked]
    scores = [float(u.score) for u in ranked]
    colors = [BAR_HIGHLIGHT if u.unit == highlight else BAR for u in ranked]
    positions = list(range(len(ranked)))[::-1]
    ax.barh(positions, scores, color=colors, height=0.6)
    ax.set_yticks(positions, labels=labels)
    for tick, u in zip(ax.get_yticklabels(), ranked):
        if u.unit == highlight:
            tick.set_color(BAR_HIGHLIGHT)
    extra = max(0, 2 - len(ranked)) * 0.5  # one or two bars keep the thickness of a longer list
    ax.set_ylim(-0.5 - extra, len(ranked) - 0.5 + extra)
    top = max(scores, default=0.0)
    ax.set_xlim(0, max(top * 1.15, 1.0))
    for y, s in zip(positions, ranked):
        ax.text(float(s.score) + max(top, 1.0) * 0.01, y, _score(s.score), va="center", fontsize=9)
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel("综合得分")
    ax.spines[["top", "right"]].set_visible(False)
    if not ranked:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "本组没有参与排名的单位", transform=ax.transAxes, ha="center", va="center")
    if unranked:
        names = "、".join(u.name for u in unranked)
        ax.set_title(f"未设目标（不参与排名）：{names}", loc="right", fontsize=9, color="#666666")


def _score(x: Fraction) -> str:
    q = Decimal(x.numerator) / Decimal(x.denominator)
    return f"{q.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
