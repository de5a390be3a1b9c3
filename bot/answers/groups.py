"""Answers about one AG or UAG and its organisations: leads, members, goals, conditions, overview.

Each function takes the :class:`~bot.view.ProgrammeView`, the group or organisations concerned
and the language ("de"/"en") and returns a :class:`~bot.messages.Reply` built only from the
programme data (the workshop document of 19.10.2022 plus what coordinators entered in chat).
"""
from __future__ import annotations

import datetime as dt

from bot.answers.common import lead_label, member_label
from bot.answers.i18n import t
from bot.directory import display_name, long_name
from bot.formatting import BERLIN, join
from bot.messages import Reply
from bot.programme import Group, Membership, MembershipStatus, Organisation, OrganisationType
from bot.view import ProgrammeView

_SEAT_NAMES = {"MID": ("MID-Seite", "MID seat"), "kommunal": ("kommunale Seite", "municipal seat"),
               "Leitung": ("Leitung", "Lead")}


def _seat(seat: str, language: str) -> str:
    return _SEAT_NAMES[seat][language == "en"]


def answer_lead(view: ProgrammeView, group: Group, language: str, seat: str | None = None) -> Reply:
    """The Doppelspitze of ``group``; with ``seat`` ("MID"/"kommunal") only that seat."""
    if not group.leads:
        return Reply(t(language, f"Für die {group.label} nennt das Workshop-Dokument keine Leitung.",
                       f"The workshop document names no lead for the {group.label}."), language=language)
    chosen = [lead for lead in group.leads if lead.seat == seat] if seat else []
    if seat and chosen:
        lead = chosen[0]
        side = t(language, "das MID (Landesseite)" if seat == "MID" else "die Kommunen",
                 "the MID (state side)" if seat == "MID" else "the municipalities")
        if lead.is_open:
            return Reply(t(language, f"Für {side} ist der Sitz in der Doppelspitze der {group.label} noch offen: "
                                     f"„Kommunaler AP“ (kommunale Ansprechperson), Festlegung in der Gruppensitzung.",
                           f"The seat for {side} in the {group.label}'s dual leadership is still open; it is decided "
                           f"in the group's session."), language=language)
        return Reply(t(language, f"Für {side} sitzt {lead_label(view, lead, language)} in der Doppelspitze der {group.label}.",
                       f"{lead_label(view, lead, language)} holds the seat for {side} in the {group.label}'s dual "
                       f"leadership."), language=language)
    if len(group.leads) == 1:
        lead = group.leads[0]
        parent = view.groups.get(group.parent) if group.parent else None
        within = t(language, f" (in der {parent.label})", f" (part of the {parent.label})") if parent else ""
        if seat and lead.seat == "Leitung":  # a UAG has one lead, no Doppelspitze
            return Reply(t(language, f"Die {group.label}{within} hat keine Doppelspitze mit MID- und kommunalem Sitz; "
                                     f"sie leitet {lead_label(view, lead, language)}.",
                           f"The {group.label}{within} has no dual leadership with a state and a municipal seat; it is "
                           f"led by {lead_label(view, lead, language)}."), language=language)
        return Reply(t(language, f"Die {group.label}{within} leitet {lead_label(view, lead, language)}.",
                       f"The {group.label}{within} is led by {lead_label(view, lead, language)}."),
                     language=language)
    items = tuple(f"{_seat(lead.seat, language)}: {lead_label(view, lead, language)}" for lead in group.leads)
    footer = None
    if any(lead.is_open for lead in group.leads):
        footer = t(language, "Der offene Sitz wird spätestens in der ersten Sitzung festgelegt.",
                   "The open seat is decided at the latest in the first session.")
    return Reply(t(language, f"Leitung der {group.label} (Doppelspitze):",
                   f"Leads of the {group.label} (dual leadership):"), items, footer, language=language)


def answer_all_leads(view: ProgrammeView, language: str) -> Reply:
    """Every group's leads, one line per group."""
    items = tuple(f"{g.label}: " + "; ".join(lead_label(view, lead, language) for lead in g.leads)
                  for g in view.programme.groups)
    return Reply(t(language, "Leitung der Arbeitsgruppen:", "Leads of the working groups:"), items,
                 language=language)


