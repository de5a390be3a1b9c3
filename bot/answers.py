"""Answers to understood questions, built only from the programme data (never invented).

Each ``answer_*`` function takes the :class:`~bot.view.ProgrammeView`, the group or
organisations concerned, ``now`` (timezone-aware) and the language ("de"/"en") and returns a
:class:`~bot.messages.Reply`. Where the data has no date, the answer says it is not set yet.
"""
from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from bot.directory import display_name, long_name
from bot.errors import UserError
from bot.formatting import every_weeks, BERLIN, date_long, date_short, datetime_long, join
from bot.messages import Reply
from bot.programme import Group, Lead, Membership, MembershipStatus, Organisation
from bot.occurrence_text import occurrence_text
from bot.schedule import exchange_occurrences, group_occurrences, interval_weeks, upcoming_sessions
from bot.view import ProgrammeView

OPEN_SEAT = "Kommunaler AP, Festlegung in der Gruppensitzung"


def t(language: str, de: str, en: str) -> str:
    """Pick the German or English wording."""
    return en if language == "en" else de


LIST_LIMIT = 20  # longer lists of AGs in error replies are cut, with a pointer to !ags


def ag_labels(view: ProgrammeView) -> tuple[str, ...]:
    """Labels of the AGs for error replies, at most :data:`LIST_LIMIT` (then "… und N weitere")."""
    labels = tuple(g.label for g in view.ags)
    if len(labels) <= LIST_LIMIT:
        return labels
    return labels[:LIST_LIMIT] + (f"… und {len(labels) - LIST_LIMIT} weitere (alle: !ags)",)


def group_not_found(view: ProgrammeView, name: str | None, language: str) -> UserError:
    """The error for a group name that does not exist: says so and lists the AGs."""
    names = ag_labels(view)
    shown = f"„{name}“" if name else ""
    return UserError(
        f"Die AG {shown} gibt es nicht.".replace("  ", " "),
        f"There is no working group {shown}.".replace("  ", " ").replace("„", '"').replace("“", '"'),
        items=names, footer="Es gibt diese Arbeitsgruppen.", footer_en="These working groups exist.")


def which_group(view: ProgrammeView, language: str) -> UserError:
    """The error when a question needs a group and none was named or linked."""
    return UserError("Welche AG meinen Sie? Bitte nennen Sie die AG, z. B. „… der AG Finanzen“.",
                     "Which working group do you mean? Please name it, e.g. \"... of the Finanzen group\".",
                     items=ag_labels(view))


# -- people and organisations ------------------------------------------------------------------
def organisation_label(view: ProgrammeView, key: str) -> str:
    org = view.directory.get(key)
    return display_name(org) if org else key


def member_label(view: ProgrammeView, member: Membership, language: str = "de") -> str:
    label = organisation_label(view, member.organisation)
    if member.status is MembershipStatus.RESERVED:
        label += t(language, " (unter Vorbehalt)", " (with reservation, \"unter Vorbehalt\")")
    elif member.status is MembershipStatus.PROPOSED:
        note = f": {member.note}" if member.note else ""
        label += t(language, f" (Vorschlag{note})", f" (proposed{note})")
    if member.source == "nachmeldung":
        label += t(language, " (nachgemeldet)", " (late registration)")
    return label


def lead_label(view: ProgrammeView, lead: Lead, language: str) -> str:
    if lead.is_open:
        return t(language, f"noch offen ({lead.note or OPEN_SEAT})",
                 f"still open ({lead.note or OPEN_SEAT}: to be decided in the group's session)")
    name = " ".join(p for p in (lead.title, lead.person) if p)
    org = organisation_label(view, lead.organisation) if lead.organisation else None
    if org and org not in name:
        name = f"{name} ({org})"
    return name


def _seat(lead: Lead, language: str) -> str:
    return {"MID": t(language, "MID-Seite", "MID seat"),
            "kommunal": t(language, "kommunale Seite", "municipal seat"),
            "Leitung": t(language, "Leitung", "Lead")}[lead.seat]


