"""Training calls: their registration status at a given time, calendar files and Event data.

A static site is built once and read for weeks, so the status written into the pages is the
status at build time; a few lines of JS (static/js/training-status.js) update it from the
visitor's clock, and without JS the deadline itself is always shown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from markupsafe import Markup

from dxportal.content.clock import site_time
from dxportal.content.model import Entry, Page
from dxportal.content.programme_fields import LOCATION_ONLINE

if TYPE_CHECKING:  # icalendar takes a second to import: only calendar files need it
    import icalendar

CLOSING_SOON = dt.timedelta(days=7)
OPEN, CLOSING_SOON_STATUS, CLOSED = "open", "closing-soon", "closed"


def deadline_of(page: Page) -> dt.datetime:
    """Registration closes at the deadline's time, or at the end of the deadline's day."""
    return site_time(page.meta["deadline"], end_of_day=True)


def call_status(page: Page, now: dt.datetime) -> str:
    """open, closing-soon (7 days or less left) or closed."""
    left = deadline_of(page) - now
    if left < dt.timedelta(0):
        return CLOSED
    return CLOSING_SOON_STATUS if left <= CLOSING_SOON else OPEN


def sorted_calls(entries: list[Entry], now: dt.datetime) -> list[Entry]:
    """Calls still open first, the nearest deadline first; then closed ones, latest first."""
    still_open = [e for e in entries if call_status(e.version("vi"), now) != CLOSED]
    closed = [e for e in entries if call_status(e.version("vi"), now) == CLOSED]
    still_open.sort(key=lambda e: (deadline_of(e.version("vi")), e.slug))
    closed.sort(key=lambda e: (deadline_of(e.version("vi")), e.slug), reverse=True)
    return still_open + closed


def is_online(page: Page) -> bool:
    return page.meta.get("location", "").strip().lower() == LOCATION_ONLINE


def is_all_day(page: Page) -> bool:
    return not isinstance(page.meta["start"], dt.datetime)


def calendar_event(page: Page, url: str, host: str) -> icalendar.Event:
    """One VEVENT: all-day when start has no time (DTEND is then the day after the end)."""
    import icalendar

    event = icalendar.Event()
    event.add("uid", f"training-{page.slug}@{host}")
    stamp = page.updated or page.date
    event.add("dtstamp", site_time(stamp).astimezone(dt.UTC))
    if is_all_day(page):
        event.add("dtstart", page.meta["start"])
        end = page.meta["end"]
        end = end.date() if isinstance(end, dt.datetime) else end
        event.add("dtend", end + dt.timedelta(days=1))
    else:
        event.add("dtstart", site_time(page.meta["start"]).astimezone(dt.UTC))
        end = site_time(page.meta["end"], end_of_day=True)
        event.add("dtend", end.astimezone(dt.UTC))
    event.add("summary", page.title)
    lines = [page.summary] if page.summary else []
    lines.append(page.meta["organiser"])
    if page.meta.get("registration"):
        lines.append(page.meta["registration"])
    if page.meta.get("contact"):
        lines.append(page.meta["contact"])
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("location", page.meta["location"])
    event.add("url", url)
    return event


def build_calendar(pages: list[Page], name: str, url_of: Callable[[Page], str], host: str) -> bytes:
    """An iCalendar file with one event per page."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//dxportal//training calls//VI")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for page in pages:
        calendar.add_component(calendar_event(page, url_of(page), host))
    return calendar.to_ical()


def event_json_ld(page: Page, url: str, audience_names: list[str]) -> Markup:
    """schema.org Event as a <script> body: JSON with '<', '>' and '&' escaped."""
    online = is_online(page)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": page.title,
        "url": url,
        "inLanguage": page.lang,
        "startDate": _iso(page.meta["start"]),
        "endDate": _iso(page.meta["end"]),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/"
        + ("OnlineEventAttendanceMode" if online else "OfflineEventAttendanceMode"),
        "location": (
            {"@type": "VirtualLocation", "url": page.meta.get("registration") or url}
            if online
            else {"@type": "Place", "name": page.meta["location"]}
        ),
        "organizer": {"@type": "Organization", "name": page.meta["organiser"]},
        "audience": {"@type": "Audience", "audienceType": ", ".join(audience_names)},
    }
    if page.summary:
        data["description"] = page.summary
    if "capacity" in page.meta:
        data["maximumAttendeeCapacity"] = page.meta["capacity"]
    return safe_json(data)


def safe_json(data: object) -> Markup:
    """JSON that cannot close its <script> element or start an HTML comment."""
    text = json.dumps(data, ensure_ascii=False, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _iso(value: dt.date) -> str:
    return site_time(value).isoformat() if isinstance(value, dt.datetime) else value.isoformat()
