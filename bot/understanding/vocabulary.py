"""Every word the question understanding reacts to, in one place.

All words are *folded* (see :func:`bot.text.fold`: lower case, ä->ae, ß->ss). A token matches a
cue if it equals it or, for cues not in :data:`EXACT`, starts with it ("leit" matches "leitet",
"Leitung"). Adding a phrasing usually means adding a word here; the intent table
(:mod:`bot.understanding.intents`) says which cue groups an intent needs.
"""
from __future__ import annotations

from dataclasses import dataclass

# -- cue groups (keys are referred to by the intent table) -----------------------------------
CUES: dict[str, tuple[str, ...]] = {
    "lead": ("leit", "leiter", "koordin", "spitze", "doppelspitze", "vorsitz", "chef", "verantwortlich",
             "lead", "chair", "head", "heads", "headed", "heading", "coordinat", "runs", "manag", "sprecher", "fuehr",
             "vorsteh", "charge", "responsib", "zustaendig", "ansprechp", "hut"),
    "not_lead": ("leitplank", "leitfaden", "leitpfaden", "leitlinie"),
    "members": ("mitglied", "mitarbeit", "teilnehm", "teilnahme", "beteilig", "dabei", "member", "particip",
                "vertreten", "mitmach", "mitwirk", "zusammensetz", "besetzung", "kommunen", "landkreise",
                "organisation", "belong", "included", "part", "angehoer"),
    "work_with": ("arbeiten", "arbeitet", "macht", "machen", "wirkt", "wirken", "work", "works"),
    "subgroups": ("uag", "uags", "unterarbeitsgruppe", "untergruppe", "subgroup", "sub-group"),
    "goals": ("ziel", "ziele", "zielen", "zielrichtung", "zielsetzung", "klaer", "aufgabe", "thema", "themen",
              "worum", "goal", "aim", "purpose", "objective", "aims", "zweck", "vorhab", "inhalt", "beschaeftig",
              "schwerpunkt", "focus", "agenda", "tasks", "want", "wollen", "will", "befass", "erreichen",
              "achieve", "kuemmer", "woran", "working on"),
    "conditions": ("rahmenbeding", "bedingung", "rahmen", "vorgabe", "voraussetz", "condition",
                   "constraint", "framework", "restriction", "einschraenk", "gelten", "gilt", "rules"),
    "milestone": ("meilenstein", "milestone", "zeitplan", "etappe", "zwischenziel", "deliverable", "timeline",
                  "roadmap", "phasen"),
    "when": ("wann", "naechst", "faellig", "due", "when", "next", "datum", "date", "bis", "until",
             "kommend", "upcoming", "demnaechst", "zeitpunkt", "frist", "deadline", "termin", "stichtag"),
    "session": ("sitzung", "treffen", "trifft", "tagt", "tagen", "tagung", "meeting", "meet", "termin",
                "zusammenkunft", "session", "gathering", "zusammen"),
    "exchange": ("austauschrunde", "austausch", "exchange", "gesamtrunde", "plenum", "joint"),
    "cadence": ("oft", "haeufig", "rhythmus", "turnus", "often", "frequen", "regelmaessig", "abstand",
                "intervall", "interval", "takt"),
    "registration": ("nachmeld", "nachgemeld", "nachzumeld", "nachtraeglich", "spaet", "late", "regist", "anmeld", "einschreib",
                     "beitret", "beitritt", "join", "aufnahme", "aufnehm", "mitmachen", "dazu"),
    "decision": ("beschlossen", "beschluss", "beschluess", "entschieden", "entscheidung", "festgelegt",
                 "festlegung", "vereinbar", "decided", "decide", "decision", "agreed", "ergebnis", "result", "outcome",
                 "grundsaetzlich", "abgemacht", "verabredet"),
    "start": ("start", "beginn", "begann", "anfang", "erste", "first", "begin", "losgeh", "kick"),
    "list": ("welche", "which", "what", "alle", "all", "list", "liste", "gibt", "exist", "uebersicht",
             "overview", "wieviele", "viele", "many", "anzahl"),
    "group_word": ("ag", "ags", "arbeitsgruppe", "gruppe", "group", "arbeitskreis", "workinggroup", "uag",
                   "uags", "unterarbeitsgruppe", "teams", "gremien"),
    "greeting": ("hallo", "hello", "hi", "moin", "servus", "guten", "gruess", "hey"),
    "thanks": ("danke", "dank", "thanks", "thank", "merci"),
    "help": ("hilfe", "help", "befehle", "commands", "kannst", "anleitung"),
    "where": ("wo", "where", "worin", "wovon"),
    "legal": ("rechtlich", "rechtsfrag", "rechtsgrundlag", "recht", "legal", "jurist"),
    "workshop": ("workshop", "auftakt", "veranstaltung", "treffen am", "termin am"),
    "next_steps": ("schritt", "step"),
    "feedback": ("rueckmeld", "feedback", "stimmung", "eindruck", "resonanz", "ankam", "ankommen", "bewert",
                 "angekommen"),
    "support": ("unterstuetz", "support", "begleit", "moderat", "projektmanag", "hilfe von"),
    "set_by": ("fest", "bestimm", "decid", "set", "sets", "entscheid", "determin"),
    "seat_words": ("sitz", "besetz", "festgeleg", "bestimm", "seat", "lead", "leit", "spitze"),
    "agenda": ("agenda", "tagesordnung", "ablauf", "programmpunkt", "kaffeepause", "pause", "begruessung",
               "eroeffn", "feedbackrunde", "gruppenarbeit", "arbeitspaket", "kurzvorstellung", "mittag",
               "break", "opened", "opening", "welcom"),
    "contacts": ("kontakt", "contact", "habel", "organisiert", "veranstalt", "ausgericht", "ausricht",
                 "organised", "organized", "organiser", "organizer", "veranstalter"),
    "glossary": ("bedeut", "heisst", "steht", "abkuerz", "meint", "mean", "stand", "stands", "acronym",
                 "abbreviation", "erklaer", "explain"),
    "count": ("wieviel", "anzahl", "zahl", "number", "count", "many"),
    "most": ("meist", "groesst", "most", "largest", "biggest", "wenigst", "kleinst", "fewest", "smallest",
             "least"),
    "fewest": ("wenigst", "kleinst", "fewest", "smallest", "least"),
    # follow-through between sessions (issue 14): tasks, the next session's agenda, results
    "task_word": ("auftrag", "auftraeg", "arbeitsauftrag", "arbeitsauftraeg", "todo", "todos", "to-do",
                  "aufgabenliste", "action", "assignment"),
    "chore": ("aufgab", "task", "tasks"),  # "aufgab": also "aufgabn" (a typo seen in use)
    "task_state": ("offen", "erledig", "unerledigt", "ueberfaellig", "overdue", "done", "pending", "ausstehend",
                   "abgeschlossen", "verzug", "verspaetet", "completed", "finished", "open", "outstanding",
                   "liegengeblieben"),
    "task_todo": ("erledigen", "abarbeiten", "schaffen", "liefern", "vorlegen", "do", "finish", "deliver",
                  "complete"),
    "do_verb": ("tun", "machen", "doing"),  # "Was muss Halle tun/machen?" (of an AG: its goals, "Was soll die AG tun?")
    "session_agenda": ("tagesordnung", "top", "tops", "traktand", "besprechungspunkt", "themenliste", "agenda",
                       "tagesordnungspunkt"),
    "risk": ("risik", "risk"),
}

