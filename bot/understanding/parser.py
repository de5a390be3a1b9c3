"""From free text to :class:`Question` objects: entities, flags, then the intent table.

Rule-based on purpose: the vocabulary of this domain is small and answers must never be
invented, so every intent is decided by the table in :mod:`bot.understanding.intents` and every
entity by the programme's own names and aliases (:mod:`bot.understanding.entities`).
A message may hold up to three questions ("Wer leitet die AG Finanzen und wann trifft sie
sich?"); :meth:`Understanding.parse_message` returns one :class:`Question` per part.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.document.passages import document_words
from bot.glossary import Glossary
import bot.understanding.vocabulary as v
from bot.understanding.entities import (NameIndex, Span, district_spans, exact_all, exact_spans, fuzzy_spans, member_types,
                                        ordered_keys, unknown_group, unknown_names, unknown_person)
from bot.understanding.flags import ag_count as read_ag_count, milestone_words, seat_side, type_words, word_flags
from bot.understanding.intents import CONTENT, Intent, decide
from bot.understanding.tokens import detect_language, token_cues, words, words_and_breaks
from bot.view import ProgrammeView

MAX_PARTS = 3
_DATE_IN_TEXT = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)")
_SENTENCE_END = re.compile(r"[?!;]+\s*|(?<=[^\W\d_]{4})\.\s+(?=[A-ZÄÖÜ])")
_CONJUNCTION = re.compile(r",?\s+(?:und|and|sowie|,)\s+|,\s+", re.IGNORECASE)
_NAME_ANSWER_FLAGS = frozenset(CONTENT.split()) | {"cadence", "decision", "subgroups", "type", "count", "most",
                                                   "multi", "status", "district", "what_does"}


@dataclass(frozen=True)
class Question:
    """What the user asked.

    ``groups`` and ``organisations`` hold keys in order of mention; ``ambiguous`` lists
    organisation-key groups a single name stood for (e.g. "Wittenberg"); ``unknown_group`` is
    a group name that does not exist. Query fields (``member_types``, ``districts``,
    ``status``, ``ag_count``, ``count``, ``fewest``) restrict or aggregate members across AGs;
    ``seat`` ("MID"/"kommunal") picks one seat of the Doppelspitze. ``brief``/``detailed``:
    the user asked for a short or a complete answer; ``follow_up``: the question refers back
    ("Und wer ist Mitglied?"), ``elliptic``: it names a new thing but no question of its own
    ("Und die AG Finanzen?"). ``text`` is the part of the message this question came from.
    """

    intent: Intent
    language: str = "de"
    groups: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (word as written, candidate keys)
    unknown_group: str | None = None
    member_types: frozenset[str] = frozenset()  # OrganisationType values to list, empty: all
    type_word: str | None = None  # the word that asked for a kind of member ("Städte")
    persons: tuple[str, ...] = ()  # lead persons named ("Christine Makiol")
    topic: tuple[str, ...] = ()  # content words that name no entity
    unknown_organisation: str | None = None  # a name in "Ist X in der AG Y?" that is no known organisation
    unknown_person: str | None = None  # "Herr Meier"
    unknown_place: str | None = None  # "Leipzig" in "Ist Leipzig in einer AG?"
    day: tuple[int, int, int | None] | None = None  # a date in the question: (day, month, year or None)
    nth: int = 1  # 2 for "übernächste"
    seat: str | None = None  # "MID" or "kommunal"
    districts: tuple[str, ...] = ()  # Landkreis keys: members located in these districts
    status: str | None = None  # MembershipStatus value asked for
    ag_count: tuple[str, int] | None = None  # (">=", 2) "in mehr als einer AG", ("==", 4) "in allen", ("==", 1) "nur"
    count: bool = False  # "wie viele"
    fewest: bool = False  # "die wenigsten" (with intent GROUP_RANKING)
    glossary: tuple[str, ...] = ()  # abbreviations asked about, as written
    brief: bool = False
    detailed: bool = False
    follow_up: bool = False
    elliptic: bool = False
    milestone: tuple[str, str] | None = None  # (group key, milestone title) named by one of its words
    text: str = ""
    cues: frozenset[str] = field(default_factory=frozenset)


def split_parts(text: str) -> list[str]:
    """Split a message into at most :data:`MAX_PARTS` questions: at sentence ends (?, !, ;,
    a full stop before a capital) and at "und"/"and"/"," when a question word follows
    ("... und wann trifft sie sich?"). "AG Strategie und Umsetzung" stays whole."""
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
    parts: list[str] = []
    for sentence in sentences:
        start = 0
        pieces = []
        for match in _CONJUNCTION.finditer(sentence):
            rest = sentence[match.end():]
            first = words(rest[:40])[1][:2]
            if first and (first[0] in v.QUESTION_STARTS - {"is", "are", "do", "does", "ist", "sind"}
                          or first[:2] in (["gibt", "es"], ["bis", "wann"])):
                pieces.append(sentence[start:match.start()])
                start = match.end()
        pieces.append(sentence[start:])
        parts.extend(p.strip(" ,") for p in pieces if p.strip(" ,"))
    if len(parts) > MAX_PARTS:
        parts = parts[:MAX_PARTS - 1] + [" ".join(parts[MAX_PARTS - 1:])]
    return parts or [text]


class Understanding:
    """Turns text into :class:`Question` objects against one :class:`ProgrammeView`.

    Build once per view (it precomputes the fuzzy-match choices and the glossary) and call
    :meth:`parse_message` (all questions of a message) or :meth:`parse` (one question).
    ``previous``: the understanding of the view before a change; its choices and glossary are
    reused where the new view shares the index they come from (the same ``group_tokens`` or
    ``directory`` object, see :meth:`ProgrammeView.updated`).
    """

    group_choices: dict[str, frozenset[str]]
    group_names: NameIndex
    org_choices: dict[str, frozenset[str]]
    org_names: NameIndex
    glossary: Glossary
    milestone_words: dict[str, tuple[tuple[str, str], ...]]
    _milestone_cache: dict

    def __init__(self, view: ProgrammeView, previous: "Understanding | None" = None) -> None:
        self.view = view
        if previous is not None and previous.view.group_tokens is view.group_tokens:
            self.group_choices, self.group_names = previous.group_choices, previous.group_names
        else:
            self.group_choices = {" ".join(k): v for k, v in view.group_tokens.items()}
            self.group_names = NameIndex(self.group_choices)
        if previous is not None and previous.view.directory is view.directory:
            self.org_choices, self.org_names = previous.org_choices, previous.org_names
            self.glossary = previous.glossary
        else:
            self.org_choices = {" ".join(k): v for k, v in view.directory.by_tokens.items() if len(" ".join(k)) >= 5}
            self.org_names = NameIndex(self.org_choices)
            self.glossary = Glossary.build(view.programme.organisations)
        self.contact_names = frozenset(words(c.name)[1][-1] for c in view.programme.meta.contacts if c.name.strip())
        self.milestone_words, self._milestone_cache = milestone_words(
            view, previous._milestone_cache if previous is not None else None)

    # -- public ------------------------------------------------------------------------------
    def parse_message(self, text: str, room_group: str | None = None) -> tuple[Question, ...]:
        """All questions of one message (cleaned text, see :func:`bot.text.clean`), in order.

        A part that only says "kurz"/"ausführlich" sets that wish on the other parts; greetings
        and thanks next to real questions are dropped. Never raises.
        """
        parts = [self.parse(p, room_group) for p in split_parts(text)]
        if len(parts) == 1:
            return tuple(parts)
        brief = any(q.brief for q in parts)
        detailed = any(q.detailed for q in parts)
        content = [q for q in parts if q.intent not in (Intent.REPEAT, Intent.GREETING, Intent.THANKS)]
        if not content:
            return (parts[-1],)
        known = [q for q in content if q.intent is not Intent.UNKNOWN]
        chosen = known or content[:1]
        if len(chosen) == 1 and len(known) == 1 and not (brief or detailed):
            whole = self.parse(text, room_group)  # "Wer leitet die AG X? Danke" is one question
            if whole.intent is chosen[0].intent:
                return (whole,)
        return tuple(_replace(q, brief=brief, detailed=detailed) for q in chosen)

    def parse(self, text: str, room_group: str | None = None, context_group: str | None = None) -> Question:
        """Understand one question (already cleaned). ``room_group`` is the AG the room is
        linked to; it lets "Wer arbeitet mit?" mean that AG. ``context_group``: the AG the
        conversation was just about (see :mod:`bot.conversation`); a question that names no AG
        is then read as about an AG (flags ``group_or_room`` and ``context_group``), so that "Und die
        Tagesordnung?" means that AG's agenda, not the workshop's. The question's ``groups`` stay
        as written; the caller fills them in. Never raises."""
        originals, tokens, breaks = words_and_breaks(text)
        view = self.view
        taken: set[int] = set()
        group_spans, person_spans, org_spans = exact_all(
            tokens, [(view.group_tokens, view.longest_group_alias), (view.person_tokens or {}, 4),
                     (view.directory.by_tokens, view.directory.longest_alias)], taken)
        group_spans += fuzzy_spans(tokens, self.group_choices, self.group_names, taken, cutoff=85)
        org_spans += fuzzy_spans(tokens, self.org_choices, self.org_names, taken, cutoff=88, max_len=2)
        groups = ordered_keys(group_spans, prefer=lambda k: view.groups[k].kind == "AG")
        milestone = None
        for i, token in enumerate(tokens):
            found = self.milestone_words.get(token, ()) if i not in taken else ()
            found = tuple(f for f in found if f[0] in groups) if groups else found
            if len(found) == 1:  # one milestone of the AG named (or the only one with that word)
                milestone = found[0]
                break
        if room_group and not groups and set(tokens) & {"uns", "unserer", "unsere", "unser", "hier", "wir"}:
            groups = [room_group]  # "Ist Halle bei uns dabei?" in the room of an AG
        types, type_at = member_types(tokens, taken)
        district_of = district_spans(tokens, org_spans, lambda k: _is_landkreis(view, k), bool(types))
        org_spans = [s for s in org_spans if s not in district_of]
        districts = tuple(dict.fromkeys(k for s in district_of for k in sorted(s.keys) if _is_landkreis(view, k)))
        organisations: list[str] = []
        ambiguous = []
        for span in sorted(org_spans, key=lambda s: s.start):
            if len(span.keys) == 1:
                organisations.extend(k for k in span.keys if k not in organisations)
            else:
                ambiguous.append((" ".join(originals[span.start:span.end]), tuple(sorted(span.keys))))
        unknown = None if groups else unknown_group(originals, tokens, taken, breaks)
        if unknown:
            taken.update(i for i, w in enumerate(originals) if w in unknown.split())
        persons = tuple(dict.fromkeys(p for span in person_spans for p in sorted(span.keys)))
        words_set = set(tokens)
        flags = set().union(*(token_cues(t) for t in tokens)) if tokens else set()
        if any(t.startswith(v.CUES["not_lead"]) for t in tokens):
            if not any(any(t == c or t.startswith(c) for c in v.CUES["lead"]) and not t.startswith(v.CUES["not_lead"])
                       for t in tokens):
                flags.discard("lead")
        if {"vor"} <= words_set and any(t.startswith("sitz") for t in tokens):
            flags.add("lead")  # "Wer sitzt der AG vor?"
        if any(view.groups[k].kind == "UAG" for k in groups):
            flags.discard("subgroups")  # "die UAG Technische Umsetzung" names the group
        glossary = tuple(originals[i] for i, tok in enumerate(tokens)
                         if (term := self.glossary.lookup(tok)) is not None and term.short not in ("AG", "UAG")
                         and not (i in taken and len(tok) > 6))
        person_unknown = None if persons else unknown_person(originals, tokens, taken)
        if person_unknown and words(person_unknown)[1][-1] in self.contact_names:
            person_unknown = None  # "Herr Habel": named in the document's contacts
            flags_extra = {"contact_word"}
        else:
            flags_extra = set()
        flags |= flags_extra
        if person_unknown:
            taken.update(i for i, w in enumerate(originals) if w in person_unknown.split())
        topic = tuple(originals[i] for i, tok in enumerate(tokens) if i not in taken and not _is_plain(tok)
                      and not tok.isdigit() and len(tok) >= 3)
        unknown_org = None
        if groups and not (organisations or ambiguous) and tokens and tokens[0] in {"ist", "sind", "is", "are",
                                                                                  "arbeitet", "gehoert"}:
            name = [originals[i] for i in range(1, len(tokens)) if i not in taken and not _is_plain(tokens[i])
                    and tokens[i] not in v.GROUP_WORDS and originals[i][:1].isupper()]
            unknown_org = " ".join(name) or None
        # -- word flags ------------------------------------------------------------------------
        word_flags(flags, tokens, words_set)
        ag_count = read_ag_count(tokens, len(view.ags))
        status = next((v.STATUS_WORDS[t] for t in tokens if t in v.STATUS_WORDS), None)
        if status and words_set & v.WITHOUT:
            status = "!" + status  # "ohne Vorschläge": everything but that status
        if ag_count is None and types and (words_set & v.ABSENT or any(t <= words_set for t in v.ABSENT_TOGETHER)):
            ag_count = ("==", 0)
        seat = seat_side(tokens, organisations)
        unknown_place = None
        if tokens and not (groups or organisations or ambiguous or persons or unknown or person_unknown or districts):
            strong = bool(flags & {"members", "work_with", "registration", "where"}) or any(
                a == "in" and b in {"welchen", "welcher", "which", "einer", "a", "any", "keiner"}
                for a, b in zip(tokens, tokens[1:])) or bool(  # "Was hat Leipzig zu tun?": tasks of a place
                flags & {"chore", "task_word"} or flags & {"do_verb", "task_todo"} and words_set & v.MUST_WORDS)
            asks_membership = strong or bool(tokens[:1] and tokens[0] in v.YES_NO_START and "group_word" in flags)
            if asks_membership and not glossary:
                names: list[str] = unknown_names(originals, tokens, taken, first=0 if tokens and tokens[0] in v.WHO else 1)
                if not strong:  # "Ist Teams als Tool vorgesehen?": a word of the document is a topic
                    names = [n for n in names if not set(words(n)[1]) <= document_words()]
                names = [n for n in names if not any(token_cues(w) for w in words(n)[1])]  # "Aufträge" is no place
                unknown_place = names[0] if names else None
        for flag, present in (("group", bool(groups)), ("room_group", room_group is not None),
                              ("group_or_room", bool(groups) or room_group is not None or context_group is not None),
                              ("context_group", not groups and room_group is None and context_group is not None),
                              ("org", bool(organisations or ambiguous)), ("person", bool(persons)),
                              ("unknown_group", unknown is not None), ("unknown_person", person_unknown is not None),
                              ("unknown_org", unknown_org is not None), ("unknown_place", unknown_place is not None),
                              ("type", bool(types)), ("district", bool(districts)), ("status", status is not None),
                              ("multi", ag_count is not None), ("seat_side", seat is not None),
                              ("glossary_term", bool(glossary)), ("topic", bool(topic))):
            if present:
                flags.add(flag)
        if "count" in flags and flags & {"type", "members"}:
            flags.add("count_members")
        if "type" in flags and not (groups or room_group):
            flags.add("type_everywhere")
        if flags & {"group_word", "members", "type"}:
            flags.add("group_word_or_members")
        if "work_with" in flags and (groups or room_group):
            flags.add("work_with_group")
        if "list" in flags and "group_word" in flags and not groups and not unknown:
            flags.add("list_of_groups")
        if "decision" in flags and "when" not in flags:
            flags.add("decision_only")
        if "oft" in words_set or "often" in words_set:
            flags.add("often")
        if words_set & v.MUST_WORDS:
            flags.add("must")
        if _DATE_IN_TEXT.search(text):
            flags.add("dated")
        if flags & {"meeting", "next", "dated"}:
            flags.add("session_ref")  # "in der nächsten Sitzung", "nächstes Mal", "am 20.1."
        if words_set & {"dran", "drankommt", "drankommen"}:
            flags.discard("attend")  # "Was kommt ... dran?" asks for topics, not for who comes
            flags.discard("come")
        if any(t.startswith(("ergebnis", "beschluss", "beschluess", "result")) for t in tokens):
            flags.add("results_word")
        if not tokens or all(t in v.BRIEF | v.DETAILED | v.FILLER for t in tokens):
            if words_set & (v.BRIEF | v.DETAILED):
                flags.add("length_only")
        if milestone is not None:
            flags.add("milestone")
            if "when" not in flags and flags & {"clock", "when_where"} or words_set & {"liefern", "fertig", "abgeben"}:
                flags.add("when")
        frozen = frozenset(flags)
        intent = decide(frozen)
        follow_up = bool(tokens) and (tokens[0] in v.FOLLOW_UP_STARTS or tokens[:2] == ["what", "about"]
                                      or bool(words_set & v.PRONOUNS)
                                      or tokens[-1] in {"die", "der", "das", "den", "dem"})
        elliptic = follow_up and not (frozen & _NAME_ANSWER_FLAGS) and bool(
            groups or organisations or ambiguous or persons)
        day = None
        match = _DATE_IN_TEXT.search(text)
        if match:
            year = match.group(3)
            day = (int(match.group(1)), int(match.group(2)),
                   (int(year) + 2000 if len(year) == 2 else int(year)) if year else None)
        nth = 2 if any(t.startswith(("uebernaechst", "secondnext")) for t in tokens) or \
            {"after", "next"} <= words_set and "the" in tokens and "one" in tokens else 1
        return Question(
            intent=intent, language=detect_language(tokens), groups=tuple(groups), day=day, nth=nth,
            organisations=tuple(organisations), ambiguous=tuple(ambiguous), unknown_group=unknown,
            member_types=types, type_word=type_words(originals, tokens, type_at), persons=persons,
            topic=topic, unknown_organisation=unknown_org, unknown_person=person_unknown, unknown_place=unknown_place,
            seat=seat, districts=districts, status=status, ag_count=ag_count,
            count="count" in frozen or {"how", "many"} <= words_set, fewest="fewest" in frozen,
            glossary=glossary, brief=bool(words_set & v.BRIEF), detailed=bool(words_set & v.DETAILED),
            follow_up=follow_up, elliptic=elliptic, milestone=milestone, text=text, cues=frozen)

def _replace(q: Question, **changes) -> Question:
    import dataclasses
    return dataclasses.replace(q, **changes)


def _is_plain(token: str) -> bool:
    from bot.understanding.tokens import is_word
    return is_word(token)


def _is_landkreis(view: ProgrammeView, key: str) -> bool:
    org = view.directory.get(key)
    return org is not None and org.type.value == "Landkreis"


def find_groups(understanding: Understanding, text: str) -> list[str]:
    """Group keys named in ``text`` (exact alias first, then fuzzy), in order of mention."""
    _, tokens = words(text)
    taken: set[int] = set()
    view = understanding.view
    spans: list[Span] = exact_spans(tokens, view.group_tokens, view.longest_group_alias, taken)
    spans += fuzzy_spans(tokens, understanding.group_choices, understanding.group_names, taken, cutoff=85)
    return ordered_keys(spans, prefer=lambda k: view.groups[k].kind == "AG")


def suggest_groups(understanding: Understanding, text: str, limit: int = 2) -> list[str]:
    """Near misses for a group name that matched nothing (lower similarity bar), best first."""
    phrase = " ".join(words(text)[1])
    found = process.extract(phrase, list(understanding.group_choices), scorer=fuzz.WRatio,
                            score_cutoff=70, limit=limit * 3)
    keys: list[str] = []
    for name, _, _ in found:
        for key in sorted(understanding.group_choices[name]):
            if key not in keys:
                keys.append(key)
    return keys[:limit]
