"""Word lists for searching the workshop document: stop words, weak words, query expansions.

All entries are *folded* (:func:`bot.text.fold`: lower case, ä→ae, ß→ss), because queries and
passages are folded before they are split into words.

* :data:`EXTRA_STOPWORDS` add question phrasing ("genannt", "gesagt", "mentioned") to the
  German and English stop word lists that ship with bm25s (``bm25s.stopwords``).
* :data:`WEAK_WORDS` occur in a large part of the document (AG, Arbeitsgruppe, Kommunen);
  they count with :data:`WEAK_WEIGHT` so that they cannot outvote the word that names the topic.
* :data:`EXPANSIONS` map a question word to words the document uses for the same thing:
  German paraphrases ("moderiert" → "Moderation") and an English→German glossary of the
  document's topics, so that English questions find the German passages.
* :data:`PHRASES` are multi-word paraphrases matched on the folded question.
"""
from __future__ import annotations

import re

WEAK_WEIGHT = 0.3

EXTRA_STOPWORDS = frozenset("""
    wer wen wem wessen wann warum wieso weshalb wozu womit worum worueber wofuer woran wodurch wohin woher
    welches welchen welcher welche was wie wo ob
    wurde wurden worden wird werden ist sind war waren sei hat haben hatte hatten gibt gab geht ging gehen
    soll sollen sollte sollten muss muessen musste mussten darf duerfen kann koennen konnte konnten
    beim vom zum zur ins ums aufs uebers fuer ueber waehrend wuerde wuerden dass daß
    viele vielen vieles mehr genau eigentlich bitte denn gerne mal etwa ungefaehr nochmal noch auch schon
    spielt spielen spielte rolle rollen kuemmert kuemmern infrage jemand jemanden person personen
    kam kamen kommt kommen geplant vorgesehen danke hallo moin hi hey
    braucht brauchen benoetigt benoetigen vorgeschlagen vorschlagen gemacht passiert passieren gehoert
    gehoeren betrifft betreffen bedeutet bedeuten heisst meint gemeint wissen weiss erfahren erklaeren
    erklaert erklaere beschreiben
    genannt nennt nennen erwaehnt erwaehnen gesagt sagt sagen gesprochen steht stehen stand standen
    geschrieben schreibt aufgefuehrt drin darin dazu dabei davon darueber dokument dokuments dokumentes
    protokoll protokolls nachbereitung folie folien unterlagen thema themen bezug hinsichtlich bzgl
    what which who whom whose when where why how does did do is are was were be been has have had
    named name mentioned mention mentions said say says tell told know listed list written write stated
    document minutes protocol regarding about anything something there please one ones also any
    suggested proposed considered discussed planned mention person persons people someone somebody
    thanks thank hello
    besprochen diskutiert angesprochen
""".split())

# frequent all over the document: they count, but little
WEAK_WORDS = frozenset("""
    ag ags arbeitsgruppe arbeitsgruppen gruppe gruppen uag uags kommune kommunen land landes
    workshop workshops working group groups municipality municipalities
""".split())

