"""The status report (Statusbericht) of each AG for the joint exchange round (Austauschrunde).

The workshop asks the AGs to report "the results reached" in the exchange round every six weeks.
A report covers one period, by default from the previous exchange round (or the workshop, before
the first) until now, and has one part per AG with sections contributed by *report sources*:
the programme itself (milestones), late registrations (new and pending members), and the stores
of the groups' work (tasks, results, risks, attendance) where they are set up. Each source
answers for all AGs at once (one query per source, not per AG), so a report for 500 AGs stays
cheap (see ``bench/bench_report.py``).

Output forms: :func:`report_reply` (chat, one part per AG), :func:`report_markdown` and
:func:`report_html` (``agbot report``, for e-mail). Dates are shown in Europe/Berlin.
"""
from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.answers import t
from bot.clock import BERLIN
from bot.directory import display_name
from bot.formatting import date_long, date_short
from bot.messages import Reply
from bot.ports import AttendanceStore, PollStore, RegistrationStore, ResultStore, RiskStore, Task, TaskStore
from bot.programme import Group
from bot.occurrence_text import occurrence_text
from bot.schedule import exchange_occurrences, group_occurrences, upcoming_sessions
from bot.view import ProgrammeView
from bot.work_text import owner_label

UPCOMING = dt.timedelta(weeks=6)
"""How far ahead "due soon" looks: until the exchange round after next (every six weeks)."""


@dataclass(frozen=True)
class ReportSection:
    """One section of one AG's report: a German ``title`` ("Meilensteine") and its ``lines``
    (full sentences or "label: value" lines, no markup), optionally shorter ``chat_lines``."""

    title: str
    lines: tuple[str, ...]
    chat_lines: tuple[str, ...] | None = None
    """A shorter form for chat (:func:`report_reply`), when ``lines`` (Markdown, HTML: for e-mail,
    complete) would be too long there; None: the chat shows ``lines``."""


@dataclass(frozen=True)
class GroupReport:
    """The report of one AG (or UAG): ``group_key``, ``label`` ("AG Finanzen"), its sections in
    source order (sources with nothing to say are left out)."""

    group_key: str
    label: str
    sections: tuple[ReportSection, ...]


@dataclass(frozen=True)
class StatusReport:
    """A report for the period ``since`` .. ``until`` (aware datetimes); ``since_label`` says
    what the period starts with ("seit der Austauschrunde am 15.02.2023")."""

    since: dt.datetime
    until: dt.datetime
    since_label: str
    groups: tuple[GroupReport, ...]


class ReportSource(Protocol):
    """Something that contributes sections to the report (a store of the groups' work)."""

    async def report_sections(self, view: ProgrammeView, groups: Sequence[Group], since: dt.datetime,
                              now: dt.datetime, language: str = "de") -> Mapping[str, Sequence[ReportSection]]:
        """Sections per group key for ``groups`` covering ``since`` .. ``now`` (aware), in
        ``language`` ("de", "en"; texts quoted from chat stay as written). Groups the source has
        nothing for may be missing from the mapping."""
        ...


def report_period(view: ProgrammeView, now: dt.datetime, since: dt.date | None = None,
                  language: str = "de") -> tuple[dt.datetime, str]:
    """Where a report's period starts, and how to say it (in ``language``): ``since`` (a day, 00:00
    Europe/Berlin) if given; else the start of the latest exchange round that began before
    ``now`` and was not cancelled; else the workshop day."""
    if since is not None:
        return dt.datetime.combine(since, dt.time(0, 0), tzinfo=BERLIN), t(language, f"seit {date_short(since)}",
                                                                            f"since {date_short(since)}")
    workshop = view.programme.meta.workshop_date
    start = dt.datetime.combine(workshop, dt.time(0, 0), tzinfo=BERLIN)
    rounds = [o for o in exchange_occurrences(view.programme, start, now) if not o.cancelled and o.start < now]
    if rounds:
        latest = rounds[-1].start
        day = date_short(latest.astimezone(BERLIN).date())
        return latest, t(language, f"seit der Austauschrunde am {day}", f"since the exchange round on {day}")
    return start, t(language, f"seit dem Workshop am {date_short(workshop)}",
                    f"since the workshop on {date_short(workshop)}")


