"""Queries across AGs: filters (kind, district, status, number of AGs), counts and rankings.

Districts come from Destatis' Gemeindeverzeichnis: a municipality lies in the Landkreis whose
Kreisschlüssel (first five digits of the ARS) its own ARS starts with.
"""
from __future__ import annotations

import bisect
import heapq
import itertools
from dataclasses import dataclass

from bot.answers.common import status_note, with_note
from bot.answers.i18n import t
from bot.directory import display_name
from bot.formatting import join
from bot.messages import Reply
from bot.programme import Group, Membership, MembershipStatus, Organisation, OrganisationType
from bot.text import fold
from bot.view import ProgrammeView


RANKED = 5  # AGs named in a ranking answer before "… und N weitere"


@dataclass(frozen=True)
class Hit:
    """One organisation that passed the filters, with the groups (and memberships) that count."""

    organisation: Organisation
    memberships: tuple[tuple[Group, Membership], ...]


def in_district(org: Organisation, district: Organisation) -> bool:
    """True if ``org`` (with an ARS) lies in the Landkreis ``district`` (not the district itself)."""
    return bool(org.ars and district.ars and org.key != district.key and org.ars[:5] == district.ars[:5])


def filter_members(view: ProgrammeView, *, types: frozenset[str] = frozenset(), districts: tuple[str, ...] = (),
                   status: str | None = None, groups: tuple[str, ...] = (),
                   ag_count: tuple[str, int] | None = None, limit: int | None = None) -> tuple[int, list[Hit]]:
    """Organisations in the AGs that match every filter: (how many, the first ``limit`` of them
    in alphabetical order; all when ``limit`` is None).

    ``types``: OrganisationType values; ``districts``: Landkreis keys; ``status``: a
    MembershipStatus value; ``groups``: only memberships in these group keys; ``ag_count``:
    (">=", n) or ("==", n) on the number of AGs (not UAGs) the organisation is in.
    """
    district_orgs = [d for k in districts if (d := view.directory.get(k)) is not None]
    districts_ars = tuple(d.ars[:5] for d in district_orgs if d.ars)
    district_keys = {d.key for d in district_orgs}
    kinds = {OrganisationType(t) for t in types}
    exclude = bool(status and status.startswith("!"))
    wanted_status = MembershipStatus(status.lstrip("!")) if status else None
    op, n = ag_count if ag_count is not None else ("", 0)
    if ag_count == ("==", 0):
        return _absent(view, kinds, district_orgs, districts_ars, limit)
    buckets = [rows for (kind, number), rows in _register(view).items()
               if (not kinds or kind in kinds)
               and (ag_count is None or (number >= n if op == ">=" else number == n))]
    merged = heapq.merge(*buckets, key=_by_name)
    if not (district_orgs or groups or wanted_status is not None):  # the buckets are the answer
        chosen = merged if limit is None else itertools.islice(merged, limit)
        return sum(len(rows) for rows in buckets), [Hit(row[1], row[3]) for row in chosen]
    total = 0
    hits: list[Hit] = []
    for _, org, kreis, entries, _ in merged:
        if district_orgs and (org.key in district_keys or kreis not in districts_ars):
            continue
        if groups or wanted_status is not None:
            entries = tuple((g, m) for g, m in entries if (not groups or g.key in groups)
                            and (wanted_status is None or (m.status is wanted_status) != exclude))
            if not entries:
                continue
        total += 1
        if limit is None or len(hits) < limit:
            hits.append(Hit(org, entries))
    return total, hits


def _absent(view: ProgrammeView, kinds: set[OrganisationType], district_orgs: list[Organisation],
            districts_ars: tuple[str, ...], limit: int | None) -> tuple[int, list[Hit]]:
    """Organisations of the directory (programme and Destatis) of the given kinds that are in no
    AG, alphabetically: (how many, the first ``limit``)."""
    found = []
    for key, org in view.directory.by_key.items():
        if key in view.memberships_of or (kinds and org.type not in kinds):
            continue
        if district_orgs and (key in {d.key for d in district_orgs} or not (org.ars and org.ars[:5] in districts_ars)):
            continue
        found.append(org)
    found.sort(key=lambda o: fold(display_name(o)))
    return len(found), [Hit(o, ()) for o in (found if limit is None else found[:limit])]


