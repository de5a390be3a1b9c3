"""Answers from the workshop document: agenda, contacts, a quoted passage, or "nothing there".

Every function returns a :class:`~bot.messages.Reply` in German, or English when ``language``
is "en". Agenda and contacts come from :attr:`bot.programme.Meta` (``view.programme.meta``, filled
from the seed by ``bot/data/programme.toml``); passages from :mod:`bot.document.search`. The
workshop lies in the past, so answers about it are in the past tense. Nothing is said that the
document does not say: it lists contacts but does not say who organised the workshop, and its
phone numbers and e-mail addresses were removed.
"""
from __future__ import annotations

import datetime as dt

from bot.answers import t
from bot.document.agenda import end_of, match_items
from bot.document.passages import DOCUMENT_DATE, PHOTOS, Passage
from bot.document.search import Hit, document_index
from bot.formatting import date_short
from bot.messages import Reply
from bot.programme import AgendaItem
from bot.view import ProgrammeView

__all__ = [
    "RUNNER_UP_RATIO", "answer_agenda", "answer_contacts", "answer_document_question", "answer_nothing_found",
    "answer_passage", "find_agenda_item", "find_agenda_items",
]

RUNNER_UP_RATIO = 0.6  # a second passage is shown when it scores at least this share of the best
_FEMININE_ENDINGS = ("ung", "pause", "arbeit", "runde", "heit", "keit", "schaft")


def _clock(time: dt.time, language: str) -> str:
    return f"{time:%H:%M}" + ("" if language == "en" else " Uhr")


def find_agenda_items(view: ProgrammeView, text: str) -> tuple[AgendaItem, ...]:
    """Agenda items of the workshop that the words of ``text`` name, best first; several when
    they match equally ("Gruppenarbeit"), () when none (see :mod:`bot.document.agenda`)."""
    return match_items(view.programme.meta.agenda, text)


def find_agenda_item(view: ProgrammeView, text: str) -> AgendaItem | None:
    """The one agenda item ``text`` names ("Kaffeepause", "drittes Arbeitspaket", "Ende",
    "um 14:30"), or None when it names none or several equally."""
    found = find_agenda_items(view, text)
    return found[0] if len(found) == 1 else None


def _subject(title: str) -> str:
    """The title with its German article: "Die Kaffeepause", "Das Ende des Workshops"."""
    head = title.split(" ", 1)[0].casefold()
    if head == "ende":
        return f"Das {title}"
    if head.endswith(_FEMININE_ENDINGS):
        return f"Die {title}"
    return f"Der Programmpunkt „{title}“"


def _one_item(view: ProgrammeView, item: AgendaItem, language: str) -> Reply:
    meta = view.programme.meta
    end = end_of(meta.agenda, item)
    day = date_short(meta.workshop_date)
    if language == "en":
        until = f" (until {_clock(end, language)})" if end else ""
        return Reply(f'The agenda item "{item.title}" was on {day} at {_clock(item.time, language)}{until}.',
                     language="en")
    until = f" (bis {_clock(end, language)})" if end else ""
    verb = "waren" if " und " in item.title else "war"  # "Feedbackrunde und nächste Schritte"
    return Reply(f"{_subject(item.title)} {verb} am {day} um {_clock(item.time, language)}{until}.")


def answer_agenda(view: ProgrammeView, language: str = "de", asked: str | None = None) -> Reply:
    """The workshop's agenda, or the item(s) ``asked`` names.

    Without ``asked`` (or when it names no item): every item as "12:30 Begrüßung durch
    Staatssekretär Bernd Schlömer". One named item: "Die Kaffeepause war am 19.10.2022 um
    14:30 Uhr (bis 14:45 Uhr)." (the end is the next item's start). Several equally named
    items ("Gruppenarbeit"): those, each with start and end.
    """
    meta = view.programme.meta
    day = date_short(meta.workshop_date)
    if not meta.agenda:
        return Reply(t(language, "Zur Agenda des Workshops sind keine Angaben gespeichert. Ein Admin kann sie mit "
                                 "„agbot import“ aus der Programmdatei übernehmen.",
                       "No agenda of the workshop is stored. An admin can take it over from the programme file "
                       "with \"agbot import\"."), language=language)
    found = match_items(meta.agenda, asked) if asked else ()
    if len(found) == 1:
        return _one_item(view, found[0], language)
    if found:
        def span(item: AgendaItem) -> str:
            end = end_of(meta.agenda, item)
            times = f"{item.time:%H:%M}–{end:%H:%M}" if end else f"{item.time:%H:%M}"
            return f"{times}{'' if language == 'en' else ' Uhr'} {item.title}"

        return Reply(t(language, f"Dazu gab es am {day} mehrere Punkte auf der Agenda:",
                       f"The agenda of {day} had several such items:"),
                     items=tuple(span(item) for item in found), language=language)
    place = f" in {meta.workshop_place}" if meta.workshop_place else ""
    return Reply(t(language, f"Agenda des Workshops am {day}{place}:", f"Agenda of the workshop on {day}{place}:"),
                 items=tuple(f"{item.time:%H:%M} {item.title}" for item in meta.agenda), language=language)


