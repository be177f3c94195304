"""Inline SVG charts drawn in Python: no JavaScript library, nothing fetched, so a report opens offline.

Each function returns one ``<svg class="chart">`` element as text (no ``xmlns``: inline SVG in
HTML needs none, and the report must hold no URL at all).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from html import escape

EXPORTS, IMPORTS, POSITIVE, NEGATIVE, MUTED = "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#666"


@dataclass(frozen=True)
class Milestone:
    day: dt.date
    label: str


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    span = (high - low) or abs(high) or 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    return [first + i * step for i in range(math.ceil((high - first) / step) + 1)]


def _num(value: float) -> str:
    if value == 0:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"


def year_chart(
    title: str, years: list[int], exports: list[float | None], imports: list[float | None],
    milestones: list[Milestone], unit: str = "billion USD",
) -> str:
    """Exports and imports as bars per year, the balance as a line, milestones as dashed lines."""
    width, height, left, right, top, bottom = 760, 340, 64, 16, 36, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    balance = [(x or 0) - (m or 0) for x, m in zip(exports, imports, strict=True)]
    values = [v or 0 for v in exports + imports] + balance + [0.0]
    ticks = _ticks(min(values), max(values))
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
    bar = band * 0.36
    for i, year in enumerate(years):
        for offset, value, color in ((0.12, exports[i], EXPORTS), (0.52, imports[i], IMPORTS)):
            if value is None:
                continue
            top_y, base = sorted((y(value), y(0)))
            parts.append(f'<rect class="bar" x="{x(year) + band * offset:.1f}" y="{top_y:.1f}" width="{bar:.1f}" '
                         f'height="{max(base - top_y, 0.5):.1f}" fill="{color}"><title>{year}: {_num(value)}</title></rect>')
        parts.append(f'<text x="{x(year) + band / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                     f'class="tick">{year}</text>')
    points = " ".join(f"{x(yr) + band / 2:.1f},{y(b):.1f}" for yr, b in zip(years, balance, strict=True))
    parts.append(f'<polyline class="balance" points="{points}" fill="none" stroke="{MUTED}" stroke-width="2"/>')
    for yr, b in zip(years, balance, strict=True):
        color = POSITIVE if b >= 0 else NEGATIVE
        parts.append(f'<circle cx="{x(yr) + band / 2:.1f}" cy="{y(b):.1f}" r="3.5" fill="{color}">'
                     f'<title>{yr} balance: {_num(b)}</title></circle>')
    for k, m in enumerate(milestones):
        at = x(m.day.year + (m.day.timetuple().tm_yday - 1) / 365.25)
        parts.append(f'<line class="milestone" x1="{at:.1f}" x2="{at:.1f}" y1="{top}" y2="{top + plot_h}" '
                     f'stroke="#444" stroke-dasharray="4 3"/>')
        flip = at > width - right - 170  # label left of the line near the right edge
        parts.append(f'<text x="{at - 3 if flip else at + 3:.1f}" y="{top + 12 + 12 * k}" class="milestone-label" '
                     f'text-anchor="{"end" if flip else "start"}">{escape(m.label)} {m.day.isoformat()}</text>')
    legend = ((EXPORTS, "exports"), (IMPORTS, "imports"), (MUTED, "balance"))
    for k, (color, label) in enumerate(legend):
        lx = left + k * 110
        parts.append(f'<rect x="{lx}" y="{height - 18}" width="12" height="12" fill="{color}"/>'
                     f'<text x="{lx + 16}" y="{height - 8}" class="tick">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def bar_pairs_chart(
    title: str, labels: list[str], first: list[float | None], second: list[float | None],
    names: tuple[str, str], unit: str, notes: list[str] | None = None,
) -> str:
    """Horizontal bars, two per label (e.g. this year and last, MFN and KORUS), with a note per row."""
    row_h, left, right, top = 34, 300, 170, 40
    width, height = 900, top + row_h * len(labels) + 30
    high = max([v or 0 for v in first + second] + [0.0]) or 1.0
    plot_w = width - left - right
    parts = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
             f'<title>{escape(title)}</title>',
             f'<text x="8" y="20" class="chart-title">{escape(title)} ({escape(unit)})</text>']
    for k, (name, color) in enumerate(zip(names, (EXPORTS, IMPORTS), strict=True)):
        lx = left + k * 160
        parts.append(f'<rect x="{lx}" y="{height - 20}" width="12" height="12" fill="{color}"/>'
                     f'<text x="{lx + 16}" y="{height - 10}" class="tick">{escape(name)}</text>')
    for i, label in enumerate(labels):
        ry = top + i * row_h
        parts.append(f'<text x="{left - 8}" y="{ry + 18}" text-anchor="end" class="label">{escape(label[:48])}</text>')
        for k, (value, color) in enumerate(((first[i], EXPORTS), (second[i], IMPORTS))):
            if value is None:
                continue
            w = max(plot_w * value / high, 0.5)
            parts.append(f'<rect class="bar" x="{left}" y="{ry + 3 + k * 13}" width="{w:.1f}" height="12" '
                         f'fill="{color}"><title>{escape(label)}: {value:,.2f}</title></rect>')
            parts.append(f'<text x="{left + w + 4:.1f}" y="{ry + 13 + k * 13}" class="tick">{_num(value)}</text>')
        if notes and notes[i]:
            parts.append(f'<text x="{width - 8}" y="{ry + 18}" text-anchor="end" class="note">{escape(notes[i])}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
