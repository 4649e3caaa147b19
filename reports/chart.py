"""The ranking chart: horizontal bars of scores with Chinese labels (matplotlib, Agg, no pyplot).

The font is chosen by reports/fonts.py for exactly the text the picture carries (the bundled Noto
Sans SC unless the operator names another); a character no font can draw, or a font file that
cannot be read, raises ChartFontError before anything is drawn. An empty month (the caller passes
its sentence) is a picture that says so. matplotlib is imported inside the functions so importing
this module costs nothing.
"""
from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from reports.fonts import ChartFontError, CJKFont, FontSearch, NoCJKFontError, covers, find_cjk_font, register
from reports.ranking import GroupRanking, Ranking

if TYPE_CHECKING:  # matplotlib itself is imported only when a chart is drawn
    from matplotlib.typing import RcKeyType

__all__ = ["ChartFontError", "CJKFont", "NoCJKFontError", "find_cjk_font", "ranking_groups_png", "ranking_png"]

BAR = "#4C72B0"
BAR_HIGHLIGHT = "#DD5C1F"


NO_GROUPS = "没有考核组"
NO_RANKED = "本组没有参与排名的单位"
SCORE = "综合得分"
UNRANKED = "未设目标（不参与排名）："


def ranking_png(group: GroupRanking, *, highlight: str | None = None, title: str | None = None,
                empty_text: str | None = None, fonts: FontSearch | None = None) -> bytes:
    """One peer group's scores as horizontal bars, rank 1 on top; `highlight` (a unit code) in orange.
    With `empty_text` (the month is empty) the picture is the title and that sentence, no bars."""
    title = title or f"{group.name} {SCORE}"
    if empty_text is not None:
        return _render([], highlight=None, suptitle=title, message=empty_text, fonts=fonts)
    return _render([(group, title)], highlight=highlight, suptitle=None, fonts=fonts)


def ranking_groups_png(ranking: Ranking, *, highlight: str | None = None, empty_text: str | None = None,
                       fonts: FontSearch | None = None) -> bytes:
    """Every peer group of a month in one image, one panel per group (what leaders receive); with
    `empty_text`, the title and that sentence instead."""
    year, mon = ranking.month.split("-")
    anchor = f"账本链头 #{ranking.head_seq} {(ranking.head_hash or '')[:16]}".rstrip()
    suptitle = f"{year}年{int(mon)}月 招商考核排名（{anchor}）"
    panels = [] if empty_text is not None else [(g, g.name) for g in ranking.groups]
    return _render(panels, highlight=highlight, suptitle=suptitle, message=empty_text or NO_GROUPS, fonts=fonts)


def _texts(panels: list[tuple[GroupRanking, str]], suptitle: str | None, message: str) -> str:
    """Every character the picture may draw, so the font is checked before anything is."""
    parts = [suptitle or "", message, NO_RANKED, SCORE, UNRANKED, "0123456789.、"]
    for group, title in panels:
        parts += [title] + [u.name for u in group.units]
    return "".join(parts)


def _render(panels: list[tuple[GroupRanking, str]], *, highlight: str | None, suptitle: str | None,
            message: str = NO_GROUPS, fonts: FontSearch | None) -> bytes:
    font = find_cjk_font(_texts(panels, suptitle, message), fonts)
    register(font)
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    heights = [max(len(g.units), 1) * 0.42 + 1.1 for g, _ in panels] or [1.5]
    style: dict[RcKeyType, Any] = {"font.family": [font.family], "axes.unicode_minus": False, "svg.fonttype": "none"}
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(8, sum(heights) + (0.5 if suptitle else 0)), dpi=110, layout="constrained")
        FigureCanvasAgg(fig)  # the Agg canvas, without touching pyplot's global backend
        axes = fig.subplots(max(len(panels), 1), 1, squeeze=False, height_ratios=heights)[:, 0]
        marker = "▶ " if covers(font.path, "▶") else ""
        for ax, (group, title) in zip(axes, panels):
            _panel(ax, group, title, highlight, marker)
        if not panels:
            axes[0].axis("off")
            axes[0].text(0.5, 0.5, message, ha="center", va="center", wrap=True, fontsize=12)
        if suptitle:
            fig.suptitle(suptitle, fontsize=12)
        out = io.BytesIO()
        try:
            fig.savefig(out, format="png", metadata={"Software": None})
        except (OSError, RuntimeError) as exc:  # FreeType failing on the file part-way through
            raise ChartFontError(f"字体文件 {font.path} 无法使用（{exc}），无法生成排名图。") from None
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
    ax.set_xlabel(SCORE)
    ax.spines[["top", "right"]].set_visible(False)
    if not ranked:
        ax.set_yticks([])
        ax.text(0.5, 0.5, NO_RANKED, transform=ax.transAxes, ha="center", va="center")
    if unranked:
        names = "、".join(u.name for u in unranked)
        ax.set_title(f"{UNRANKED}{names}", loc="right", fontsize=9, color="#666666")


def _score(x: Fraction) -> str:
    q = Decimal(x.numerator) / Decimal(x.denominator)
    return f"{q.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