def answer_lead(view: ProgrammeView, group: Group, language: str) -> Reply:
    if not group.leads:
        return Reply(t(language, f"Für die {group.label} nennt das Workshop-Dokument keine Leitung.",
                       f"The workshop document names no lead for the {group.label}."), language=language)
    if len(group.leads) == 1:
        lead = group.leads[0]
        parent = view.groups.get(group.parent) if group.parent else None
        within = t(language, f" (in der {parent.label})", f" (part of the {parent.label})") if parent else ""
        return Reply(t(language, f"Die {group.label}{within} leitet {lead_label(view, lead, language)}.",
                       f"The {group.label}{within} is led by {lead_label(view, lead, language)}."),
                     language=language)
    items = tuple(f"{_seat(lead, language)}: {lead_label(view, lead, language)}" for lead in group.leads)
    footer = None
    if any(lead.is_open for lead in group.leads):
        footer = t(language, "Der offene Sitz wird spätestens in der ersten Sitzung festgelegt.",
                   "The open seat is decided at the latest in the first session.")
    return Reply(t(language, f"Leitung der {group.label} (Doppelspitze):",
                   f"Leads of the {group.label} (dual leadership):"), items, footer, language=language)


def answer_all_leads(view: ProgrammeView, language: str) -> Reply:
    items = tuple(f"{g.label}: " + "; ".join(lead_label(view, lead, language) for lead in g.leads)
                  for g in view.programme.groups)
    return Reply(t(language, "Leitung der Arbeitsgruppen:", "Leads of the working groups:"), items,
                 language=language)


def answer_members(view: ProgrammeView, group: Group, language: str, types: frozenset[str] = frozenset(),
                   type_word: str | None = None) -> Reply:
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
                return Reply(t(language, f"In der {group.label} sind keine {what} Mitglied.",
                               f"No {what} are members of the {group.label}."), language=language)
            items = tuple(member_label(view, m, language) for m in chosen)
            return Reply(t(language, f"{what} in der {group.label} ({len(items)} von {len(group.members)} Mitgliedern):",
                           f"{what} in the {group.label} ({len(items)} of {len(group.members)} members):"),
                         items, language=language)
    items = tuple(member_label(view, m, language) for m in group.members)
    return Reply(t(language, f"Mitglieder der {group.label} ({len(items)}):",
                   f"Members of the {group.label} ({len(items)}):"), items, language=language)


def _status_phrase(member: Membership, language: str) -> str:
    if member.status is MembershipStatus.RESERVED:
        return t(language, "Mitglied, aber unter Vorbehalt", "a member, with reservation (\"unter Vorbehalt\")")
    if member.status is MembershipStatus.PROPOSED:
        return t(language, "nur als Vorschlag genannt, noch nicht bestätigt", "only proposed, not confirmed")
    return t(language, "Mitglied", "a member")


def answer_membership(view: ProgrammeView, org: Organisation, group: Group, language: str) -> Reply:
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


def answer_organisation_groups(view: ProgrammeView, orgs: list[Organisation], language: str,
                               word: str | None = None) -> Reply:
    def line(org: Organisation) -> str:
        found = view.memberships_of.get(org.key, ())
        if not found:
            return t(language, f"{display_name(org)}: in keiner AG", f"{display_name(org)}: in no working group")
        parts = [g.label + ("" if m.status is MembershipStatus.MEMBER else f" ({_status_phrase(m, language)})")
                 for g, m in found]
        return f"{display_name(org)}: {join(parts, language)}"

    if len(orgs) == 1:
        org = orgs[0]
        found = view.memberships_of.get(org.key, ())
        if not found:
            return Reply(t(language, f"{long_name(org)} ist in keiner Arbeitsgruppe Mitglied.",
                           f"{long_name(org)} is not a member of any working group."), language=language)
        parts = [g.label + ("" if m.status is MembershipStatus.MEMBER else f" ({_status_phrase(m, language)})")
                 for g, m in found]
        return Reply(t(language, f"{display_name(org)} arbeitet mit in: {join(parts)}.",
                       f"{display_name(org)} works in: {join(parts, 'en')}."), language=language)
    lead = (t(language, f"„{word}“ kann mehrere Organisationen meinen:", f"\"{word}\" can mean several organisations:")
            if word else t(language, "Arbeitsgruppen der genannten Organisationen:", "Working groups of these organisations:"))
    return Reply(lead, tuple(line(o) for o in orgs), language=language)


