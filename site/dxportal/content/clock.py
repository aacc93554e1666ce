"""The province's one time zone and "now".

Front-matter dates are local to the province: Vietnam is UTC+7 all year (no daylight saving
time). Scheduling compares naive local datetimes (as front matter writes them); calendars,
feeds and deadlines use aware ones. Both come from here.
"""

from __future__ import annotations

import datetime as dt

SITE_TIMEZONE = dt.timezone(dt.timedelta(hours=7), "ICT")


def local_datetime(value: dt.date) -> dt.datetime:
    """A date or datetime as a naive datetime in the site's local time."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(SITE_TIMEZONE).replace(tzinfo=None)
        return value
    return dt.datetime.combine(value, dt.time())


def site_time(value: dt.date, end_of_day: bool = False) -> dt.datetime:
    """A date or datetime as an aware datetime in Vietnam time; a bare date starts its day
    (or ends it, with ``end_of_day``)."""
    if not isinstance(value, dt.datetime):
        clock = dt.time(23, 59, 59) if end_of_day else dt.time()
        value = dt.datetime.combine(value, clock)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SITE_TIMEZONE)
    return value


def local_now(configured: str | dt.datetime | None = None) -> dt.datetime:
    """The current time in the site's local time, naive (as front-matter dates are).

    ``configured`` (DXPORTAL_NOW, an ISO date or datetime) replaces the clock, for tests and
    to see the site as it will be published at a given moment.
    """
    if isinstance(configured, str) and configured.strip():
        configured = dt.datetime.fromisoformat(configured.strip())
    if isinstance(configured, dt.datetime):
        return local_datetime(configured)
    return dt.datetime.now(SITE_TIMEZONE).replace(tzinfo=None)


def site_now(configured: str | dt.datetime | None = None) -> dt.datetime:
    """local_now as an aware datetime (for deadlines and calendars)."""
    return local_now(configured).replace(tzinfo=SITE_TIMEZONE)


def sort_key_date(value: dt.date | None) -> dt.datetime:
    """Dates and datetimes compared on one scale; pages without a date sort last."""
    if value is None:
        return dt.datetime.min
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.combine(value, dt.time())


def rfc3339(value: dt.date) -> str:
    """A date or datetime as an RFC 3339 time (Atom); a bare date is midnight in Vietnam."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=SITE_TIMEZONE)
    return value.isoformat()
