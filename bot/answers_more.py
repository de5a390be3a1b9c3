"""Answers about people, the workshop and the framework of the cooperation (from the seed)."""
from __future__ import annotations

from bot.answers import lead_label, t
from bot.directory import display_name
from bot.formatting import date_long, join
from bot.messages import Reply
from bot.programme import MembershipStatus
from bot.text import fold
from bot.view import ProgrammeView

_SEATS = {"MID": ("MID-Seite der Doppelspitze", "MID seat of the dual leadership"),
          "kommunal": ("kommunale Seite der Doppelspitze", "municipal seat of the dual leadership"),
          "Leitung": ("Leitung", "lead")}


def answer_person(view: ProgrammeView, persons: tuple[str, ...], language: str) -> Reply:
    parts = []
    for person in persons:
        roles = view.roles_of.get(person, ())
        if not roles:
            continue
        first = roles[0][1]
        name = lead_label(view, first, language)
        seats = [f"{group.label} ({_SEATS[lead.seat][language == 'en']})" for group, lead in roles]
        parts.append(Reply(t(language, f"{name} leitet: {join(seats)}.", f"{name} leads: {join(seats, 'en')}."),
                           language=language))
    if not parts:
        return Reply(t(language, "Zu dieser Person nennt das Workshop-Dokument keine Rolle.",
                       "The workshop document names no role for this person."), language=language)
    return parts[0] if len(parts) == 1 else Reply.combine(tuple(parts))


def answer_legal(view: ProgrammeView, language: str) -> Reply:
    guidelines = view.programme.meta.guidelines
    if not guidelines:
        return Reply(t(language, "Dazu sagt das Workshop-Dokument nichts.", "The workshop document says nothing about it."),
                     language=language)
    return Reply(t(language, "Leitplanken der Zusammenarbeit:", "Guidelines of the cooperation (German):"), guidelines,
                 t(language, "Eine solche AG gehört nicht zu den vier AGs; Leitung, Mitglieder und Termine nennt das "
                             "Dokument nicht.", "It is not one of the four AGs; the document names no lead, members or dates."),
                 language=language)


def answer_workshop(view: ProgrammeView, language: str) -> Reply:
    meta = view.programme.meta
    place = f" in {meta.workshop_place}" if meta.workshop_place else ""
    return Reply(t(language, f"Der Workshop „{meta.title}“ fand am {date_long(meta.workshop_date)}{place} statt.",
                   f"The workshop \"{meta.title}\" took place on {date_long(meta.workshop_date, 'en')}{place}."),
                 language=language)


def answer_next_steps(view: ProgrammeView, language: str) -> Reply:
    return Reply(t(language, "Nächste Schritte laut Workshop:", "Next steps from the workshop (German):"),
                 view.programme.meta.next_steps, language=language)


def answer_feedback(view: ProgrammeView, language: str) -> Reply:
    return Reply(t(language, "Rückmeldungen aus dem Workshop:", "Feedback from the workshop (German):"),
                 view.programme.meta.feedback, language=language)


def _lines_with(lines: tuple[str, ...], *stems: str) -> tuple[str, ...]:
    return tuple(line for line in lines if any(stem in fold(line) for stem in stems))


def answer_support(view: ProgrammeView, language: str) -> Reply:
    meta = view.programme.meta
    lines = _lines_with(meta.decisions, "unterstuetz", "begleit") + _lines_with(meta.next_steps, "unterstuetz", "moderation")
    return Reply(t(language, "Unterstützung der AGs laut Workshop:", "Support of the groups (German, from the workshop):"),
                 lines, language=language)


def answer_milestone_rule(view: ProgrammeView, language: str) -> Reply:
    lines = _lines_with(view.programme.meta.decisions, "meilenstein")
    lead = lines[0] if lines else t(language, "Dazu sagt das Workshop-Dokument nichts.", "The document says nothing about it.")
    return Reply(lead, footer=t(language, "Koordination und Admins tragen Termine ein: !meilenstein <AG> <TT.MM.JJJJ> <Titel>",
                                "Coordinators and admins set dates: !milestone <group> <DD.MM.YYYY> <title>"),
                 language=language)


def answer_seat_when(view: ProgrammeView, language: str) -> Reply:
    lines = _lines_with(view.programme.meta.decisions, "doppel")
    open_groups = [g.label for g in view.programme.groups if any(lead.is_open for lead in g.leads)]
    footer = (t(language, f"Noch offen ist der kommunale Sitz in: {join(open_groups)}.",
                f"The municipal seat is still open in: {join(open_groups, 'en')}.") if open_groups else None)
    return Reply(lines[0] if lines else t(language, "Dazu sagt das Dokument nichts.", "The document says nothing about it."),
                 footer=footer, language=language)


def answer_topic(view: ProgrammeView, words: tuple[str, ...], language: str) -> Reply | None:
    """AGs whose goals or framework conditions mention the topic words; None if none does."""
    stems = [fold(w)[:max(4, len(w) - 2)] for w in words]
    found = []
    for group in view.programme.groups:
        hits = [line for line in group.goals + group.conditions if all(stem in fold(line) for stem in stems)]
        if hits:
            found.append(f"{group.label}: {hits[0]}")
    if not found:
        return None
    return Reply(t(language, f"Zum Thema „{' '.join(words)}“:", f"On \"{' '.join(words)}\":"), tuple(found),
                 language=language)


def answer_members_of_kind(view: ProgrammeView, types: frozenset[str], word: str | None, language: str) -> Reply:
    """Organisations of the given kinds that are in any AG, with their AGs."""
    lines = []
    for key, entries in view.memberships_of.items():
        org = view.directory.get(key)
        if org is None or org.type.value not in types:
            continue
        groups = [g.label + ("" if m.status is MembershipStatus.MEMBER else f" ({m.status.value})") for g, m in entries]
        lines.append(f"{display_name(org)}: {join(groups, language)}")
    what = word or t(language, "Organisationen dieser Art", "organisations of that kind")
    if not lines:
        return Reply(t(language, f"Keine {what} sind Mitglied einer AG.", f"No {what} are members of a group."),
                     language=language)
    return Reply(t(language, f"{what} in den AGs ({len(lines)}):", f"{what} in the groups ({len(lines)}):"),
                 tuple(sorted(lines)), language=language)