async def build_report(view: ProgrammeView, sources: Sequence[ReportSource], now: dt.datetime,
                       since: dt.date | None = None, group_keys: Sequence[str] | None = None,
                       language: str = "de") -> StatusReport:
    """The report of ``group_keys`` (default: every AG and UAG, in programme order) for the
    period from :func:`report_period` until ``now`` (aware), in ``language`` ("de"; "en" for
    the English command ``!report``)."""
    start, label = report_period(view, now, since, language)
    groups = [view.groups[k] for k in group_keys if k in view.groups] if group_keys is not None \
        else list(view.programme.groups)
    collected: dict[str, list[ReportSection]] = {g.key: [] for g in groups}
    for source in sources:
        found = await source.report_sections(view, groups, start, now, language=language)
        for key, sections in found.items():
            if key in collected:
                collected[key] += [s for s in sections if s.lines]
    return StatusReport(start, now, label,
                        tuple(GroupReport(g.key, g.label, tuple(collected[g.key])) for g in groups))


def _heading(report: StatusReport, part: GroupReport, language: str = "de") -> str:
    day = date_short(report.until.astimezone(BERLIN).date())
    return t(language, f"Statusbericht der {part.label} ({report.since_label}, Stand {day})",
             f"Status report of the {part.label} ({report.since_label}, as of {day})")


def report_reply(report: StatusReport, language: str = "de") -> Reply:
    """The report as a chat reply: one part per AG, one item per section ("Titel: Zeile; Zeile").
    ``language`` should be the one the report was built in (:func:`build_report`); texts quoted
    from chat (titles, results) stay as written."""
    parts = []
    for part in report.groups:
        items = tuple(f"{section.title}: {'; '.join(section.chat_lines or section.lines)}" for section in part.sections)
        if not items:
            parts.append(Reply(_heading(report, part, language) + ": " + t(language, "nichts Neues.", "nothing new."),
                               language=language))
            continue
        parts.append(Reply(_heading(report, part, language) + ":", items, language=language))
    if not parts:
        return Reply(t(language, "Für diese Auswahl gibt es keine AG.", "No group matches."), language=language)
    return Reply.combine(tuple(parts)) if len(parts) > 1 else parts[0]


def report_markdown(report: StatusReport) -> str:
    """The report as Markdown (CommonMark): a level-1 title, one level-2 heading per AG, one
    level-3 heading per section with a bullet list. Texts from chat are escaped so that they
    cannot add markup."""
    lines = [f"# Statusbericht für die Austauschrunde ({report.since_label}, Stand "
             f"{date_short(report.until.astimezone(BERLIN).date())})", ""]
    for part in report.groups:
        lines += [f"## {_md(part.label)}", ""]
        if not part.sections:
            lines += ["Nichts Neues.", ""]
        for section in part.sections:
            lines += [f"### {_md(section.title)}", "", *[f"- {_md(line)}" for line in section.lines], ""]
    return "\n".join(lines)


def report_html(report: StatusReport) -> str:
    """The report as a complete HTML5 document (UTF-8, lang="de"), everything escaped."""
    title = html.escape(f"Statusbericht für die Austauschrunde ({report.since_label}, Stand "
                        f"{date_short(report.until.astimezone(BERLIN).date())})")
    out = ["<!DOCTYPE html>", '<html lang="de">', '<head><meta charset="utf-8">', f"<title>{title}</title></head>",
           "<body>", f"<h1>{title}</h1>"]
    for part in report.groups:
        out.append(f"<h2>{html.escape(part.label)}</h2>")
        if not part.sections:
            out.append("<p>Nichts Neues.</p>")
        for section in part.sections:
            out.append(f"<h3>{html.escape(section.title)}</h3>")
            out.append("<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in section.lines) + "</ul>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


# the characters that can start markup inside a list item's text (emphasis, code, links, HTML,
# tables); "." "(" "-" and the like only matter at a line's start, where "- " already stands
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]#|<>~"})


def _md(text: str) -> str:
    return text.translate(_MD_SPECIAL)