# Short cue words that must match whole tokens ("ag" must not match "agenda", "run" not "runde").
EXACT = frozenset({
    "ag", "ags", "run", "runs", "bis", "all", "alle", "will", "want", "part", "head", "date", "due",
    "oft", "wo", "hi", "hey", "dank", "uag", "uags", "rahmen", "about", "joint", "dazu",
    "zusammen", "macht", "machen", "meet", "next", "first", "erste", "thema", "ziel", "aim", "tasks",
    "gilt", "gelten", "list", "liste", "viele", "many", "arbeiten", "arbeitet", "work", "works", "wirkt",
    "wirken", "dabei", "late", "join", "kick", "gibt", "what", "which", "teams", "hut",
    "organisation", "included", "belong", "kommunen", "landkreise", "wann", "when", "spitze", "set",
    "steht", "stand", "stands", "mean", "meint", "zahl", "count", "pause", "break", "weiter", "fest",
    "recht", "most", "least", "mittag", "top", "tops", "task", "do", "done", "open", "action", "tun",
})

GROUP_WORDS = frozenset({"ag", "ags", "arbeitsgruppe", "arbeitsgruppen", "gruppe", "gruppen", "group", "groups",
                         "uag", "uags", "unterarbeitsgruppe", "unterarbeitsgruppen", "arbeitskreis"})

