"""Inline SVG charts drawn in Python: no JavaScript library, nothing fetched, so a report opens offline.

Each function returns one ``<svg class="chart">`` element as text (no ``xmlns``: inline SVG in
HTML needs none, and the report must hold no URL at all). Labels are laid out so none overlap:
year ticks are thinned to fit, long names wrap instead of being cut, and the legend lists only
what is drawn.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from dataclasses import dataclass
from html import escape

EXPORTS, IMPORTS, POSITIVE, NEGATIVE, MUTED = "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#666"
CHAR_WIDTH = 0.62  # average glyph width of the report's sans-serif face, in ems (wider than measured)
TICK_FONT = 11


@dataclass(frozen=True)
class Milestone:
    day: dt.date
    label: str


def text_width(text: str, font_px: float = TICK_FONT) -> float:
    """Estimated rendered width of ``text`` in pixels (an upper bound for digits and lower case)."""
    return len(text) * font_px * CHAR_WIDTH


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    span = (high - low) or abs(high) or 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    return [first + i * step for i in range(math.ceil((high - first) / step) + 1)]


def year_step(band: float, label: str = "2000", gap: float = 8) -> int:
    """Label every n-th year (n in 1, 2, 5, 10, 20 ...) so that year labels never touch."""
    need = text_width(label) + gap
    return next(n for n in (1, 2, 5, 10, 20, 50, 100, 1000) if n * band >= need)


def _num(value: float) -> str:
    if value == 0:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"


def legend(entries: list[tuple[str, str, str]], x0: float, y: float) -> list[str]:
    """A legend row: (shape, colour, label) with shape ``box``, ``dot`` or ``line``; spaced by their text."""
    parts, x = [], x0
    for shape, color, label in entries:
        if shape == "box":
            parts.append(f'<rect x="{x:.1f}" y="{y - 10}" width="12" height="12" fill="{color}"/>')
        elif shape == "dot":
            parts.append(f'<circle cx="{x + 6:.1f}" cy="{y - 4}" r="4" fill="{color}"/>')
        else:
            parts.append(f'<line x1="{x:.1f}" x2="{x + 12:.1f}" y1="{y - 4}" y2="{y - 4}" stroke="{color}" stroke-width="2"/>')
        parts.append(f'<text x="{x + 16:.1f}" y="{y}" class="tick legend">{escape(label)}</text>')
        x += 16 + text_width(label) + 18
    return parts


def _year_axis(years: list[int], x, band: float, y_text: float) -> list[str]:
    step = year_step(band)
    return [f'<text x="{x(year) + band / 2:.1f}" y="{y_text}" text-anchor="middle" class="tick year">{year}</text>'
            for year in years if year % step == 0]


def _bars(years, exports, imports, x, y, band: float) -> list[str]:
    parts, bar = [], band * 0.36
    for i, year in enumerate(years):
        for offset, value, color in ((0.12, exports[i], EXPORTS), (0.52, imports[i], IMPORTS)):
            if value is None:
                continue
            top_y, base = sorted((y(value), y(0)))
            parts.append(f'<rect class="bar" x="{x(year) + band * offset:.1f}" y="{top_y:.1f}" width="{bar:.1f}" '
                         f'height="{max(base - top_y, 0.5):.1f}" fill="{color}"><title>{year}: {_num(value)}</title></rect>')
    return parts


def _balance(years, balance, x, y, band: float) -> list[str]:
    points = " ".join(f"{x(yr) + band / 2:.1f},{y(b):.1f}" for yr, b in zip(years, balance, strict=True))
    parts = [f'<polyline class="balance" points="{points}" fill="none" stroke="{MUTED}" stroke-width="2"/>']
    for yr, b in zip(years, balance, strict=True):
        color = POSITIVE if b >= 0 else NEGATIVE
        parts.append(f'<circle cx="{x(yr) + band / 2:.1f}" cy="{y(b):.1f}" r="3.5" fill="{color}">'
                     f'<title>{yr} balance: {_num(b)}</title></circle>')
    return parts


def _milestones(milestones: list[Milestone], x, top: float, plot_h: float, right_edge: float) -> list[str]:
    parts = []
    for k, m in enumerate(milestones):
        at = x(m.day.year + (m.day.timetuple().tm_yday - 1) / 365.25)
        text = f"{m.label} {m.day.isoformat()}"
        parts.append(f'<line class="milestone" x1="{at:.1f}" x2="{at:.1f}" y1="{top}" y2="{top + plot_h}" '
                     f'stroke="#444" stroke-dasharray="4 3"/>')
        flip = at + 3 + text_width(text, 10) > right_edge  # label left of the line near the right edge
        parts.append(f'<text x="{at - 3 if flip else at + 3:.1f}" y="{top + 12 + 12 * k}" class="milestone-label" '
                     f'text-anchor="{"end" if flip else "start"}">{escape(text)}</text>')
    return parts


def year_chart(
    title: str, years: list[int], exports: list[float | None], imports: list[float | None],
    milestones: list[Milestone], unit: str = "billion USD",
) -> str:
    """Exports and imports as bars per year, the balance as a line, milestones as dashed lines."""
    width, height, left, right, top, bottom = 760, 350, 64, 16, 36, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    balance = [(x or 0) - (m or 0) for x, m in zip(exports, imports, strict=True)]
    ticks = _ticks(min([v or 0 for v in exports + imports] + balance + [0.0]),
                   max([v or 0 for v in exports + imports] + balance + [0.0]))
    low, high = ticks[0], ticks[-1]
    band = plot_w / len(years)

    def y(v: float) -> float:
        return top + plot_h * (high - v) / (high - low)

    def x(year: float) -> float:
        return left + (year - years[0]) * band

    parts = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
             f'<title>{escape(title)}</title>',
             f'<text x="{left}" y="20" class="chart-title">{escape(title)} ({unit})</text>']
    for t in ticks:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" class="tick">{_num(t)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#999"/>')
    parts += _bars(years, exports, imports, x, y, band)
    parts += _year_axis(years, x, band, height - bottom + 16)
    parts += _balance(years, balance, x, y, band)
    parts += _milestones(milestones, x, top, plot_h, width - right)
    entries = [("box", EXPORTS, "exports")] if any(v is not None for v in exports) else []
    entries += [("box", IMPORTS, "imports")] if any(v is not None for v in imports) else []
    entries += [("line", MUTED, "balance (exports − imports)")]
    entries += [("dot", POSITIVE, "surplus")] if any(b >= 0 for b in balance) else []
    entries += [("dot", NEGATIVE, "deficit")] if any(b < 0 for b in balance) else []
    parts += legend(entries, left, height - 10)
    parts.append("</svg>")
    return "\n".join(parts)


def bar_pairs_chart(
    title: str, labels: list[str], first: list[float | None], second: list[float | None],
    names: tuple[str, str], unit: str, notes: list[str] | None = None,
) -> str:
    """Horizontal bars, two per label (e.g. this year and last, MFN and KORUS), with a note per row.

    Each label is written in full above its bars (wrapped, never cut); a series with no value at
    all has neither bars nor a legend entry."""
    width, left, right, top, line_h = 900, 8, 170, 40, 14
    wrap = int((width - 2 * left) / (TICK_FONT * CHAR_WIDTH))
    rows = [textwrap.wrap(label, wrap) or [""] for label in labels]
    height = top + sum(line_h * len(r) + 32 for r in rows) + 30
    high = max([v or 0 for v in first + second] + [0.0]) or 1.0
    plot_w = width - left - right
    series = [(s, c, n) for s, c, n in ((first, EXPORTS, names[0]), (second, IMPORTS, names[1]))
              if any(v is not None for v in s)]
    parts = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
             f'<title>{escape(title)}</title>',
             f'<text x="{left}" y="20" class="chart-title">{escape(title)} ({escape(unit)})</text>']
    parts += legend([("box", c, n) for _, c, n in series], left, height - 10)
    ry = top
    for i, lines in enumerate(rows):
        parts += [f'<text x="{left}" y="{ry + line_h * (k + 1) - 3}" class="label">{escape(line)}</text>'
                  for k, line in enumerate(lines)]
        by = ry + line_h * len(lines) + 2
        for k, (values, color, _) in enumerate(series):
            if values[i] is None:
                continue
            w = max(plot_w * values[i] / high, 0.5)
            parts.append(f'<rect class="bar" x="{left}" y="{by + k * 13}" width="{w:.1f}" height="12" '
                         f'fill="{color}"><title>{escape(labels[i])}: {values[i]:,.2f}</title></rect>')
            parts.append(f'<text x="{left + w + 4:.1f}" y="{by + 10 + k * 13}" class="tick">{_num(values[i])}</text>')
        if notes and notes[i]:
            parts.append(f'<text x="{width - 8}" y="{by + 16}" text-anchor="end" class="note">{escape(notes[i])}</text>')
        ry = by + 30
    parts.append("</svg>")
    return "\n".join(parts)