# question word -> words of the document for the same thing (German paraphrases, English glossary)
EXPANSIONS: dict[str, tuple[str, ...]] = {
    # German paraphrases: verbs and nouns the document does not use itself
    "moderiert": ("moderation",), "moderieren": ("moderation",), "moderator": ("moderation",),
    "moderatoren": ("moderation",), "moderatorin": ("moderation",), "moderiere": ("moderation",),
    "nachgenutzt": ("nachnutzung",), "nachnutzen": ("nachnutzung",), "wiederverwenden": ("nachnutzung",),
    "wiederverwendet": ("nachnutzung",), "uebernommen": ("nachnutzung",),
    "tools": ("tool",), "werkzeug": ("tool",), "werkzeuge": ("tool",), "software": ("tool", "software"),
    "programme": ("tool",),
    "risiken": ("risiko", "risikomatrix"), "risiko": ("risiko", "risikomatrix"),
    "ankommen": ("feedback", "positiv", "aufgenommen"), "angekommen": ("feedback", "positiv", "aufgenommen"),
    "rueckmeldung": ("feedback",), "rueckmeldungen": ("feedback",), "fragen": ("fragestellungen",),
    "ministerium": ("mid",), "digitalministerium": ("mid",), "genutzt": ("nutzung", "nutzen"), "eindruck": ("feedback",), "eindruecke": ("feedback",),
    "stimmung": ("feedback", "motivation"), "bewertung": ("feedback",), "bewertet": ("feedback",),
    "zufrieden": ("feedback", "positiv"), "resonanz": ("feedback", "positiv"), "reaktionen": ("feedback",),
    "kontakt": ("kontaktdaten",), "kontakte": ("kontaktdaten",), "ansprechpartner": ("kontaktdaten",),
    "ansprechpartnerin": ("kontaktdaten",), "erreichen": ("kontaktdaten",), "adresse": ("kontaktdaten",),
    "anschrift": ("kontaktdaten",),
    "treffen": ("tagen", "sitzungen"), "trifft": ("tagen", "sitzungen"), "tagt": ("tagen", "sitzungen"),
    "sitzung": ("sitzungen",), "termine": ("terminvorschlaege", "sitzungen"),
    "oft": ("wochen",), "haeufig": ("wochen",), "rhythmus": ("wochen",), "turnus": ("wochen",),
    "entscheiden": ("entscheidungskompetenz", "entscheidung"), "entscheidet": ("entscheidungskompetenz", "entscheidung"),
    "zustaendig": ("zustaendigkeit", "entscheidungskompetenz"),
    "finanzausgleich": ("fag",), "finanzausgleichsgesetz": ("fag",),
    "ziele": ("zielrichtung", "ziel"), "ziel": ("zielrichtung", "ziel"),
    "mitglied": ("mitglieder",), "teilnehmende": ("teilnehmer", "mitglieder"),
    "internetseite": ("webseite",), "homepage": ("webseite",),
    "unterarbeitsgruppe": ("uag",), "unterarbeitsgruppen": ("uag",), "untergruppen": ("uag",),
    "spitze": ("doppelspitze",), "leitung": ("doppelspitze", "leitung"), "leitet": ("doppelspitze", "leitung"),
    "projektmanagement": ("projektmanager", "projektmanagement"),
    "anmelden": ("nachmelden",), "nachmeldung": ("nachmelden",), "anmeldung": ("nachmelden",),
    "frist": ("nachmelden",), "gesetzlich": ("rechtlichen",), "rechtlich": ("rechtlichen",),
    "recht": ("rechtlichen",), "rechtsfragen": ("rechtlichen", "fragestellungen"),
    "signaturen": ("signatur",), "siegel": ("esiegel",),
    "pause": ("kaffeepause",), "begruesst": ("begruessung",), "eroeffnet": ("begruessung",),
    "eroeffnung": ("begruessung",), "ablauf": ("agenda",), "tagesordnung": ("agenda",),
    "programm": ("agenda",), "zeitplan": ("zeitplan", "agenda"),
    "lizenzen": ("landeslizenzen",), "lizenz": ("landeslizenzen",), "fortbildung": ("weiterbildung",),
    "schulung": ("weiterbildung",), "schulungen": ("weiterbildung",),
    "foerderung": ("foerdermassnahmen",), "foerdermittel": ("foerdermassnahmen", "zuwendungsrichtlinien"),
    "geld": ("finanzielle", "mittel"),
    "beteiligt": ("mitglieder", "teilnahme"), "beteiligen": ("mitglieder", "teilnahme"),
    # abbreviations the document uses <-> what people say (names as in bot/data/programme.toml)
    "gemeindebund": ("sgsa",), "staedtebund": ("sgsa",), "staedte": ("sgsa",), "staedteundgemeindebund": ("sgsa",),
    "landkreistag": ("lkt",), "innenministerium": ("mi", "ministerium"), "finanzministerium": ("mf",),
    "spitzenverbaende": ("ksv", "spitzenverbaenden"), "onlinezugangsgesetz": ("ozg",),
    "finanzausgleichsgesetzes": ("fag",), "kommunale": ("kommunalen",),
    # English -> German glossary of the document's topics
    "collaboration": ("kollaborationsplattform", "kollaboration"),
    "collaborative": ("kollaborationsplattform",), "platform": ("plattform", "kollaborationsplattform"),
    "platforms": ("plattform",), "risk": ("risiko", "risikomatrix"), "risks": ("risiko", "risikomatrix"),
    "security": ("sicherheit", "itsicherheit"), "cybersecurity": ("itsicherheit",),
    "privacy": ("datenschutz",), "protection": ("datenschutz",), "signature": ("signatur",),
    "signatures": ("signatur",), "seal": ("esiegel",), "seals": ("esiegel",),
    "moderates": ("moderation",), "moderated": ("moderation",),
    "moderate": ("moderation",), "facilitator": ("moderation",), "facilitators": ("moderation",),
    "facilitate": ("moderation",), "facilitates": ("moderation",), "facilitated": ("moderation",),
    "manager": ("projektmanager",), "managers": ("projektmanager",), "external": ("externe",),
    "support": ("unterstuetzung",), "services": ("dienste", "diensten", "basisdienste"),
    "service": ("dienste", "diensten", "basisdienste"), "reuse": ("nachnutzung",), "reused": ("nachnutzung",),
    "reusing": ("nachnutzung",), "decision": ("entscheidung", "entscheidungskompetenz"),
    "decide": ("entscheidung", "entscheidungskompetenz"), "authority": ("entscheidungskompetenz", "zustaendigkeit"),
    "competence": ("entscheidungskompetenz",), "responsible": ("zustaendigkeit",),
    "responsibility": ("zustaendigkeit",), "feedback": ("feedback", "rueckmeldungen"),
    "received": ("feedback", "aufgenommen"), "reception": ("feedback", "aufgenommen"),
    "impression": ("feedback",), "impressions": ("feedback",), "positive": ("positiv",),
    "participants": ("teilnehmer",), "participant": ("teilnehmer",), "stakeholders": ("stakeholder",),
    "focus": ("fokus",), "pressure": ("druck",), "politics": ("politik",), "political": ("politik",),
    "successes": ("erfolge",), "success": ("erfolge",), "visible": ("sichtbare",), "products": ("produkte",),
    "guideline": ("handlungsleitfaden", "leitplanken"),
    "guidelines": ("leitplanken", "handlungsleitfaden"), "guardrails": ("leitplanken",),
    "legal": ("rechtlichen",), "questions": ("fragestellungen",), "interior": ("inneres",),
    "schedule": ("agenda", "zeitplan"), "coffee": ("kaffeepause",),
    "break": ("kaffeepause",), "welcome": ("begruessung",), "opening": ("begruessung",),
    "secretary": ("staatssekretaer",), "state": ("landes", "land"), "next": ("naechste",),
    "steps": ("schritte",), "step": ("schritte",), "meet": ("tagen", "sitzungen"), "meets": ("tagen", "sitzungen"),
    "meeting": ("sitzungen",), "meetings": ("sitzungen",), "sessions": ("sitzungen",), "session": ("sitzungen",),
    "city": ("cities",), "ministry": ("ministerium", "mid"), "ministries": ("ministerium", "fachressorts"), "first": ("ersten",), "joint": ("gemeinsame",),
    "round": ("austauschrunde",), "rounds": ("austauschrunde", "austauschrunden"), "weeks": ("wochen",), "week": ("wochen",), "often": ("wochen",), "exchange": ("austauschrunde",),
    "january": ("januar",), "start": ("starten",), "starts": ("starten",), "projects": ("projekte",),
    "project": ("projekte",), "planning": ("planungen",), "goal": ("zielrichtung", "ziel"),
    "goals": ("zielrichtung", "ziel"), "aims": ("zielrichtung",), "aim": ("zielrichtung",),
    "members": ("mitglieder",), "member": ("mitglieder",), "conditions": ("rahmenbedingungen",),
    "framework": ("rahmenbedingungen",), "timeline": ("zeitplan",), "milestones": ("meilensteine",),
    "milestone": ("meilensteine",), "website": ("webseite",), "communication": ("kommunikation",),
    "finance": ("finanzen", "finanzierung"), "finances": ("finanzen", "finanzierung"),
    "funding": ("finanzierung", "mittel"), "money": ("finanzielle", "mittel"), "licences": ("landeslizenzen",),
    "licenses": ("landeslizenzen",), "training": ("weiterbildung",), "cooperation": ("kooperationsmodell",),
    "strategy": ("strategie",), "implementation": ("umsetzung",), "digitalisation": ("digitalisierung",),
    "digitalization": ("digitalisierung",), "digital": ("digitale", "digitalisierung"),
    "contact": ("kontaktdaten",), "contacts": ("kontaktdaten",), "address": ("kontaktdaten",),
    "lead": ("doppelspitze", "leitung"),
    "leads": ("doppelspitze", "leitung"), "leadership": ("doppelspitze",), "deadline": ("nachmelden",),
    "register": ("nachmelden",), "registration": ("nachmelden",), "decisions": ("festlegungen",),
    "agreed": ("festlegungen",), "agreements": ("festlegungen",), "title": ("neuausrichtung",),
    "driver": ("treiber",), "end": ("ende",), "example": ("beispielvorlage",), "template": ("beispielvorlage",),
    "introduction": ("kurzvorstellung",), "introductions": ("kurzvorstellung",), "photos": ("fotoprotokoll",),
    "boards": ("stellwaende",), "board": ("stellwaende",), "subgroups": ("uag",), "subgroup": ("uag",),
}

