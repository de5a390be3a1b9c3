"""How a session, exchange round or milestone is written in answers and reminders (de/en)."""
from __future__ import annotations

from bot.formatting import date_long, datetime_long
from bot.schedule import Occurrence


def occurrence_text(occurrence: Occurrence, language: str = "de") -> str:
    """E.g. "Donnerstag, 26.01.2023, 10:00 Uhr, Raum 3.14 (Feiertag: Reformationstag)".

    Moved sessions say from when, cancelled ones say so with the reason.
    """
    de = language != "en"
    if occurrence.kind == "meilenstein":
        text = date_long(occurrence.start.date(), language)
    else:
        text = datetime_long(occurrence.start, language)
    if occurrence.location:
        text += f", {occurrence.location}"
    if occurrence.holiday:
        text += f" (Feiertag: {occurrence.holiday})" if de else f" (public holiday: {occurrence.holiday})"
    if occurrence.status == "moved" and occurrence.original_start is not None:
        was = datetime_long(occurrence.original_start, language)
        text += f" – verschoben vom {was}" if de else f" – moved from {was}"
    if occurrence.status == "cancelled":
        text += " – fällt aus" if de else " – cancelled"
    if occurrence.status == "extra":
        text += " – Zusatztermin" if de else " – extra session"
    if occurrence.reason and occurrence.reason != occurrence.holiday:
        text += f" ({occurrence.reason})"
    return text
