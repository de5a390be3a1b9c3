"""Answers about the programme as a whole (from the workshop document of 19.10.2022): decisions,
people, the workshop, next steps, feedback, support, the legal AG, abbreviations, topics and the
names the bot does not know."""
from __future__ import annotations

import datetime as dt

from rapidfuzz import fuzz, process

from bot.answers.common import lead_label
from bot.answers.i18n import t
from bot.formatting import date_long, date_short, join
from bot.glossary import Glossary
from bot.messages import Reply
from bot.text import fold
from bot.view import ProgrammeView

_SEATS = {"MID": ("MID-Seite der Doppelspitze", "MID seat of the dual leadership"),
          "kommunal": ("kommunale Seite der Doppelspitze", "municipal seat of the dual leadership"),
          "Leitung": ("Leitung", "lead")}


def _workshop(view: ProgrammeView, language: str) -> str:
    return t(language, f"Workshop vom {date_short(view.programme.meta.workshop_date)}",
             f"workshop of {date_short(view.programme.meta.workshop_date)}")


def answer_decisions(view: ProgrammeView, language: str) -> Reply:
    """The "Grundsätzliche Festlegungen" of the workshop."""
    meta = view.programme.meta
    return Reply(t(language, f"Grundsätzliche Festlegungen vom {date_short(meta.workshop_date)}:",
                   f"Decisions of {date_short(meta.workshop_date)} (German, from the workshop):"),
                 meta.decisions, language=language)


def answer_person(view: ProgrammeView, persons: tuple[str, ...], language: str) -> Reply:
    """The seats each named person holds."""
    parts = []
    for person in persons:
        roles = view.roles_of.get(person, ())
        if not roles:
            continue
        name = lead_label(view, roles[0][1], language)
        seats = [f"{group.label} ({_SEATS[lead.seat][language == 'en']})" for group, lead in roles]
        parts.append(Reply(t(language, f"{name} leitet: {join(seats)}.", f"{name} leads: {join(seats, 'en')}."),
                           language=language))
    if not parts:
        return Reply(t(language, "Zu dieser Person nennt das Workshop-Dokument keine Rolle.",
                       "The workshop document names no role for this person."), language=language)
    return parts[0] if len(parts) == 1 else Reply.combine(tuple(parts))


def known_persons(view: ProgrammeView) -> list[str]:
    """The lead persons the programme names, in programme order."""
    return list(view.roles_of or {})


def answer_unknown_person(view: ProgrammeView, name: str, language: str) -> Reply:
    """A person the document does not name: says so, with the closest names and all leads."""
    persons = known_persons(view)
    last = name.split()[-1]
    near = [p for p, score, _ in process.extract(last, persons, scorer=fuzz.WRatio, limit=2, score_cutoff=60)]
    hint = t(language, f" Meinten Sie {' oder '.join(near)}?", f" Did you mean {' or '.join(near)}?") if near else ""
    accusative = name.replace("Herr ", "Herrn ", 1) if name.startswith("Herr ") else name
    return Reply(t(language, f"{accusative} kenne ich nicht: das Workshop-Dokument nennt diese Person nicht.{hint}",
                   f"I do not know {name}: the workshop document does not name this person.{hint}"),
                 footer=t(language, f"Leitungen laut Dokument: {join(persons)}.", f"Leads in the document: {join(persons, 'en')}."),
                 language=language)


def answer_unknown_place(view: ProgrammeView, name: str, language: str) -> Reply:
    """A place that is no municipality or district of Sachsen-Anhalt and no organisation of the AGs."""
    names = {o.name: o for o in view.directory.by_key.values()}
    near = [n for n, score, _ in process.extract(name, list(names), scorer=fuzz.WRatio, limit=2, score_cutoff=85)]
    hint = t(language, f" Meinten Sie {' oder '.join(near)}?", f" Did you mean {' or '.join(near)}?") if near else ""
    return Reply(t(language, f"„{name}“ ist keine Kommune und kein Landkreis in Sachsen-Anhalt (laut "
                             f"Gemeindeverzeichnis von Destatis) und keine Organisation der AGs, also in keiner AG.{hint}",
                   f"\"{name}\" is no municipality or district of Sachsen-Anhalt (Destatis directory) and no "
                   f"organisation of the groups, so it is in no working group.{hint}"),
                 footer=t(language, "Die AGs sind eine Zusammenarbeit des Landes Sachsen-Anhalt mit seinen Kommunen.",
                          "The groups are a cooperation of the state of Sachsen-Anhalt with its municipalities."),
                 language=language)


