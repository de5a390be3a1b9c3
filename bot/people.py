"""How chat users are named in answers, lists, the history and the status report.

After ``!daten-loeschen`` a user's id is replaced by a pseudonym (``pseudonym-`` and 12 hex
digits, computed by the registration store, see :meth:`store.registrations.RegistrationRepository.erase_person`)
and their display names are emptied. Such an id is never shown: answers say "eine Person (Daten
gelöscht)" ("a person (data erased)") instead.
"""
from __future__ import annotations

from bot.answers.i18n import t

PSEUDONYM_PREFIX = "pseudonym-"
"""How every pseudonym starts (the store writes ``pseudonym-<12 hex digits>``)."""


def is_pseudonym(user_id: str | None) -> bool:
    """True for an id that replaced an erased user's id."""
    return bool(user_id) and user_id.startswith(PSEUDONYM_PREFIX)  # type: ignore[union-attr]


def erased_person(language: str = "de", dative: bool = False) -> str:
    """``"eine Person (Daten gelöscht)"`` (``dative``: "einer Person …", after "von") / ``"a person
    (data erased)"``."""
    return t(language, f"{'einer' if dative else 'eine'} Person (Daten gelöscht)", "a person (data erased)")


def person_label(user_id: str | None, name: str | None = None, language: str = "de", dative: bool = False) -> str:
    """A person as answers show them: :func:`erased_person` for a pseudonym, else the display
    name, else the user id, else "eine Person" ("a person"; ``dative``: "einer Person")."""
    if is_pseudonym(user_id):
        return erased_person(language, dative)
    return name or user_id or t(language, "einer Person" if dative else "eine Person", "a person")
