"""The intent table: which question is asked, decided by one ordered list of rules.

Each :class:`IntentRule` names its intent, the cue groups it reacts to (any of them; keys of
:data:`bot.understanding.vocabulary.CUES` or word flags computed by the parser), the flags it
needs (all of them), the flags that rule it out, and example phrasings in German and English.
The first rule that matches wins, so specific rules stand before general ones. A test checks
that every rule's examples are understood as that rule's intent.

Flags besides the cue groups (set by :mod:`bot.understanding.parser`):

========================  ====================================================================
``group``                 an AG or UAG is named            ``room_group``  the room is linked to an AG
``org``                   an organisation is named         ``person``      a lead person is named
``unknown_group``         "AG <name>" names no group       ``unknown_person``  "Herr Meier" is unknown
``unknown_org``           "Ist X in der AG Y?" with X unknown
``unknown_place``         "Ist X in einer AG?" with X unknown
``type``                  a kind of organisation ("Landkreise")
``district``              "aus dem Harz": a district filter
``status``                "unter Vorbehalt", "vorgeschlagen"
``multi``                 "in mehr als einer AG", "in allen AGs", "nur in einer AG"
``count``                 "wie viele"                      ``most``        "die meisten", "größte"
``who``                   "wer"/"who"                      ``yes_no``      starts with "ist"/"sind"/"is"
``seat_side``             "MID"/"Land" or "Kommunen" side  ``seat_verb``   "sitzt für", "vertritt"
``glossary_term``         an abbreviation the bot can spell out
``what_is``               "Was ist/bedeutet ...", "Wofür steht ...", "What is ..."
``when_where``            "wann"/"wo"/"when"/"where"       ``clock``       "Uhrzeit", "endete", "begann"
``contact_word``          "Kontakt", "Habel"               ``organise``    "organisiert", "veranstaltet"
``next_steps``            "Schritte", "wie geht es weiter" ``feedback``    "Rückmeldungen", "wie kam ... an"
``often``                 "wie oft"                        ``what_does``   "Was macht/tut ..."
``topic``                 content words that name no entity ``short``      three words or fewer
``all_words``             "alle", "Liste": a list is wanted
``most_groups``           "in den meisten AGs": organisations ranked by their number of AGs
``must``                  "muss", "soll", "have to": something is to be done
``dated``                 a date (TT.MM.) in the question
``results_word``          "Ergebnisse", "Beschlüsse" of a group (not of the workshop)
``mine``                  "ich", "meine": the asker's own     ``meeting``  "Sitzung", "tagt", "Termin"
``agenda_talk``           "Themen", "besprochen", "worüber": what a session deals with
``attend``                "kommt", "nimmt teil", "dabei"     ``rsvp``     "zugesagt", "Teilnehmerliste"
``declined``              "abgesagt", "abgemeldet"           ``convene``  "kommt zusammen" (a session, not attendance)
``reached``               "erreicht", "abgeschlossen"        ``reached_strong``  "erreicht", "geschafft"
``risk_query``            "Risiken" with "welche", "gibt", "größte"   ``matrix_word``  "Matrix", "Risikomatrix"
``document_word``         "Protokoll", "Dokument": the workshop document is asked about
``should``                "muss", "soll", "must" (not "have"/"zu" as in ``must``)
``session_ref``           a session, "nächste(s Mal)" or a date: a session is meant
``context_group``         no AG named, none of the room, but the conversation was about one
``come``                  "kommt", "erscheint": coming to a session ("dabei" also asks for members)
``unanswered``            "noch nicht geantwortet", "ohne Antwort"   ``pending``  "steht an", "liegt an"
``chores``                "Aufgaben" (plural): an AG's open tasks if it has some, else its goals
========================  ====================================================================
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    """What a question asks for; each has one answer function (see :mod:`bot.answers.table`)."""

    LEAD = "lead"
    MEMBERS = "members"
    MEMBERSHIP = "membership"          # is organisation X in group Y?
    ORGANISATION_GROUPS = "org_groups"  # in which groups is organisation X?
    MEMBER_QUERY = "member_query"      # filters and counts across AGs
    GROUP_RANKING = "group_ranking"    # which AG has the most members
    ORGANISATION_RANKING = "org_ranking"  # which organisation is in the most AGs
    LIST_GROUPS = "list_groups"
    SUBGROUPS = "subgroups"
    GOALS = "goals"
    CONDITIONS = "conditions"
    MILESTONES = "milestones"
    NEXT_MILESTONE = "next_milestone"
    NEXT_SESSION = "next_session"
    FIRST_SESSIONS = "first_sessions"
    NEXT_EXCHANGE = "next_exchange"
    CADENCE = "cadence"
    REGISTRATION_DEADLINE = "registration_deadline"
    REGISTRATION_REQUEST = "registration_request"  # "Wir möchten Barleben für die AG Finanzen nachmelden"
    DECISIONS = "decisions"
    OVERVIEW = "overview"
    PERSON = "person"                  # who is X / what does X lead
    UNKNOWN_PERSON = "unknown_person"  # "Was leitet Herr Meier?"
    UNKNOWN_PLACE = "unknown_place"    # "Ist Leipzig in einer AG?"
    NEXT_STEPS = "next_steps"
    WORKSHOP = "workshop"              # when/where was the workshop
    AGENDA = "agenda"                  # the workshop's agenda and its times
    CONTACTS = "contacts"              # the contacts at the end of the document
    LEGAL = "legal"                    # the planned AG on legal questions (Leitplanken)
    SUPPORT = "support"                # who supports the AGs (MID, moderation, PM)
    MILESTONE_RULE = "milestone_rule"  # who sets the milestones' time frame
    SEAT_WHEN = "seat_when"            # when is the municipal seat filled
    FEEDBACK = "feedback"
    GLOSSARY = "glossary"              # "Wofür steht FAG?"
    TOPIC = "topic"                    # which AG deals with <topic>
    REPEAT = "repeat"                  # "Kurz bitte": the last answer again, shorter or longer
    TASKS = "tasks"                    # an AG's Arbeitsaufträge (open, done, overdue, of one owner, due by)
    GROUP_AGENDA = "group_agenda"      # the agenda (Tagesordnung) of an AG's next session
    RESULTS = "results"                # results and decisions recorded for an AG
    RISKS = "risks"                    # the risks recorded for an AG (Risiko-Matrix), or for all AGs
    ATTENDANCE = "attendance"          # who attends an AG's next session (or the one on a date)
    MILESTONES_REACHED = "milestones_reached"  # the milestones recorded as reached
    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class IntentRule:
    """One row of the intent table.

    ``cues``: at least one of these flags must be present (empty: no condition);
    ``needs``: all of these; ``excludes``: none of these; ``examples``: phrasings (German and
    English) that must be understood as ``intent`` on the shipped programme, in a room that is
    linked to no AG.
    """

    intent: Intent
    cues: frozenset[str]
    needs: frozenset[str]
    excludes: frozenset[str]
    examples: tuple[str, ...]

    def matches(self, flags: frozenset[str]) -> bool:
        return ((not self.cues or not self.cues.isdisjoint(flags)) and self.needs <= flags
                and self.excludes.isdisjoint(flags))


def rule(intent: Intent, cues: str = "", needs: str = "", excludes: str = "", examples: tuple[str, ...] = ()) -> IntentRule:
    """A table row from space-separated flag names (keeps the table readable)."""
    return IntentRule(intent, frozenset(cues.split()), frozenset(needs.split()), frozenset(excludes.split()),
                      examples)


CONTENT = "lead members milestone session goals conditions exchange registration"

_NOT_ATTENDANCE = "when_where workshop exchange registration convene lead"

WORK_RULES: tuple[IntentRule, ...] = (
    rule(Intent.GROUP_AGENDA, cues="session_agenda", needs="group_or_room", excludes="workshop task_word",
         examples=("Was steht auf der Tagesordnung der AG Kommunikation?", "Welche TOPs hat die AG Finanzen?",
                   "What is on the agenda of the Finanzen group?")),
    rule(Intent.GROUP_AGENDA, cues="agenda_talk", needs="meeting",
         excludes="when_where workshop task_word exchange milestone attend rsvp",
         examples=("Welche Punkte behandelt die AG Kommunikation bei ihrem nächsten Treffen?",
                   "Worum geht es beim nächsten Termin der AG Finanzen?",
                   "What will the Finanzen group discuss at its next meeting?")),
    rule(Intent.GROUP_AGENDA, cues="agenda_talk", needs="group_or_room session_ref",
         excludes="when_where workshop task_word exchange milestone come rsvp mine",
         examples=("Was besprechen wir am 19.1. in der AG Finanzen?", "Was kommt bei der AG Kommunikation als Nächstes dran?",
                   "Worüber redet die AG Finanzen nächstes Mal?")),
    rule(Intent.ATTENDANCE, cues="unanswered", excludes="workshop registration",
         examples=("Wer hat in der AG Finanzen noch nicht geantwortet?",
                   "Welche Mitglieder der AG Kommunikation haben sich noch nicht zurückgemeldet?",
                   "Who has not answered yet in the Finanzen group?")),
    rule(Intent.ATTENDANCE, cues="rsvp", excludes="workshop registration",
         examples=("Welche Kommunen haben für die AG Finanzen zugesagt?", "Zeig die Teilnehmerliste der AG Kommunikation")),
    rule(Intent.ATTENDANCE, cues="declined", needs="who", excludes="workshop registration",
         examples=("Wer hat sich für das Treffen der AG Finanzen abgemeldet?",
                   "Who declined for the next meeting of the Kommunikation group?")),
    rule(Intent.ATTENDANCE, cues="attend", needs="meeting", excludes=_NOT_ATTENDANCE,
         examples=("Wer ist beim nächsten Treffen der AG Kommunikation dabei?",
                   "Who is coming to the next meeting of the Finanzen group?")),
    rule(Intent.ATTENDANCE, cues="attend", needs="dated", excludes=_NOT_ATTENDANCE,
         examples=("Wer kommt am 26.01. in die AG Finanzen?", "Who is attending on 26.01.?")),
    rule(Intent.RISKS, cues="risk", needs="group", excludes="workshop document_word",
         examples=("Wie hoch sind die Risiken der AG Kommunikation?", "Risikomatrix der AG Finanzen",
                   "What risks does the Finanzen group see?")),
    # "Und die Risiken?" in an AG's room or a conversation about an AG (context_group)
    rule(Intent.RISKS, cues="risk", needs="group_or_room", excludes="workshop document_word must should matrix_word what_is",
         examples=("Und die Risiken bei der AG Kommunikation?", "And the risks of the Finanzen group?")),
    rule(Intent.RISKS, cues="risk_query", excludes="workshop document_word must matrix_word",
         examples=("Welche Risiken sind erfasst?", "Which risks are open?")),
    rule(Intent.TASKS, cues="task_word", excludes="workshop registration unknown_place",
         examples=("Gibt es überfällige Aufträge?", "Welche Arbeitsaufträge hat die AG Kommunikation?",
                   "Which action items are overdue?")),
    rule(Intent.TASKS, cues="chore", needs="task_state", excludes="workshop",
         examples=("Welche Aufgaben der AG Finanzen sind noch unerledigt?", "Which tasks are still open?")),
    rule(Intent.TASKS, cues="chore", needs="mine", excludes="workshop registration",
         examples=("Welche Aufgaben habe ich?", "Show me my tasks", "meine aufgabn bitte")),
    rule(Intent.TASKS, cues="pending", needs="mine", excludes="workshop registration meeting group",
         examples=("Was steht bei mir noch an?", "Was liegt für mich noch an?")),
    rule(Intent.TASKS, cues="chore", needs="org", excludes="workshop registration",
         examples=("Welche Aufgaben liegen beim Landkreis Harz?", "Which tasks does Zerbst have?")),
    rule(Intent.TASKS, cues="task_state task_todo do_verb", needs="org must", excludes="registration",
         examples=("Was muss Magdeburg noch erledigen?", "What does Halle have to do?",
                   "Was hat Zerbst bis Freitag zu tun?")),
    rule(Intent.TASKS, cues="task_state task_todo do_verb", needs="mine must", excludes="milestone registration",
         examples=("Was soll ich bis Freitag abarbeiten?", "What do I have to finish?")),
    rule(Intent.TASKS, cues="task_state task_todo", needs="group_or_room must", excludes="milestone registration",
         examples=("Was muss die AG Finanzen bis Freitag erledigen?", "What must the Finanzen group finish by Friday?")),
    rule(Intent.TASKS, cues="chores", needs="group_or_room", excludes="workshop registration org",
         examples=("Welche Aufgaben hat die AG Finanzen?", "Tasks of the Finanzen group")),
    # "Wer kommt?" in an AG's room or a conversation about an AG (context_group)
    rule(Intent.ATTENDANCE, cues="come", needs="group_or_room who", excludes=_NOT_ATTENDANCE + " org district type",
         examples=("Wer kommt denn zur AG Finanzen?", "Who is coming to the Finanzen group?")),
    rule(Intent.RESULTS, cues="decision results_word", needs="group_or_room", excludes="workshop dated",
         examples=("Was hat die AG Finanzen beschlossen?", "Welche Ergebnisse hat die AG Kommunikation erzielt?",
                   "What did the Finanzen group decide?")),
)
"""Questions about the work between sessions, answered from the stores (not the programme)."""

RULES: tuple[IntentRule, ...] = WORK_RULES + (
    rule(Intent.MILESTONES_REACHED, cues="reached", needs="milestone", excludes="should when_where",
         examples=("Welche Meilensteine der AG Kommunikation sind abgeschlossen?",
                   "Which milestones has the Finanzen group reached?")),
    rule(Intent.MILESTONES_REACHED, cues="reached_strong",
         excludes="should when_where workshop org person registration lead members task_word chore decision results_word",
         examples=("Was hat die AG Kooperationsmodell bisher geschafft?", "What has been achieved so far?")),
    rule(Intent.PERSON, needs="person", excludes="org",
         examples=("Was leitet Christine Makiol?", "Welche Rolle hat Herr Krüger?", "What does Kerstin Dittmar lead?")),
    rule(Intent.UNKNOWN_PERSON, needs="unknown_person", excludes="person",
         examples=("Was leitet Herr Meier?", "Welche AG leitet Frau Schulze?", "Which group does Mr Smith lead?")),
    rule(Intent.GLOSSARY, cues="glossary what_is", needs="glossary_term", excludes=f"group {CONTENT} count",
         examples=("Was ist KITU?", "Wofür steht FAG?", "Was bedeutet OZG eigentlich?", "What does EfA stand for?")),
    rule(Intent.LEGAL, cues="legal", excludes="group org",
         examples=("Gibt es eine AG für rechtliche Fragen?", "Wer bearbeitet die Rechtsfragen?",
                   "Is there a group for legal questions?")),
    rule(Intent.AGENDA, cues="agenda", excludes="group registration",
         examples=("Wann war die Kaffeepause?", "Wie sah die Tagesordnung des Workshops aus?",
                   "Was war der Ablauf am 19.10.?", "What was on the workshop agenda?", "Wer hat den Workshop eröffnet?",
                   "Who opened the workshop?")),
    rule(Intent.AGENDA, cues="workshop", needs="clock", excludes="group",
         examples=("Wann endete der Workshop?", "Um wie viel Uhr begann der Workshop?", "When did the workshop end?")),
    rule(Intent.CONTACTS, cues="contact_word", excludes="group",
         examples=("Wer ist Ansprechpartner für das Dokument? Kontaktdaten bitte", "Wie erreiche ich die HABEL GmbH?",
                   "Contact details of the organisers?")),
    rule(Intent.CONTACTS, cues="organise", needs="workshop", excludes="group",
         examples=("Wer hat den Workshop organisiert?", "Who organised the workshop?")),
    rule(Intent.WORKSHOP, cues="workshop", needs="when_where", excludes="group",
         examples=("Wann war der Workshop?", "Wo fand der Workshop statt?", "Where did the workshop take place?")),
    rule(Intent.FEEDBACK, cues="feedback", excludes="group",
         examples=("Wie kam der Workshop bei den Teilnehmern an?", "Welche Rückmeldungen gab es?",
                   "What was the feedback on the workshop?")),
    rule(Intent.NEXT_STEPS, cues="next_steps", excludes="group",
         examples=("Wie geht es jetzt weiter?", "Was sind die nächsten Schritte?", "What are the next steps?")),
    rule(Intent.SUPPORT, cues="support organise", excludes="group org",
         examples=("Wer unterstützt die Arbeitsgruppen?", "Gibt es eine Moderation für die AGs?",
                   "Who supports the working groups?")),
    rule(Intent.MILESTONE_RULE, cues="milestone", needs="who set_by",
         examples=("Wer legt die Meilensteine fest?", "Wer bestimmt den Zeitplan der Meilensteine?",
                   "Who sets the milestones?")),
    rule(Intent.SEAT_WHEN, cues="seat_words", needs="when kommunal",
         examples=("Wann wird der kommunale Sitz der Doppelspitze besetzt?",
                   "Bis wann wird die kommunale Leitung festgelegt?", "When is the municipal seat decided?")),
    rule(Intent.LEAD, cues="lead seat_verb", needs="seat_side who", excludes="registration",
         examples=("Wer sitzt für das MID in der AG Kommunikation?", "Wer vertritt die Kommunen in der Leitung der AG Finanzen?",
                   "Who represents the municipalities in the lead of the Finanzen group?")),
    rule(Intent.REGISTRATION_REQUEST, cues="registration", needs="org group_or_room",
         excludes="when lead how",
         examples=("Wir möchten die Gemeinde Barleben für die AG Finanzen nachmelden",
                   "Bitte Thale in der AG Kommunikation anmelden", "Please register Zeitz for the Finanzen group")),
    rule(Intent.REGISTRATION_DEADLINE, cues="registration", excludes="lead milestone session decision_only",
         examples=("Bis wann können Kommunen nachgemeldet werden?", "Kann man sich noch anmelden?",
                   "Until when can municipalities register late?")),
    rule(Intent.DECISIONS, cues="decision", excludes="group lead",
         examples=("Was wurde am 19.10.2022 beschlossen?", "Welche grundsätzlichen Festlegungen gibt es?",
                   "What was decided at the workshop?")),
    rule(Intent.ORGANISATION_RANKING, cues="most", needs="most_groups", excludes="org group",
         examples=("Welche Kommune ist in den meisten AGs?", "Wer ist in den meisten Arbeitsgruppen vertreten?",
                   "Which municipality is in the most groups?")),
    rule(Intent.GROUP_RANKING, cues="most", needs="group_word_or_members", excludes="org",
         examples=("Welche AG hat die meisten Mitglieder?", "In welcher Arbeitsgruppe sind die meisten Landkreise?",
                   "Which working group has the most members?", "Welche AG ist am kleinsten?")),
    rule(Intent.MEMBER_QUERY, cues="multi district status count_members type_everywhere", excludes="org workshop",
         examples=("Welche Kommunen sind in mehr als einer AG?", "Wer ist in allen vier AGs?",
                   "Wie viele Landkreise sind dabei?", "Welche Kommunen aus dem Harz sind dabei?",
                   "Welche Mitglieder sind nur vorgeschlagen?", "How many districts take part?",
                   "Which municipalities are in more than one group?", "Wie viele Mitglieder hat die AG Finanzen?")),
    rule(Intent.CADENCE, cues="exchange", needs="often",
         examples=("Wie oft gibt es eine Austauschrunde?", "How often is the joint exchange round?")),
    rule(Intent.NEXT_EXCHANGE, cues="exchange",
         examples=("Wann ist die nächste gemeinsame Austauschrunde?", "Wann treffen sich alle AGs zum Austausch?",
                   "When is the next exchange round?")),
    rule(Intent.NEXT_MILESTONE, cues="milestone", needs="next", excludes="all_words",
         examples=("Welcher Meilenstein steht als nächstes an?", "Which milestone comes next?")),
    rule(Intent.NEXT_MILESTONE, cues="milestone", needs="when", excludes="list",
         examples=("Wann ist der nächste Meilenstein fällig?", "Bis wann muss die AG Finanzen ihren Meilenstein schaffen?",
                   "When is the next milestone due?", "Wann muss die AG Finanzen das Nutzungskonzept liefern?")),
    rule(Intent.MILESTONES, cues="milestone",
         examples=("Welche Meilensteine plant die AG Kommunikation?", "Zeitplan der AG Finanzen",
                   "List the milestones of the Kooperationsmodell group")),
    rule(Intent.CADENCE, cues="cadence often",
         examples=("Wie oft tagen die Arbeitsgruppen?", "In welchem Rhythmus trifft sich die AG Finanzen?",
                   "How often do the groups meet?")),
    rule(Intent.SUBGROUPS, cues="subgroups", needs="lead", excludes="group org",
         examples=("Wer leitet die Unterarbeitsgruppen?", "Who leads the sub-groups?")),
    rule(Intent.LEAD, cues="lead",
         examples=("Wer leitet die AG Finanzen?", "Wer hat den Vorsitz in der AG Kommunikation?",
                   "Who chairs the Kooperationsmodell group?")),
    rule(Intent.FIRST_SESSIONS, cues="session", needs="start", excludes="next",
         examples=("Wann starten die ersten Sitzungen?", "Wann beginnen die Treffen der AGs?",
                   "When do the first sessions start?")),
    rule(Intent.NEXT_SESSION, cues="session",
         examples=("Wann tagt die AG Kommunikation das nächste Mal?", "Nächste Sitzung der AG Finanzen?",
                   "When does the Finanzen group meet next?")),
    rule(Intent.NEXT_SESSION, cues="when", needs="group", excludes="org",
         examples=("Wann ist die AG Finanzen wieder dran?", "When is the Kommunikation group next?")),
    rule(Intent.FIRST_SESSIONS, cues="start", needs="when",
         examples=("Wann geht es los mit den AGs?", "When does the work start?")),
    rule(Intent.SUBGROUPS, cues="subgroups", excludes="org",
         examples=("Welche Unterarbeitsgruppen gibt es?", "Hat die AG Kooperationsmodell UAGs?",
                   "Which sub-groups are there?")),
    rule(Intent.CONDITIONS, cues="conditions", excludes="org",
         examples=("Welche Rahmenbedingungen gelten für die AG Finanzen?", "Welche Vorgaben hat die AG Kommunikation?",
                   "What constraints apply to the Finanzen group?")),
    rule(Intent.GOALS, cues="what_does", needs="group_or_room",
         examples=("Was macht die AG Kooperationsmodell?", "What does the Kommunikation group do?")),
    rule(Intent.GOALS, cues="goals", excludes="org list_of_groups unknown_place",
         examples=("Was will die AG Kommunikation klären?", "Welche Ziele hat die AG Finanzen?",
                   "What are the aims of the Kooperationsmodell group?")),
    rule(Intent.MEMBERSHIP, needs="org group",
         examples=("Ist Magdeburg in der AG Finanzen?", "Gehört Zeitz zur AG Kommunikation?",
                   "Is Wernigerode a member of the Kooperationsmodell group?")),
    rule(Intent.ORGANISATION_GROUPS, needs="org",
         examples=("In welchen AGs ist Zerbst?", "Wo arbeitet der Landkreis Harz mit?",
                   "Which working groups is Halle part of?")),
    rule(Intent.MEMBERSHIP, needs="unknown_org group",
         examples=("Ist Musterhausen in der AG Finanzen?", "Is Springfield in the Finanzen group?")),
    rule(Intent.UNKNOWN_PLACE, needs="unknown_place",
         examples=("Ist Leipzig in einer AG?", "In welchen AGs ist Musterhausen?", "Is Berlin in a working group?")),
    rule(Intent.MEMBERS, cues="type members work_with_group", excludes="workshop",
         examples=("Wer ist Mitglied der AG Kommunikation?", "Welche Landkreise arbeiten in der AG Finanzen mit?",
                   "Who are the members of the Finanzen group?")),
    rule(Intent.MEMBERS, needs="group_or_room who",
         examples=("Wer ist in der AG Finanzen?", "Who is in the Kommunikation group?")),
    rule(Intent.TOPIC, needs="topic group_word who_or_which", excludes="group",
         examples=("Welche AG kümmert sich um Smart Cities?", "Welche Arbeitsgruppe befasst sich mit ePayment?",
                   "Which group deals with Basisdienste?")),
    rule(Intent.LIST_GROUPS, cues="list short", needs="group_word", excludes="group unknown_group",
         examples=("Welche Arbeitsgruppen gibt es?", "Liste der AGs", "Which working groups exist?")),
    rule(Intent.OVERVIEW, cues="group unknown_group",
         examples=("AG Finanzen", "Erzähl mir etwas über die AG Kommunikation", "Tell me about the Finanzen group")),
    rule(Intent.REPEAT, needs="length_only",
         examples=("Kurz bitte", "Ausführlicher bitte", "Shorter please", "In short please")),
    rule(Intent.THANKS, cues="thanks", examples=("Danke!", "Vielen Dank für die Auskunft", "Thanks a lot")),
    rule(Intent.GREETING, cues="greeting", needs="short", examples=("Hallo", "Guten Morgen", "Hi there")),
    rule(Intent.HELP, cues="help", examples=("Hilfe", "Was kannst du?", "help")),
)


def decide(flags: frozenset[str]) -> Intent:
    """The intent of the first rule in :data:`RULES` that matches ``flags``; UNKNOWN if none."""
    for row in RULES:
        if row.matches(flags):
            return row.intent
    return Intent.UNKNOWN