_COUNTS_CACHE: dict = {}  # kinds -> {AG key: (the AG object counted, members, firm members)}


def _member_counts(view: ProgrammeView, kinds: frozenset[OrganisationType]) -> list[tuple[Group, int, int]]:
    """(AG, members, members not merely proposed) per AG, only organisations of ``kinds`` (all
    when empty); an AG is counted again only when it changed (a new Group object)."""
    previous = _COUNTS_CACHE.get(kinds, {})
    by_key = view.directory.by_key
    counted, rows = {}, []
    for group in view.ags:
        known = previous.get(group.key)
        if known is not None and known[0] is group:
            total, firm = known[1], known[2]
        else:
            members = [m for m in group.members
                       if not kinds or ((org := by_key.get(m.organisation)) is not None and org.type in kinds)]
            total, firm = len(members), sum(1 for m in members if m.status is not MembershipStatus.PROPOSED)
        counted[group.key] = (group, total, firm)
        rows.append((group, total, firm))
    if len(_COUNTS_CACHE) > 16:
        _COUNTS_CACHE.clear()
    _COUNTS_CACHE[kinds] = counted
    return rows


class _Register:
    """The organisations in the AGs by (type, number of AGs), each bucket sorted by name; a row
    is (sort name, organisation, Kreisschlüssel or None, its memberships). Kept per process and
    brought up to date with each new snapshot: only organisations whose membership entries
    changed (new objects, see :meth:`ProgrammeView.updated`) are read again."""

    def __init__(self) -> None:
        self.memberships: dict | None = None
        self.directory: object | None = None
        self.rows: dict[str, tuple] = {}
        self.buckets: dict[tuple[OrganisationType, int], list[tuple]] = {}
        self.names: dict[str, str] = {}

    def current(self, view: ProgrammeView) -> dict[tuple[OrganisationType, int], list[tuple]]:
        new = view.memberships_of
        if self.memberships is new:
            return self.buckets
        if self.memberships is None or self.directory is not view.directory:
            self._build(view)
            return self.buckets
        old = self.memberships
        changed = [k for k, entries in new.items() if old.get(k) is not entries]
        changed += [k for k in old if k not in new]
        if len(changed) > len(new) // 4:
            self._build(view)
            return self.buckets
        ag_keys = {g.key for g in view.ags}
        for key in changed:
            row = self.rows.pop(key, None)
            if row is not None:
                bucket = self.buckets[(row[1].type, row[4])]
                bucket.remove(row)
            if key in new:
                row = self._row(view, key, new[key], ag_keys)
                if row is not None:
                    self.rows[key] = row
                    bisect.insort(self.buckets.setdefault((row[1].type, row[4]), []), row, key=_by_name)
        self.memberships = new
        return self.buckets

    def _build(self, view: ProgrammeView) -> None:
        if self.directory is not view.directory:
            self.names = {}
        self.directory, self.memberships = view.directory, view.memberships_of
        ag_keys = {g.key for g in view.ags}
        self.rows, self.buckets = {}, {}
        for key, entries in view.memberships_of.items():
            row = self._row(view, key, entries, ag_keys)
            if row is not None:
                self.rows[key] = row
                self.buckets.setdefault((row[1].type, row[4]), []).append(row)
        for rows in self.buckets.values():
            rows.sort(key=_by_name)

    def _row(self, view: ProgrammeView, key: str, entries, ag_keys: set[str]) -> tuple | None:
        org = view.directory.by_key.get(key)
        if org is None:
            return None
        name = self.names.get(key)
        if name is None:
            name = self.names[key] = fold(display_name(org))
        return (name, org, org.ars[:5] if org.ars else None, entries, len({g.key for g, _ in entries} & ag_keys))


def _by_name(row: tuple) -> str:
    return row[0]


_REGISTER = _Register()


def _register(view: ProgrammeView) -> dict[tuple[OrganisationType, int], list[tuple]]:
    """The buckets of :class:`_Register` for this snapshot."""
    return _REGISTER.current(view)


