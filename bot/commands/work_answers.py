"""Questions in plain words about the work between sessions, answered from the stores:

* tasks (:data:`Intent.TASKS`): "Welche Aufgaben sind in der AG Finanzen offen?", "Was muss Halle
  bis nächste Woche erledigen?", "Gibt es überfällige Aufträge?" — the AG (named or the room's;
  none: all AGs), an owner (an organisation named), the state (open, done, overdue; "meine" /
  "ich" for the asker's own) and a due limit read from the words (:func:`due_limit`);
* the next session's agenda (:data:`Intent.GROUP_AGENDA`);
* results and decisions of an AG (:data:`Intent.RESULTS`).

The rules are general (cue words, entity slots, date ranges), not a list of sentences.
"""
from __future__ import annotations

from bot.answers import t
from bot.commands.agenda import agenda_reply
from bot.commands.registry import Turn
from bot.commands.results import results_reply
from bot.commands.tasks import listing, select
from bot.commands.work import today
from bot.directory import display_name
from bot.messages import Reply
from bot.understanding import Intent, Question
from bot.understanding.periods import due_limit
from bot.understanding.tokens import words

WORK_INTENTS = frozenset({Intent.TASKS, Intent.GROUP_AGENDA, Intent.RESULTS})
DONE_WORDS = ("erledigt", "abgeschlossen", "done", "completed", "finished", "geschafft", "fertig")
OVERDUE_WORDS = ("ueberfaellig", "overdue", "verzug", "verspaetet", "liegengeblieben", "late")
MINE_WORDS = {"ich", "mir", "meine", "meinen", "mich", "i", "me", "my", "mine"}


def task_filter(text: str) -> str:
    """"done", "overdue", "mine" or "open" (the default) from the question's words."""
    _, tokens = words(text)
    if any(tok.startswith(OVERDUE_WORDS) for tok in tokens):
        return "overdue"
    if any(tok.startswith(DONE_WORDS) for tok in tokens):
        return "done"
    if set(tokens) & MINE_WORDS:
        return "mine"
    return "open"


async def answer(turn: Turn, q: Question) -> Reply | None:
    """The answer to ``q`` if it is about tasks, the agenda or results and their store is set up;
    else None (the router answers it like any other question)."""
    svc = turn.svc
    group_key = q.groups[0] if q.groups else turn.room_group
    group = turn.view.groups.get(group_key or "")
    lang = turn.language
    if q.intent is Intent.GROUP_AGENDA and svc.agenda is not None and group is not None:
        return await agenda_reply(turn, group)
    if q.intent is Intent.RESULTS and svc.results is not None and group is not None:
        return await results_reply(turn, group, None)
    if q.intent is not Intent.TASKS or svc.tasks is None:
        return None
    which = task_filter(q.text)
    until = due_limit(q.text, today(turn)) if which != "done" else None
    found = select(turn, await svc.tasks.tasks(None if group is None else {group.key}), which)
    owner = None
    if q.organisations:
        org = turn.view.directory.get(q.organisations[0])
        owner = display_name(org) if org else q.organisations[0]
        found = [x for x in found if x.owner is not None and x.owner.organisation == q.organisations[0]]
    if until is not None:
        found = [x for x in found if x.due is not None and x.due <= until]
    reply = listing(turn, found, which, group, owner, until)
    if not found and group is None and which != "mine":
        reply = Reply(reply.lead, footer=t(lang, "Alle Aufträge einer AG: !auftraege <AG>",
                                           "All tasks of a group: !tasks <group>"), language=lang)
    return reply
