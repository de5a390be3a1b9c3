"""``!bericht [AG] [seit TT.MM.JJJJ]``: the status report (see :mod:`bot.report`) on demand,
for one AG, the room's AG, or every AG ("alle", or outside an AG's room)."""
from __future__ import annotations

import dataclasses
import re

from bot.answers import t
from bot.clock import BERLIN
from bot.commands.args import group_arg, parse_date
from bot.commands.registry import Turn, command
from bot.commands.risks import group_matrix
from bot.messages import Reply
from bot.report import build_report, report_reply

_SINCE = re.compile(r"(?:^|\s)(?:seit|since|ab)\s+(\S+)\s*$", re.IGNORECASE)
_ALL = {"alle", "all", "alles"}


@command("bericht", "report", args="[AG|alle] [seit <TT.MM.JJJJ>]", args_en="[group|all] [since <DD.MM.YYYY>]",
         help="Statusbericht für die Austauschrunde: Meilensteine, Mitglieder, Aufträge, Risiken",
         help_en="status report for the exchange round: milestones, members, tasks, risks",
         example="!bericht Finanzen seit 01.02.2023")
async def report(turn: Turn, args: str) -> Reply:
    """The report since ``seit`` (default: the previous exchange round), of the named AG, the
    room's AG, or all AGs."""
    text = args.strip()
    since = None
    match = _SINCE.search(text)
    if match:
        since = parse_date(match.group(1), turn.language)
        text = text[:match.start()].strip()
    if text.casefold() in _ALL:
        keys = None
    else:
        group = group_arg(turn, text, "bericht", required=False)
        keys = [group.key] if group is not None else None
    if since is not None and since > turn.now.astimezone(BERLIN).date():
        return Reply(t(turn.language, "Ein Bericht „seit“ einem Tag in der Zukunft wäre leer. Bitte ein früheres "
                                      "Datum angeben.",
                       "A report since a day in the future would be empty. Please give an earlier date."),
                     language=turn.language, kind="error")
    built = await build_report(turn.view, turn.svc.report_sources, turn.now, since, keys, turn.language)
    reply = report_reply(built, turn.language)
    if keys is not None and len(keys) == 1:  # one AG: its risk matrix goes with the report
        picture = await group_matrix(turn, turn.view.groups[keys[0]])
        if picture is not None:
            reply = dataclasses.replace(reply, attachment=picture)
    return reply