def _describe(view: ProgrammeView, types_word: str | None, districts: tuple[str, ...], status: str | None,
              groups: tuple[str, ...], ag_count: tuple[str, int] | None, language: str) -> str:
    what = types_word[:1].upper() + types_word[1:] if types_word else t(language, "Organisationen", "Organisations")
    parts = [what]
    for key in districts:
        org = view.directory.get(key)
        if org:
            parts.append(t(language, f"aus dem {display_name(org)}", f"in the {display_name(org)}"))
    if status and status.startswith("!"):
        parts.append(t(language, "ohne " + {"!vorschlag": "Vorschläge", "!vorbehalt": "Vorbehalt"}.get(status, "diesen Status"),
                       "without " + {"!vorschlag": "proposals", "!vorbehalt": "reservations"}.get(status, "that status")))
    elif status == "vorbehalt":
        parts.append(t(language, "unter Vorbehalt", "with reservation"))
    elif status == "vorschlag":
        parts.append(t(language, "nur vorgeschlagen", "only proposed"))
    if groups:
        parts.append(t(language, "in der ", "in the ") + join([view.groups[k].label for k in groups if k in view.groups], language))
    elif ag_count:
        op, n = ag_count
        total = len(view.ags)
        if op == "==" and n == total:
            parts.append(t(language, f"in allen {total} AGs", f"in all {total} groups"))
        elif op == ">=":
            parts.append(t(language, f"in mindestens {n} AGs", f"in at least {n} groups"))
        elif n == 0:
            parts.append(t(language, "in keiner AG", "in no group"))
        else:
            parts.append(t(language, f"in genau {n} AG" + ("s" if n != 1 else ""), f"in exactly {n} group" + ("s" if n != 1 else "")))
    else:
        parts.append(t(language, "in den AGs", "in the groups"))
    return " ".join(parts)


def answer_member_query(view: ProgrammeView, language: str, *, types: frozenset[str] = frozenset(),
                        type_word: str | None = None, districts: tuple[str, ...] = (), status: str | None = None,
                        groups: tuple[str, ...] = (), ag_count: tuple[str, int] | None = None,
                        count: bool = False, yes_no: bool = False, limit: int | None = None) -> Reply:
    """Organisations in the AGs that match the filters, with their AGs (or only their number
    when ``count``); ``yes_no`` starts the answer with Ja/Nein. ``limit``: list at most that many
    (the rest is counted, "… und 12 weitere"); None lists all."""
    if count and len(groups) == 1 and not (types or districts or status or ag_count) and groups[0] in view.groups:
        group = view.groups[groups[0]]
        notes = [n for m in group.members if (n := status_note(m, language))]
        reserved = sum(1 for m in group.members if m.status is MembershipStatus.RESERVED)
        proposed = sum(1 for m in group.members if m.status is MembershipStatus.PROPOSED)
        extra = [t(language, f"{reserved} unter Vorbehalt", f"{reserved} with reservation")] if reserved else []
        extra += [t(language, f"{proposed} nur vorgeschlagen", f"{proposed} only proposed")] if proposed else []
        tail = t(language, f", davon {join(extra)}", f", of them {join(extra, 'en')}") if notes and extra else ""
        return Reply(t(language, f"Die {group.label} hat {len(group.members)} Mitglieder{tail}.",
                       f"The {group.label} has {len(group.members)} members{tail}."),
                     footer=t(language, f"Liste: !mitglieder {group.name}", f"List: !members {group.name}"), language=language)
    total, hits = filter_members(view, types=types, districts=districts, status=status, groups=groups,
                                 ag_count=ag_count, limit=None if groups else limit)
    what = _describe(view, type_word, districts, status, groups, ag_count, language)
    if not hits:
        return Reply(t(language, f"{'Nein. ' if yes_no else ''}Keine: {what} gibt es laut Programm nicht.",
                       f"{'No. ' if yes_no else ''}None: there are no {what[:1].lower() + what[1:]} in the programme."),
                     language=language)

    def line(hit: Hit) -> str:
        name = display_name(hit.organisation)
        if not hit.memberships:
            return name
        if groups:
            notes = [n for _, m in hit.memberships if (n := status_note(m, language))]
            return with_note(name, ", ".join(notes)) if notes else name
        labels = [g.label.removeprefix("AG ") + (f" ({status_note(m, language)})" if status_note(m, language) else "")
                  for g, m in hit.memberships]
        return f"{name}: {', '.join(labels)}"

    yes = t(language, "Ja. ", "Yes. ") if yes_no else ""
    if count:
        names = join([display_name(h.organisation) for h in hits]
                     + ([t(language, f"{total - len(hits)} weitere", f"{total - len(hits)} more")]
                        if total > len(hits) else []), language)
        return Reply(t(language, f"{yes}{what}: {total} ({names}).", f"{yes}{what}: {total} ({names})."),
                     language=language)
    if groups:
        return Reply(t(language, f"{yes}{what} ({len(hits)}): {join([line(h) for h in hits])}.",
                       f"{yes}{what} ({len(hits)}): {join([line(h) for h in hits], 'en')}."), language=language)
    footer = None
    if total > len(hits):
        rest = total - len(hits)
        footer = t(language, f"… und {rest} weitere: „ausführlich“", f"… and {rest} more: \"in full\"")
    return Reply(f"{yes}{what} ({total}):", tuple(line(h) for h in hits), footer, language=language)