# -- the sources every installation has ----------------------------------------------------------------
class MilestoneSource:
    """Milestones from the programme: reached in the period, overdue (due before today and not
    marked reached, whenever the due date was), due in the next six weeks, and how many open
    ones have no date yet."""

    async def report_sections(self, view: ProgrammeView, groups: Sequence[Group], since: dt.datetime,
                              now: dt.datetime, language: str = "de") -> Mapping[str, Sequence[ReportSection]]:
        first = since.astimezone(BERLIN).date()
        today = now.astimezone(BERLIN).date()
        until = (now + UPCOMING).astimezone(BERLIN).date()
        found: dict[str, list[ReportSection]] = {}
        for group in groups:
            lines = []
            for milestone in group.milestones:
                if milestone.reached is not None:
                    if first <= milestone.reached <= today:
                        lines.append(t(language, f"„{milestone.title}“ erreicht am {date_long(milestone.reached)}",
                                       f"\"{milestone.title}\" reached on {date_long(milestone.reached, 'en')}"))
                    continue
                if milestone.due is None:
                    continue
                if milestone.due < today:  # overdue, however long ago: it stays in every report until reached
                    lines.append(t(language, f"„{milestone.title}“ überfällig seit {date_long(milestone.due)}, "
                                             "nicht als erreicht erfasst",
                                   f"\"{milestone.title}\" overdue since {date_long(milestone.due, 'en')}, "
                                   "not recorded as reached"))
                elif today <= milestone.due <= until:
                    lines.append(t(language, f"„{milestone.title}“ ist fällig am {date_long(milestone.due)}",
                                   f"\"{milestone.title}\" is due on {date_long(milestone.due, 'en')}"))
            undated = sum(1 for m in group.milestones if m.due is None and m.reached is None)
            if undated:
                lines.append(t(language, f"{undated} noch ohne Datum", f"{undated} without a date yet"))
            if lines:
                found[group.key] = [ReportSection(t(language, "Meilensteine", "Milestones"), tuple(lines))]
        return found


class MembershipSource:
    """Late registrations: organisations admitted in the period, registrations still open."""

    def __init__(self, registrations: RegistrationStore) -> None:
        self.registrations = registrations

    async def report_sections(self, view: ProgrammeView, groups: Sequence[Group], since: dt.datetime,
                              now: dt.datetime, language: str = "de") -> Mapping[str, Sequence[ReportSection]]:
        keys = {g.key for g in groups}
        admitted: dict[str, list[str]] = {}
        pending: dict[str, int] = {}
        for registration in await self.registrations.all():
            if registration.group_key not in keys:
                continue
            org = view.directory.get(registration.organisation_key)
            name = display_name(org) if org else registration.organisation_key
            if registration.state == "approved" and registration.decided_at is not None \
                    and since <= registration.decided_at <= now:
                admitted.setdefault(registration.group_key, []).append(name)
            elif registration.state == "pending":
                pending[registration.group_key] = pending.get(registration.group_key, 0) + 1
        found: dict[str, list[ReportSection]] = {}
        for key in keys:
            lines = []
            if admitted.get(key):
                lines.append(t(language, "neu aufgenommen: ", "newly admitted: ") + ", ".join(admitted[key]))
            if pending.get(key):
                count = pending[key]
                lines.append(t(language, f"{count} Nachmeldung{'en' if count > 1 else ''} noch offen",
                               f"{count} late registration{'s' if count > 1 else ''} still open"))
            if lines:
                found[key] = [ReportSection(t(language, "Mitglieder", "Members"), tuple(lines))]
        return found


class SessionSource:
    """Sessions of the period (held and cancelled) and the next one, from the programme's
    schedule (series, changes, extra sessions)."""

    async def report_sections(self, view: ProgrammeView, groups: Sequence[Group], since: dt.datetime,
                              now: dt.datetime, language: str = "de") -> Mapping[str, Sequence[ReportSection]]:
        found: dict[str, list[ReportSection]] = {}
        for group in groups:
            if group.session_series is None and not group.extra_sessions:
                continue
            past = group_occurrences(group, since, now)
            held = sum(1 for o in past if not o.cancelled)
            cancelled = len(past) - held
            lines = []
            if past:
                lines.append(t(language, f"{held} im Zeitraum" + (f" ({cancelled} abgesagt)" if cancelled else ""),
                               f"{held} in the period" + (f" ({cancelled} cancelled)" if cancelled else "")))
            upcoming = [o for o in upcoming_sessions(group, now, count=3) if not o.cancelled]
            if upcoming:
                lines.append(t(language, "nächste: ", "next: ") + occurrence_text(upcoming[0], language))
            if lines:
                found[group.key] = [ReportSection(t(language, "Sitzungen", "Sessions"), tuple(lines))]
        return found