def answer_contacts(view: ProgrammeView, language: str = "de") -> Reply:
    """The contacts listed at the end of the workshop document ("Unsere Kontaktdaten").

    Says that the document lists them as contacts, not that they organised the workshop (the
    document does not say so), and that its phone numbers and e-mail addresses were removed.
    """
    contacts = view.programme.meta.contacts
    if not contacts:
        return Reply(t(language, "Zu Kontakten sind keine Angaben gespeichert. Ein Admin kann sie mit „agbot import“ "
                                 "aus der Programmdatei übernehmen.",
                       "No contacts are stored. An admin can take them over from the programme file with "
                       "\"agbot import\"."), language=language)
    day = date_short(view.programme.meta.workshop_date)

    def line(contact) -> str:
        who = ", ".join(part for part in (contact.name, contact.role) if part)
        at = f" ({contact.organisation})" if contact.organisation else ""
        return who + at + (f", {contact.address}" if contact.address else "")

    items = tuple(line(c) for c in contacts)
    return Reply(
        t(language, f"Als Kontakt nennt das Workshop-Dokument vom {day} (Kontaktdaten am Ende des Dokuments):",
          f"The workshop document of {day} lists as contacts (contact details at the end of the document):"),
        items=items,
        footer=t(language, "Telefonnummern und E-Mail-Adressen wurden aus dem Dokument entfernt.",
                 "Phone numbers and e-mail addresses were removed from the document."),
        language=language)


def _quote(passage: Passage, language: str) -> str:
    if language == "en":
        return f'"{passage.section}" (German): "{passage.text}"'
    return f"„{passage.section}“: „{passage.text}“"


def answer_passage(hit: Hit, language: str = "de", runner_up: Hit | None = None) -> Reply:
    """Quote the passage ``hit`` with its section: "Im Protokoll vom 19.10.2022 unter „<section>“:
    „<text>“" (English: 'The minutes of 19.10.2022 say under "<section>" (German): "<text>"').

    ``runner_up`` is quoted as well when it is from another section and scores at least
    :data:`RUNNER_UP_RATIO` of ``hit``. A passage from the pin-board photos gets a note that its
    text is a transcript of a photo.
    """
    day = date_short(DOCUMENT_DATE)
    lead = t(language, f"Im Protokoll vom {day} unter {_quote(hit.passage, language)}",
             f"The minutes of {day} say under {_quote(hit.passage, language)}")
    notes = []
    shown = [hit.passage]
    if (runner_up is not None and runner_up.passage.section != hit.passage.section
            and runner_up.score >= RUNNER_UP_RATIO * hit.score):
        notes.append(t(language, f"Außerdem unter {_quote(runner_up.passage, language)}",
                       f"Also under {_quote(runner_up.passage, language)}"))
        shown.append(runner_up.passage)
    if any(p.path[0] == PHOTOS for p in shown):
        notes.append(t(language, "(Abschrift eines Fotos der Stellwände; der Text kann Lesefehler enthalten.)",
                       "(Transcript of a photo of the pin boards; the text may contain reading errors.)"))
    return Reply(lead, footer="\n".join(notes) or None, language=language)


def answer_nothing_found(language: str = "de", suggestions: tuple[str, ...] = ()) -> Reply:
    """Say plainly that the workshop document says nothing about the question; list
    ``suggestions`` (questions the bot can answer, supplied by the caller) if any."""
    day = date_short(DOCUMENT_DATE)
    lead = t(language, f"Dazu steht im Workshop-Dokument vom {day} nichts.",
             f"The workshop document of {day} says nothing about that.")
    if suggestions:
        lead += t(language, " Fragen Sie zum Beispiel:", " You could ask, for example:")
    return Reply(lead, items=tuple(suggestions), language=language, kind="fallback")


def answer_document_question(question: str, language: str = "de", suggestions: tuple[str, ...] = ()) -> Reply:
    """Search the workshop document for ``question``: the best passage (and a close runner-up)
    quoted, or :func:`answer_nothing_found`. Builds the index on first use (~0.2 s once)."""
    found = document_index().matches(question, 2)
    if not found:
        return answer_nothing_found(language, suggestions)
    return answer_passage(found[0], language, found[1] if len(found) > 1 else None)