def answer_list_groups(view: ProgrammeView, language: str) -> Reply:
    items = []
    for group in view.ags:
        subs = view.subgroups(group.key)
        sub = t(language, f" (mit {join([s.label for s in subs])})", f" (with {join([s.label for s in subs], 'en')})") if subs else ""
        items.append(group.label + sub)
    return Reply(t(language, f"Es gibt {len(items)} Arbeitsgruppen:", f"There are {len(items)} working groups:"),
                 tuple(items), language=language)


def answer_subgroups(view: ProgrammeView, group: Group | None, language: str) -> Reply:
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
    if not group.goals:
        return Reply(t(language, f"Für die {group.label} nennt das Workshop-Dokument keine Zielrichtung.",
                       f"The workshop document names no goals for the {group.label}."), language=language)
    return Reply(t(language, f"Zielrichtung der {group.label} (was sie klären will):",
                   f"Goals of the {group.label} (German, from the workshop):"), group.goals, language=language)


def answer_conditions(view: ProgrammeView, group: Group, language: str) -> Reply:
    if not group.conditions:
        return Reply(t(language, f"Für die {group.label} nennt das Workshop-Dokument keine Rahmenbedingungen.",
                       f"The workshop document names no framework conditions for the {group.label}."), language=language)
    return Reply(t(language, f"Rahmenbedingungen der {group.label}:", f"Framework conditions of the {group.label} (German):"),
                 group.conditions, language=language)


# -- dates --------------------------------------------------------------------------------------
def _milestone_item(m, language: str) -> str:
    if m.due:
        return t(language, f"{m.title}: fällig am {date_short(m.due)}", f"{m.title}: due {date_short(m.due)}")
    return t(language, f"{m.title}: noch kein Datum festgelegt", f"{m.title}: no date set yet")


def answer_milestones(view: ProgrammeView, group: Group, language: str) -> Reply:
    if not group.milestones:
        return Reply(t(language, f"Für die {group.label} nennt das Workshop-Dokument keine Meilensteine.",
                       f"The workshop document names no milestones for the {group.label}."), language=language)
    footer = group.milestone_note if language == "de" else None
    return Reply(t(language, f"Geplante Meilensteine der {group.label}:", f"Planned milestones of the {group.label}:"),
                 tuple(_milestone_item(m, language) for m in group.milestones), footer, language=language)


def answer_next_milestone(view: ProgrammeView, group: Group | None, now: dt.datetime, language: str) -> Reply:
    today = now.astimezone(BERLIN).date()
    groups = [group] if group else list(view.programme.groups)
    upcoming = sorted(((m.due, g, m) for g in groups for m in g.milestones if m.due and m.due >= today),
                      key=lambda x: (x[0], x[1].key))
    if upcoming:
        due, g, m = upcoming[0]
        days = (due - today).days
        when = t(language, "heute" if days == 0 else f"in {days} Tagen" if days > 1 else "morgen",
                 "today" if days == 0 else f"in {days} days" if days > 1 else "tomorrow")
        return Reply(t(language, f"Der nächste Meilenstein der {g.label} ist „{m.title}“, fällig am {date_long(due)} ({when}).",
                       f"The next milestone of the {g.label} is \"{m.title}\", due {date_long(due, 'en')} ({when})."),
                     language=language)
    where = t(language, f"der {group.label}", f"of the {group.label}") if group else t(language, "der Arbeitsgruppen", "of the working groups")
    undated = [m.title for g in groups for m in g.milestones if not m.due]
    past = [m for g in groups for m in g.milestones if m.due and m.due < today]
    lead = t(language, f"Für die Meilensteine {where} ist noch kein kommendes Fälligkeitsdatum festgelegt.",
             f"No upcoming due date is set for the milestones {where}.")
    if past:
        last = max(past, key=lambda m: m.due)
        lead += t(language, f" Zuletzt fällig war „{last.title}“ am {date_short(last.due)}.",
                  f" The last one, \"{last.title}\", was due {date_short(last.due)}.")
    footer = None
    if group and undated:
        footer = t(language, "Noch ohne Datum: " + "; ".join(undated) + ".", "Not dated yet: " + "; ".join(undated) + ".")
    if group and group.milestone_note and language == "de":
        footer = f"{footer} {group.milestone_note}" if footer else group.milestone_note
    return Reply(lead, (), footer, language=language)