_KIND_HEADINGS = (  # (types, German heading, English heading)
    ((OrganisationType.LANDKREIS,), "Landkreise", "Districts"),
    ((OrganisationType.KREISFREIE_STADT,), "Kreisfreie Städte", "District-free towns"),
    ((OrganisationType.STADT,), "Städte", "Towns"),
    ((OrganisationType.GEMEINDE, OrganisationType.VERBANDSGEMEINDE), "Gemeinden und Verbandsgemeinden",
     "Municipalities"),
    ((OrganisationType.MINISTERIUM, OrganisationType.ABTEILUNG), "Land (Ministerien)", "State ministries"),
    ((OrganisationType.VERBAND, OrganisationType.GENOSSENSCHAFT), "Verbände und Genossenschaften",
     "Associations and cooperatives"),
)


def grouped_members(view: ProgrammeView, members: list[Membership], language: str) -> tuple[str, ...]:
    """Members as a few lines, one per kind ("Landkreise: Harz, Börde"), in the kinds' order."""
    lines = []
    for kinds, de, en in _KIND_HEADINGS:
        names = [member_label(view, m, language) for m in members
                 if (org := view.directory.get(m.organisation)) is not None and org.type in kinds]
        if names:
            lines.append(f"{t(language, de, en)}: {'; '.join(names) if any(',' in n for n in names) else ', '.join(names)}")
    rest = [member_label(view, m, language) for m in members if view.directory.get(m.organisation) is None]
    if rest:
        lines.append(t(language, "Weitere: ", "Others: ") + ", ".join(rest))
    return tuple(lines)


def answer_members(view: ProgrammeView, group: Group, language: str, types: frozenset[str] = frozenset(),
                   type_word: str | None = None, yes_no: bool = False) -> Reply:
    """Members of ``group`` grouped by kind, optionally only ``types`` (OrganisationType values);
    ``yes_no``: the question was "Sind Verbandsgemeinden in der AG …?" (answer starts Ja/Nein)."""
    if not group.members:
        parent = view.groups.get(group.parent) if group.parent else None
        extra = t(language, f" Sie gehört zur {parent.label}.", f" It belongs to the {parent.label}.") if parent else ""
        return Reply(t(language, f"Für die {group.label} nennt das Workshop-Dokument keine eigenen Mitglieder.{extra}",
                       f"The workshop document names no members of its own for the {group.label}.{extra}"),
                     language=language)
    if types:
        chosen = [m for m in group.members
                  if (org := view.directory.get(m.organisation)) is not None and org.type.value in types]
        if len(chosen) < len(group.members):
            what = (type_word or t(language, "Organisationen dieser Art", "organisations of that kind"))
            what = what[:1].upper() + what[1:]
            if not chosen:
                return Reply(t(language, f"{'Nein, i' if yes_no else 'I'}n der {group.label} sind keine {what} Mitglied.",
                               f"{'No, n' if yes_no else 'N'}o {what} are members of the {group.label}."), language=language)
            names = [member_label(view, m, language) for m in chosen]
            yes = t(language, "Ja. ", "Yes. ") if yes_no else ""
            return Reply(t(language, f"{yes}{what} in der {group.label} ({len(names)} von {len(group.members)} Mitgliedern): "
                                     f"{join(names)}.",
                           f"{yes}{what} in the {group.label} ({len(names)} of {len(group.members)} members): "
                           f"{join(names, 'en')}."), language=language)
    items = grouped_members(view, list(group.members), language)
    return Reply(t(language, f"Mitglieder der {group.label} ({len(group.members)}):",
                   f"Members of the {group.label} ({len(group.members)}):"), items, language=language)


def _status_phrase(member: Membership, language: str) -> str:
    if member.status is MembershipStatus.RESERVED:
        return t(language, "Mitglied, aber unter Vorbehalt", "a member, with reservation (\"unter Vorbehalt\")")
    if member.status is MembershipStatus.PROPOSED:
        return t(language, "nur als Vorschlag genannt, noch nicht bestätigt", "only proposed, not confirmed")
    return t(language, "Mitglied", "a member")


