"""Arbeitsaufträge (tasks): ``auftrag`` / ``task``, ``auftraege`` / ``tasks``, ``erledigt`` /
``done``, ``auftrag-aendern`` / ``task-edit``, ``auftrag-loeschen`` / ``task-delete``.

Roles: every member may add a task for nobody, for themselves (``fuer=mich``) or for an
organisation of the AG, and mark done tasks they own or created and tasks of organisations (the
bot does not know which organisation a chat user works for; the audit names who closed it). The
AG's coordinators and admins may also assign tasks to other people, change, close and delete any
task. Due days are Europe/Berlin days; open tasks with a due day are reminded (``[reminders]
task_before``). Every change is audited (``!verlauf``).
"""
from __future__ import annotations

import datetime as dt

from bot.answers import t
from bot.commands.registry import Turn, command, unbracket, usage_error
from bot.commands.work import (actor, check_text, due_arg, group_from_turn, is_owner, number_arg, owner_arg,
                               refuse_duplicate, same_title, split_group, split_options, task_store, today,
                               unbracket_options)
from bot.errors import PermissionDenied, UserError
from bot.messages import Reply
from bot.ports import _UNSET, Task
from bot.programme import Group
from bot.text import fold
from bot.work_text import task_text

OPTIONS = {"fuer": "fuer", "für": "fuer", "for": "fuer", "owner": "fuer", "bis": "bis", "due": "bis",
           "titel": "titel", "title": "titel"}
FILTERS = {"offen": "open", "open": "open", "erledigt": "done", "done": "done", "ueberfaellig": "overdue",
           "uberfallig": "overdue", "overdue": "overdue", "meine": "mine", "mine": "mine", "my": "mine",
           "alle": "all", "all": "all"}
LIST_LIMIT = 30


def task_line(turn: Turn, task: Task, with_group: bool = False) -> str:
    """``"Nr. 3: Konzept entwerfen – für Halle (Saale), bis 31.03.2023 (überfällig)"``."""
    return task_text(turn.view, task, today(turn), turn.language, with_group)


def _may_manage(turn: Turn, group_key: str) -> bool:
    return turn.svc.roles.may_manage(turn.message.sender, group_key)


async def _task(turn: Turn, args: str, name: str) -> tuple[Task, str]:
    words = args.split()
    if not words:
        raise usage_error(name, turn.language)
    number = number_arg(words[0], name, turn.language)
    task = await task_store(turn).get(number)
    if task is None:
        raise UserError(f"Einen Auftrag Nr. {number} gibt es nicht.", f"There is no task no. {number}.",
                        footer="Offene Aufträge: !auftraege", footer_en="Open tasks: !tasks")
    return task, args.split(None, 1)[1] if len(words) > 1 else ""


def _group_of(turn: Turn, task: Task) -> Group:
    group = turn.view.groups.get(task.group_key)
    if group is None:
        raise UserError(f"Die AG des Auftrags Nr. {task.id} gibt es nicht mehr.",
                        f"The group of task no. {task.id} no longer exists.")
    return group


@command("auftrag", "task", args="<AG> <Titel> [fuer=<Organisation oder Person>] [bis=<Datum>]",
         args_en="<group> <title> [for=<organisation or person>] [due=<date>]",
         help="legt einen Arbeitsauftrag an", help_en="adds a task",
         example="!auftrag Finanzen Entwurf Nutzungskonzept fuer=Halle bis=31.03.2023", free_text=True)
async def add_task(turn: Turn, args: str) -> Reply:
    store = task_store(turn)
    lang = turn.language
    head, options = split_options(args, OPTIONS)
    options = unbracket_options(options, "titel")
    if not head:
        raise usage_error("auftrag", lang)
    group, title = split_group(turn, head, "auftrag")
    if not title:
        raise usage_error("auftrag", lang, t(lang, "Der Titel des Auftrags fehlt.", "The task's title is missing."))
    title = check_text(title, lang)
    owner = owner_arg(turn, group, options["fuer"]) if options.get("fuer") else None
    sender = turn.message.sender
    if owner is not None and owner.user_id and not is_owner(sender, owner) and not _may_manage(turn, group.key):
        raise PermissionDenied(f"Aufträge an andere Personen vergeben nur die Koordination der {group.label} und Admins. "
                               f"Sie können den Auftrag für sich (fuer=mich) oder für eine Organisation anlegen.",
                               f"Only the {group.label}'s coordinators and admins assign tasks to other people. You "
                               "may add it for yourself (for=me) or for an organisation.")
    due = due_arg(options["bis"], turn) if options.get("bis") else None  # refuses past and far days
    twin = next((t_ for t_ in await store.tasks([group.key], "open") if same_title(t_.title, title)), None)
    if twin is not None:
        raise refuse_duplicate(twin.id, f"Einen offenen Auftrag „{twin.title}“ der {group.label}",
                               f"An open task \"{twin.title}\" of the {group.label}",
                               f"Ändern: !auftrag-aendern {twin.id} · Alle: !auftraege {group.name}",
                               f"Change it: !task-edit {twin.id} · All: !tasks {group.name}")
    task = await store.create(group.key, title, owner, due, actor(turn), turn.now)
    if due is not None:
        await turn.svc.schedule_changed()  # the reminder scheduler plans the new due day
    return Reply(t(lang, f"Auftrag angelegt für die {group.label}:", f"Task added for the {group.label}:"),
                 (task_line(turn, task),),
                 t(lang, f"Erledigt melden: !erledigt {task.id}", f"Mark it done: !done {task.id}"),
                 language=lang, kind="confirmation")


