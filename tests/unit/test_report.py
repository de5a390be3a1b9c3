"""The AGs' status report (issue 14 item 7): ``!bericht`` on demand, the period (since the
previous exchange round, the workshop, or ``seit``), the sections built from the programme and
the late registrations of a real SQLite database, Markdown/HTML output that cannot be broken by
chat text, and ``agbot report``. The report sent before each exchange round is covered in
tests/store/test_reminder_dispatch.py."""
from __future__ import annotations

import datetime as dt
import html.parser

import pytest

from bot.report import ReportSection, StatusReport, GroupReport, build_report, report_html, report_markdown
from fakes import ADMIN, FIN_COORD, NOW, ask, berlin

MARCH = berlin(2023, 3, 1, 10)


async def admin(app, text: str, now=NOW):
    reply = await ask(app, text, user=ADMIN, now=now)
    assert reply.kind != "error", reply.text
    return reply


async def test_report_of_one_ag_names_sessions_milestones_and_the_period(app):
    await admin(app, "!serie Finanzen 12.01.2023 10:00 2")
    await admin(app, "!absagen Finanzen 26.01.2023 Krankheit")
    await admin(app, "!meilenstein Finanzen 31.03.2023 Nutzungskonzept")
    reply = await ask(app, "!bericht Finanzen", now=MARCH)
    assert reply.lead == "Statusbericht der AG Finanzen (seit dem Workshop am 19.10.2022, Stand 01.03.2023):"
    sessions, milestones = reply.items
    # 12.01., 09.02., 23.02. held, 26.01. cancelled
    assert sessions == "Sitzungen: 3 im Zeitraum (1 abgesagt); nächste: Donnerstag, 09.03.2023, 10:00 Uhr"
    assert milestones.startswith("Meilensteine: „Nutzungskonzept (kurzfristig)“ ist fällig am Freitag, 31.03.2023")
    later = await ask(app, "!bericht Finanzen", now=berlin(2023, 4, 3))
    assert "„Nutzungskonzept (kurzfristig)“ überfällig seit Freitag, 31.03.2023, nicht als erreicht erfasst" in later.text


async def test_an_overdue_milestone_stays_in_every_report_until_it_is_reached(app):
    """Due before the report's period and never marked reached: still named, as overdue, in
    chat, Markdown and HTML, and in !meilensteine."""
    await admin(app, "!meilenstein Finanzen 28.02.2023 Finanzierungskonzept")
    overdue = "„Finanzierungskonzept (langfristig)“ überfällig seit Dienstag, 28.02.2023, nicht als erreicht erfasst"
    for now, text in ((berlin(2023, 3, 2), "!bericht Finanzen"), (berlin(2023, 7, 3), "!bericht Finanzen"),
                      (berlin(2023, 7, 3), "!bericht Finanzen seit 01.06.2023")):
        assert overdue in (await ask(app, text, now=now)).text, (now, text)
    view, _ = await app.state.current()
    report = await build_report(view, app.router.commands.services.report_sources, berlin(2023, 7, 3),
                                group_keys=["finanzen"])
    assert overdue in report_markdown(report) and overdue in html.unescape(report_html(report))
    listed = await ask(app, "!meilensteine Finanzen", now=berlin(2023, 7, 3))
    assert "Finanzierungskonzept (langfristig): überfällig seit 28.02.2023, nicht als erreicht erfasst" in listed.items
    before = await ask(app, "!meilensteine Finanzen", now=berlin(2023, 2, 27))
    assert "Finanzierungskonzept (langfristig): fällig am 28.02.2023" in before.items
    await admin(app, "!meilenstein-erreicht Finanzen Finanzierungskonzept", now=berlin(2023, 7, 4))
    assert "überfällig" not in (await ask(app, "!bericht Finanzen", now=berlin(2023, 7, 5))).text


async def test_the_period_starts_at_the_previous_exchange_round_or_the_given_day(app):
    await admin(app, "!austauschrunde 15.02.2023 10:00")
    await admin(app, "!serie Finanzen 12.01.2023 10:00 2")
    reply = await ask(app, "!bericht Finanzen", now=MARCH)
    assert "(seit der Austauschrunde am 15.02.2023, Stand 01.03.2023)" in reply.lead
    assert "Sitzungen: 1 im Zeitraum" in reply.text  # 23.02. only
    since = await ask(app, "!bericht Finanzen seit 01.02.2023", now=MARCH)
    assert "(seit 01.02.2023," in since.lead and "Sitzungen: 2 im Zeitraum" in since.text