class AttendanceSource:
    """Attendance answers (``!teilnahme``) for the sessions held in the period: per session the
    yes/no/maybe counts and how many of the AG's member organisations said yes; open date polls.

    A session counts by its original start (answers stay with a moved session); cancelled
    sessions are left out. Two queries for all AGs (answers of the period, open polls)."""

    def __init__(self, attendance: AttendanceStore, polls: PollStore | None = None) -> None:
        self.attendance = attendance
        self.polls = polls

    async def report_sections(self, view: ProgrammeView, groups: Sequence[Group], since: dt.datetime,
                              now: dt.datetime, language: str = "de") -> Mapping[str, Sequence[ReportSection]]:
        from bot.commands.attendance import members_of

        keys = {g.key for g in groups}
        by_session: dict[tuple[str, dt.datetime], list] = {}
        for answer in await self.attendance.answers_between(since, now):
            if answer.group_key in keys:
                by_session.setdefault((answer.group_key, answer.session_start), []).append(answer)
        open_polls: dict[str, int] = {}
        if self.polls is not None:
            for poll in await self.polls.of_group(None, "open"):
                open_polls[poll.group_key] = open_polls.get(poll.group_key, 0) + 1
        found: dict[str, list[ReportSection]] = {}
        for group in groups:
            lines = []
            held = {o.original_start or o.start: o for o in group_occurrences(group, since, now) if not o.cancelled}
            members = {o.key for o in members_of(view, group)}
            for start in sorted(held):
                answers = by_session.get((group.key, start.astimezone(dt.timezone.utc)), [])
                if not answers:
                    continue
                counts = {word: sum(1 for a in answers if a.answer == word) for word in ("ja", "nein", "vielleicht")}
                day = date_short(held[start].start.astimezone(BERLIN).date())
                line = t(language, f"{day}: {counts['ja']} ja, {counts['nein']} nein, {counts['vielleicht']} vielleicht",
                         f"{day}: {counts['ja']} yes, {counts['nein']} no, {counts['vielleicht']} maybe")
                if members:
                    yes = {a.organisation_key for a in answers if a.answer == "ja" and a.organisation_key in members}
                    line += t(language, f" ({len(yes)} von {len(members)} Mitgliedsorganisationen zugesagt)",
                              f" ({len(yes)} of {len(members)} member organisations said yes)")
                lines.append(line)
            if open_polls.get(group.key):
                count = open_polls[group.key]
                lines.append(t(language, f"{count} offene Terminabstimmung{'en' if count > 1 else ''}",
                               f"{count} open date poll{'s' if count > 1 else ''}"))
            if lines:
                found[group.key] = [ReportSection(t(language, "Teilnahme", "Attendance"), tuple(lines))]
        return found


TOP_RISKS = 3
"""How many of an AG's open risks the report names (the highest risk values)."""


class RiskSource:
    """The AG's open risks: how many per colour class, and the highest ones with their value
    (see :mod:`bot.risks`); risks closed in the period. One query for all AGs."""

    def __init__(self, risks: RiskStore) -> None:
        self.risks = risks

    async def report_sections(self, view: ProgrammeView, groups: Sequence[Group], since: dt.datetime,
                              now: dt.datetime, language: str = "de") -> Mapping[str, Sequence[ReportSection]]:
        from bot.risks import class_name, colour_class, ranked

        keys = {g.key for g in groups}
        by_group: dict[str, list] = {}
        for risk in await self.risks.of_groups(keys if len(keys) < 50 else None, include_closed=True):
            if risk.group_key in keys:
                by_group.setdefault(risk.group_key, []).append(risk)
        found: dict[str, list[ReportSection]] = {}
        for key, risks in by_group.items():
            open_risks = ranked(r for r in risks if r.state == "open")
            closed = [r for r in risks if r.state == "closed" and r.closed_at is not None and since <= r.closed_at <= now]
            lines = []
            if open_risks:
                classes = [colour_class(r.wahrscheinlichkeit, r.auswirkung) for r in open_risks]
                counts = ", ".join(f"{classes.count(c)} {class_name(c, language)}" for c in ("rot", "gelb", "gruen")
                                   if classes.count(c))
                lines.append(t(language, f"{len(open_risks)} offen ({counts})", f"{len(open_risks)} open ({counts})"))
                lines += [t(language, f"Nr. {r.id} „{r.title}“", f"No. {r.id} \"{r.title}\"")
                          + f": {r.wahrscheinlichkeit} × {r.auswirkung} = {r.score} "
                          f"({class_name(colour_class(r.wahrscheinlichkeit, r.auswirkung), language)})"
                          for r in open_risks[:TOP_RISKS]]
            if closed:
                lines.append(t(language, f"{len(closed)} im Zeitraum geschlossen", f"{len(closed)} closed in the period"))
            if lines:
                found[key] = [ReportSection(t(language, "Risiken", "Risks"), tuple(lines))]
        return found