def answer_membership(view: ProgrammeView, org: Organisation, group: Group, language: str) -> Reply:
    """Whether ``org`` is in ``group`` (yes / with reservation / only proposed / no, with where else)."""
    name = display_name(org)
    member = next((m for m in group.members if m.organisation == org.key), None)
    if member is None:
        elsewhere = [g.label for g, _ in view.memberships_of.get(org.key, ())]
        tail = (t(language, f" {name} arbeitet mit in: {join(elsewhere)}.", f" {name} works in: {join(elsewhere, 'en')}.")
                if elsewhere else "")
        return Reply(t(language, f"Nein, {name} ist nicht Mitglied der {group.label}.{tail}",
                       f"No, {name} is not a member of the {group.label}.{tail}"), language=language)
    if member.status is MembershipStatus.MEMBER:
        return Reply(t(language, f"Ja, {name} ist Mitglied der {group.label}.",
                       f"Yes, {name} is a member of the {group.label}."), language=language)
    if member.status is MembershipStatus.RESERVED:
        return Reply(t(language, f"Ja, unter Vorbehalt: {name} ist Mitglied der {group.label}.",
                       f"Yes, with reservation: {name} is a member of the {group.label} \"unter Vorbehalt\" "
                       f"(with reservation)."), language=language)
    note = f" ({member.note})" if member.note else ""
    return Reply(t(language, f"Noch nicht: {name}{note} ist für die {group.label} nur vorgeschlagen (Vorschlag), "
                             f"nicht bestätigt.",
                   f"Not yet: {name}{note} is only proposed for the {group.label}, not confirmed."), language=language)


def _groups_phrase(view: ProgrammeView, org: Organisation, language: str) -> list[str]:
    return [g.label + ("" if m.status is MembershipStatus.MEMBER else f" ({_status_phrase(m, language)})")
            for g, m in view.memberships_of.get(org.key, ())]


def answer_organisation_groups(view: ProgrammeView, orgs: list[Organisation], language: str,
                               word: str | None = None) -> Reply:
    """The groups each organisation works in; ``word``: the ambiguous name that meant them all."""
    if len(orgs) == 1:
        org = orgs[0]
        parts = _groups_phrase(view, org, language)
        if not parts:
            return Reply(t(language, f"{long_name(org)} ist in keiner Arbeitsgruppe Mitglied.",
                           f"{long_name(org)} is not a member of any working group."), language=language)
        if len(parts) == 1:
            return Reply(t(language, f"{display_name(org)} arbeitet mit in: {join(parts)}.",
                           f"{display_name(org)} works in: {join(parts, 'en')}."), language=language)
        return Reply(t(language, f"{display_name(org)} arbeitet in {len(parts)} AGs mit: {join(parts)}.",
                       f"{display_name(org)} works in {len(parts)} groups: {join(parts, 'en')}."), language=language)

    def line(org: Organisation) -> str:
        parts = _groups_phrase(view, org, language)
        if not parts:
            return t(language, f"{display_name(org)}: in keiner AG", f"{display_name(org)}: in no working group")
        return f"{display_name(org)}: {join(parts, language)}"

    lead = (t(language, f"„{word}“ kann mehrere Organisationen meinen:", f"\"{word}\" can mean several organisations:")
            if word else t(language, "Arbeitsgruppen der genannten Organisationen:", "Working groups of these organisations:"))
    return Reply(lead, tuple(line(o) for o in orgs), language=language)


def answer_list_groups(view: ProgrammeView, language: str) -> Reply:
    """The AGs with their UAGs."""
    items = []
    for group in view.ags:
        subs = view.subgroups(group.key)
        sub = t(language, f" (mit {join([s.label for s in subs])})", f" (with {join([s.label for s in subs], 'en')})") if subs else ""
        items.append(group.label + sub)
    return Reply(t(language, f"Es gibt {len(items)} Arbeitsgruppen:", f"There are {len(items)} working groups:"),
                 tuple(items), language=language)


