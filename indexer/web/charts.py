"""Small SVG charts rendered on the server: no script, no style attribute or element (the page's CSP allows
neither), only presentation attributes; every label is escaped."""

from __future__ import annotations

import math

from markupsafe import Markup, escape

PALETTE = ("#b3262d", "#1f5fa8", "#2f8f4e", "#c98a10", "#6b4fa0", "#12808a", "#8a5a2b", "#555f6e")
MAX_LINES = 8


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.3g}"


def _ticks(top: float) -> list[float]:
    """Round gridline values from 0 to at least ``top`` (about five)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [round(i * step, 10) for i in range(math.ceil(top / step) + 1)]


def line_chart(
    years: list[int],
    lines: list[tuple[str, dict[int, float | None]]],
    *,
    title: str,
    width: int = 720,
    height: int = 300,
) -> Markup:
    """One line per (label, {year: value}) over ``years``; a gap where a value is null. First ``MAX_LINES`` lines."""
    lines = lines[:MAX_LINES]
    left, right, top, bottom = 64, 170, 28, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, points in lines for v in points.values() if v is not None]
    ticks = _ticks(max(values, default=0))
    peak = ticks[-1] or 1

    def x(i: int) -> float:
        return left + (plot_w * i / (len(years) - 1) if len(years) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / peak

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="16" font-size="13" font-weight="bold" fill="#1d2430">{escape(title)}</text>',
    ]
    for tick in ticks:
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e2e6ec"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="#5b6472">{_fmt(tick)}</text>'
        )
    for i, year in enumerate(years):
        out.append(f'<text x="{x(i):.1f}" y="{height - 12}" text-anchor="middle" fill="#5b6472">{year}</text>')
    for n, (label, points) in enumerate(lines):
        colour = PALETTE[n % len(PALETTE)]
        run: list[str] = []
        runs = [run]
        for i, year in enumerate(years):
            value = points.get(year)
            if value is None:
                run = []
                runs.append(run)
                continue
            run.append(f"{x(i):.1f},{y(value):.1f}")
            out.append(
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(label)} {year}：{_fmt(value)}</title></circle>"
            )
        for points_run in runs:
            if len(points_run) > 1:
                out.append(
                    f'<polyline points="{" ".join(points_run)}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
        ly = top + 14 * n + 6
        text = label if len(label) <= 11 else label[:10] + "…"
        out.append(
            f'<rect x="{left + plot_w + 12}" y="{ly - 8}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + plot_w + 26}" y="{ly + 1}" fill="#1d2430">{escape(text)}</text>'
        )
    if not values:
        out.append(
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" fill="#5b6472">无数据</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
