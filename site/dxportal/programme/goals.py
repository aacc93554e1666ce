"""Goals: where each indicator stands between its baseline and its target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dxportal.content.model import Entry, Page
from dxportal.content.vocabularies import PILLARS


@dataclass(frozen=True)
class Point:
    """One value of an indicator at a date; ``source`` says where it comes from."""

    date: dt.date
    value: float
    source: str = ""


@dataclass(frozen=True)
class Progress:
    """A goal's baseline, target and latest value, and how far along the way it is."""

    baseline: Point
    target: Point
    latest: Point
    measured: bool  # False when there is no measurement yet (latest is the baseline)

    @property
    def fraction(self) -> float:
        """The share of the way from baseline to target, 0 to 1 (also for falling targets)."""
        span = self.target.value - self.baseline.value
        if not span:
            return 1.0
        return min(1.0, max(0.0, (self.latest.value - self.baseline.value) / span))

    @property
    def percent(self) -> int:
        return round(self.fraction * 100)

    @property
    def reached(self) -> bool:
        return self.fraction >= 1.0


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def measurements(page: Page) -> list[Point]:
    """The page's measurements, oldest first."""
    points = [
        Point(_as_date(m["date"]), m["value"], m.get("source", ""))
        for m in page.meta.get("measurements", ())
    ]
    return sorted(points, key=lambda p: p.date)


def goal_progress(page: Page) -> Progress:
    baseline = Point(year_end(page.meta["baseline"]["year"]), page.meta["baseline"]["value"])
    target = Point(year_end(page.meta["target"]["year"]), page.meta["target"]["value"])
    points = measurements(page)
    return Progress(baseline, target, points[-1] if points else baseline, bool(points))


def goals_by_pillar(entries: list[Entry]) -> list[tuple[str, list[Entry]]]:
    """Goals grouped in the fixed order of the pillars, each group by title; empty ones left out."""
    groups: dict[str, list[Entry]] = {pillar: [] for pillar in PILLARS}
    for entry in entries:
        groups[entry.version("vi").meta["pillar"]].append(entry)
    return [
        (pillar, sorted(found, key=lambda e: e.version("vi").title))
        for pillar, found in groups.items()
        if found
    ]


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