def answer_subgroups(view: ProgrammeView, group: Group | None, language: str) -> Reply:
    """The UAGs of ``group`` (or of all AGs), or which AG a UAG belongs to."""
    if group is not None and group.kind == "UAG":
        parent = view.groups.get(group.parent or "")
        return Reply(t(language, f"Die {group.label} ist eine Unterarbeitsgruppe der {parent.label if parent else 'AG'}.",
                       f"The {group.label} is a sub-group of the {parent.label if parent else 'AG'}."), language=language)
    parents = [group] if group else [g for g in view.ags if view.subgroups(g.key)]
    items = tuple(f"{s.label}: " + t(language, "Leitung ", "lead ") + "; ".join(lead_label(view, l, language) for l in s.leads)
                  for p in parents for s in view.subgroups(p.key))
    if not items:
        if group is None:
            return Reply(t(language, "Es gibt keine Unterarbeitsgruppen.", "There are no sub-groups."), language=language)
        return Reply(t(language, f"Die {group.label} hat keine Unterarbeitsgruppen.",
                       f"The {group.label} has no sub-groups."), language=language)
    where = group.label if group else t(language, "den AGs", "the working groups")
    return Reply(t(language, f"Unterarbeitsgruppen (UAG) in {where}:", f"Sub-groups (UAG) in {where}:"), items,
                 language=language)


def answer_goals(view: ProgrammeView, group: Group, language: str) -> Reply:
    """The Zielrichtung of ``group`` (German, from the workshop)."""
    if not group.goals:
        return Reply(t(language, f"Für die {group.label} nennt das Workshop-Dokument keine Zielrichtung.",
                       f"The workshop document names no goals for the {group.label}."), language=language)
    return Reply(t(language, f"Zielrichtung der {group.label} (was sie klären will):",
                   f"Goals of the {group.label} (German, from the workshop):"), group.goals, language=language)


def answer_conditions(view: ProgrammeView, group: Group, language: str) -> Reply:
    """The Rahmenbedingungen of ``group`` (German, from the workshop)."""
    if not group.conditions:
        return Reply(t(language, f"Für die {group.label} nennt das Workshop-Dokument keine Rahmenbedingungen.",
                       f"The workshop document names no framework conditions for the {group.label}."), language=language)
    return Reply(t(language, f"Rahmenbedingungen der {group.label}:", f"Framework conditions of the {group.label} (German):"),
                 group.conditions, language=language)


def answer_overview(view: ProgrammeView, group: Group, now: dt.datetime, language: str) -> Reply:
    """A few lines on one group: leads, parent or UAGs, member count, goals, milestones, next session."""
    from bot.answers.dates import milestone_summary, session_lines
    items = [t(language, "Leitung: ", "Lead: ") + "; ".join(lead_label(view, l, language) for l in group.leads)]
    if group.parent:
        items.append(t(language, "Teil der ", "Part of the ") + view.groups[group.parent].label)
    subs = view.subgroups(group.key)
    if subs:
        items.append(t(language, "Unterarbeitsgruppen: ", "Sub-groups: ") + join([s.label for s in subs], language))
    if group.members:
        items.append(t(language, f"Mitglieder: {len(group.members)} (Liste: !mitglieder {group.name})",
                       f"Members: {len(group.members)} (list: !members {group.name})"))
    if group.goals:
        items.append(t(language, "Zielrichtung: ", "Goals: ") + "; ".join(group.goals[:3])
                     + (t(language, f" … (alle {len(group.goals)}: !ziele {group.name})",
                          f" … (all {len(group.goals)}: !goals {group.name})") if len(group.goals) > 3 else ""))
    if group.milestones:
        today = now.astimezone(BERLIN).date()  # an unreached milestone past its day is said to be overdue
        items.append(t(language, "Meilensteine: ", "Milestones: ") + milestone_summary(group, language, today))
    found = session_lines(view, group, now, language)
    items.append(t(language, "Nächste Sitzung: ", "Next session: ")
                 + (found[0] if found else t(language, "noch keine im Bot eingetragen", "none entered in the bot yet")))
    return Reply(group.label, tuple(items), language=language)
