"""How moments are written to the database: one text form for every table.

``utc_text`` gives ISO 8601 in UTC with the ``+00:00`` offset and microsecond precision, leaving
the fraction out when it is zero (``datetime.isoformat``'s own rule): ``2023-01-13T08:00:00+00:00``,
``2023-01-13T08:00:00.250000+00:00``. ``datetime.fromisoformat`` reads it back unchanged.

Compared as text (``WHERE sent_at < ?``, ``MAX(value, ...)``) these strings sort in time order:
moments in different seconds differ before the fraction, and within one second ``+`` sorts
before ``.``, so the whole second comes first. Rows written by older versions in seconds,
milliseconds or microseconds compare the same way, except that a moment written with an
all-zero fraction (``.000``) sorts after the same moment written without one.
"""
from __future__ import annotations

import datetime as dt


def utc_text(moment: dt.datetime) -> str:
    """``moment`` (timezone-aware) as the database's UTC text; see the module docstring.

    Raises ValueError for a naive datetime: the store never guesses a zone."""
    if moment.tzinfo is None:
        raise ValueError(f"utc_text needs a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(dt.timezone.utc).isoformat()