async def test_new_members_and_open_registrations_are_reported(app):
    before = berlin(2022, 10, 20)  # within the registration window
    for text in ("!nachmelden Finanzen Barleben", "!nachmelden Finanzen Merseburg"):
        assert (await ask(app, text, now=before)).kind == "confirmation"
    assert (await ask(app, "!bestaetigen 1", user=FIN_COORD, now=before)).kind == "confirmation"
    reply = await ask(app, "!bericht Finanzen", now=MARCH)
    assert "Mitglieder: neu aufgenommen: Barleben; 1 Nachmeldung noch offen" in reply.text
    # admitted before the period: not new any more
    later = await ask(app, "!bericht Finanzen seit 01.01.2023", now=MARCH)
    assert "neu aufgenommen" not in later.text and "1 Nachmeldung noch offen" in later.text


async def test_every_ag_outside_a_linked_room_and_the_rooms_ag_inside_one(app):
    everything = await ask(app, "!bericht", now=MARCH)
    labels = [part.lead.split(" (")[0] for part in everything.parts]
    assert labels[:2] == ["Statusbericht der AG Kooperationsmodell", "Statusbericht der UAG Technische Umsetzung"]
    assert "Statusbericht der AG Kommunikation" in labels
    assert (await ask(app, "!bericht alle", now=MARCH)).text == everything.text
    await ask(app, "!verknuepfen Kommunikation", user=ADMIN)
    here = await ask(app, "!bericht", now=MARCH)
    assert here.lead.startswith("Statusbericht der AG Kommunikation") and not here.parts
    english = await ask(app, "!report Finanzen", now=MARCH)
    assert english.lead.startswith("Status report of the AG Finanzen (since the workshop on 19.10.2022, as of ")


@pytest.mark.parametrize("text, expected", [
    ("!bericht Finanzen seit 32.13.2023", "kein gültiges Datum"),
    ("!bericht Finanzen seit 01.01.2030", "in der Zukunft"),
    ("!bericht Quantenphysik", "Quantenphysik"),
])
async def test_bad_input_gets_a_clear_answer(app, text, expected):
    reply = await ask(app, text, now=MARCH)
    assert reply.kind == "error" and expected in reply.text, reply.text


class _Hostile:
    """A source whose text comes from chat and tries to add markup."""

    async def report_sections(self, view, groups, since, now, language="de"):
        return {groups[0].key: [ReportSection("Risiken", ("<script>alert(1)</script> **fett** [x](http://e.vil)",))]}