# "Was muss Halle erledigen?": something is to be done (tasks)
MUST_WORDS = frozenset({"muss", "muessen", "musst", "soll", "sollen", "sollte", "sollten", "must", "have", "has",
                        "needs", "need", "zu"})

# -- language detection ----------------------------------------------------------------------
ENGLISH = frozenset({
    "who", "what", "when", "which", "where", "how", "is", "are", "does", "do", "the", "of", "group",
    "groups", "leads", "lead", "members", "member", "next", "milestone", "milestones", "meeting", "meet",
    "meets", "often", "exchange", "round", "working", "hello", "hi", "thanks", "thank", "heads", "aims",
    "decided", "goals", "can", "until", "register", "there", "part", "belongs", "sessions", "session",
    "chairs", "runs", "conditions", "about", "tell", "me", "show", "list", "and", "for", "its", "will",
    "due", "take", "place", "held", "join", "many", "most", "stand", "mean", "was", "did", "workshop's",
    "in", "any", "all", "only", "more", "than", "one", "briefly", "short", "shorter", "please", "their", "they", "them",
})
GERMAN = frozenset({
    "wer", "was", "wann", "welche", "welcher", "welchen", "welches", "wie", "ist", "sind", "die", "der",
    "das", "den", "dem", "des", "gibt", "es", "und", "naechste", "naechsten", "leitet", "mitglied",
    "mitglieder", "tagt", "tagen", "sitzung", "bis", "koennen", "kann", "hat", "haben", "im", "in", "ein",
    "eine", "einer", "arbeitsgruppe", "fuer", "wurde", "noch", "nicht", "mit", "von", "zu", "gruppe",
    "meilenstein", "austauschrunde", "bitte", "sich", "wo", "am", "zur", "zum", "viele", "wieviele", "kurz",
    "steht", "heisst", "bedeutet", "aus", "nur", "mehr", "als", "allen", "sie", "ihre", "dort",
})
# "was" and "in" are German and English; they count for German only when nothing else decides.
_BOTH = {"was", "in"}
ENGLISH_ONLY = ENGLISH - _BOTH

