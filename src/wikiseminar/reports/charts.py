"""Server-side SVG charts: the same markup shows in the browser, prints, and goes into PDFs.

No JavaScript and no plotting library: a chart is a small, accessible SVG (a <title>, a
<desc>, and a text table fallback is left to the page). Colours are distinguishable for
colour-blind readers (Okabe–Ito palette) and every series also has its own dash pattern.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["PALETTE", "Series", "bar_chart", "class_chart", "cumulative", "line_chart", "weekly"]

# Okabe & Ito (2008), readable by the common forms of colour blindness.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4")


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart: a label and (x, y) points with x a date."""

    label: str
    points: Sequence[tuple[dt.date, float]]


def cumulative(points: Sequence[tuple[dt.date, float]]) -> list[tuple[dt.date, float]]:
    """Running totals of daily values."""
    total = 0.0
    out = []
    for day, value in points:
        total += value
        out.append((day, total))
    return out


def weekly(points: Sequence[tuple[dt.date, float]]) -> list[tuple[dt.date, float]]:
    """Sum daily values per ISO week (labelled by the week's Monday)."""
    weeks: dict[dt.date, float] = {}
    for day, value in points:
        monday = day - dt.timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0.0) + value
    return sorted(weeks.items())


def _ticks(value: float) -> tuple[float, list[float]]:
    """Axis maximum and tick values: whole-number steps of 1, 2 or 5 × 10^n, four to six ticks."""
    value = max(value, 1.0)
    magnitude = 10 ** max(0, math.floor(math.log10(value)) - 1)
    for multiple in (1, 2, 5, 10, 20, 50, 100):
        step = multiple * magnitude
        if value / step <= 5:
            break
    top = step * math.ceil(value / step)
    count = round(top / step)
    return float(top), [float(step * i) for i in range(count + 1)]


def _fmt(value: float) -> str:
    """Axis and label numbers: whole numbers, thousands separated by a narrow space."""
    return f"{round(value):,}".replace(",", "\u202f")


def _frame(width: int, height: int, title: str, desc: str, chart_id: str | None) -> list[str]:
    """The SVG root with its accessible name; ids are unique so several charts share a page."""
    cid = chart_id or f"chart-{uuid.uuid4().hex[:8]}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{cid}-t {cid}-d" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def line_chart(series: Sequence[Series], *, title: str, y_label: str = "",
               start: dt.date | None = None, end: dt.date | None = None,
               width: int = 640, height: int = 260, date_format: str = "%d/%m",
               chart_id: str | None = None) -> Markup:
    """Lines over time (one per series), dates on x, a legend under the plot."""
    left, right, top = 52, 24, 14
    legend_rows = math.ceil(len(series) / 3) if len(series) > 1 else 0
    bottom = 34 + 16 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom
    all_points = [p for s in series for p in s.points]
    days = [d for d, _ in all_points]
    x0 = start or (min(days) if days else dt.date.today())
    x1 = end or (max(days) if days else x0 + dt.timedelta(days=1))
    if x1 <= x0:
        x1 = x0 + dt.timedelta(days=1)
    y_max, ticks_y = _ticks(max((v for _, v in all_points), default=0.0))
    span = (x1 - x0).days

    def x(day: dt.date) -> float:
        return left + plot_w * (day - x0).days / span

    def y(value: float) -> float:
        return top + plot_h * (1 - value / y_max)

    desc = f"{len(series)} series from {x0.isoformat()} to {x1.isoformat()}, maximum {_fmt(y_max)}"
    out = _frame(width, height, title, desc, chart_id)
    for value in ticks_y:
        yy = y(value)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + plot_w}" y2="{yy:.1f}" stroke="#d0d7de"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#4a535e">{_fmt(value)}</text>')
    ticks = 6
    for i in range(ticks + 1):
        day = x0 + dt.timedelta(days=round(span * i / ticks))
        xx = x(day)
        out.append(f'<text x="{xx:.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#4a535e">'
                   f"{escape(day.strftime(date_format))}</text>")
    if y_label:
        out.append(f'<text x="12" y="{top + plot_h / 2:.1f}" transform="rotate(-90 12 {top + plot_h / 2:.1f})" '
                   f'text-anchor="middle" fill="#4a535e">{escape(y_label)}</text>')
    for index, s in enumerate(series):
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
        if not s.points:
            continue
        path: list[str] = []
        previous = None
        for day, value in s.points:  # step line: a total holds until the next change
            if previous is not None:
                path.append(f"L{x(day):.1f},{y(previous):.1f}")
            path.append(("M" if not path else "L") + f"{x(day):.1f},{y(value):.1f}")
            previous = value
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}>'
                   f"<title>{escape(s.label)}</title></path>")
    if legend_rows:
        for index, s in enumerate(series):
            col, row = index % 3, index // 3
            lx, ly = left + col * (plot_w / 3), top + plot_h + 32 + row * 16
            colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<line x1="{lx:.1f}" y1="{ly - 4:.1f}" x2="{lx + 18:.1f}" y2="{ly - 4:.1f}" '
                       f'stroke="{colour}" stroke-width="2"{dash_attr}/>')
            out.append(f'<text x="{lx + 22:.1f}" y="{ly:.1f}">{escape(s.label[:28])}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#8c959f"/>')
    out.append("</svg>")
    return Markup("".join(out))