def _cadence_text(view: ProgrammeView, language: str) -> str:
    c = view.programme.meta.cadence
    return t(language, f"Die Arbeitsgruppen tagen alle {c.session_interval_weeks} Wochen.",
             f"The working groups meet every {c.session_interval_weeks} weeks.")


def session_lines(view: ProgrammeView, group: Group, now: dt.datetime, language: str, count: int = 1) -> list[str]:
    """The next ``count`` sessions of ``group`` (cancelled ones marked) as text; empty if none set."""
    found = upcoming_sessions(group, now, count, skip_holidays=view.skip_holidays)
    return [occurrence_text(o, language) for o in found]


def _resolve_day(day: tuple[int, int, int | None], now: dt.datetime) -> dt.date | None:
    """The date meant by (day, month, year?) as of ``now``: without a year, the next such day."""
    d, m, y = day
    today = now.astimezone(BERLIN).date()
    try:
        if y is not None:
            return dt.date(y, m, d)
        candidate = dt.date(today.year, m, d)
        return candidate if candidate >= today else dt.date(today.year + 1, m, d)
    except ValueError:
        return None


def answer_session_on(view: ProgrammeView, group: Group, day: tuple[int, int, int | None], now: dt.datetime,
                      language: str) -> Reply:
    """Whether and when the group meets on one day (also cancelled or moved there)."""
    date = _resolve_day(day, now)
    if date is None:
        raise UserError("Dieses Datum gibt es nicht.", "That date does not exist.")
    lower = dt.datetime.combine(date, dt.time(0, 0), tzinfo=BERLIN)
    found = group_occurrences(group, lower, lower + dt.timedelta(days=1))
    moved_away = [o for o in group_occurrences(group, lower - dt.timedelta(days=400), lower + dt.timedelta(days=400))
                  if o.status == "moved" and o.original_start and o.original_start.astimezone(BERLIN).date() == date]
    if found:
        lines = tuple(occurrence_text(o, language) for o in found)
        return Reply(t(language, f"Sitzung der {group.label} am {date_long(date)}:", f"Session of the {group.label} on "
                                 f"{date_long(date, 'en')}:"), lines, language=language)
    if moved_away:
        return Reply(t(language, f"Die Sitzung der {group.label} vom {date_short(date)} ist verschoben: "
                                 f"{occurrence_text(moved_away[0], language)}.",
                       f"The {group.label}'s session of {date_short(date)} moved: {occurrence_text(moved_away[0], language)}."),
                     language=language)
    following = [o for o in upcoming_sessions(group, lower, 5, skip_holidays=view.skip_holidays) if not o.cancelled]
    after = t(language, f" Die nächste danach: {occurrence_text(following[0], language)}.",
              f" The next one after: {occurrence_text(following[0], language)}.") if following else ""
    return Reply(t(language, f"Am {date_long(date)} ist keine Sitzung der {group.label} geplant.{after}",
                   f"No session of the {group.label} is planned on {date_long(date, 'en')}.{after}"), language=language)