def answer_legal(view: ProgrammeView, language: str) -> Reply:
    """The guideline on a separate AG for legal questions."""
    guidelines = view.programme.meta.guidelines
    if not guidelines:
        return Reply(t(language, "Dazu sagt das Workshop-Dokument nichts.", "The workshop document says nothing about it."),
                     language=language)
    return Reply(t(language, "Leitplanken der Zusammenarbeit:", "Guidelines of the cooperation (German):"), guidelines,
                 t(language, "Eine solche AG gehört nicht zu den vier AGs; Leitung, Mitglieder und Termine nennt das "
                             "Dokument nicht.", "It is not one of the four AGs; the document names no lead, members or dates."),
                 language=language)


def answer_workshop(view: ProgrammeView, language: str) -> Reply:
    """When and where the workshop took place."""
    meta = view.programme.meta
    place = f" in {meta.workshop_place}" if meta.workshop_place else ""
    return Reply(t(language, f"Der Workshop „{meta.title}“ fand am {date_long(meta.workshop_date)}{place} statt.",
                   f"The workshop \"{meta.title}\" took place on {date_long(meta.workshop_date, 'en')}{place}."),
                 language=language)


def answer_next_steps(view: ProgrammeView, now: dt.datetime, language: str) -> Reply:
    """The next steps agreed at the workshop, told as the plan of that day."""
    return Reply(t(language, f"Nächste Schritte laut {_workshop(view, language)} (Stand damals):",
                   f"Next steps from the {_workshop(view, language)} (German, as planned then):"),
                 view.programme.meta.next_steps, language=language)


def answer_feedback(view: ProgrammeView, language: str) -> Reply:
    """The feedback collected at the end of the workshop."""
    return Reply(t(language, f"Rückmeldungen aus dem {_workshop(view, language)}:",
                   f"Feedback from the {_workshop(view, language)} (German):"),
                 view.programme.meta.feedback,
                 t(language, "Kurz: Der Prozess wurde sehr positiv aufgenommen.",
                   "In short: the process was received very positively."), language=language)


def _lines_with(lines: tuple[str, ...], *stems: str) -> tuple[str, ...]:
    return tuple(line for line in lines if any(stem in fold(line) for stem in stems))


def answer_support(view: ProgrammeView, language: str) -> Reply:
    """Who supports the AGs: the MID's organisational support, external moderation and PM."""
    meta = view.programme.meta
    lines = _lines_with(meta.decisions, "unterstuetz", "begleit") + _lines_with(meta.next_steps, "unterstuetz", "moderation")
    return Reply(t(language, "Unterstützung der AGs laut Workshop:", "Support of the groups (German, from the workshop):"),
                 lines, language=language)


def answer_milestone_rule(view: ProgrammeView, language: str) -> Reply:
    """Who sets the milestones' time frame (decision 4) and how dates are entered."""
    lines = _lines_with(view.programme.meta.decisions, "meilenstein")
    lead = lines[0] if lines else t(language, "Dazu sagt das Workshop-Dokument nichts.", "The document says nothing about it.")
    return Reply(lead, footer=t(language, "Koordination und Admins tragen Termine ein: !meilenstein <AG> <TT.MM.JJJJ> <Titel>",
                                "Coordinators and admins set dates: !milestone <group> <DD.MM.YYYY> <title>"),
                 language=language)


def answer_seat_when(view: ProgrammeView, language: str) -> Reply:
    """When the municipal seat of the Doppelspitze is decided (decision 1) and where it is open."""
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


def answer_glossary(glossary: Glossary, words: tuple[str, ...], language: str) -> Reply:
    """What the abbreviations stand for, with the source of each meaning."""
    lines = []
    for word in dict.fromkeys(words):
        term = glossary.lookup(word)
        if term is None:
            continue
        if term.long is None:
            lines.append(t(language, f"{term.short}: Das Workshop-Dokument erklärt diese Abkürzung nicht.",
                           f"{term.short}: the workshop document does not explain this abbreviation."))
        else:
            source = {"allgemein": t(language, " (übliche Bedeutung; das Dokument schreibt sie nicht aus)",
                                     " (usual meaning; the document does not spell it out)")}.get(term.source, "")
            lines.append(t(language, f"{term.short} steht für {term.long}{source}.",
                           f"{term.short} stands for {term.long}{source}."))
    if len(lines) == 1:
        return Reply(lines[0], language=language)
    return Reply(t(language, "Abkürzungen:", "Abbreviations:"), tuple(lines), language=language)