# -- words that are never names (fuzzy matching skips them) ---------------------------------
COMMON = ENGLISH | GERMAN | GROUP_WORDS | {
    "ja", "nein", "auch", "denn", "eigentlich", "mal", "eigene", "unsere", "unser", "ihre", "ihr", "meine",
    "mein", "wir", "sie", "er", "ich", "du", "man", "lsa", "land", "landes", "kommune", "kommunen",
    "stadt", "gemeinde", "landkreis", "kreis", "lk", "vg", "gm", "nochmal", "genau", "gerade", "aktuell",
    "derzeit", "momentan", "bitte", "mir", "mich", "uns", "sagen", "sag", "zeige", "zeig", "nenne", "nenn",
    "liste", "vertreten", "verantwortlich", "mitglieder", "leitung", "zustaendig", "naechstes", "naechster",
    "heute", "morgen", "woche", "wochen", "monat", "jahr", "uhr", "datum", "wochentag", "stehen", "steht",
    "geben", "gehoert", "gehoeren", "dabei", "sein", "werden", "wird", "dort", "hier", "this", "that", "with",
    "has", "have", "please", "a", "an", "on", "at", "to", "by", "from", "any", "our", "we", "you", "i",
    "bot", "agbot", "kuemmert", "kuemmern", "deals", "handles", "befasst", "beschaeftigt", "sich", "um", "mit",
    "dem", "thema", "themen", "topic", "gibt", "etwas", "something", "frau", "herr", "herrn", "eigentlich",
    "alle", "jede", "jeder", "jedes", "beiden", "zwei", "sitzt", "sitzen", "ob", "oder", "aber", "kurz",
    "ausfuehrlich", "mehr", "meisten", "wenigsten", "einer", "einem", "mehreren", "mehrere", "allen", "nur",
    "vier", "drei", "keiner", "keine", "davon", "dann", "denen", "deren", "diese", "dieser", "dieses",
    "vertritt", "seite", "side", "kommunale", "kommunal", "kommunalen", "staedte", "gemeinden", "kreise",
    "verbandsgemeinden", "ministerien", "stand", "stands", "mean", "means", "bedeutet", "heisst",
    "abkuerzung", "wofuer", "ueberall", "sagt", "dokument", "protokoll", "workshop", "welcher", "wieder",
    "schon", "immer", "jetzt", "sonst", "zuletzt", "insgesamt", "total", "overall", "only", "more", "than",
    "most", "also", "too", "bei", "beim", "fuer", "ueber", "unter", "vorbehalt", "vorschlag", "vorgeschlagen",
    "bestaetigt", "fest", "feste", "festen", "teil", "und", "and", "or", "the", "its", "their", "they",
    "sub", "exist", "exists", "existieren", "existiert", "there", "tell", "about", "erzaehl", "erzaehle",
    "gebe", "gab", "gegeben", "war", "waren", "wurden", "worden", "soll", "sollen", "muss", "muessen",
}

# -- kinds of organisation named in questions -> OrganisationType values --------------------
MUNICIPAL = ("Landkreis", "kreisfreie Stadt", "Stadt", "Gemeinde", "Verbandsgemeinde")
TOWNS = ("Stadt", "kreisfreie Stadt")
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "landkreise": ("Landkreis",), "landkreisen": ("Landkreis",), "kreise": ("Landkreis",),
    "districts": ("Landkreis",), "counties": ("Landkreis",),
    "kommunen": MUNICIPAL, "municipalities": MUNICIPAL, "gebietskoerperschaften": MUNICIPAL,
    "staedte": TOWNS, "towns": TOWNS, "cities": TOWNS, "stadte": TOWNS,
    "kreisfreien": ("kreisfreie Stadt",), "kreisfreie": ("kreisfreie Stadt",),
    "gemeinden": ("Gemeinde", "Verbandsgemeinde"), "verbandsgemeinden": ("Verbandsgemeinde",),
    "verbandsgemeinde": ("Verbandsgemeinde",),
    "ministerium": ("Ministerium", "Abteilung"), "ministerien": ("Ministerium", "Abteilung"),
    "ministries": ("Ministerium", "Abteilung"), "ressorts": ("Ministerium", "Abteilung"),
    "verbaende": ("Verband",), "verbands": ("Verband",), "spitzenverbaende": ("Verband",),
    "associations": ("Verband",),
}
# singular kind words after an article: "ein Landkreis", "irgendeine Gemeinde", "a district"
SINGULAR_TYPES: dict[str, tuple[str, ...]] = {
    "landkreis": ("Landkreis",), "kreis": ("Landkreis",), "district": ("Landkreis",), "county": ("Landkreis",),
    "gemeinde": ("Gemeinde", "Verbandsgemeinde"), "stadt": TOWNS, "town": TOWNS, "city": TOWNS,
    "kommune": MUNICIPAL, "municipality": MUNICIPAL, "ministerium": ("Ministerium", "Abteilung"),
    "ministry": ("Ministerium", "Abteilung"), "verband": ("Verband",),
}
ARTICLES = frozenset({"welche", "welcher", "welches", "which", "what", "ein", "eine", "einen", "einem", "einer", "irgendein", "irgendeine", "irgendeinen", "kein",
                      "keine", "keinen", "jede", "jeder", "jeden", "a", "an", "any", "each", "every", "no"})