def answer_group_ranking(view: ProgrammeView, language: str, *, types: frozenset[str] = frozenset(),
                         type_word: str | None = None, fewest: bool = False) -> Reply:
    """The AG with the most (or fewest) members, optionally of the given kinds, then the others.
    Proposed members (Vorschlag) are counted separately."""
    rows = list(_member_counts(view, frozenset(OrganisationType(t) for t in types)))
    if not rows:
        return Reply(t(language, "Es gibt keine Arbeitsgruppen.", "There are no working groups."), language=language)
    rows.sort(key=lambda r: (r[1], r[2]) if fewest else (-r[1], -r[2]))
    best = rows[0][1]
    top = [r for r in rows if r[1] == best]
    what = type_word or t(language, "Mitglieder", "members")

    def shown(row) -> str:
        group, total, firm = row
        extra = t(language, f", davon {total - firm} nur vorgeschlagen", f", {total - firm} of them only proposed") \
            if firm != total else ""
        return f"{group.label} ({total}{extra})"

    word = t(language, "wenigsten" if fewest else "meisten", "fewest" if fewest else "most")
    lead = t(language, f"Die {word} {what} hat " + join([shown(r) for r in top[:RANKED]]) + ".",
             f"The {word} {what}: " + join([shown(r) for r in top[:RANKED]], "en") + ".")
    rest = [shown(r) for r in rows[len(top):len(top) + RANKED]]
    more = len(rows) - len(top[:RANKED]) - len(rest)
    tail = t(language, f"; … und {more} weitere AGs", f"; … and {more} more groups") if more > 0 else ""
    footer = t(language, "Danach: " + "; ".join(rest) + tail + ".", "Then: " + "; ".join(rest) + tail + ".") \
        if rest else None
    return Reply(lead, footer=footer, language=language)


def answer_organisation_ranking(view: ProgrammeView, language: str, *, types: frozenset[str] = frozenset(),
                                type_word: str | None = None, limit: int | None = None) -> Reply:
    """The organisations (optionally of the given kinds) that are in the most AGs, with their AGs."""
    kinds = {OrganisationType(t) for t in types}
    buckets = {key: rows for key, rows in _register(view).items() if not kinds or key[0] in kinds}
    if not buckets:
        return Reply(t(language, "Keine Organisation dieser Art ist in einer AG.", "No organisation of that kind is in a group."),
                     language=language)
    most = max(number for _, number in buckets)
    rows = list(heapq.merge(*(rows for (_, number), rows in buckets.items() if number == most), key=_by_name))
    shown = rows if limit is None else rows[:limit]
    lines = tuple(f"{display_name(row[1])}: " + ", ".join(g.label.removeprefix("AG ") for g, _ in row[3] if g.kind == "AG")
                  for row in shown)
    footer = t(language, f"… und {len(rows) - len(shown)} weitere", f"… and {len(rows) - len(shown)} more") \
        if len(rows) > len(shown) else None
    return Reply(t(language, f"Am häufigsten vertreten, in {most} von {len(view.ags)} AGs ({len(rows)}):",
                   f"In the most groups, {most} of {len(view.ags)} ({len(rows)}):"),
                 lines, footer, language=language)
