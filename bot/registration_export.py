"""The late registrations (Nachmeldungen) and their audit as CSV (``agbot export-registrations``)."""
from __future__ import annotations

import csv
import io
import re

from typing import Protocol

from bot.ports import AuditEntry, Registration
from bot.view import ProgrammeView

COLUMNS = ["nr", "ag", "organisation", "organisation_key", "state", "action", "actor", "platform", "room",
           "at_utc", "detail"]
_MATRIX_USER = re.compile(r"@[^:\s]+:\S+")


def safe_cell(value: object) -> str:
    """``value`` as a CSV cell a spreadsheet shows as text: a cell that starts like a formula
    (``=``, ``+``, ``-``, tab, CR, or ``@`` other than a Matrix user id) gets a leading ``'``
    (CSV injection, OWASP)."""
    text = str(value)
    risky = text[:1] in ("=", "+", "-", "\t", "\r") or (text[:1] == "@" and not _MATRIX_USER.fullmatch(text))
    return "'" + text if risky else text


class RegistrationArchive(Protocol):
    """What the export reads (implemented by :class:`store.registrations.RegistrationRepository`)."""

    async def all(self) -> list[Registration]:
        """Every registration, in any state."""

    async def audit(self, group_keys: set[str] | None = None) -> list[AuditEntry]:
        """The audit rows (all AGs when ``group_keys`` is None), oldest first."""


async def registrations_csv(registrations: RegistrationArchive, view: ProgrammeView) -> str:
    """All registrations' audit rows as CSV with a header row (:data:`COLUMNS`), one row per
    audit event in the store's order; ``state`` is the registration's current state, ``at_utc``
    the event's time in UTC (ISO 8601); organisation names come from ``view``'s directory."""
    by_number = {r.id: r for r in await registrations.all()}

    def org_name(key: str) -> str:
        org = view.directory.get(key)
        return org.name if org else key

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in await registrations.audit():
        registration = by_number.get(entry.registration_id)
        writer.writerow([safe_cell(v) for v in (
            entry.registration_id, entry.group_key, org_name(entry.organisation_key), entry.organisation_key,
            registration.state if registration else "", entry.action, entry.actor_id, entry.platform,
            entry.room_id, entry.at.isoformat(), entry.detail or "")])
    return out.getvalue()
