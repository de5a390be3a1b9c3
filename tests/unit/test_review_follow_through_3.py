"""Remaining review findings of issue 14 on the follow-through commands, through the real Router
and App on a SQLite file: due days (``bis=``) as users write them, free text with < > & and
real HTML, the titles in ``!verlauf``, overdue milestones in answers to questions.
"Now" is fakes.NOW (Friday 13.01.2023, 09:00, Europe/Berlin) unless a test passes another."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.understanding.periods import due_day, due_limit
from fakes import FIN_COORD, ask, berlin

MONDAY, WEDNESDAY, FRIDAY, SATURDAY = (dt.date(2023, 1, 16), dt.date(2023, 1, 18), dt.date(2023, 1, 13),
                                       dt.date(2023, 1, 14))


# -- 1: due days -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,today,expected", [
    ("Fr", MONDAY, dt.date(2023, 1, 20)),
    ("fr.", MONDAY, dt.date(2023, 1, 20)),
    ("Freitag", MONDAY, dt.date(2023, 1, 20)),
    ("Freitag", FRIDAY, FRIDAY),                        # said on a Friday: today
    ("Fri", WEDNESDAY, dt.date(2023, 1, 20)),
    ("Mo", FRIDAY, MONDAY),
    ("Sonnabend", FRIDAY, SATURDAY),
    ("nächsten Freitag", MONDAY, dt.date(2023, 1, 27)),   # Friday of next week
    ("nächsten Freitag", SATURDAY, dt.date(2023, 1, 20)),
    ("nächsten Fr", FRIDAY, dt.date(2023, 1, 20)),
    ("next Friday", WEDNESDAY, dt.date(2023, 1, 27)),
    ("kommenden Freitag", FRIDAY, dt.date(2023, 1, 20)),  # the next one after today
    ("kommenden Freitag", MONDAY, dt.date(2023, 1, 20)),
    ("morgen", SATURDAY, dt.date(2023, 1, 15)),
    ("übermorgen", SATURDAY, dt.date(2023, 1, 16)),
    ("tomorrow", FRIDAY, SATURDAY),
    ("day after tomorrow", FRIDAY, dt.date(2023, 1, 15)),
    ("Ende der Woche", WEDNESDAY, dt.date(2023, 1, 20)),   # the working week's end
    ("Ende der Woche", SATURDAY, dt.date(2023, 1, 20)),
    ("zum Wochenende", MONDAY, dt.date(2023, 1, 20)),
    ("end of the week", MONDAY, dt.date(2023, 1, 20)),
    ("Monatsende", MONDAY, dt.date(2023, 1, 31)),
    ("Ende des Monats", dt.date(2023, 2, 2), dt.date(2023, 2, 28)),
    ("end of the month", MONDAY, dt.date(2023, 1, 31)),
    ("Jahresende", MONDAY, dt.date(2023, 12, 31)),
])
def test_due_days_in_words(text, today, expected):
    assert due_day(text, today) == expected


def test_abbreviated_weekdays_are_no_due_limit_in_questions():
    # "so", "do", "mi" are words in questions; only a whole bis= value is read as a weekday
    assert due_limit("Was steht so an?", FRIDAY) is None
    assert due_limit("Was muss ich so bis morgen erledigen?", FRIDAY) == SATURDAY
    assert due_day("so", FRIDAY) == dt.date(2023, 1, 15)
    assert due_day("irgendwann mal", FRIDAY) is None


@pytest.mark.parametrize("due,now,shown", [
    ("10.1.", berlin(2023, 12, 15), "10.01.2024"),        # day.month already past this year: next year's, shown
    ("10.1", berlin(2023, 12, 15), "10.01.2024"),
    ("31.12.", berlin(2023, 12, 15), "31.12.2023"),
    ("29.2.", berlin(2024, 1, 10), "29.02.2024"),         # a leap year
    ("Fr", berlin(2023, 1, 16), "20.01.2023"),
    ("nächsten Freitag", berlin(2023, 1, 16), "27.01.2023"),
    ("Ende der Woche", berlin(2023, 1, 18), "20.01.2023"),
    ("Monatsende", berlin(2023, 1, 18), "31.01.2023"),
])
async def test_a_due_day_is_confirmed_with_its_full_date(app, due, now, shown):
    reply = await ask(app, f"!auftrag Finanzen Konzept bis={due}", now=now)
    assert reply.kind == "confirmation", reply.text
    assert reply.items == (f"Nr. 1: Konzept – bis {shown}",)


@pytest.mark.parametrize("due,now,expected", [
    ("29.2.", berlin(2023, 1, 13), "Den 29.02. gibt es 2023 nicht (2023 ist kein Schaltjahr)"),
    ("29.2.", berlin(2024, 3, 5), "Den 29.02. gibt es 2025 nicht"),       # 2024's has passed
    ("29.02.2023", berlin(2023, 1, 13), "„29.02.2023“ ist kein gültiges Datum: den 29.02. gibt es 2023 nicht"),
    ("30.2.", berlin(2023, 1, 13), "„30.2.“ ist kein gültiges Datum: der Februar hat höchstens 29 Tage"),
    ("31.4.", berlin(2023, 1, 13), "„31.4.“ ist kein gültiges Datum: der April hat 30 Tage"),
    ("31.04.2023", berlin(2023, 1, 13), "„31.04.2023“ ist kein gültiges Datum: der April hat 30 Tage"),
    ("1.13.", berlin(2023, 1, 13), "einen 13. Monat gibt es nicht"),
    ("10.1.2023", berlin(2023, 12, 15), "Die Frist 10.01.2023 liegt in der Vergangenheit"),  # a year given: as typed
    ("Fx", berlin(2023, 1, 13), "„Fx“ verstehe ich nicht als Frist"),
])
async def test_a_due_day_that_does_not_exist_or_is_past_is_refused_and_nothing_is_stored(app, due, now, expected):
    reply = await ask(app, f"!auftrag Finanzen Konzept bis={due}", now=now)
    assert reply.kind == "error" and expected in reply.text, reply.text
    assert "Es gibt keine offenen Aufträge der AG Finanzen" in (await ask(app, "!auftraege Finanzen", now=now)).text


async def test_due_days_in_english(app):
    friday = await ask(app, "!task Finanzen Slides due=Fri", now=berlin(2023, 1, 16))
    assert friday.items == ("No. 1: Slides – due 20.01.2023",), friday.text
    tomorrow = await ask(app, "!task Finanzen Report due=tomorrow", now=berlin(2023, 1, 16))
    assert tomorrow.items == ("No. 2: Report – due 17.01.2023",)
    leap = await ask(app, "!task Finanzen Other due=29.2.")
    assert leap.kind == "error" and leap.text.startswith("There is no 29.02. in 2023"), leap.text
    changed = await ask(app, "!task-edit 1 due=next Friday", now=berlin(2023, 1, 16))
    assert changed.items == ("No. 1: Slides – due 27.01.2023",), changed.text


# -- 2: free text: < > & kept as typed, real HTML refused naming the tag, never altered silently ------------
PLAIN = ("Budget < 5 Mio & Zeitplan > Q3", "<5 Mio>", "A < B & C > D")
TAGS = (("<script>alert(1)</script>", "<script>"), ("<b>fett</b>", "<b>"))


@pytest.fixture
async def session(app):
    assert (await ask(app, "!serie Finanzen 19.01.2023 10:00 2", user=FIN_COORD)).kind == "confirmation"
    return app


@pytest.mark.parametrize("text", PLAIN)
async def test_plain_text_in_every_free_text_field_is_kept_as_typed(session, text):
    app = session
    task = await ask(app, f"!auftrag Finanzen {text} fuer=<Halle> bis=<31.01.2023>")
    assert task.items == (f"Nr. 1: {text} – für Halle (Saale), bis 31.01.2023",), task.text
    renamed = await ask(app, f"!auftrag-aendern <1> titel={text} (neu)", user=FIN_COORD)
    assert renamed.items == (f"Nr. 1: {text} (neu) – für Halle (Saale), bis 31.01.2023",), renamed.text
    topic = await ask(app, f"!top <Finanzen> {text}")
    assert f"Thema „{text}“ steht als Punkt 1" in topic.text, topic.text
    result = await ask(app, f"!ergebnis Finanzen {text} auftrag=<1>", user=FIN_COORD)
    assert result.items == (f"13.01.2023: {text} (zu Auftrag Nr. 1)",), result.text
    risk = await ask(app, f"!risiko Finanzen {text} w=<2> a=3 massnahme={text}")
    assert f"Nr. 1 „{text}“: W 2 × A 3 = 6, gelb · Maßnahme: {text}" in risk.text, risk.text
    closed = await ask(app, f"!risiko-schliessen 1 {text}", user=FIN_COORD)
    assert closed.text.startswith(f"Risiko Nr. 1 „{text}“ der AG Finanzen geschlossen. Grund: {text}"), closed.text
    poll = await ask(app, f"!umfrage Finanzen 20.02.2023 10:00 21.02.2023 10:00 titel={text}", user=FIN_COORD)
    assert poll.lead == f"Terminumfrage Nr. 1 der AG Finanzen: {text}", poll.text
    cancelled = await ask(app, f"!absagen Finanzen 19.01.2023 {text}", user=FIN_COORD)
    assert cancelled.text.endswith(f"ist abgesagt ({text})."), cancelled.text
    milestone = await ask(app, f"!meilenstein Finanzen 31.03.2023 neu: {text}", user=FIN_COORD)
    assert f"„{text}“" in milestone.text, milestone.text
    # what was stored is what the lists show
    assert f"Nr. 1: {text} (neu)" in (await ask(app, "!auftraege Finanzen")).text
    assert f"1. {text} (Nr. 1)" in (await ask(app, "!tagesordnung Finanzen")).text


@pytest.mark.parametrize("text,tag", TAGS)
@pytest.mark.parametrize("command,what", [
    ("!auftrag Finanzen {}", "Der Titel"),
    ("!top Finanzen {}", "Das Thema"),
    ("!ergebnis Finanzen {}", "Das Ergebnis"),
    ("!risiko Finanzen {} w=2 a=3", "Der Titel"),
    ("!risiko Finanzen Kosten w=2 a=3 massnahme={}", "Die Maßnahme"),
    ("!umfrage Finanzen 20.02.2023 10:00 21.02.2023 10:00 titel={}", "Der Titel"),
    ("!absagen Finanzen 19.01.2023 {}", "Der Grund"),
    ("!meilenstein Finanzen 31.03.2023 neu: {}", "Der Titel"),
    ("!termin Finanzen 20.03.2023 10:00 ort={}", "Der Ort"),
])
async def test_real_html_in_any_free_text_field_is_refused_naming_the_tag(session, command, what, text, tag):
    reply = await ask(session, command.format(text), user=FIN_COORD)
    assert reply.kind == "error", reply.text
    assert reply.text.startswith(f"{what} darf kein HTML enthalten (hier: {tag}).") and "<, > und &" in reply.text


async def test_html_is_refused_in_english_too(app):
    reply = await ask(app, "!task Finanzen <b>bold</b> due=Fri")
    assert reply.text.startswith("The title must not contain HTML (here: <b>). Please write plain text"), reply.text


async def test_a_refused_close_reason_leaves_the_risk_open(session):
    app = session
    await ask(app, "!risiko Finanzen Kosten w=2 a=3")
    assert (await ask(app, "!risiko-schliessen 1 <b>weg</b>", user=FIN_COORD)).kind == "error"
    assert (await ask(app, "!risiko-schliessen 1 " + "x" * 301, user=FIN_COORD)).text.startswith(
        "Der Grund ist zu lang (höchstens 300 Zeichen)")
    assert "Risiken der AG Finanzen (1 offen)" in (await ask(app, "!risiken Finanzen")).text


# -- 3: !verlauf names tasks, risks, topics, results and polls by their titles ---------------------------------
LONG = "Haushaltsplan 2024 mit allen Kommunen abstimmen und den Entwurf dem Kreistag vorlegen"


async def test_history_names_each_item_by_its_title_in_plain_words(session):
    app = session
    for line in ("!auftrag Finanzen Haushaltsplan prüfen fuer=Halle bis=31.01.2023", f"!auftrag Finanzen {LONG}",
                 "!auftrag-aendern 1 fuer=niemand bis=-", "!erledigt 1", "!auftrag-loeschen 2",
                 "!risiko Finanzen Fördermittel laufen aus w=2 a=3", "!risiko-aendern 1 w=4 verantwortlich=Halle",
                 "!risiko-schliessen 1 Antrag bewilligt", "!risiko Finanzen Zweites Risiko w=1 a=1", "!risiko-loeschen 2",
                 "!top Finanzen Haushalt 2024", "!top-loeschen 1", "!ergebnis Finanzen Entwurf abgestimmt auftrag=1",
                 "!umfrage Finanzen 20.02.2023 10:00 21.02.2023 10:00 titel=Ersatztermin", "!abstimmen 1 1 2"):
        assert (await ask(app, line, user=FIN_COORD)).kind == "confirmation", line
    items = [item.split(" ", 2)[2] for item in (await ask(app, "!verlauf Finanzen", user=FIN_COORD)).items]
    by = f"von {FIN_COORD}"
    assert items == [
        f"Auftrag Nr. 1 „Haushaltsplan prüfen“ der AG Finanzen angelegt {by}: für Halle (Saale), bis 31.01.2023",
        f"Auftrag Nr. 2 „Haushaltsplan 2024 mit allen Kommunen abstimmen…“ der AG Finanzen angelegt {by}",
        f"Auftrag Nr. 1 „Haushaltsplan prüfen“ der AG Finanzen geändert {by}: ohne Verantwortliche, ohne Frist",
        f"Auftrag Nr. 1 „Haushaltsplan prüfen“ der AG Finanzen erledigt {by}",
        f"Auftrag Nr. 2 „Haushaltsplan 2024 mit allen Kommunen abstimmen…“ der AG Finanzen gelöscht {by}",
        f"Risiko Nr. 1 „Fördermittel laufen aus“ der AG Finanzen erfasst {by}: W 2 × A 3 = 6",
        f"Risiko Nr. 1 „Fördermittel laufen aus“ der AG Finanzen geändert {by}: W 2→4, Zuständigkeit geändert",
        f"Risiko Nr. 1 „Fördermittel laufen aus“ der AG Finanzen geschlossen {by}: Antrag bewilligt",
        f"Risiko Nr. 2 „Zweites Risiko“ der AG Finanzen erfasst {by}: W 1 × A 1 = 1",
        f"Risiko Nr. 2 „Zweites Risiko“ der AG Finanzen gelöscht {by}",
        f"Thema Nr. 1 „Haushalt 2024“ der AG Finanzen angelegt {by}: für die Sitzung am 19.01.2023",
        f"Thema Nr. 1 „Haushalt 2024“ der AG Finanzen gelöscht {by}",
        f"Ergebnis Nr. 1 „Entwurf abgestimmt“ der AG Finanzen festgehalten {by}: zu Auftrag Nr. 1",
        f"Umfrage Nr. 1 „Ersatztermin“ der AG Finanzen angelegt {by}: 2 Termine",
        f"Umfrage Nr. 1 „Ersatztermin“ der AG Finanzen abgestimmt {by}: Termine 1, 2",
    ]
    english = (await ask(app, "!audit Finanzen", user=FIN_COORD)).items
    assert english[2].endswith(f"Task no. 1 \"Haushaltsplan prüfen\" of the AG Finanzen changed by {FIN_COORD}: "
                               "no owner, no due day"), english[2]
    assert english[5].endswith(f"Risk no. 1 \"Fördermittel laufen aus\" of the AG Finanzen recorded by {FIN_COORD}: "
                               "L 2 × I 3 = 6"), english[5]
    for item in english:
        for german in (" der AG", " von ", "angelegt", "Termine", "ohne", "Nr. ", "„"):
            assert german not in item, (german, item)


def test_long_titles_are_shortened_at_a_word_and_short_ones_kept():
    from bot.audit_text import short_title
    assert short_title("Haushalt 2024") == "Haushalt 2024"
    shortened = short_title(LONG)
    assert len(shortened) <= 50 and shortened.endswith("…") and LONG.startswith(shortened[:-1])
    assert LONG[len(shortened) - 1] == " "  # cut between words
    assert short_title("x" * 80) == "x" * 49 + "…"


async def test_attendance_entries_have_no_meaningless_number_and_say_uhr(session):
    app = session
    await ask(app, "!teilnahme Finanzen 19.01.2023 ja")
    await ask(app, "!teilnahme Finanzen 19.01.2023 nein")
    items = (await ask(app, "!verlauf Finanzen", user=FIN_COORD)).items
    assert items[0].endswith("Teilnahme der AG Finanzen angegeben von @mitglied:example.org: ja für die Sitzung am "
                             "19.01.2023, 10:00 Uhr"), items
    assert items[1].endswith("geändert von @mitglied:example.org: ja → nein für die Sitzung am 19.01.2023, 10:00 Uhr")
    assert not any("Teilnahme Nr." in item or "  " in item for item in items)


# -- 4: an unreached milestone past its due day is overdue in the answers to questions too ----------------------
@pytest.fixture
async def milestones(app):
    for line in ("!meilenstein Finanzen 10.01.2023 Nutzungskonzept", "!meilenstein Finanzen 31.03.2023 neu: Haushaltsplan",
                 "!meilenstein Finanzen 13.01.2023 Finanzierungskonzept"):
        assert (await ask(app, line, user=FIN_COORD)).kind == "confirmation", line
    return app


@pytest.mark.parametrize("question,expected,absent", [
    ("Welche Meilensteine hat die AG Finanzen?",
     ["Nutzungskonzept (kurzfristig): überfällig seit 10.01.2023, nicht als erreicht erfasst",
      "Finanzierungskonzept (langfristig): fällig am 13.01.2023",      # due today: not overdue yet
      "Haushaltsplan: fällig am 31.03.2023", "Experimentierklauseln für die Umsetzung: noch kein Datum festgelegt"],
     ["Nutzungskonzept (kurzfristig): fällig am"]),
    ("Which milestones does the Finanzen group have?",
     ["Nutzungskonzept (kurzfristig): overdue since 10.01.2023, not recorded as reached",
      "Haushaltsplan: due 31.03.2023", "Experimentierklauseln für die Umsetzung: no date set yet"],
     ["Nutzungskonzept (kurzfristig): due"]),
    ("Wann ist der nächste Meilenstein der AG Finanzen fällig?",
     ["Der nächste Meilenstein der AG Finanzen ist „Finanzierungskonzept (langfristig)“, fällig am Freitag, "
      "13.01.2023 (heute)", "Überfällig und nicht als erreicht erfasst: „Nutzungskonzept (kurzfristig)“ (seit "
      "10.01.2023)."], ["war fällig"]),
    ("When is the next milestone of the Finanzen group due?",
     ["Overdue and not recorded as reached: \"Nutzungskonzept (kurzfristig)\" (since 10.01.2023)."], ["Überfällig"]),
    ("Wann ist der Meilenstein Nutzungskonzept der AG Finanzen fällig?",
     ["Der Meilenstein „Nutzungskonzept (kurzfristig)“ der AG Finanzen ist überfällig seit Dienstag, 10.01.2023 und "
      "nicht als erreicht erfasst.", "!meilenstein-erreicht Finanzen"], ["war fällig am"]),
])
async def test_overdue_milestones_are_called_overdue_in_answers(milestones, question, expected, absent):
    reply = await ask(milestones, question)
    for part in expected:
        assert part in reply.text, (part, reply.text)
    for part in absent:
        assert part not in reply.text, (part, reply.text)


async def test_a_milestone_reached_or_without_a_date_is_never_overdue(milestones):
    app = milestones
    await ask(app, "!meilenstein-erreicht Finanzen Nutzungskonzept 12.01.2023", user=FIN_COORD)
    reply = await ask(app, "Welche Meilensteine hat die AG Finanzen?")
    assert "überfällig" not in reply.text and "Nutzungskonzept (kurzfristig) – erreicht am 12.01.2023" in reply.text
    later = await ask(app, "Wann ist der nächste Meilenstein der AG Finanzen fällig?", now=berlin(2023, 4, 3))
    assert later.text.startswith("Für die Meilensteine der AG Finanzen ist noch kein kommendes Fälligkeitsdatum "
                                 "festgelegt. Überfällig und nicht als erreicht erfasst: „Finanzierungskonzept "
                                 "(langfristig)“ (seit 13.01.2023); „Haushaltsplan“ (seit 31.03.2023)."), later.text
    assert "Noch ohne Datum: Übersicht der Unterstützungsmöglichkeiten" in later.text
    overview = await ask(app, "!ag Finanzen", now=berlin(2023, 4, 3))
    assert "Haushaltsplan: überfällig seit 31.03.2023, nicht als erreicht erfasst" in overview.text, overview.text
