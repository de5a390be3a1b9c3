"""Organisation directory: who is who, and which words name which organisation.

Merges the organisations of the programme with Destatis' list of Sachsen-Anhalt's districts,
district-free towns, Verbandsgemeinden and municipalities (``bot/data/kommunen.csv``, source:
Statistisches Bundesamt (Destatis), Gemeindeverzeichnis, dl-de/by-2-0). An entry of the
programme with an ``ars`` takes over the Destatis entry with the same key.

Aliases cover the usual spellings: with or without "Stadt", "Gemeinde"/"GM",
"Verbandsgemeinde"/"VG", "Landkreis"/"LK", "Hansestadt", "Lutherstadt", ß/ss, a bracketed
suffix ("Halle (Saale)" = "Halle"). A name that several organisations share ("Wittenberg":
the Landkreis and the Lutherstadt) resolves to all of them.
"""
from __future__ import annotations

import csv
import functools
import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.programme import Organisation, OrganisationType
from bot.text import tokens

_TYPE_PREFIXES: dict[OrganisationType, tuple[str, ...]] = {
    OrganisationType.LANDKREIS: ("LK", "Landkreis", "Kreis"),
    OrganisationType.KREISFREIE_STADT: ("Stadt",),
    OrganisationType.STADT: ("Stadt",),
    OrganisationType.GEMEINDE: ("GM", "Gemeinde"),
    OrganisationType.VERBANDSGEMEINDE: ("VG", "Verbandsgemeinde"),
}
_SHOWN_DESIGNATIONS = {"Lutherstadt", "Hansestadt"}


def display_name(org: Organisation) -> str:
    """How answers name an organisation: short form for ministries, "Landkreis X" for districts."""
    if org.short:
        return org.short
    if org.type is OrganisationType.LANDKREIS and "kreis" not in org.name.casefold():
        return f"Landkreis {org.name}"
    return org.name


def long_name(org: Organisation) -> str:
    """Name with its spelled-out form or type, e.g. "MID (Ministerium für Infrastruktur und Digitales)"."""
    if org.short:
        return f"{org.short} ({org.name})"
    return f"{display_name(org)} ({org.type.value})"


def _aliases(name: str, org_type: OrganisationType, designation: str | None) -> set[str]:
    bare = name.split(" (")[0] if " (" in name else name
    names = {name, bare}
    if designation:
        names |= {f"{designation} {name}", f"{designation} {bare}"}
    for prefix in _TYPE_PREFIXES.get(org_type, ()):
        names |= {f"{prefix} {n}" for n in (name, bare)}
    if "/" in name:  # "Zerbst/Anhalt" is called "Zerbst"
        names.add(name.split("/")[0])
    if org_type is OrganisationType.LANDKREIS and " " in bare:
        # "Altmarkkreis Salzwedel" is also called "Altmarkkreis"; "Salzwedel" then names both the
        # district and the town (like "Wittenberg"), and answers say so
        names.update(part for part in bare.split() if len(part) >= 5)
    return names


@functools.cache
def destatis_organisations() -> tuple[Organisation, ...]:
    """Sachsen-Anhalt's Landkreise, kreisfreie Städte, Verbandsgemeinden and Gemeinden.

    Read once from the shipped ``kommunen.csv`` (Destatis Gemeindeverzeichnis); the key of each
    entry is ``ars-<12-digit ARS>``.
    """
    text = importlib.resources.files("bot.data").joinpath("kommunen.csv").read_text(encoding="utf-8")
    found = []
    for row in csv.DictReader(text.splitlines()):
        raw = row["name"]
        base, _, designation = raw.partition(", ")
        org_type = OrganisationType(row["type"])
        shown = f"{designation} {base}" if designation in _SHOWN_DESIGNATIONS else base
        aliases = _aliases(base, org_type, designation or None) - {shown}
        found.append(Organisation(
            key=f"ars-{row['ars']}", name=shown, type=org_type, ars=row["ars"],
            district=row["district"] or None, aliases=tuple(sorted(aliases)),
        ))
    return tuple(found)


@dataclass(frozen=True)
class Directory:
    """Organisations by key and by the token sequences that name them.

    ``by_tokens`` maps a folded token tuple (see :func:`bot.text.tokens`) to the keys of every
    organisation it names; most map to one key, ambiguous names to several.
    """

    by_key: dict[str, Organisation]
    by_tokens: dict[tuple[str, ...], frozenset[str]]
    longest_alias: int = field(default=1)

    @classmethod
    def build(cls, programme_orgs: Iterable[Organisation], include_destatis: bool = True) -> "Directory":
        by_key: dict[str, Organisation] = {}
        merged_ars: dict[str, str] = {}
        for org in programme_orgs:
            by_key[org.key] = org
            if org.ars:
                merged_ars[org.ars] = org.key
        extra_aliases: dict[str, set[str]] = {}
        if include_destatis:
            for org in destatis_organisations():
                target = merged_ars.get(org.ars or "")
                if target:  # the programme's entry wins; Destatis adds spellings
                    extra_aliases.setdefault(target, set()).update(org.aliases + (org.name,))
                else:
                    by_key[org.key] = org
        by_tokens: dict[tuple[str, ...], set[str]] = {}
        for key, org in by_key.items():
            names = {org.name, *org.aliases, *extra_aliases.get(key, ())}
            if org.short:
                names.add(org.short)
            if org.type in _TYPE_PREFIXES:
                names |= _aliases(org.name, org.type, None)
            for name in names:
                folded = tokens(name)
                if folded:
                    by_tokens.setdefault(folded, set()).add(key)
        frozen = {k: frozenset(v) for k, v in by_tokens.items()}
        return cls(by_key=by_key, by_tokens=frozen, longest_alias=max((len(k) for k in frozen), default=1))

    def get(self, key: str) -> Organisation | None:
        return self.by_key.get(key)

    def lookup(self, name: str) -> list[Organisation]:
        """Organisations whose name or alias is exactly ``name`` (after folding); may be several."""
        return [self.by_key[k] for k in sorted(self.by_tokens.get(tokens(name), ()))]