def select(turn: Turn, found: list[Task], which: str) -> list[Task]:
    """Tasks of one filter: "open" (also overdue), "done", "overdue", "mine" (open ones the sender
    owns or created), "all"."""
    day, sender = today(turn), turn.message.sender
    if which == "open":
        return [x for x in found if x.state == "open"]
    if which == "done":
        return [x for x in found if x.state == "done"]
    if which == "overdue":
        return [x for x in found if x.overdue(day)]
    if which == "mine":
        return [x for x in found if x.state == "open" and (is_owner(sender, x.owner) or (
            x.created_by == sender.user_id and x.created_platform == sender.platform))]
    return found


def listing(turn: Turn, tasks: list[Task], which: str, group: Group | None, owner: str | None = None,
            until: dt.date | None = None) -> Reply:
    """The answer listing ``tasks`` (already filtered), with a lead that says what was asked."""
    lang = turn.language
    where_de = f" der {group.label}" if group else ""
    where_en = f" of the {group.label}" if group else ""
    if owner:
        where_de += f" für {owner}"
        where_en += f" for {owner}"
    if until:
        where_de += f" mit Frist bis {until:%d.%m.%Y}"
        where_en += f" due by {until:%d.%m.%Y}"
    kind_de = {"open": "Offene Aufträge", "done": "Erledigte Aufträge", "overdue": "Überfällige Aufträge",
               "mine": "Ihre offenen Aufträge", "all": "Aufträge"}[which]
    kind_en = {"open": "Open tasks", "done": "Tasks done", "overdue": "Overdue tasks", "mine": "Your open tasks",
               "all": "Tasks"}[which]
    if not tasks:
        none_de = {"open": "offenen", "done": "erledigten", "overdue": "überfälligen", "mine": "offenen",
                   "all": ""}[which]
        none_en = {"open": "open ", "done": "finished ", "overdue": "overdue ", "mine": "open ", "all": ""}[which]
        mine = t(lang, " für Sie", " for you") if which == "mine" else ""
        return Reply(t(lang, f"Es gibt keine {none_de} Aufträge{where_de}{mine}.".replace("  ", " "),
                       f"There are no {none_en}tasks{where_en}{mine}."), language=lang)
    overdue = sum(1 for x in tasks if x.overdue(today(turn)))
    extra = t(lang, f", davon {overdue} überfällig", f", {overdue} overdue") if overdue and which in ("open", "mine") \
        else ""
    shown = tasks[:LIST_LIMIT]
    footer = t(lang, f"… und {len(tasks) - len(shown)} weitere.", f"… and {len(tasks) - len(shown)} more.") \
        if len(tasks) > len(shown) else None
    return Reply(t(lang, f"{kind_de}{where_de} ({len(tasks)}{extra}):", f"{kind_en}{where_en} ({len(tasks)}{extra}):"),
                 tuple(task_line(turn, x, with_group=group is None) for x in shown), footer, language=lang)


@command("auftraege", "tasks", args="[AG] [offen|erledigt|ueberfaellig|meine|alle]",
         args_en="[group] [open|done|overdue|mine|all]", help="Arbeitsaufträge einer AG (ohne Angabe: offene)",
         help_en="a group's tasks (default: open ones)", example="!auftraege Finanzen ueberfaellig")
async def list_tasks(turn: Turn, args: str) -> Reply:
    store = task_store(turn)
    words = args.split()
    which = "open"
    if words and fold(words[-1]) in FILTERS:
        which = FILTERS[fold(words[-1])]
        words = words[:-1]
    group = group_from_turn(turn, " ".join(words), "auftraege")
    found = await store.tasks(None if group is None else {group.key})
    return listing(turn, select(turn, found, which), which, group)


@command("erledigt", "done", args="<Nr>", args_en="<no>", help="meldet einen Arbeitsauftrag als erledigt",
         help_en="marks a task done", example="!erledigt 3")
