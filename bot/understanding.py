"""Question understanding: from free text to a :class:`Question` (intent plus entities).

Rule-based on purpose: the vocabulary of this domain is small and answers must never be
invented, so every intent is decided by cue words (matched as word prefixes after folding, see
:mod:`bot.text`) and every entity by the programme's own names and aliases, exact first, then
fuzzy (rapidfuzz) for typos and plural/singular ("Kooperationsmodelle", "Finanzn").
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz, process

from bot.text import fold
from bot.view import ProgrammeView


class Intent(StrEnum):
    LEAD = "lead"
    MEMBERS = "members"
    MEMBERSHIP = "membership"          # is organisation X in group Y?
    ORGANISATION_GROUPS = "org_groups"  # in which groups is organisation X?
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
    DECISIONS = "decisions"
    OVERVIEW = "overview"
    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"
    PERSON = "person"                  # who is X / what does X lead
    NEXT_STEPS = "next_steps"
    WORKSHOP = "workshop"              # when/where was the workshop
    LEGAL = "legal"                    # the planned AG on legal questions (Leitplanken)
    SUPPORT = "support"                # who supports the AGs (MID, moderation, PM)
    MILESTONE_RULE = "milestone_rule"  # who sets the milestones' time frame
    SEAT_WHEN = "seat_when"            # when is the municipal seat filled
    FEEDBACK = "feedback"
    TOPIC = "topic"                    # which AG deals with <topic>
    REGISTRATION_REQUEST = "registration_request"  # "Wir möchten Barleben für die AG Finanzen nachmelden"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Question:
    """What the user asked. ``groups`` and ``organisations`` hold keys in order of mention;
    ``ambiguous`` lists organisation-key groups a single name stood for (e.g. "Wittenberg");
    ``unknown_group`` is a group name the user used that does not exist."""

    intent: Intent
    language: str = "de"
    groups: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (word as written, candidate keys)
    unknown_group: str | None = None
    member_types: frozenset[str] = frozenset()  # OrganisationType values to list, empty: all
    type_word: str | None = None  # the word that asked for a kind of member ("Städte")
    persons: tuple[str, ...] = ()  # lead persons named ("Christine Makiol")
    topic: tuple[str, ...] = ()  # content words of a "which AG deals with ..." question
    unknown_organisation: str | None = None  # a name in "Ist X in der AG Y?" that is no known organisation
    day: tuple[int, int, int | None] | None = None  # a date in the question: (day, month, year or None)
    nth: int = 1  # 2 for "übernächste"
    cues: frozenset[str] = field(default_factory=frozenset)


# Cue words, folded (ä->ae, ß->ss). A token matches a cue if it starts with it.
CUES: dict[str, tuple[str, ...]] = {
    "lead": ("leit", "leiter", "koordin", "spitze", "doppelspitze", "vorsitz", "chef", "verantwortlich",
             "lead", "chair", "head", "heads", "headed", "coordinat", "runs", "manag", "sprecher", "fuehr", "vorsteh", "charge",
             "responsib", "zustaendig"),
    "not_lead": ("leitplank", "leitfaden", "leitpfaden", "leitlinie"),
    "members": ("mitglied", "mitarbeit", "teilnehm", "teilnahme", "beteilig", "dabei", "member", "particip",
                "vertreten", "mitmach", "mitwirk", "zusammensetz", "besetzung", "kommunen", "landkreise",
                "organisation", "belong", "included", "part"),
    "work_with": ("arbeiten", "arbeitet", "macht", "machen", "wirkt", "wirken", "work", "works"),
    "subgroups": ("uag", "uags", "unterarbeitsgruppe", "untergruppe", "subgroup", "sub-group"),
    "goals": ("ziel", "ziele", "zielen", "zielrichtung", "zielsetzung", "klaer", "aufgabe", "thema", "themen", "worum", "goal", "aim", "purpose", "objective",
              "aims", "zweck", "vorhab", "inhalt", "beschaeftig", "schwerpunkt", "focus", "about", "agenda", "tasks",
              "want", "wollen", "will", "befass", "erreichen", "achieve"),
    "conditions": ("rahmenbeding", "bedingung", "rahmen", "vorgabe", "voraussetz", "leitplank", "condition",
                   "constraint", "framework", "restriction", "einschraenk", "gelten", "gilt", "rules"),
    "milestone": ("meilenstein", "milestone", "zeitplan", "etappe", "zwischenziel", "deliverable", "timeline",
                  "roadmap", "phasen"),
    "when": ("wann", "naechst", "faellig", "due", "when", "next", "datum", "date", "bis", "until",
             "kommend", "upcoming", "demnaechst", "zeitpunkt", "frist", "deadline", "termin", "stichtag"),
    "session": ("sitzung", "treffen", "trifft", "tagt", "tagen", "tagung", "meeting", "meet", "termin",
                "zusammenkunft", "session", "gathering"),
    "exchange": ("austauschrunde", "austausch", "exchange", "gesamtrunde", "plenum", "joint"),
    "cadence": ("oft", "haeufig", "rhythmus", "turnus", "often", "frequen", "regelmaessig", "abstand",
                "intervall", "interval", "takt", "alle"),
    "registration": ("nachmeld", "nachtraeglich", "spaet", "late", "regist", "anmeld", "einschreib",
                     "beitret", "beitritt", "join", "aufnahme", "aufnehm", "mitmachen", "dazu"),
    "decision": ("beschlossen", "beschluss", "beschluess", "entschieden", "entscheidung", "festgelegt",
                 "festlegung", "vereinbar", "decided", "decision", "agreed", "ergebnis", "result", "outcome",
                 "grundsaetzlich", "abgemacht", "verabredet"),
    "start": ("start", "beginn", "begann", "anfang", "erste", "first", "begin", "losgeh", "kick"),
    "list": ("welche", "which", "what", "alle", "all", "list", "liste", "gibt", "exist", "uebersicht",
             "overview", "wieviele", "viele", "many", "anzahl"),
    "group_word": ("ag", "ags", "arbeitsgruppe", "gruppe", "group", "arbeitskreis", "workinggroup", "uag",
                   "uags", "unterarbeitsgruppe", "teams", "gremien"),
    "greeting": ("hallo", "hello", "hi", "moin", "servus", "guten", "gruess", "hey"),
    "thanks": ("danke", "dank", "thanks", "thank", "merci"),
    "help": ("hilfe", "help", "befehle", "commands", "kannst", "koennen sie", "anleitung"),
    "where": ("wo", "where", "worin", "in welche", "wovon"),
}
_GROUP_WORDS = {"ag", "ags", "arbeitsgruppe", "arbeitsgruppen", "gruppe", "gruppen", "group", "groups",
                "uag", "uags", "unterarbeitsgruppe", "unterarbeitsgruppen", "arbeitskreis"}
_ENGLISH = {"who", "what", "when", "which", "where", "how", "is", "are", "does", "do", "the", "of", "group",
            "groups", "leads", "lead", "members", "member", "next", "milestone", "milestones", "meeting", "meet",
            "meets", "often", "exchange", "round", "working", "hello", "hi", "thanks", "thank", "heads", "aims", "decided", "goals", "can", "until", "register",
            "there", "part", "belongs", "sessions", "session", "chairs", "runs", "conditions", "about", "tell",
            "me", "show", "list", "and", "for", "its", "will", "due", "take", "place", "held", "join"}
_GERMAN = {"wer", "was", "wann", "welche", "welcher", "welchen", "welches", "wie", "ist", "sind", "die", "der",
           "das", "den", "dem", "des", "gibt", "es", "und", "naechste", "naechsten", "leitet", "mitglied",
           "mitglieder", "tagt", "tagen", "sitzung", "bis", "koennen", "kann", "hat", "haben", "im", "in", "ein",
           "eine", "einer", "arbeitsgruppe", "fuer", "wurde", "noch", "nicht", "mit", "von", "zu", "gruppe",
           "meilenstein", "austauschrunde", "bitte", "sich", "wo", "am", "zur", "zum"}
# Words that are never names: fuzzy matching skips them.
_COMMON = _ENGLISH | _GERMAN | _GROUP_WORDS | {
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
    "alle", "jede", "jeder", "jedes", "beiden", "zwei", "sitzt", "sitzen", "ob", "oder", "aber",
}
# Short cue words that must match whole tokens ("ag" must not match "agenda", "run" not "runde").
_EXACT = {"ag", "ags", "run", "runs", "bis", "all", "alle", "will", "want", "part", "head", "date", "due",
          "oft", "wo", "hi", "hey", "dank", "uag", "uags", "rahmen", "about", "joint", "dazu",
          "zusammen", "macht", "machen", "meet", "next", "first", "erste", "thema", "ziel", "aim", "tasks",
          "gilt", "gelten", "list", "liste", "viele", "many", "arbeiten", "arbeitet", "work", "works", "wirkt",
          "wirken", "dabei", "late", "join", "kick", "gibt", "what", "which", "teams",
          "organisation", "included", "belong", "kommunen", "landkreise", "wann", "when", "spitze"}
_WORD = re.compile(r"[^\W_]+|[+&]")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    keys: frozenset[str]


_DATE_IN_TEXT = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)")
_BREAK = re.compile(r"[?.!;:()\[\]{}\"„“]")


def _words(text: str) -> tuple[list[str], list[str]]:
    """Original words and their folded tokens, index-aligned."""
    originals, folded, _ = _words_and_breaks(text)
    return originals, folded


def _words_and_breaks(text: str) -> tuple[list[str], list[str], set[int]]:
    """Words, folded tokens, and the indices of tokens that start a new clause (after ?.!:;())."""
    originals, folded, breaks = [], [], set()
    position = 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        token = "und" if word in "+&" else re.sub(r"[^a-z0-9]", "", fold(word))
        if token:
            if originals and _BREAK.search(text, position, match.start()):
                breaks.add(len(originals))
            originals.append(word)
            folded.append(token)
        position = match.end()
    return originals, folded, breaks


def cue_matches(token: str, cue: str) -> bool:
    """True if ``token`` is ``cue`` or, for cues not in :data:`_EXACT`, starts with it."""
    return token == cue or (cue not in _EXACT and token.startswith(cue))


@functools.lru_cache(maxsize=65536)
def token_cues(token: str) -> frozenset[str]:
    """The cue groups (keys of :data:`CUES`) a single token belongs to; cached per token."""
    return frozenset(group for group, words in CUES.items() if any(cue_matches(token, c) for c in words))


def _has(tokens: list[str], cue: str) -> bool:
    return any(cue in token_cues(t) for t in tokens)


_CONTENT_CUES = frozenset({"lead", "members", "goals", "conditions", "milestone", "session", "exchange",
                           "registration", "decision"})


@functools.lru_cache(maxsize=65536)
def _is_word(token: str) -> bool:
    """An ordinary word of questions (function word or cue), never part of a name."""
    return token in _COMMON or bool(token_cues(token) & _CONTENT_CUES)


def _is_common(token: str) -> bool:
    """Not worth fuzzy-matching on its own: ordinary words, numbers, very short tokens."""
    return token.isdigit() or len(token) < 4 or _is_word(token)


def _exact_spans(tokens: list[str], index: dict[tuple[str, ...], frozenset[str]], longest: int,
                 taken: set[int]) -> list[_Span]:
    spans, i = [], 0
    while i < len(tokens):
        for length in range(min(longest, len(tokens) - i), 0, -1):
            if any(j in taken for j in range(i, i + length)):
                continue
            keys = index.get(tuple(tokens[i:i + length]))
            if keys:
                spans.append(_Span(i, i + length, keys))
                taken.update(range(i, i + length))
                i += length
                break
        else:
            i += 1
    return spans


def _exact_all(tokens: list[str], indexes: list[tuple[dict, int]], taken: set[int]) -> list[list[_Span]]:
    """Exact matches against several indexes at once; at each position the longest match wins
    (ties: the earlier index). Returns one span list per index."""
    found: list[list[_Span]] = [[] for _ in indexes]
    i = 0
    while i < len(tokens):
        best = None
        for which, (index, longest) in enumerate(indexes):
            for length in range(min(longest, len(tokens) - i), 0, -1):
                if best is not None and length <= best[1]:
                    break
                if any(j in taken for j in range(i, i + length)):
                    continue
                keys = index.get(tuple(tokens[i:i + length]))
                if keys:
                    best = (which, length, keys)
                    break
        if best is None:
            i += 1
            continue
        which, length, keys = best
        found[which].append(_Span(i, i + length, keys))
        taken.update(range(i, i + length))
        i += length
    return found


def _fuzzy_spans(tokens: list[str], choices: dict[str, frozenset[str]], names: list[str], taken: set[int],
                 cutoff: float, max_len: int = 3) -> list[_Span]:
    """Windows of up to ``max_len`` tokens that are close to a name in ``choices`` (rapidfuzz
    ratio >= ``cutoff``). A window starts with a name-like token; numbers and short words may
    follow ("Digitalisierung Nord 17"), ordinary question words may not."""
    if not choices:
        return []
    spans = []
    for length in range(min(max_len, len(tokens)), 0, -1):
        for i in range(len(tokens) - length + 1):
            window = range(i, i + length)
            if any(j in taken for j in window) or _is_common(tokens[i]) \
                    or any(_is_word(tokens[j]) for j in window):
                continue
            phrase = " ".join(tokens[i:i + length])
            if len(phrase) < 5:
                continue
            found = process.extractOne(phrase, names, scorer=fuzz.ratio, score_cutoff=cutoff)
            if found:
                spans.append(_Span(i, i + length, choices[found[0]]))
                taken.update(window)
    return spans


class Understanding:
    """Turns text into a :class:`Question` against one :class:`ProgrammeView`.

    Build once per view (it precomputes the fuzzy-match choices) and call :meth:`parse`.
    ``previous``: the understanding of the view before a change; its choices are reused where
    the new view shares the index they come from (the same ``group_tokens`` or ``directory``
    object, see :meth:`ProgrammeView.updated`).
    """

    def __init__(self, view: ProgrammeView, previous: "Understanding | None" = None) -> None:
        self.view = view
        if previous is not None and previous.view.group_tokens is view.group_tokens:
            self._group_choices, self._group_names = previous._group_choices, previous._group_names
        else:
            self._group_choices = {" ".join(k): v for k, v in view.group_tokens.items()}
            self._group_names = list(self._group_choices)
        if previous is not None and previous.view.directory is view.directory:
            self._org_choices, self._org_names = previous._org_choices, previous._org_names
        else:
            self._org_choices = {" ".join(k): v for k, v in view.directory.by_tokens.items()
                                 if len(" ".join(k)) >= 5}
            self._org_names = list(self._org_choices)

    def parse(self, text: str, room_group: str | None = None) -> Question:
        """Understand ``text`` (already cleaned, see :func:`bot.text.clean`). Never raises.

        ``room_group`` is the AG the room is linked to; it lets "Wer arbeitet mit?" mean that AG.
        """
        originals, tokens, breaks = _words_and_breaks(text)
        language = detect_language(tokens)
        taken: set[int] = set()
        # exact names first, longest wins across groups, persons and organisations
        # ("Ministry of Finance" is the MF, not the AG Finanzen)
        group_spans, person_spans, org_spans = _exact_all(
            tokens, [(self.view.group_tokens, self.view.longest_group_alias),
                     (self.view.person_tokens or {}, 4),
                     (self.view.directory.by_tokens, self.view.directory.longest_alias)], taken)
        group_spans += _fuzzy_spans(tokens, self._group_choices, self._group_names, taken, cutoff=85)
        org_spans += _fuzzy_spans(tokens, self._org_choices, self._org_names, taken, cutoff=88, max_len=2)
        group_spans.sort(key=lambda s: s.start)
        org_spans.sort(key=lambda s: s.start)
        groups = _ordered_keys(group_spans, prefer=lambda k: self.view.groups[k].kind == "AG")
        organisations: list[str] = []
        ambiguous = []
        for span in org_spans:
            if len(span.keys) == 1:
                organisations.extend(k for k in span.keys if k not in organisations)
            else:
                ambiguous.append((" ".join(originals[span.start:span.end]), tuple(sorted(span.keys))))
        unknown = None if groups else _unknown_group(originals, tokens, taken, breaks)
        cues = frozenset().union(*(token_cues(t) for t in tokens))
        if any(self.view.groups[k].kind == "UAG" for k in groups):
            cues -= {"subgroups"}  # "die UAG Technische Umsetzung" names the group, it does not ask for sub-groups
        persons = tuple(dict.fromkeys(p for span in person_spans for p in sorted(span.keys)))
        types, type_word = _member_types(tokens, originals)
        topic = tuple(originals[i] for i, tok in enumerate(tokens) if i not in taken and not _is_word(tok)
                      and not tok.isdigit() and len(tok) >= 3)
        unknown_org = None
        if groups and not (organisations or ambiguous) and tokens and tokens[0] in {"ist", "sind", "is", "are",
                                                                                  "arbeitet", "gehoert"}:
            name = [originals[i] for i in range(1, len(tokens)) if i not in taken and not _is_word(tokens[i])
                    and tokens[i] not in _GROUP_WORDS]
            unknown_org = " ".join(name) or None
        intent = decide(cues, tokens, bool(groups), bool(organisations or ambiguous), unknown is not None,
                        has_room_group=room_group is not None, has_person=bool(persons),
                        has_type=bool(types), has_topic=bool(topic), unknown_org=unknown_org is not None)
        day = None
        match = _DATE_IN_TEXT.search(text)
        if match:
            year = match.group(3)
            day = (int(match.group(1)), int(match.group(2)),
                   (int(year) + 2000 if len(year) == 2 else int(year)) if year else None)
        nth = 2 if any(t.startswith(("uebernaechst", "secondnext")) for t in tokens) or \
            {"after", "next"} <= set(tokens) and "the" in tokens and "one" in tokens else 1
        return Question(intent=intent, language=language, groups=tuple(groups), day=day, nth=nth,
                        organisations=tuple(organisations), ambiguous=tuple(ambiguous),
                        unknown_group=unknown, member_types=types, type_word=type_word, persons=persons,
                        topic=topic, unknown_organisation=unknown_org, cues=cues)


_MUNICIPAL = ("Landkreis", "kreisfreie Stadt", "Stadt", "Gemeinde", "Verbandsgemeinde")
_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "landkreise": ("Landkreis",), "kreise": ("Landkreis",), "districts": ("Landkreis",),
    "kommunen": _MUNICIPAL, "municipalities": _MUNICIPAL, "gebietskoerperschaften": _MUNICIPAL,
    "staedte": ("Stadt", "kreisfreie Stadt"), "towns": ("Stadt", "kreisfreie Stadt"),
    "landkreisen": ("Landkreis",), "kreisfreien": ("kreisfreie Stadt",), "verbandsgemeinde": ("Verbandsgemeinde",),
    "ministerium": ("Ministerium", "Abteilung"), "verbaende": ("Verband",), "verbands": ("Verband",),
    "cities": ("Stadt", "kreisfreie Stadt"),
    "gemeinden": ("Gemeinde", "Verbandsgemeinde"), "verbandsgemeinden": ("Verbandsgemeinde",),
    "ministerien": ("Ministerium", "Abteilung"), "ministries": ("Ministerium", "Abteilung"),
    "verbaende": ("Verband",),
}


def _member_types(tokens: list[str], originals: list[str]) -> tuple[frozenset[str], str | None]:
    """Organisation types a member question is restricted to ("Welche Landkreise ..."), and the word."""
    found: set[str] = set()
    word = None
    for token, original in zip(tokens, originals):
        if token in _TYPE_WORDS:
            found.update(_TYPE_WORDS[token])
            word = word or original
    return frozenset(found), word


def _ordered_keys(spans: list[_Span], prefer) -> list[str]:
    keys: list[str] = []
    for span in spans:
        for key in sorted(span.keys, key=lambda k: (not prefer(k), k)):
            if key not in keys:
                keys.append(key)
    return keys


def _unknown_group(originals: list[str], tokens: list[str], taken: set[int], breaks: set[int] = frozenset()) -> str | None:
    """A name right after "AG"/"Arbeitsgruppe" (or before "group"), in the same clause, that
    names no group."""
    for i, token in enumerate(tokens):
        if token not in _GROUP_WORDS:
            continue
        name = []
        for j in range(i + 1, min(i + 4, len(tokens))):
            if j in taken or j in breaks or _is_word(tokens[j]):
                break
            name.append(originals[j])
        if name:
            return " ".join(name)
        if token in {"group", "groups"} and i > 0 and (i - 1) not in taken and i not in breaks \
                and not _is_word(tokens[i - 1]) and not tokens[i - 1].isdigit():
            return originals[i - 1]
    return None


def detect_language(tokens: list[str]) -> str:
    """"en" when more tokens are typical English than German, else "de" (the default)."""
    english = sum(t in _ENGLISH for t in tokens)
    german = sum(t in _GERMAN for t in tokens)
    return "en" if english > german else "de"


def decide(cues: frozenset[str], tokens: list[str], has_group: bool, has_org: bool,
           unknown_group: bool, has_room_group: bool = False, has_person: bool = False, has_type: bool = False,
           has_topic: bool = False, unknown_org: bool = False) -> Intent:
    """Pick the intent from the cues present. Order matters: specific before general.

    ``has_room_group``: the room is linked to an AG, so a question may leave the AG out.
    """
    words = set(tokens)
    lead = any(any(cue_matches(t, c) for c in CUES["lead"]) and not t.startswith(CUES["not_lead"])
               for t in tokens)
    lead = lead or ("vor" in words and any(t.startswith("sitz") for t in tokens))  # "Wer sitzt der AG vor?"
    lead = lead or "hut" in words or any(t.startswith("ansprechp") for t in tokens)  # "den Hut auf"
    asks_who = bool({"wer", "who", "wem", "whom"} & words)
    if has_person and not has_org:
        return Intent.PERSON
    if any(t.startswith("recht") or t == "legal" for t in tokens):
        return Intent.LEGAL
    if "workshop" in words and ({"wann", "wo", "when", "where", "datum", "ort"} & words):
        return Intent.WORKSHOP
    if any(t.startswith(("schritt", "step")) for t in tokens) or {"wie", "geht", "weiter"} <= words:
        return Intent.NEXT_STEPS
    if any(t.startswith(("rueckmeld", "feedback")) for t in tokens):
        return Intent.FEEDBACK
    if not has_group and not has_org and any(t.startswith(("unterstuetz", "support", "begleit", "moderat",
                                                           "projektmanag")) for t in tokens):
        return Intent.SUPPORT
    if "milestone" in cues and asks_who and any(t.startswith(("fest", "bestimm", "decid", "set")) for t in tokens):
        return Intent.MILESTONE_RULE
    if "when" in cues and any(t.startswith(("kommunal", "municipal")) for t in tokens) and any(
            t.startswith(("sitz", "besetz", "festgeleg", "bestimm", "seat", "lead", "leit", "spitze")) for t in tokens):
        return Intent.SEAT_WHEN
    if "registration" in cues and has_org and (has_group or has_room_group) and "when" not in cues and not lead \
            and not ({"wie", "how", "kann", "koennen", "can", "darf", "duerfen", "man", "ob", "whether"} & words):
        return Intent.REGISTRATION_REQUEST
    if "registration" in cues and ("when" in cues or "decision" not in cues) and not lead:
        if "milestone" not in cues and "session" not in cues:
            return Intent.REGISTRATION_DEADLINE
    if "decision" in cues and not has_group and not lead:
        return Intent.DECISIONS
    if "exchange" in cues:
        return Intent.CADENCE if ("oft" in tokens or "often" in tokens) else Intent.NEXT_EXCHANGE
    if "milestone" in cues:
        if "when" in cues and not {"welche", "which", "alle", "all", "list", "liste"} & set(tokens):
            return Intent.NEXT_MILESTONE
        return Intent.MILESTONES
    if ("oft" in tokens or "often" in tokens or "rhythmus" in tokens or "turnus" in tokens
            or any(t.startswith(("haeufig", "frequen", "regelmaessig", "intervall", "interval")) for t in tokens)):
        return Intent.CADENCE
    if lead:
        return Intent.LEAD
    if "session" in cues or ("when" in cues and has_group and not has_org):
        if "start" in cues and not any(t.startswith("naechst") or t == "next" for t in tokens):
            return Intent.FIRST_SESSIONS
        return Intent.NEXT_SESSION
    if "start" in cues and "when" in cues:
        return Intent.FIRST_SESSIONS
    if "subgroups" in cues and not has_org:
        return Intent.SUBGROUPS
    if "conditions" in cues and not has_org:
        return Intent.CONDITIONS
    if ({"was", "what"} & words) and ({"macht", "tut", "does", "do"} & words) and (has_group or has_room_group):
        return Intent.GOALS  # "Was macht die AG Finanzen?"
    if "goals" in cues and not has_org:
        if has_group or unknown_group or not ("list" in cues and "group_word" in cues):
            return Intent.GOALS
    if has_org:
        return Intent.MEMBERSHIP if has_group else Intent.ORGANISATION_GROUPS
    if unknown_org:
        return Intent.MEMBERSHIP
    if has_type or "members" in cues or "work_with" in cues and (has_group or has_room_group):
        return Intent.MEMBERS
    if (has_group or has_room_group) and asks_who:
        return Intent.MEMBERS
    if has_topic and not has_group and ({"welche", "which", "wer", "who"} & words) and "group_word" in cues:
        return Intent.TOPIC
    if "list" in cues and "group_word" in cues and not has_group:
        return Intent.LIST_GROUPS
    if "group_word" in cues and not has_group and not unknown_group and len(tokens) <= 3:
        return Intent.LIST_GROUPS
    if has_group or unknown_group:
        return Intent.OVERVIEW
    if "thanks" in cues:
        return Intent.THANKS
    if "greeting" in cues and len(tokens) <= 4:
        return Intent.GREETING
    if "help" in cues:
        return Intent.HELP
    return Intent.UNKNOWN


def find_groups(understanding: Understanding, text: str) -> list[str]:
    """Group keys named in ``text`` (exact alias first, then fuzzy), in order of mention."""
    _, tokens = _words(text)
    taken: set[int] = set()
    view = understanding.view
    spans = _exact_spans(tokens, view.group_tokens, view.longest_group_alias, taken)
    spans += _fuzzy_spans(tokens, understanding._group_choices, understanding._group_names, taken, cutoff=85)
    spans.sort(key=lambda s: s.start)
    return _ordered_keys(spans, prefer=lambda k: view.groups[k].kind == "AG")


def suggest_groups(understanding: Understanding, text: str, limit: int = 2) -> list[str]:
    """Near misses for a group name that matched nothing (lower similarity bar), best first."""
    phrase = " ".join(_words(text)[1])
    found = process.extract(phrase, list(understanding._group_choices), scorer=fuzz.WRatio,
                            score_cutoff=70, limit=limit * 3)
    keys: list[str] = []
    for name, _, _ in found:
        for key in sorted(understanding._group_choices[name]):
            if key not in keys:
                keys.append(key)
    return keys[:limit]