# "Welche Landkreise fehlen?", "… sind nicht dabei?", "Which districts are missing?": in no AG
ABSENT = frozenset({"fehlen", "fehlt", "missing", "absent"})
ABSENT_TOGETHER = (frozenset({"nicht", "dabei"}), frozenset({"nicht", "beteiligt"}), frozenset({"not", "involved"}),
                   frozenset({"not", "part"}))
# "… ohne Vorschläge", "without proposals": the status word is excluded, not asked for
WITHOUT = frozenset({"ohne", "without", "ausser", "except", "excluding"})
# "kreisfreie Städte" is one kind, not "kreisfreie" plus all towns
TYPE_PAIRS: dict[tuple[str, str], tuple[str, ...]] = {
    ("kreisfreie", "staedte"): ("kreisfreie Stadt",), ("kreisfreien", "staedte"): ("kreisfreie Stadt",),
    ("kreisangehoerige", "staedte"): ("Stadt",), ("kreisangehoerigen", "staedte"): ("Stadt",),
}

# -- filters and aggregates over the register ------------------------------------------------
STATUS_WORDS: dict[str, str] = {
    "vorbehalt": "vorbehalt", "reservation": "vorbehalt", "reserved": "vorbehalt",
    "vorschlag": "vorschlag", "vorgeschlagen": "vorschlag", "vorschlaege": "vorschlag", "proposed": "vorschlag",
    "bestaetigt": "member", "bestaetigte": "member", "feste": "member", "festen": "member", "confirmed": "member",
}
NUMBER_WORDS = {"eine": 1, "einer": 1, "einem": 1, "one": 1, "zwei": 2, "two": 2, "drei": 3, "three": 3,
                "vier": 4, "four": 4, "fuenf": 5, "five": 5}
MORE_THAN = frozenset({"mehr", "more", "mindestens", "least", "ueber"})  # "mehr als", "at least"
SEVERAL = frozenset({"mehreren", "mehrere", "several", "multiple", "verschiedenen"})
ALL_WORDS = frozenset({"allen", "all", "jeder", "every", "saemtlichen", "each"})
ONLY_WORDS = frozenset({"nur", "only", "ausschliesslich", "lediglich"})
NONE_WORDS = frozenset({"keiner", "no", "none"})
DISTRICT_PREPOSITIONS = frozenset({"aus", "im", "from", "in", "within"})

# -- seats of the Doppelspitze --------------------------------------------------------------
SEAT_SIDES: dict[str, str] = {
    "mid": "MID", "land": "MID", "landes": "MID", "landesseite": "MID", "ministerium": "MID", "state": "MID",
    "ministry": "MID", "landesebene": "MID",
    "kommunen": "kommunal", "kommunal": "kommunal", "kommunale": "kommunal", "kommunalen": "kommunal",
    "kommunalseite": "kommunal", "municipal": "kommunal", "municipalities": "kommunal", "kommune": "kommunal",
    "landkreise": "kommunal",
}
SEAT_VERBS = ("sitzt", "sitzen", "vertritt", "vertreten", "represent", "seite", "side", "seat", "sitz")

# -- questions that ask "who"/"yes or no" ------------------------------------------------------
WHO = frozenset({"wer", "who", "wem", "whom", "wen"})
YES_NO_START = frozenset({"ist", "sind", "gibt", "hat", "haben", "is", "are", "does", "do", "has", "arbeitet",
                          "gehoert", "gehoeren", "sitzt", "macht", "nimmt"})
QUESTION_STARTS = frozenset({"wer", "was", "wann", "wie", "wo", "welche", "welcher", "welchen", "welches",
                             "wieviele", "wieso", "warum", "wozu", "wofuer", "woran", "who", "what", "when",
                             "how", "which", "where", "why", "gibt", "is", "are", "does", "do", "ist", "sind",
                             "bis", "until"})

