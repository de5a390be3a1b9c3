"""What to say when no answer fits: questions the bot can answer, close to what was understood;
and the finishing touch of every answer: abbreviations spelled out on first use."""
from __future__ import annotations

import dataclasses

from bot.answers.i18n import t
from bot.directory import display_name
from bot.glossary import Glossary
from bot.messages import Reply
from bot.understanding import Question
from bot.view import ProgrammeView


def suggestions(view: ProgrammeView, q: Question, room_group: str | None = None, limit: int = 3) -> tuple[str, ...]:
    """Two or three questions the bot can answer, built from what was understood of ``q``: the
    AG or organisation it named, the topic words it used; generic ones when nothing was."""
    lang = q.language
    group = view.groups.get((q.groups[0] if q.groups else None) or room_group or "")
    org = view.directory.get(q.organisations[0]) if q.organisations else None
    found: list[str] = []
    if group is not None:
        found += [t(lang, f"„Wer leitet die {group.label}?“", f"\"Who leads the {group.label}?\""),
                  t(lang, f"„Was will die {group.label} klären?“", f"\"What are the goals of the {group.label}?\""),
                  t(lang, f"„Wann tagt die {group.label}?“", f"\"When does the {group.label} meet?\"")]
    if org is not None:
        found.insert(0, t(lang, f"„In welchen AGs ist {display_name(org)}?“", f"\"Which groups is {display_name(org)} in?\""))
    cues = q.cues
    if "milestone" in cues:
        found.insert(0, t(lang, "„Wann ist der nächste Meilenstein fällig?“", "\"When is the next milestone due?\""))
    if cues & {"session", "when"}:
        found.insert(0, t(lang, "„Wann ist die nächste Sitzung der AG Finanzen?“",
                          "\"When does the Finanzen group meet next?\""))
    if cues & {"members", "type"} and org is None and group is None:
        found.insert(0, t(lang, "„Welche Kommunen sind in mehr als einer AG?“",
                          "\"Which municipalities are in more than one group?\""))
    if not found:
        found = [t(lang, "„Wer leitet die AG Finanzen?“", "\"Who leads the Finanzen group?\""),
                 t(lang, "„Welche Arbeitsgruppen gibt es?“", "\"Which working groups are there?\""),
                 t(lang, "„Was wurde am 19.10.2022 beschlossen?“", "\"What was decided on 19.10.2022?\"")]
    return tuple(dict.fromkeys(found))[:limit]


def spell_out(glossary: Glossary, reply: Reply) -> Reply:
    """``reply`` with each abbreviation spelled out at its first use (see
    :meth:`bot.glossary.Glossary.spell_out_first`); errors and glossary answers stay as they are."""
    if reply.parts:
        texts = [p for part in reply.parts for p in (part.lead, *part.items, part.footer or "")]
    else:
        texts = [reply.lead, *reply.items, reply.footer or ""]
    if "steht für" in reply.lead or "stands for" in reply.lead:
        return reply
    done = iter(glossary.spell_out_first(texts))

    def rebuild(part: Reply) -> Reply:
        lead = next(done)
        items = tuple(next(done) for _ in part.items)
        footer = next(done)
        return dataclasses.replace(part, lead=lead, items=items, footer=footer or None)

    if reply.parts:
        parts = tuple(rebuild(p) for p in reply.parts)
        return dataclasses.replace(reply, parts=parts, lead=parts[0].lead, items=parts[0].items, footer=parts[0].footer)
    return rebuild(reply)