async def test_markdown_and_html_escape_chat_text(app):
    view, _ = await app.state.current()
    built = await build_report(view, [_Hostile()], MARCH, group_keys=["finanzen"])
    markdown = report_markdown(built)
    assert "\\*\\*fett\\*\\*" in markdown and "\\[x\\](http://e.vil)" in markdown  # no link can form
    assert "\\<script\\>" in markdown
    assert markdown.startswith("# Statusbericht für die Austauschrunde (seit dem Workshop am 19.10.2022")
    page = report_html(built)
    assert "<script>" not in page and "&lt;script&gt;" in page

    class Tags(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

    parser = Tags()
    parser.feed(page)
    assert parser.tags == ["html", "head", "meta", "title", "body", "h1", "h2", "h3", "ul", "li"]


def test_an_ag_with_nothing_to_report_says_so():
    report = StatusReport(MARCH, MARCH, "seit 01.03.2023", (GroupReport("x", "AG X", ()),))
    assert "## AG X\n\nNichts Neues." in report_markdown(report)


def test_cli_writes_markdown_and_html_and_refuses_unknown_ags(tmp_path, run_cli):
    db = tmp_path / "agbot.sqlite3"
    markdown = run_cli("report", "--db", db, "--ag", "Finanzen", "--now", "2023-03-01T10:00:00+01:00")
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith("# Statusbericht für die Austauschrunde (seit dem Workshop am 19.10.2022, "
                                      "Stand 01.03.2023)")
    assert "## AG Finanzen" in markdown.stdout and "## AG Kommunikation" not in markdown.stdout
    out = tmp_path / "bericht.html"
    page = run_cli("report", "--db", db, "--format", "html", "--out", out, "--since", "01.01.2023")
    assert page.returncode == 0 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "seit 01.01.2023" in out.read_text(encoding="utf-8")
    unknown = run_cli("report", "--db", db, "--ag", "Quantenphysik")
    assert unknown.returncode == 2 and "Quantenphysik" in unknown.stderr
    bad = run_cli("report", "--db", db, "--since", "gestern")
    assert bad.returncode == 2 and "--since" in bad.stderr


async def test_attendance_of_the_periods_sessions_and_open_polls_are_reported(app):
    await admin(app, "!serie Finanzen 12.01.2023 10:00 2")
    day = berlin(2023, 2, 8)  # answers the day before the session of 09.02.
    for text, user in (("!teilnahme Finanzen 09.02.2023 ja fuer=\"Halle (Saale)\"", "@a:example.org"),
                       ("!teilnahme Finanzen 09.02.2023 ja fuer=Burgenlandkreis", "@b:example.org"),
                       ("!teilnahme Finanzen 09.02.2023 nein", "@c:example.org"),
                       ("!teilnahme Finanzen 09.02.2023 vielleicht", "@d:example.org"),
                       ("!teilnahme Finanzen 23.02.2023 ja", "@a:example.org")):
        assert (await ask(app, text, user=user, now=day)).kind == "confirmation", text
    poll = await ask(app, "!umfrage Finanzen 15.03.2023 10:00 16.03.2023 14:00", user=FIN_COORD, now=day)
    assert poll.kind == "confirmation", poll.text
    reply = await ask(app, "!bericht Finanzen", now=MARCH)
    [attendance] = [item for item in reply.items if item.startswith("Teilnahme:")]
    members = len([m for m in (await app.state.current())[0].groups["finanzen"].members
                   if m.status.value != "vorschlag"])
    assert attendance == (f"Teilnahme: 09.02.2023: 2 ja, 1 nein, 1 vielleicht (2 von {members} "
                          f"Mitgliedsorganisationen zugesagt); 23.02.2023: 1 ja, 0 nein, 0 vielleicht (0 von {members} "
                          f"Mitgliedsorganisationen zugesagt); 1 offene Terminabstimmung")
    # answers of sessions before the period are not counted
    later = await ask(app, "!bericht Finanzen seit 20.02.2023", now=MARCH)
    assert "09.02.2023" not in later.text and "23.02.2023: 1 ja" in later.text


async def test_open_risks_by_class_the_highest_ones_and_the_matrix_picture(app):
    for text in ("!risiko Finanzen Fördermittel laufen aus w=4 a=5", "!risiko Finanzen Personal fehlt w=2 a=3",
                 "!risiko Finanzen Software verspätet w=1 a=2", "!risiko Finanzen Haushaltssperre w=3 a=4",
                 "!risiko Finanzen Datenschutz w=5 a=5", "!risiko Kommunikation Presse w=2 a=2"):
        assert (await ask(app, text, user=FIN_COORD if "Finanzen" in text else ADMIN)).kind == "confirmation", text
    assert (await ask(app, "!risiko-schliessen 4 erledigt", user=FIN_COORD, now=berlin(2023, 2, 1))).kind \
        == "confirmation"
    reply = await ask(app, "!bericht Finanzen", now=MARCH)
    [risks] = [item for item in reply.items if item.startswith("Risiken:")]
    assert risks == ("Risiken: 4 offen (2 rot, 1 gelb, 1 grün); Nr. 5 „Datenschutz“: 5 × 5 = 25 (rot); "
                     "Nr. 1 „Fördermittel laufen aus“: 4 × 5 = 20 (rot); Nr. 2 „Personal fehlt“: 2 × 3 = 6 (gelb); "
                     "1 im Zeitraum geschlossen")
    picture = reply.attachment
    assert picture is not None and picture.mimetype == "image/png" and picture.data.startswith(b"\x89PNG")
    assert "AG Finanzen" in (picture.description or "")
    everything = await ask(app, "!bericht alle", now=MARCH)
    assert everything.attachment is None  # one picture per AG would not fit one message
    assert "Risiken: 1 offen (1 grün); Nr. 6 „Presse“: 2 × 2 = 4 (grün)" in everything.text


async def test_all_overdue_tasks_are_named_for_email_and_chat_says_how_many_more(app):
    jan = berlin(2023, 1, 11)
    for n in range(1, 9):
        text = f"!auftrag Finanzen Aufgabe {n} bis={10 + n}.01.2023"
        assert (await ask(app, text, user=FIN_COORD, now=jan)).kind == "confirmation", text
    reply = await ask(app, "!bericht Finanzen", now=MARCH)
    tasks = next(item for item in reply.items if item.startswith("Aufträge:"))
    assert tasks.endswith("Nr. 3 „Aufgabe 3“ (noch niemand zuständig, bis 13.01.2023) "
                          "und 5 weitere: !auftraege Finanzen ueberfaellig"), tasks
    assert "davon 8 überfällig" in tasks and "Nr. 4 " not in tasks
    view, _ = await app.state.current()
    report = await build_report(view, app.router.commands.services.report_sources, MARCH, group_keys=["finanzen"])
    markdown, page = report_markdown(report), html.unescape(report_html(report))
    for n in range(1, 9):
        assert f"Nr. {n} „Aufgabe {n}“" in markdown and f"Nr. {n} „Aufgabe {n}“" in page
    assert "weitere" not in markdown and "weitere" not in page


async def test_the_english_command_reports_in_english(app):
    jan = berlin(2023, 1, 11)
    for text in ("!serie Finanzen 12.01.2023 10:00 2", "!meilenstein Finanzen 28.02.2023 Finanzierungskonzept",
                 "!auftrag Finanzen Folien bis=20.01.2023", "!risiko Finanzen Ausfall w=4 a=5"):
        assert (await ask(app, text, user=ADMIN, now=jan)).kind == "confirmation", text
    reply = await ask(app, "!report Finanzen", now=MARCH)
    assert reply.lead == "Status report of the AG Finanzen (since the workshop on 19.10.2022, as of 01.03.2023):"
    items = {item.split(":", 1)[0]: item.split(":", 1)[1].strip() for item in reply.items}
    assert items["Sessions"].startswith("4 in the period; next: "), items
    assert items["Milestones"].startswith("\"Finanzierungskonzept (langfristig)\" overdue since "), items
    assert items["Tasks"] == "1 open, 1 of them overdue; overdue: No. 1 \"Folien\" (nobody responsible yet, due 20.01.2023)"
    assert items["Risks"].startswith("1 open (1 red); No. 1 \"Ausfall\": 4 × 5 = 20 (red)"), items
    for german in ("Stand", "offen", "Sitzungen", "überfällig", "nächste", "fällig"):
        assert german not in reply.text, german


async def test_tasks_results_and_reached_milestones_are_reported(app):
    jan = berlin(2023, 2, 1)
    for text in ("!auftrag Finanzen Entwurf Nutzungskonzept bis=10.02.2023", "!auftrag Finanzen Folien bis=20.03.2023",
                 "!auftrag Finanzen Haushaltsdaten sammeln", "!ergebnis Finanzen Entwurf abgestimmt",
                 "!meilenstein-erreicht Finanzen Nutzungskonzept"):
        assert (await ask(app, text, user=FIN_COORD, now=jan)).kind == "confirmation", text
    assert (await ask(app, "!erledigt 3", user=FIN_COORD, now=jan)).kind == "confirmation"
    reply = await ask(app, "!bericht Finanzen", now=MARCH)
    items = {item.split(":", 1)[0]: item.split(":", 1)[1].strip() for item in reply.items}
    assert items["Aufträge"] == ("1 im Zeitraum erledigt; 2 offen, davon 1 überfällig; "
                                 "überfällig: Nr. 1 „Entwurf Nutzungskonzept“ (noch niemand zuständig, bis 10.02.2023)")
    assert items["Ergebnisse"] == "01.02.2023: Entwurf abgestimmt"
    assert "„Nutzungskonzept (kurzfristig)“ erreicht am Mittwoch, 01.02.2023" in items["Meilensteine"]
    # a period after all that: nothing done or recorded in it, the open tasks still show
    later = await ask(app, "!bericht Finanzen seit 15.02.2023", now=MARCH)
    assert "Ergebnisse" not in later.text and "erledigt" not in later.text and "erreicht" not in later.text
    assert "2 offen, davon 1 überfällig" in later.text