# multi-word paraphrases, rewritten on the folded question before it is split into words
# (pattern, replacement as for re.sub; the replacement's words are then looked up as usual)
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:kam|kommt|kamen)\b(.*)\ban\b"), r"ankommen \1"),
    (re.compile(r"\bwie (?:war|lief|fanden|fand)\b"), "ankommen"),
    (re.compile(r"\bhow (?:was|did)\b(.*)\b(?:go|goes|went|received)\b"), r"reception \1"),
    (re.compile(r"\bhow was\b"), "reception"),
    (re.compile(r"\bwie oft\b|\bhow often\b"), "rhythmus"),
    (re.compile(r"\bin frage\b"), " "),
    (re.compile(r"\bit[ -]sicherheit\b|\bit security\b"), "it-sicherheit"),
    (re.compile(r"\bdata protection\b"), "datenschutz"),
    (re.compile(r"\bdigital signatures?\b"), "digitale signatur"),
    (re.compile(r"\bnext steps?\b"), "naechste schritte"),
    (re.compile(r"\bcoffee break\b"), "kaffeepause"),
    (re.compile(r"\bstate secretary\b"), "staatssekretaer"),
    (re.compile(r"\bend[ -]to[ -]end\b"), "ende-zu-ende"),
    (re.compile(r"\bproject managers?\b"), "projektmanager"),
    (re.compile(r"\brisk matrix\b"), "risiko-matrix"),
    (re.compile(r"\bcollaboration platform\b"), "kollaborationsplattform"),
    (re.compile(r"\bdecision[ -]making (?:power|authority|competence)\b"), "entscheidungskompetenz"),
)