# -- follow-ups and length --------------------------------------------------------------------
FOLLOW_UP_STARTS = frozenset({"und", "and", "auch", "also", "ebenso", "dann", "sowie"})
PRONOUNS = frozenset({"sie", "ihr", "ihre", "ihren", "ihrer", "ihnen", "dort", "da", "diese", "dieser",
                      "dieses", "denen", "deren", "dessen", "it", "its", "they", "them", "their", "there",
                      "that", "this", "those"})
BRIEF = frozenset({"kurz", "kurzfassung", "knapp", "kuerzer", "brief", "briefly", "short", "shorter",
                   "summary", "zusammenfassung", "tldr"})
DETAILED = frozenset({"ausfuehrlich", "ausfuehrlicher", "detailliert", "details", "vollstaendig", "komplett",
                      "alles", "detail", "detailed", "full", "complete", "longer", "laenger"})
FILLER = frozenset({"bitte", "please", "danke", "nochmal", "noch", "mal", "einmal", "etwas", "a", "bit",
                    "again", "and", "und", "the", "die", "antwort", "answer", "es", "it", "das", "that",
                    "sagen", "say", "gerne", "gern", "ja", "in", "im", "form", "version", "fassen", "zusammen"})

# "das größte Risiko": only the highest is asked for (prefixes)
HIGHEST = ("groesst", "hoechst", "schlimmst", "kritischst", "gravierendst", "biggest", "highest", "largest", "worst",
           "greatest")

# Words before a capitalised name that mark it as a person ("Herr Meier")
PERSON_TITLES = frozenset({"herr", "herrn", "frau", "hr", "fr", "mr", "mrs", "ms", "dr", "prof"})


