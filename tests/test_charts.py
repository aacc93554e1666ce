"""Server-drawn SVG charts: what is drawn matches the data."""

from __future__ import annotations

import datetime as dt

import pytest

from dxportal.programme.charts import line_chart, nice_ceiling, progress_bar
from dxportal.programme.goals import Point

from conftest import parse


def chart(points, baseline, target):
    svg = line_chart(points, baseline, target, "c", "Tiêu đề <b>", "Mô tả & chú thích", str, "T")
    return parse(str(svg)).svg


def scale(svg):
    """The value drawn at a circle's cy, from the chart's own range (plot from y=24 to y=280)."""
    low, top = float(svg["data-min"]), float(svg["data-max"])
    return lambda cy: top - (cy - 24) / 256 * (top - low)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 1), (7, 10), (18, 20), (50, 50), (51, 100), (2700, 5000), (0.3, 0.5)],
)
def test_axis_maximum_is_a_round_number_at_or_above_the_value(value, expected):
    assert nice_ceiling(value) == expected


def test_points_are_drawn_at_their_values_and_dates():
    points = [Point(dt.date(2019, 6, 30), 2), Point(dt.date(2022, 12, 31), 18)]
    svg = chart(points, Point(dt.date(2020, 12, 31), 3), Point(dt.date(2025, 12, 31), 50))
    # A measurement before the baseline year widens the time axis instead of leaving the plot.
    assert svg["data-x-start"] == "2019-01-01"
    value_at = scale(svg)
    circles = svg.select("circle")
    assert [c["data-value"] for c in circles] == ["3", "2", "18"]
    for circle in circles:
        assert value_at(float(circle["cy"])) == pytest.approx(float(circle["data-value"]), abs=0.1)
        assert 64 <= float(circle["cx"]) <= 616
    # The title and description are text, escaped.
    assert svg.title.get_text() == "Tiêu đề <b>" and svg.find("b") is None
    assert svg.desc.get_text() == "Mô tả & chú thích"


def test_negative_values_extend_the_axis_below_zero():
    points = [Point(dt.date(2022, 12, 31), -12)]
    svg = chart(points, Point(dt.date(2021, 12, 31), 5), Point(dt.date(2025, 12, 31), 10))
    assert (svg["data-min"], svg["data-max"]) == ("-20", "10")
    value_at = scale(svg)
    lowest = svg.select("circle")[-1]
    assert value_at(float(lowest["cy"])) == pytest.approx(-12, abs=0.1)
    assert float(lowest["cy"]) <= 280


def test_progress_bar_is_filled_to_its_fraction_and_clamped():
    bar = parse(str(progress_bar(0.3191, "p", "32%"))).svg
    assert bar["role"] == "img" and bar.title.get_text() == "32%"
    assert bar.select_one(".progress-bar__fill")["width"] == "31.91"
    over = parse(str(progress_bar(1.7, "p", "x"))).svg
    assert over.select_one(".progress-bar__fill")["width"] == "100.0"