def answer_next_session(view: ProgrammeView, group: Group | None, now: dt.datetime, language: str,
                        nth: int = 1) -> Reply:
    if group is None:
        items = []
        for g in view.programme.groups:
            if g.kind == "UAG" and g.session_series is None and not g.extra_sessions:
                continue  # UAGs appear once they have dates
            found = [o for o in upcoming_sessions(g, now, 5, skip_holidays=view.skip_holidays) if not o.cancelled]
            items.append(f"{g.label}: " + (occurrence_text(found[0], language) if found
                                           else t(language, "noch kein Termin festgelegt", "no date set yet")))
        return Reply(t(language, "Nächste Sitzungen der Arbeitsgruppen:", "Next sessions of the working groups:"),
                     tuple(items), _cadence_text(view, language), language=language)
    upcoming = upcoming_sessions(group, now, 10, skip_holidays=view.skip_holidays)
    cancelled = []
    skip = nth - 1
    for occurrence in upcoming:
        if occurrence.cancelled:
            cancelled.append(occurrence)
            continue
        if skip:
            skip -= 1
            continue
        weeks = interval_weeks(group.session_series) if group.session_series else None
        every = t(language, f" (Sitzungen {every_weeks(weeks)})", f" (sessions {every_weeks(weeks, 'en')})") if weeks else ""
        footer = None
        if cancelled:
            footer = " ".join(t(language, f"Die Sitzung am {occurrence_text(c, language)}.", f"The session on "
                                f"{occurrence_text(c, language)}.") for c in cancelled)
        which = t(language, "nächste" if nth == 1 else "übernächste", "next" if nth == 1 else "one after next")
        return Reply(t(language, f"Die {which} Sitzung der {group.label} ist am {occurrence_text(occurrence, language)}{every}.",
                       f"The {which} session of the {group.label} is on {occurrence_text(occurrence, language)}{every}."),
                     footer=footer, language=language)
    c = view.programme.meta.cadence
    start = (t(language, f" Die ersten Sitzungen der AGs starten im {c.first_sessions}.",
               f" The first sessions of the groups start in {_month_en(c)}.")
             if c.first_sessions else "")
    if cancelled:
        return Reply(t(language, f"Die nächsten Sitzungen der {group.label} fallen aus; ein weiterer Termin ist noch "
                                 f"nicht festgelegt.", f"The next sessions of the {group.label} are cancelled; no further "
                                 f"date is set yet."), tuple(occurrence_text(o, language) for o in cancelled), language=language)
    return Reply(t(language, f"Für die {group.label} ist noch kein Sitzungstermin festgelegt. {_cadence_text(view, language)}{start}",
                   f"No session date is set for the {group.label} yet. {_cadence_text(view, language)}{start}"),
                 language=language)


def _month_en(cadence) -> str:
    if cadence.first_sessions_month:
        return format_date(cadence.first_sessions_month, "MMMM yyyy", locale="en_GB")
    return cadence.first_sessions or ""


def answer_first_sessions(view: ProgrammeView, language: str) -> Reply:
    c = view.programme.meta.cadence
    if not c.first_sessions:
        return Reply(t(language, "Wann die ersten Sitzungen stattfinden, ist nicht festgelegt.",
                       "When the first sessions take place is not set."), language=language)
    return Reply(t(language, f"Die ersten Sitzungen der Arbeitsgruppen starten im {c.first_sessions}. {_cadence_text(view, language)}",
                   f"The first sessions of the working groups start in {_month_en(c)}. {_cadence_text(view, language)}"),
                 language=language)