def bar_chart(values: Mapping[dt.date, float] | Sequence[tuple[dt.date, float]], *, title: str,
              y_label: str = "", width: int = 640, height: int = 220,
              date_format: str = "%d/%m", chart_id: str | None = None) -> Markup:
    """Vertical bars, one per date (e.g. edits per week), value labels on top."""
    items = sorted(values.items()) if isinstance(values, Mapping) else list(values)
    left, right, top, bottom = 52, 24, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    y_max, ticks_y = _ticks(max((v for _, v in items), default=0.0))
    desc = f"{len(items)} bars, maximum {_fmt(max((v for _, v in items), default=0.0))}"
    out = _frame(width, height, title, desc, chart_id)
    for value in ticks_y:
        yy = top + plot_h * (1 - value / y_max)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + plot_w}" y2="{yy:.1f}" stroke="#d0d7de"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#4a535e">{_fmt(value)}</text>')
    if y_label:
        out.append(f'<text x="12" y="{top + plot_h / 2:.1f}" transform="rotate(-90 12 {top + plot_h / 2:.1f})" '
                   f'text-anchor="middle" fill="#4a535e">{escape(y_label)}</text>')
    n = max(len(items), 1)
    slot = plot_w / n
    bar = max(2.0, slot * 0.7)
    label_every = max(1, math.ceil(n / 10))
    for index, (day, value) in enumerate(items):
        h = plot_h * value / y_max
        bx = left + index * slot + (slot - bar) / 2
        out.append(f'<rect x="{bx:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                   f'fill="{PALETTE[0]}"><title>{escape(day.isoformat())}: {_fmt(value)}</title></rect>')
        if value and n <= 20:
            out.append(f'<text x="{bx + bar / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle">{_fmt(value)}</text>')
        if index % label_every == 0:
            out.append(f'<text x="{bx + bar / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                       f'fill="#4a535e">{escape(day.strftime(date_format))}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#8c959f"/>')
    out.append("</svg>")
    return Markup("".join(out))


def class_chart(points: Sequence[tuple[dt.datetime, int]], classes: Sequence[str], *,
                title: str, start: dt.date, end: dt.date, width: int = 360, height: int = 150,
                chart_id: str | None = None) -> Markup:
    """A step line of a class over time (the quality estimate), the class names on the y axis."""
    left, right, top, bottom = 62, 14, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    span = max(1, (end - start).days)
    levels = max(1, len(classes) - 1)

    def x(when: dt.datetime) -> float:
        day = min(max(when.date(), start), end)
        return left + plot_w * (day - start).days / span

    def y(level: int) -> float:
        return top + plot_h * (1 - level / levels)

    names = ", ".join(f"{when.date().isoformat()}: {classes[level]}" for when, level in points)
    out = _frame(width, height, title, names or title, chart_id)
    for level, name in enumerate(classes):
        yy = y(level)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + plot_w}" y2="{yy:.1f}" stroke="#d0d7de"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#4a535e">'
                   f"{escape(name)}</text>")
    for day, anchor in ((start, "start"), (end, "end")):
        xx = left + plot_w * (day - start).days / span
        out.append(f'<text x="{xx:.1f}" y="{top + plot_h + 18}" text-anchor="{anchor}" '
                   f'fill="#4a535e">{escape(day.strftime("%d/%m"))}</text>')
    if points:
        path = []
        previous: int | None = None
        for when, level in points:
            if previous is not None:
                path.append(f"L{x(when):.1f},{y(previous):.1f}")
            path.append(("M" if not path else "L") + f"{x(when):.1f},{y(level):.1f}")
            previous = level
        end_x = left + plot_w
        path.append(f"L{end_x:.1f},{y(points[-1][1]):.1f}")
        out.append(f'<path d="{" ".join(path)}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
        for when, level in points:
            out.append(f'<circle cx="{x(when):.1f}" cy="{y(level):.1f}" r="3" fill="{PALETTE[0]}"/>')
    out.append("</svg>")
    return Markup("".join(out))