async def complete(turn: Turn, args: str) -> Reply:
    store = task_store(turn)
    lang = turn.language
    task, _ = await _task(turn, args, "erledigt")
    group = _group_of(turn, task)
    if task.state == "done":
        raise UserError(f"Auftrag Nr. {task.id} ist schon erledigt.", f"Task no. {task.id} is already done.")
    sender = turn.message.sender
    own = is_owner(sender, task.owner) or (task.created_by == sender.user_id and task.created_platform == sender.platform)
    organisation = task.owner is not None and task.owner.organisation is not None
    if not (own or organisation or task.owner is None or _may_manage(turn, group.key)):
        raise PermissionDenied(f"Den Auftrag Nr. {task.id} kann nur erledigt melden, wem er gehört, wer ihn angelegt hat, "
                               f"oder die Koordination der {group.label}.",
                               f"Only the task's owner, its creator or the {group.label}'s coordinators may mark it done.")
    done = await store.complete(task.id, actor(turn), turn.now)
    if done is None:
        raise UserError(f"Auftrag Nr. {task.id} wurde inzwischen schon erledigt gemeldet.",
                        f"Task no. {task.id} was marked done meanwhile.")
    await turn.svc.schedule_changed()  # no reminder for it any more
    return Reply(t(lang, f"Erledigt: {task_line(turn, done)}. Danke!", f"Done: {task_line(turn, done)}. Thank you!"),
                 language=lang, kind="confirmation")


@command("auftrag-aendern", "task-edit", args="<Nr> [titel=...] [fuer=...] [bis=...] [offen]",
         args_en="<no> [title=...] [for=...] [due=...] [open]",
         help="ändert Titel, Zuständigkeit oder Frist eines Auftrags (Koordination; eigene Aufträge)",
         help_en="changes a task's title, owner or due day (coordinators; your own tasks)",
         example="!auftrag-aendern 3 bis=14.04.2023", free_text=True)
async def change_task(turn: Turn, args: str) -> Reply:
    store = task_store(turn)
    lang = turn.language
    task, rest = await _task(turn, args, "auftrag-aendern")
    group = _group_of(turn, task)
    head, options = split_options(rest, OPTIONS)
    options = unbracket_options(options, "titel")
    reopen = fold(unbracket(head)) in {"offen", "open", "wieder offen", "reopen"}
    if not options and not reopen:
        raise usage_error("auftrag-aendern", lang, t(lang, "Was soll sich ändern?", "What should change?"))
    sender = turn.message.sender
    creator = task.created_by == sender.user_id and task.created_platform == sender.platform
    manager = _may_manage(turn, group.key)
    if not (manager or creator):
        raise PermissionDenied(f"Aufträge ändern dürfen nur, wer sie angelegt hat, die Koordination der {group.label} "
                               "und Admins.", f"Only the task's creator, the {group.label}'s coordinators and admins "
                               "may change it.")
    changes: dict = {}
    if "titel" in options:
        if not options["titel"]:
            raise usage_error("auftrag-aendern", lang, t(lang, "Der neue Titel fehlt.", "The new title is missing."))
        changes["title"] = check_text(options["titel"], lang)
    if "fuer" in options:
        owner = owner_arg(turn, group, options["fuer"] or "-")
        if owner is not None and owner.user_id and not manager and owner.user_id != sender.user_id:
            raise PermissionDenied(f"Aufträge an andere Personen vergeben nur die Koordination der {group.label} "
                                   "und Admins.", f"Only the {group.label}'s coordinators and admins assign tasks to "
                                   "other people.")
        changes["owner"] = owner
    if "bis" in options:
        changes["due"] = due_arg(options["bis"] or "-", turn)
    changed = await store.change(task.id, actor(turn), turn.now, title=changes.get("title"),
                                 owner=changes.get("owner", _UNSET), due=changes.get("due", _UNSET), reopen=reopen)
    if changed is None:
        raise UserError(f"Einen Auftrag Nr. {task.id} gibt es nicht mehr.", f"Task no. {task.id} no longer exists.")
    await turn.svc.schedule_changed()
    return Reply(t(lang, "Auftrag geändert:", "Task changed:"), (task_line(turn, changed),), language=lang,
                 kind="confirmation")


@command("auftrag-loeschen", "task-delete", who="coordination", args="<Nr>", args_en="<no>",
         help="löscht einen Arbeitsauftrag (Koordination)", help_en="deletes a task (coordinators)",
         example="!auftrag-loeschen 3")
async def delete_task(turn: Turn, args: str) -> Reply:
    store = task_store(turn)
    lang = turn.language
    task, _ = await _task(turn, args, "auftrag-loeschen")
    group = _group_of(turn, task)
    turn.svc.require_manage(turn.message.sender, group)
    if not await store.delete(task.id, actor(turn), turn.now):
        raise UserError(f"Einen Auftrag Nr. {task.id} gibt es nicht mehr.", f"Task no. {task.id} no longer exists.")
    await turn.svc.schedule_changed()
    return Reply(t(lang, f"Auftrag Nr. {task.id} („{task.title}“) der {group.label} gelöscht.",
                   f"Task no. {task.id} (\"{task.title}\") of the {group.label} deleted."), language=lang,
                 kind="confirmation")
