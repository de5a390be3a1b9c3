"""Follow-up questions: continuing from the previous question of a conversation.

"Wer leitet die AG Finanzen?" then "Und wer ist Mitglied?" means the AG Finanzen; "Und die AG
Kommunikation?" asks the previous question again about another AG; "Kurz bitte" repeats the
previous answer shorter. Within one message, each part continues from the part before.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bot.context import ConversationContext
from bot.understanding import Intent, Question, words
from bot.understanding.vocabulary import HIGHEST

# Intents whose answer is about one AG: a follow-up without an AG takes the previous one.
GROUP_INTENTS = frozenset({Intent.LEAD, Intent.MEMBERS, Intent.GOALS, Intent.CONDITIONS, Intent.MILESTONES,
                           Intent.NEXT_MILESTONE, Intent.NEXT_SESSION, Intent.OVERVIEW, Intent.SUBGROUPS,
                           Intent.MEMBERSHIP, Intent.CADENCE, Intent.MEMBER_QUERY, Intent.TASKS,
                           Intent.GROUP_AGENDA, Intent.RESULTS, Intent.RISKS, Intent.ATTENDANCE,
                           Intent.MILESTONES_REACHED})
ORGANISATION_INTENTS = frozenset({Intent.ORGANISATION_GROUPS, Intent.MEMBERSHIP})
# Intents whose answer needs more than AGs and organisations (a name, a place, a word): repeated
# only by reading the earlier question again
NOT_REPEATABLE = frozenset({Intent.PERSON, Intent.UNKNOWN_PERSON, Intent.UNKNOWN_PLACE, Intent.GLOSSARY,
                            Intent.AGENDA, Intent.TOPIC, Intent.UNKNOWN, Intent.REPEAT})


@dataclass(frozen=True)
class Previous:
    """What the last answered question was about: its intent, group keys, organisation keys,
    topic words and language (the part of a question worth remembering)."""

    intent: Intent
    groups: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    language: str = "de"
    text: str = ""  # the question as asked (cleaned), so that a follow-up can read it again

    @classmethod
    def of(cls, q: Question, room_group: str | None = None) -> "Previous":
        groups = q.groups or ((room_group,) if room_group and q.intent in GROUP_INTENTS else ())
        organisations = q.organisations + tuple(k for _, keys in q.ambiguous for k in keys)
        return cls(q.intent, tuple(groups), tuple(organisations), q.topic, q.language, q.text[:500])

    @classmethod
    def from_context(cls, context: ConversationContext) -> "Previous | None":
        """From a stored context; None if its intent is unknown to this version."""
        try:
            intent = Intent(context.intent) if context.intent else Intent.UNKNOWN
        except ValueError:
            return None
        return cls(intent, context.groups, context.organisations, context.topic, context.language, context.question)

    def to_context(self, now: dt.datetime) -> ConversationContext:
        """The stored form, answered at ``now`` (timezone-aware)."""
        return ConversationContext(groups=self.groups, organisations=self.organisations, intent=self.intent.value,
                                   topic=self.topic, language=self.language, question=self.text, updated_at=now)


def resolve(q: Question, previous: Previous | None, same_message: bool = False,
            reparse: Callable[[str], Question] | None = None) -> Question:
    """``q`` completed from ``previous`` where it refers back; unchanged otherwise.

    Without a marker of reference ("und ...", a pronoun, "Kurz bitte"), a question only
    continues from the previous one within the same message. ``reparse`` reads the previous
    question's text again, so that "Kurz bitte" or "Und die AG Finanzen?" keep everything it
    asked for (filters, persons, places), not only its AG and organisations.
    """
    if previous is None:
        return q
    if q.intent is not Intent.REPEAT and not (q.follow_up or same_message):
        return q  # no reference back: the earlier question need not be read again
    before = reparse(previous.text) if reparse is not None and previous.text else None
    if before is not None and before.intent in (Intent.REPEAT, Intent.UNKNOWN):
        before = None
    if q.intent is Intent.REPEAT:
        if before is not None:
            return dataclasses.replace(before, brief=q.brief, detailed=q.detailed, groups=before.groups or previous.groups)
        if previous.intent in NOT_REPEATABLE:
            return q
        return dataclasses.replace(q, intent=previous.intent, groups=previous.groups,
                                   organisations=previous.organisations, topic=previous.topic,
                                   language=previous.language, cues=q.cues | {"repeat"})
    refers = q.follow_up or same_message
    if not refers:
        return q
    if q.elliptic and previous.intent not in (Intent.UNKNOWN, Intent.GREETING, Intent.THANKS, Intent.HELP):
        groups, organisations = q.groups, q.organisations
        if previous.intent is Intent.MEMBERSHIP:  # "Ist X in der AG Y?" - "Und Z?" / "Und die AG W?"
            groups = groups or previous.groups
            if not (organisations or q.ambiguous):
                organisations = previous.organisations
        if before is not None and before.intent not in NOT_REPEATABLE:
            # the earlier question again, with the new AG or organisation: "Welche Landkreise sind in der
            # AG X?" - "Und in der AG Y?" keeps "Landkreise"
            return dataclasses.replace(before, groups=groups or before.groups,
                                       organisations=organisations or before.organisations,
                                       ambiguous=q.ambiguous if q.ambiguous else before.ambiguous,
                                       text=q.text, language=q.language, brief=q.brief, detailed=q.detailed)
        if previous.intent in NOT_REPEATABLE:
            return q
        return dataclasses.replace(q, intent=previous.intent, groups=groups, organisations=organisations)
    if q.intent in GROUP_INTENTS and not q.groups and not q.unknown_group and previous.groups:
        q = dataclasses.replace(q, groups=previous.groups)
    if q.intent in ORGANISATION_INTENTS and not q.organisations and not q.ambiguous and previous.organisations:
        q = dataclasses.replace(q, organisations=previous.organisations)
    return q


# Without "und" or a pronoun, a question is read against the conversation's AG only when the bot
# could not place it otherwise, or would answer it from the 2022 workshop though it names a thing
# every AG has ("Tagesordnung?", "Wer kommt?")
_PLACED_BY_CONTEXT = frozenset({Intent.UNKNOWN, Intent.AGENDA})


def in_context(turn, q: Question, previous: Previous | None) -> Question:
    """``q`` read again as a question about the AG the conversation was just about, where it names
    none and the room is linked to none: "Wer leitet die AG Finanzen?" then "Und die Tagesordnung?"
    is that AG's agenda (not the workshop's), "Wer kommt?" its attendance, "Was ist das größte
    Risiko?" its highest risk. Only taken when the question refers back (or is otherwise not placed,
    see :data:`_PLACED_BY_CONTEXT`) and the reading with the AG asks something else about one AG
    (:data:`GROUP_INTENTS`) than the reading without it; the AG is then filled in.
    ``turn``: a :class:`bot.commands.registry.Turn` (its understanding and room's AG)."""
    if previous is None or not previous.groups or turn.room_group is not None:
        return q
    if q.groups or q.organisations or q.ambiguous or q.unknown_group or q.persons or q.unknown_place \
            or q.unknown_person or q.intent in (Intent.REPEAT, Intent.GREETING, Intent.THANKS, Intent.HELP):
        return q
    if q.intent is Intent.RISKS and _asks_highest(q.text):
        return dataclasses.replace(q, groups=previous.groups[:1])  # "das größte Risiko": of the AG just asked about
    if not q.follow_up and q.intent not in _PLACED_BY_CONTEXT:
        return q  # no reference back: "Was wurde beschlossen?" stays the workshop's decisions
    again = turn.understanding.parse(q.text, None, context_group=previous.groups[0])
    if again.intent is q.intent or again.intent not in GROUP_INTENTS:
        return q  # resolve() fills in the AG where the question refers back
    return dataclasses.replace(again, groups=previous.groups[:1], brief=q.brief, detailed=q.detailed)



def refers_back(q: Question, room_group: str | None, same_message: bool = False) -> bool:
    """Whether :func:`in_context` or :func:`resolve` may read ``q`` against the previous question
    of the conversation: it refers back ("und ...", a pronoun, "Kurz bitte"), is a later part of one
    message (``same_message``), or names no AG in a room linked to none and is one that
    :func:`in_context` places by the conversation's AG (not understood, the agenda, the highest
    risk). False means both return ``q`` unchanged whatever the previous question was, so the
    stored context need not be read (the router then saves a read per answer). Errs towards True."""
    if q.follow_up or same_message or q.intent is Intent.REPEAT:
        return True
    return room_group is None and not q.groups and (q.intent in _PLACED_BY_CONTEXT or q.intent is Intent.RISKS)


def _asks_highest(text: str) -> bool:
    return any(token.startswith(HIGHEST) for token in words(text)[1])
