"""Labels, errors and length limits shared by the answer modules."""
from __future__ import annotations

import dataclasses

from rapidfuzz import fuzz, process

from bot.answers.i18n import t
from bot.directory import display_name
from bot.errors import UserError
from bot.messages import Reply
from bot.programme import Lead, Membership, MembershipStatus
from bot.view import ProgrammeView

OPEN_SEAT = "Kommunaler AP, Festlegung in der Gruppensitzung"
LIST_LIMIT = 20  # longer lists of AGs in error replies are cut, with a pointer to !ags
SHORT_LIMIT = 8  # bullets in an answer before "… und N weitere"
BRIEF_LIMIT = 3  # bullets when the user asked for a short answer


def ag_labels(view: ProgrammeView) -> tuple[str, ...]:
    """Labels of the AGs for error replies, at most :data:`LIST_LIMIT` (then "… und N weitere")."""
    labels = tuple(g.label for g in view.ags)
    if len(labels) <= LIST_LIMIT:
        return labels
    return labels[:LIST_LIMIT] + (f"… und {len(labels) - LIST_LIMIT} weitere (alle: !ags)",)


def closest_groups(view: ProgrammeView, name: str, limit: int = 2) -> list[str]:
    """Labels of the groups whose names are closest to ``name`` (rapidfuzz WRatio >= 50)."""
    choices = {g.label: g.name for g in view.programme.groups}
    found = process.extract(name, choices, scorer=fuzz.WRatio, score_cutoff=70, limit=limit)
    return [label for _, _, label in found]


def group_not_found(view: ProgrammeView, name: str | None, language: str) -> UserError:
    """The error for a group name that does not exist: says so, names the closest groups and
    lists the AGs."""
    shown = f"„{name}“" if name else ""
    near = closest_groups(view, name) if name else []
    hint_de = f" Meinten Sie {' oder '.join(near)}?" if near else ""
    hint_en = f" Did you mean {' or '.join(near)}?" if near else ""
    return UserError(
        f"Die AG {shown} gibt es nicht.{hint_de}".replace("  ", " "),
        f"There is no working group {shown}.{hint_en}".replace("  ", " ").replace("„", '"').replace("“", '"'),
        items=ag_labels(view), footer="Es gibt diese Arbeitsgruppen.", footer_en="These working groups exist.")


def which_group(view: ProgrammeView, language: str) -> UserError:
    """The error when a question needs a group and none was named or linked."""
    return UserError("Welche AG meinen Sie? Bitte nennen Sie die AG, z. B. „… der AG Finanzen“.",
                     "Which working group do you mean? Please name it, e.g. \"... of the Finanzen group\".",
                     items=ag_labels(view))


def with_note(label: str, note: str) -> str:
    """"Dessau-Roßlau (unter Vorbehalt)", but "Blankenburg (Harz), unter Vorbehalt": never two
    brackets in a row."""
    return f"{label}, {note}" if label.endswith(")") else f"{label} ({note})"


def organisation_label(view: ProgrammeView, key: str) -> str:
    """The display name of an organisation key (the key itself if unknown)."""
    org = view.directory.get(key)
    return display_name(org) if org else key


def status_note(member: Membership, language: str) -> str | None:
    """"unter Vorbehalt", "Vorschlag: Finanzreferent", "nachgemeldet" (or None for a plain member)."""
    notes = []
    if member.status is MembershipStatus.RESERVED:
        notes.append(t(language, "unter Vorbehalt", "with reservation (\"unter Vorbehalt\")"))
    elif member.status is MembershipStatus.PROPOSED:
        notes.append(t(language, "Vorschlag", "proposed") + (f": {member.note}" if member.note else ""))
    if member.source == "nachmeldung":
        notes.append(t(language, "nachgemeldet", "late registration"))
    return ", ".join(notes) or None


def member_label(view: ProgrammeView, member: Membership, language: str = "de") -> str:
    """"Dessau-Roßlau (unter Vorbehalt)", "MF (Vorschlag)", "Halle (Saale)"."""
    label = organisation_label(view, member.organisation)
    note = status_note(member, language)
    return with_note(label, note) if note else label


def lead_label(view: ProgrammeView, lead: Lead, language: str) -> str:
    """"Christine Makiol (MID)", "Steffen Ruppe (Halle)", or the open seat explained."""
    if lead.is_open:
        return t(language, "noch offen: „Kommunaler AP“ (kommunale Ansprechperson), Festlegung in der Gruppensitzung",
                 "still open: the municipal contact person (\"Kommunaler AP\") is decided in the group's session")
    name = " ".join(p for p in (lead.title, lead.person) if p)
    org = organisation_label(view, lead.organisation) if lead.organisation else None
    if org:
        org = org.split(" (")[0]  # "Halle (Saale)" -> "Halle": no brackets in brackets
    if org and org not in name:
        name = f"{name} ({org})"
    return name


def shorten(reply: Reply, limit: int, more_de: str | None = None, more_en: str | None = None) -> Reply:
    """``reply`` with at most ``limit`` bullets; the rest is counted in the footer
    ("… und 18 weitere: !ziele Kooperationsmodell"). Combined replies are shortened part by part."""
    if reply.parts:
        return dataclasses.replace(reply, parts=tuple(shorten(p, limit, more_de, more_en) for p in reply.parts))
    if len(reply.items) <= limit + 1:  # "… und 1 weitere" saves nothing
        return reply
    rest = len(reply.items) - limit
    where = t(reply.language, f": {more_de}" if more_de else "", f": {more_en}" if more_en else "")
    tail = t(reply.language, f"… und {rest} weitere{where}", f"… and {rest} more{where}")
    footer = f"{tail}\n{reply.footer}" if reply.footer else tail
    return dataclasses.replace(reply, items=reply.items[:limit], footer=footer)