# -- word flags (besides the cue groups) that the intent table reacts to ----------------------
@dataclass(frozen=True)
class WordFlag:
    """When a question shows a flag: any of ``words`` (whole tokens), any token starting with one
    of ``prefixes``, all words of one set in ``together``, or a word from each set of ``both``."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    together: tuple[frozenset[str], ...] = ()
    both: tuple[frozenset[str], frozenset[str]] | None = None


def _f(words: str = "", prefixes: str = "", together: tuple[str, ...] = (),
       both: tuple[str, str] | None = None) -> WordFlag:
    return WordFlag(frozenset(words.split()), tuple(prefixes.split()), tuple(frozenset(t.split()) for t in together),
                    (frozenset(both[0].split()), frozenset(both[1].split())) if both else None)


# "meine Aufgaben", "Was muss ich erledigen?": the asker's own (tasks)
MINE = frozenset({"ich", "mir", "mich", "mein", "meine", "meinen", "meiner", "meinem", "i", "me", "my", "mine"})
HOW = frozenset({"wie", "how", "kann", "koennen", "can", "darf", "duerfen", "man", "ob", "whether"})
WORD_FLAGS: dict[str, WordFlag] = {
    "who": WordFlag(WHO),
    "count": _f(together=("wie viele", "wie vielen", "how many")),
    "start": _f(together=("geht los", "get started")),
    "who_or_which": _f("wer who welche welcher welchen welches which what was"),
    "how": WordFlag(HOW),
    "when_where": _f("wann wo when where datum ort stattgefunden statt place"),
    "clock": _f("ende endete end ended finish finished uhrzeit uhr time begann began beginn begin start started "
                "startete aufgehoert"),
    "contact_word": _f(prefixes="kontakt contact habel"),
    "organise": _f(prefixes="organisiert organised organized veranstalt ausgericht organisator organiser organizer"),
    "kommunal": _f(prefixes="kommunal municipal"),
    "next": _f("next", "naechst"),
    "workshop": _f("workshops auftaktveranstaltung"),
    "next_steps": _f(prefixes="schritt step", together=("geht weiter", "what now", "weitere vorgehen",
                                                        "weiteren vorgehen")),
    "feedback": _f(prefixes="rueckmeld feedback resonanz stimmung eindruck angekommen", together=("kam an",)),
    "what_does": _f(both=("was what", "macht tut does do machen tun")),
    "seat_verb": WordFlag(prefixes=SEAT_VERBS),
    "all_words": _f("alle all saemtliche liste"),
    "registration": _f(together=("melde nach", "meldet nach", "melden nach", "meldest nach")),
    # follow-through between sessions (issue 14)
    "mine": WordFlag(MINE),
    "should": _f("muss muessen musst soll sollen sollte sollten must should"),  # not "have", "zu" (unlike ``must``)
    "meeting": _f("tagt tagen trifft termin termine meet meets", prefixes="sitzung treffen tagung zusammenkunft "
                  "meeting session"),
    "agenda_talk": _f("themen thema punkte inhalte worueber worum sprechen spricht gesprochen bereden beredet beraten "
                      "topics items discussed discuss talk dran drankommt drankommen", prefixes="besprech bespricht "
                      "besproch diskut behandel eroerter", together=("steht an", "stehen an")),
    "attend": _f("kommt kommen komme kommst anwesend erscheint erscheinen dabei attend attends attending coming come",
                 prefixes="teilnehm teilnimm", together=("nimmt teil", "nehmen teil", "nehme teil", "nimmst teil",
                                                         "nehmt teil")),
    "rsvp": _f("zugesagt zusage zusagen zusagt teilnehmerliste anwesenheitsliste anwesenheit rsvp",
               together=("sagt zu", "sagen zu", "sage zu")),
    "declined": _f("abgesagt absage absagen abgemeldet declined"),
    # "Wer kommt?": coming to a session (not "dabei", which also asks for members)
    "come": _f("kommt kommen komme kommst erscheint erscheinen anwesend coming come attends attending"),
    # "Wer hat noch nicht geantwortet?": the member organisations without an attendance answer
    "unanswered": _f(together=("nicht geantwortet", "nicht zurueckgemeldet", "nicht rueckgemeldet", "ohne antwort",
                               "keine antwort", "nicht reagiert", "not answered", "no answer", "not replied",
                               "not responded"), prefixes="unbeantwortet"),
    # "Was steht bei mir noch an?": something pending (with "mir"/"ich": the asker's own tasks)
    "pending": _f("ansteht anstehen anliegt", together=("steht an", "stehen an", "liegt an", "liegen an")),
    # "Aufgaben" in the plural: tasks of an AG if it has some, else its goals ("die Aufgabe der AG": its purpose)
    "chores": _f("tasks", prefixes="aufgaben aufgabn"),
    "convene": _f("zusammenkommen", together=("kommt zusammen", "kommen zusammen")),
    "reached": _f("erreicht erreichte erreichten geschafft abgeschlossen abgeschlossene erledigt erledigte reached "
                  "achieved accomplished completed"),
    "reached_strong": _f("erreicht erreichte erreichten geschafft reached achieved accomplished"),
    "risk_query": _f(both=("risiken risiko risks risk", "welche welcher welches which gibt viele many alle all liste "
                           "list erfasst recorded offen offene open aktuell aktuelle current groesste groesstes "
                           "hoechste hoechstes biggest highest largest")),
    "matrix_word": _f("matrix", prefixes="risikomatrix"),
    "document_word": _f("protokoll protokolls dokument dokuments document minutes", prefixes="workshopdokument"),
}
# "Was ist …?", "Wofür steht …?": a question for a meaning (with a glossary term)
WHAT_IS_STARTS = frozenset({("was", "ist"), ("was", "sind"), ("what", "is"), ("what", "s"), ("was", "bedeutet"),
                            ("wofuer", "steht"), ("was", "heisst"), ("what", "does"), ("wer", "ist"), ("who", "is"),
                            ("was", "meint"), ("wofuer",)})
# "Was passiert als nächstes?": the next steps, unless a milestone, session or exchange is meant
HAPPENS = frozenset({"passiert", "happens", "happen", "ansteht", "steht"})
