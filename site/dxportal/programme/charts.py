"""Charts drawn as inline SVG on the server: no script, readable by screen readers and in print.

Each chart is an <svg role="img"> with a <title> and a <desc>; pages also show the data as a
table. Values are carried in data-value attributes so that tests can check what is drawn.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence

from markupsafe import Markup

from dxportal.programme.goals import Point

Format = Callable[[float], str]

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 24, 40


def progress_bar(fraction: float, chart_id: str, title: str) -> Markup:
    """A horizontal bar filled to ``fraction`` (0 to 1); its numbers are written next to it."""
    fraction = min(1.0, max(0.0, fraction))
    width = round(fraction * 100, 2)
    return Markup(
        '<svg class="progress-bar" role="img" aria-labelledby="{id}-title" viewBox="0 0 100 8" '
        'preserveAspectRatio="none" width="100%" height="16" data-fraction="{fraction}">'
        '<title id="{id}-title">{title}</title>'
        '<rect class="progress-bar__track" x="0" y="0" width="100" height="8" fill="#e3ecf2" '
        'stroke="#52606d" stroke-width="0.5" vector-effect="non-scaling-stroke"/>'
        '<rect class="progress-bar__fill" x="0" y="0" width="{width}" height="8" fill="#0b5e55"/>'
        "</svg>"
    ).format(id=chart_id, title=title, fraction=round(fraction, 4), width=width)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above ``value`` (an axis maximum)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


def line_chart(
    points: Sequence[Point],
    baseline: Point,
    target: Point,
    chart_id: str,
    title: str,
    description: str,
    format_value: Format,
    target_label: str,
) -> Markup:
    """Measurements over time from the baseline to the target year, with the target dashed.

    The x axis runs from the start of the baseline year (or of an earlier measurement) to the
    end of the target year (or of a later one); the y axis from 0 (or a round number below
    the smallest value, if it is negative) to a round number above the largest value.
    """
    values = [target.value, baseline.value] + [p.value for p in points]
    start = dt.date(min([baseline.date.year] + [p.date.year for p in points]), 1, 1)
    end = max([target.date] + [p.date for p in points])
    days = max(1, (end - start).days)
    top_value = nice_ceiling(max(values))
    low_value = -nice_ceiling(-min(values)) if min(values) < 0 else 0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return round(LEFT + plot_w * (day - start).days / days, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (top_value - value) / (top_value - low_value), 1)

    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" data-min="{low_value:g}" '
        f'data-max="{top_value:g}" '
        f'data-x-start="{start.isoformat()}" data-x-end="{end.isoformat()}">',
        Markup('<title id="{}-title">{}</title>').format(chart_id, title),
        Markup('<desc id="{}-desc">{}</desc>').format(chart_id, description),
        '<g class="chart__axes" font-size="12" fill="#17212b">',
    ]
    for step in range(5):
        value = low_value + (top_value - low_value) * step / 4
        parts.append(
            Markup(
                f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value)}" y2="{y(value)}" '
                'stroke="#c5d0da" stroke-width="1"/>'
            )
            + Markup('<text x="{}" y="{}" text-anchor="end">{}</text>').format(
                LEFT - 6, y(value) + 4, format_value(value)
            )
        )
    for year in range(start.year, end.year + 1):
        middle = x(dt.date(year, 7, 1))
        parts.append(
            f'<text x="{middle}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle">{year}</text>'
            f'<line x1="{x(dt.date(year, 1, 1))}" x2="{x(dt.date(year, 1, 1))}" '
            f'y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM + 6}" stroke="#52606d"/>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#52606d"/></g>'
    )
    parts.append(
        Markup(
            f'<g class="chart__target"><line x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{y(target.value)}" y2="{y(target.value)}" stroke="#b3261e" stroke-width="2" '
            f'stroke-dasharray="6 4" data-value="{target.value:g}"/>'
        )
        + Markup(
            '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#b3261e">{}</text>'
        ).format(WIDTH - RIGHT, y(target.value) - 6, target_label)
        + Markup("</g>")
    )
    series = [baseline, *points]
    path = " ".join(f"{x(p.date)},{y(p.value)}" for p in series)
    parts.append(
        f'<polyline class="chart__line" points="{path}" fill="none" stroke="#0b4a6f" '
        'stroke-width="2.5"/>'
    )
    for index, point in enumerate(series):
        kind = "baseline" if index == 0 else "measurement"
        fill = "#ffffff" if index == 0 else "#0b4a6f"
        parts.append(
            f'<circle class="chart__point chart__point--{kind}" cx="{x(point.date)}" '
            f'cy="{y(point.value)}" r="5" fill="{fill}" stroke="#0b4a6f" stroke-width="2" '
            f'data-date="{point.date.isoformat()}" data-value="{point.value:g}"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # numbers and dates, or Markup-escaped text