def answer_next_exchange(view: ProgrammeView, now: dt.datetime, language: str) -> Reply:
    c = view.programme.meta.cadence
    series = view.programme.meta.exchange_series
    if series is None:
        return Reply(t(language, f"Ein Termin für die nächste gemeinsame Austauschrunde ist noch nicht festgelegt. "
                                 f"Die Austauschrunde aller AGs findet alle {c.exchange_interval_weeks} Wochen statt.",
                       f"No date is set yet for the next joint exchange round. It takes place every "
                       f"{c.exchange_interval_weeks} weeks."), language=language)
    upcoming = [o for o in exchange_occurrences(view.programme, now, now + dt.timedelta(days=800))
                if not (view.skip_holidays and o.holiday)]
    found = [o for o in upcoming if not o.cancelled]
    skipped = [o for o in upcoming if o.cancelled and found and o.start < found[0].start]
    if not found:
        return Reply(t(language, "Es ist keine weitere Austauschrunde geplant.", "No further exchange round is planned."),
                     language=language)
    weeks = interval_weeks(series) or c.exchange_interval_weeks
    footer = " ".join(t(language, f"Die Austauschrunde am {occurrence_text(o, language)}.",
                        f"The exchange round on {occurrence_text(o, language)}.") for o in skipped) or None
    return Reply(t(language, f"Die nächste gemeinsame Austauschrunde ist am {occurrence_text(found[0], language)} ({every_weeks(weeks)}).",
                   f"The next joint exchange round is on {occurrence_text(found[0], language)} ({every_weeks(weeks, 'en')})."),
                 footer=footer, language=language)


def answer_cadence(view: ProgrammeView, group: Group | None, language: str) -> Reply:
    c = view.programme.meta.cadence
    text = t(language, f"Die Arbeitsgruppen tagen alle {c.session_interval_weeks} Wochen; alle {c.exchange_interval_weeks} "
                       f"Wochen gibt es eine gemeinsame Austauschrunde zu den erreichten Ergebnissen.",
             f"The working groups meet every {c.session_interval_weeks} weeks; every {c.exchange_interval_weeks} weeks "
             f"there is a joint exchange round on the results.")
    if group and group.session_series and (weeks := interval_weeks(group.session_series)):
        text += t(language, f" Die Sitzungsserie der {group.label} ist auf {every_weeks(weeks)} eingestellt.",
                  f" The {group.label}'s session series is set to {every_weeks(weeks, 'en')}.")
    return Reply(text, language=language)


def answer_registration_deadline(view: ProgrammeView, now: dt.datetime, language: str) -> Reply:
    deadline = view.programme.meta.registration_deadline
    if deadline is None:
        return Reply(t(language, "Eine Frist für Nachmeldungen ist nicht festgelegt.", "No deadline for late registration is set."),
                     language=language)
    today = now.astimezone(BERLIN).date()
    if today <= deadline:
        return Reply(t(language, f"Kommunen können ihre Teilnahme an den AGs bis {date_long(deadline)} (Ende des Tages) nachmelden.",
                       f"Municipalities can register late for the working groups until {date_long(deadline, 'en')} (end of day)."),
                     language=language)
    return Reply(t(language, f"Kommunen konnten ihre Teilnahme an den AGs bis zum {date_short(deadline)} nachmelden; die Frist ist abgelaufen.",
                   f"Municipalities could register late until {date_short(deadline)}; the deadline has passed."),
                 language=language)


def answer_decisions(view: ProgrammeView, language: str) -> Reply:
    meta = view.programme.meta
    return Reply(t(language, f"Grundsätzliche Festlegungen vom {date_short(meta.workshop_date)}:",
                   f"Decisions of {date_short(meta.workshop_date)} (German, from the workshop):"),
                 meta.decisions, language=language)


def answer_overview(view: ProgrammeView, group: Group, now: dt.datetime, language: str) -> Reply:
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
        items.append(t(language, "Zielrichtung: ", "Goals: ") + "; ".join(group.goals[:3]) + (" …" if len(group.goals) > 3 else ""))
    if group.milestones:
        items.append(t(language, "Meilensteine: ", "Milestones: ") + "; ".join(_milestone_item(m, language) for m in group.milestones))
    found = session_lines(view, group, now, language)
    items.append(t(language, "Nächste Sitzung: ", "Next session: ") + (found[0] if found else t(language, "noch nicht festgelegt", "not set yet")))
    return Reply(group.label, tuple(items), language=language)