class TaskSource:
    """Tasks (Arbeitsaufträge): done in the period, open, overdue (with the overdue ones named,
    each with its owner: organisation or person, see :func:`bot.work_text.owner_label`; all of
    them for e-mail, the first :attr:`CHAT_NAMED` in chat with how many more and the command that
    lists them). One query for all AGs."""

    CHAT_NAMED = 3

    def __init__(self, tasks: TaskStore) -> None:
        self.tasks = tasks

    async def report_sections(self, view: ProgrammeView, groups: Sequence[Group], since: dt.datetime,
                              now: dt.datetime, language: str = "de") -> Mapping[str, Sequence[ReportSection]]:
        keys = {g.key for g in groups}
        today = now.astimezone(BERLIN).date()
        by_group: dict[str, list] = {}
        for task in await self.tasks.tasks(keys if len(keys) < 50 else None):
            if task.group_key in keys:
                by_group.setdefault(task.group_key, []).append(task)
        found: dict[str, list[ReportSection]] = {}
        for key, tasks in by_group.items():
            done = sum(1 for t_ in tasks if t_.state == "done" and t_.done_at is not None and since <= t_.done_at <= now)
            open_tasks = [t_ for t_ in tasks if t_.state == "open"]
            overdue = sorted((t_ for t_ in open_tasks if t_.overdue(today)), key=lambda t_: (t_.due, t_.id))
            lines = []
            if done:
                lines.append(t(language, f"{done} im Zeitraum erledigt", f"{done} done in the period"))
            if open_tasks:
                lines.append(t(language, f"{len(open_tasks)} offen" + (f", davon {len(overdue)} überfällig" if overdue else ""),
                               f"{len(open_tasks)} open" + (f", {len(overdue)} of them overdue" if overdue else "")))
            named = [t(language, f"Nr. {t_.id} „{t_.title}“ ({_owner(view, t_)}, bis {date_short(t_.due)})",
                       f"No. {t_.id} \"{t_.title}\" ({_owner(view, t_, language)}, due {date_short(t_.due)})")
                     for t_ in overdue if t_.due is not None]
            chat_lines = list(lines)
            if named:
                lead = t(language, "überfällig: ", "overdue: ")
                lines.append(lead + ", ".join(named))
                chat_lines.append(lead + ", ".join(named[:self.CHAT_NAMED]))
                if len(named) > self.CHAT_NAMED:
                    more, name = len(named) - self.CHAT_NAMED, view.groups[key].name
                    chat_lines[-1] += t(language, f" und {more} weitere: !auftraege {name} ueberfaellig",
                                        f" and {more} more: !tasks {name} overdue")
            if lines:
                found[key] = [ReportSection(t(language, "Aufträge", "Tasks"), tuple(lines),
                                            tuple(chat_lines) if chat_lines != lines else None)]
        return found


def _owner(view: ProgrammeView, task: Task, language: str = "de") -> str:
    """Who owns a task, for the report: "für Halle (Saale)", "für Anna Beispiel", "für eine Person
    (Daten gelöscht)", or "noch niemand zuständig" (English: "for …", "nobody responsible yet")."""
    owner = owner_label(view, task.owner, language)
    if owner:
        return t(language, f"für {owner}", f"for {owner}")
    return t(language, "noch niemand zuständig", "nobody responsible yet")


class ResultSource:
    """Results and decisions (Ergebnisse) recorded in the period, newest last (at most five
    named, the rest counted). One query for all AGs."""

    LIMIT = 5

    def __init__(self, results: ResultStore) -> None:
        self.results = results

    async def report_sections(self, view: ProgrammeView, groups: Sequence[Group], since: dt.datetime,
                              now: dt.datetime, language: str = "de") -> Mapping[str, Sequence[ReportSection]]:
        keys = {g.key for g in groups}
        by_group: dict[str, list] = {}
        for result in await self.results.results(keys if len(keys) < 50 else None, since=since):
            if result.group_key in keys and result.created_at <= now:
                by_group.setdefault(result.group_key, []).append(result)
        found: dict[str, list[ReportSection]] = {}
        for key, results in by_group.items():
            results.sort(key=lambda r: (r.created_at, r.id))
            lines = [f"{date_short(r.created_at.astimezone(BERLIN).date())}: {r.text}" for r in results[-self.LIMIT:]]
            if len(results) > self.LIMIT:
                lines.insert(0, t(language, f"{len(results) - self.LIMIT} weitere, ältere (!ergebnisse)",
                                  f"{len(results) - self.LIMIT} more, older (!results)"))
            found[key] = [ReportSection(t(language, "Ergebnisse", "Results"), tuple(lines))]
        return found
