"""The answer table: one answer function per :class:`~bot.understanding.Intent`.

Every function takes an :class:`Asked` (what the question is read against) and the
:class:`~bot.understanding.Question`, and returns a :class:`~bot.messages.Reply`, or None when
the data has nothing to say (the router then searches the workshop document). Errors the user
can fix (an AG that does not exist, a question that needs an AG) are raised as
:class:`~bot.errors.UserError`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bot.answers import dates, groups, programme, queries
from bot.answers.common import BRIEF_LIMIT, SHORT_LIMIT, group_not_found, which_group
from bot.answers.i18n import t
from bot.document import answers as document
from bot.formatting import BERLIN, date_short
from bot.glossary import Glossary
from bot.messages import Reply
from bot.programme import Group
from bot.understanding import Intent, Question, words
from bot.view import ProgrammeView


@dataclass(frozen=True)
class Asked:
    """What a question is answered against: the snapshot, its glossary, the clock (aware),
    the answer language and the AG the room is linked to (key or None)."""

    view: ProgrammeView
    glossary: Glossary
    now: dt.datetime
    language: str
    room_group: str | None = None


AnswerFunction = Callable[[Asked, Question], Reply | None]


def _group(a: Asked, q: Question) -> Group | None:
    return a.view.groups.get((q.groups[0] if q.groups else None) or a.room_group or "")


def _today(a: Asked) -> dt.date:
    """The local day (Europe/Berlin) the question is asked on: it decides which milestones are overdue."""
    return a.now.astimezone(BERLIN).date()


def _need_group(a: Asked, q: Question) -> Group:
    if q.unknown_group and not q.groups:
        raise group_not_found(a.view, q.unknown_group, a.language)
    group = _group(a, q)
    if group is None:
        raise which_group(a.view, a.language)
    return group


def _no_unknown_group(a: Asked, q: Question) -> Group | None:
    if q.unknown_group and not q.groups:
        raise group_not_found(a.view, q.unknown_group, a.language)
    return _group(a, q)


def _lead(a: Asked, q: Question) -> Reply:
    if _no_unknown_group(a, q) is None:
        return groups.answer_all_leads(a.view, a.language)
    return groups.answer_lead(a.view, _need_group(a, q), a.language, seat=q.seat)


def _members(a: Asked, q: Question) -> Reply:
    group = _no_unknown_group(a, q)
    if group is None and q.member_types:
        return queries.answer_member_query(a.view, a.language, types=q.member_types, type_word=q.type_word)
    return groups.answer_members(a.view, _need_group(a, q), a.language, q.member_types, q.type_word,
                                 yes_no="yes_no" in q.cues)


def _organisations(a: Asked, q: Question) -> list:
    found = [a.view.directory.get(k) for k in q.organisations]
    found += [a.view.directory.get(k) for _, keys in q.ambiguous for k in keys]
    return [o for o in found if o is not None]


def _membership(a: Asked, q: Question) -> Reply:
    group = _need_group(a, q)
    lang = a.language
    if q.unknown_organisation and not q.organisations and not q.ambiguous:
        return Reply(t(lang, f"„{q.unknown_organisation}“ kenne ich nicht: weder als Kommune oder Landkreis in "
                             f"Sachsen-Anhalt noch als Organisation der AGs. Mitglieder der {group.label}: "
                             f"!mitglieder {group.name}",
                       f"I do not know \"{q.unknown_organisation}\": it is neither a municipality or district "
                       f"of Sachsen-Anhalt nor an organisation of the groups. Members: !members {group.name}"),
                     language=lang)
    orgs = _organisations(a, q)
    if len(q.groups) > 1 and len(orgs) == len(q.groups) and not q.ambiguous:
        # "Ist Halle in der AG Finanzen und Zerbst in der AG Kommunikation?": pairs in order of mention
        replies = [groups.answer_membership(a.view, o, a.view.groups[k], lang) for o, k in zip(orgs, q.groups)]
    else:
        replies = [groups.answer_membership(a.view, o, group, lang) for o in orgs]
    if not replies:
        return groups.answer_members(a.view, group, lang)
    if len(replies) == 1:
        return replies[0]
    return Reply(replies[0].lead, tuple(r.lead for r in replies[1:]), language=lang) if len(q.groups) <= 1 \
        else Reply.combine(tuple(replies))


def _organisation_groups(a: Asked, q: Question) -> Reply:
    if q.ambiguous and not q.organisations:
        word, keys = q.ambiguous[0]
        found = [org for k in keys if (org := a.view.directory.get(k)) is not None]
        return groups.answer_organisation_groups(a.view, found, a.language, word)
    return groups.answer_organisation_groups(a.view, _organisations(a, q), a.language)


def _member_query(a: Asked, q: Question) -> Reply:
    group = _no_unknown_group(a, q)
    chosen = tuple(q.groups) or ((group.key,) if group is not None and q.ag_count is None and not q.districts
                                 and not (q.member_types and "type_everywhere" in q.cues) else ())
    return queries.answer_member_query(a.view, a.language, types=q.member_types, type_word=q.type_word,
                                       districts=q.districts, status=q.status, groups=chosen, ag_count=q.ag_count,
                                       count=q.count, yes_no="yes_no" in q.cues, limit=_limit(q))


def _limit(q: Question) -> int | None:
    """How many list entries the answer shows: all when "ausführlich", else the short limits."""
    return None if q.detailed else BRIEF_LIMIT if q.brief else SHORT_LIMIT


def _topic(a: Asked, q: Question) -> Reply | None:
    return programme.answer_topic(a.view, q.topic, a.language)


def _next_milestone(a: Asked, q: Question) -> Reply:
    group = _no_unknown_group(a, q)
    if q.milestone is not None and (group is None or group.key == q.milestone[0]):
        return dates.answer_milestone_due(a.view, a.view.groups[q.milestone[0]], q.milestone[1], a.now, a.language)
    return dates.answer_next_milestone(a.view, group, a.now, a.language)


def _agenda(a: Asked, q: Question) -> Reply:
    meta = a.view.programme.meta
    opened = any(t.startswith(("eroeffn", "begruess", "opened", "welcom")) for t in q.cues | set(
        words(q.text)[1]))
    if opened and "who" in q.cues and meta.opened_by:
        start = meta.agenda[0].time.strftime("%H:%M") if meta.agenda else None
        at = t(a.language, f" um {start} Uhr" if start else "", f" at {start}" if start else "")
        return Reply(t(a.language, f"Eröffnet hat den Workshop am {date_short(meta.workshop_date)}{at} {meta.opened_by} "
                                   f"(Begrüßung).",
                       f"The workshop on {date_short(meta.workshop_date)} was opened{at} by {meta.opened_by}."),
                     language=a.language)
    return document.answer_agenda(a.view, a.language, asked=q.text)


def _session(a: Asked, q: Question) -> Reply:
    group = _no_unknown_group(a, q)
    if q.day is not None and group is not None:
        return dates.answer_session_on(a.view, group, q.day, a.now, a.language)
    return dates.answer_next_session(a.view, group, a.now, a.language, q.nth)


def _fixed(text_de: str, text_en: str) -> AnswerFunction:
    return lambda a, q: Reply(t(a.language, text_de, text_en), language=a.language)


ANSWERS: dict[Intent, AnswerFunction] = {
    Intent.LEAD: _lead,
    Intent.MEMBERS: _members,
    Intent.MEMBERSHIP: _membership,
    Intent.ORGANISATION_GROUPS: _organisation_groups,
    Intent.MEMBER_QUERY: _member_query,
    Intent.GROUP_RANKING: lambda a, q: queries.answer_group_ranking(a.view, a.language, types=q.member_types,
                                                                    type_word=q.type_word, fewest=q.fewest),
    Intent.ORGANISATION_RANKING: lambda a, q: queries.answer_organisation_ranking(
        a.view, a.language, types=q.member_types, type_word=q.type_word, limit=_limit(q)),
    Intent.LIST_GROUPS: lambda a, q: groups.answer_list_groups(a.view, a.language),
    Intent.SUBGROUPS: lambda a, q: groups.answer_subgroups(a.view, _no_unknown_group(a, q), a.language),
    Intent.GOALS: lambda a, q: groups.answer_goals(a.view, _need_group(a, q), a.language),
    Intent.CONDITIONS: lambda a, q: groups.answer_conditions(a.view, _need_group(a, q), a.language),
    Intent.MILESTONES: lambda a, q: dates.answer_milestones(a.view, _need_group(a, q), a.language, _today(a)),
    Intent.NEXT_MILESTONE: lambda a, q: _next_milestone(a, q),
    Intent.MILESTONES_REACHED: lambda a, q: dates.answer_milestones_reached(a.view, _no_unknown_group(a, q), a.language,
                                                                           q.milestone),
    Intent.NEXT_SESSION: _session,
    Intent.FIRST_SESSIONS: lambda a, q: dates.answer_first_sessions(a.view, a.now, a.language),
    Intent.NEXT_EXCHANGE: lambda a, q: dates.answer_next_exchange(a.view, a.now, a.language),
    Intent.CADENCE: lambda a, q: dates.answer_cadence(a.view, a.view.groups.get(q.groups[0]) if q.groups else None,
                                                      a.language),
    Intent.REGISTRATION_DEADLINE: lambda a, q: dates.answer_registration_deadline(a.view, a.now, a.language),
    Intent.DECISIONS: lambda a, q: programme.answer_decisions(a.view, a.language),
    Intent.OVERVIEW: lambda a, q: groups.answer_overview(a.view, _need_group(a, q), a.now, a.language),
    Intent.PERSON: lambda a, q: programme.answer_person(a.view, q.persons, a.language),
    Intent.UNKNOWN_PERSON: lambda a, q: programme.answer_unknown_person(a.view, q.unknown_person or "", a.language),
    Intent.UNKNOWN_PLACE: lambda a, q: programme.answer_unknown_place(a.view, q.unknown_place or "", a.language),
    Intent.NEXT_STEPS: lambda a, q: programme.answer_next_steps(a.view, a.now, a.language),
    Intent.WORKSHOP: lambda a, q: programme.answer_workshop(a.view, a.language),
    Intent.LEGAL: lambda a, q: programme.answer_legal(a.view, a.language),
    Intent.SUPPORT: lambda a, q: programme.answer_support(a.view, a.language),
    Intent.MILESTONE_RULE: lambda a, q: programme.answer_milestone_rule(a.view, a.language),
    Intent.SEAT_WHEN: lambda a, q: programme.answer_seat_when(a.view, a.language),
    Intent.FEEDBACK: lambda a, q: programme.answer_feedback(a.view, a.language),
    Intent.GLOSSARY: lambda a, q: programme.answer_glossary(a.glossary, q.glossary, a.language),
    Intent.TOPIC: _topic,
    Intent.AGENDA: lambda a, q: _agenda(a, q),
    Intent.CONTACTS: lambda a, q: document.answer_contacts(a.view, a.language),
    Intent.GREETING: _fixed("Hallo! Ich beantworte Fragen zu den Arbeitsgruppen, z. B. „Wer leitet die AG Finanzen?“. "
                            "Alle Befehle: !hilfe", "Hello! I answer questions about the working groups, e.g. "
                            "\"Who leads the Finanzen group?\". All commands: !help"),
    Intent.THANKS: _fixed("Gern geschehen!", "You're welcome!"),
    Intent.HELP: _fixed("Ich beantworte Fragen zu den Arbeitsgruppen: wer sie leitet, wer mitarbeitet, was sie "
                        "klären wollen, Meilensteine und Termine, und was im Workshop-Protokoll steht. Alle Befehle: !hilfe",
                        "I answer questions about the working groups: leads, members, goals, milestones and dates, "
                        "and what the workshop minutes say. All commands: !help"),
}

# Where the whole list is, when an answer is cut ("… und 18 weitere: !ziele Kooperationsmodell")
MORE_COMMANDS: dict[Intent, tuple[str, str]] = {
    Intent.GOALS: ("!ziele {group}", "!goals {group}"),
    Intent.CONDITIONS: ("!ag {group}", "!group {group}"),
    Intent.MEMBERS: ("!mitglieder {group}", "!members {group}"),
    Intent.MILESTONES: ("!meilensteine {group}", "!milestones {group}"),
    Intent.DECISIONS: ("„ausführlich“", "\"in full\""),
    Intent.FEEDBACK: ("„ausführlich“", "\"in full\""),
    Intent.NEXT_STEPS: ("„ausführlich“", "\"in full\""),
    Intent.MEMBER_QUERY: ("„ausführlich“", "\"in full\""),
}


# Lists that stay whole up to this length (the workshop agenda has ten points)
LIMITS: dict[Intent, int] = {Intent.AGENDA: 12}


def answer(asked: Asked, question: Question) -> Reply | None:
    """The answer to one understood question, or None when the table has nothing for it."""
    function = ANSWERS.get(question.intent)
    return function(asked, question) if function else None
