#!/usr/bin/env python3
"""Answer latency and peak memory of AG-Bot, in-process.

Answers a mixed batch of questions (default 1,000) through the real router
(``bot.app.App`` on a temporary SQLite file, real store, real question understanding) and
prints p50/p90/p99/max latency per answer and the process's peak memory, once on the shipped
programme and once on a synthetic programme of 500 AGs and 5,000 organisations.

Each dataset runs in its own subprocess, so the peaks are separate; the synthetic programme is
generated (and written as TOML with ``bot.programme_file.programme_to_toml``) in a third one, because on
Linux a child's ``ru_maxrss`` starts at the parent's resident size when it is spawned. Peak
memory is ``ru_maxrss`` of the child after the batch, cross-checked with ``VmHWM``. Start-up
(open, seed, index) and index rebuilds are timed separately from answering.

Then each dataset runs once more with writes mixed in (own subprocess again): 100 admin writes
(``!meilenstein``, ``!serie``, ``!termin``, ``!austauschrunde``, ``!nachmelden`` + ``!bestaetigen``)
spread evenly among the 1,000 questions. The questions' latency (p50/p90/p99/max, and of the
first question after each write) is reported apart from the writes' own latency; after the
batch the answering snapshot is compared with a fresh ``store.load()``. Run::

    python bench/bench_answers.py                 # both datasets, 1,000 questions each, then with writes
    python bench/bench_answers.py --questions 5000
    python bench/bench_answers.py --writes 0      # without the writes-mixed-in runs
    python bench/bench_answers.py --profile       # plus a cProfile of the synthetic runs
    AGBOT_BENCH_POSTGRES=postgresql://postgres@127.0.0.1:5432/postgres python bench/bench_answers.py
                                                  # on PostgreSQL: a fresh database per run on that server
    python bench/bench_answers.py --postgres      # each run on SQLite, then on a throw-away PostgreSQL
                                                  # server started here, and the ratios PostgreSQL/SQLite

The children import the code of the checkout this script lives in (its parent directory is put
first on ``sys.path``), whatever ``PYTHONPATH`` or installed copy there is.

Every AG holds 20 tasks and 5 results (issue 14), loaded before the batch; the mix asks about
them too (open and overdue tasks, results, the next session's agenda).

Targets on a 2-core machine: p99 <= 5 ms per answer, peak memory <= 150 MB; with 100 writes
mixed in, p99 <= 10 ms per answer. Exit status 0 when the benchmark ran (targets missed are
reported, not failed); 1 if a run failed.

The mix has the same shape for both datasets (same template sequence, same seed); only the
group and organisation names differ, drawn with a seeded RNG from the programme in use.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))  # the checkout's bot/ and store/, not an installed copy

TARGET_P99_MS = 5.0
TARGET_P99_WRITES_MS = 10.0
DEFAULT_WRITES = 100
TARGET_PEAK_MB = 150.0
WARMUP = 30
SEED = 20221019
NOW = "2023-01-13T09:00:00+01:00"  # a Friday in the first month of sessions
PLATFORM = "bench"
ADMIN = "@admin:bench.example"
USER = "@user:bench.example"
RESULT_MARK = "@@BENCH-RESULT@@ "

# =========================================================================================
# Synthetic programme: 500 AGs, 5,000 organisations
# =========================================================================================

TOPICS = ("Digitalisierung", "Verwaltungsportal", "Breitbandausbau", "Geodaten", "Datenschutz",
          "Informationssicherheit", "Personalentwicklung", "Beschaffung", "Bauleitplanung",
          "Schulentwicklung", "Gesundheitsdienst", "Katastrophenschutz", "Wirtschaftsförderung",
          "Tourismus", "Jugendhilfe", "Umweltschutz", "Wasserwirtschaft", "Abfallwirtschaft",
          "Liegenschaften", "Mobilität", "Energiewende", "Klimaanpassung", "Sozialplanung",
          "Kulturförderung", "Vergabewesen")
REGIONS = ("Nord", "Süd", "Ost", "West", "Mitte")
PREFIXES = ("", "Ober", "Nieder", "Groß", "Klein", "Alt", "Neu", "Hohen", "Wester", "Oster")
STEMS = ("Birken", "Eichen", "Linden", "Buchen", "Erlen", "Tannen", "Fichten", "Weiden", "Rosen",
         "Lilien", "Hasel", "Wolfs", "Fuchs", "Hirsch", "Adler", "Falken", "Raben", "Kranich",
         "Schwanen", "Biber", "Otter", "Dachs", "Stein", "Kalk", "Sand", "Moor", "Heide", "Wiesen",
         "Auen", "Bruch", "Mühlen", "Brunnen", "Quell", "Bach", "Fluss", "Seen", "Teich", "Berg",
         "Hügel", "Tal", "Wald", "Holz", "Feld", "Acker", "Garten", "Kirch", "Kloster", "Burg",
         "Schloss", "Markt", "Zoll", "Salz", "Kupfer", "Silber", "Gold", "Eisen", "Sonnen", "Mond",
         "Stern", "Wind")
SUFFIXES = ("feld", "dorf", "stedt", "leben", "hausen", "rode", "burg", "berg", "hagen", "heim",
            "au", "bach", "born", "thal", "witz", "ow", "itz", "ingen", "wald", "brück", "furt",
            "see", "holz", "werder", "kamp")
FIRST_NAMES = ("Anna", "Bernd", "Claudia", "Dirk", "Elke", "Frank", "Gabriele", "Holger", "Ines",
               "Jens", "Katrin", "Lars", "Monika", "Norbert", "Petra", "Ralf", "Sabine", "Thomas",
               "Ute", "Volker")
LAST_NAMES = ("Bauer", "Schulze", "Krüger", "Hoffmann", "Richter", "Wolff", "Neumann", "Lehmann",
              "Köhler", "Zimmermann", "Hartmann", "Lange", "Vogel", "Friedrich", "Keller", "Brandt")
GOALS = ("Gemeinsame Standards für {t} festlegen", "Bedarfe der Kommunen zu {t} erheben",
         "Nachnutzung vorhandener Lösungen für {t} prüfen", "Fördermöglichkeiten für {t} bündeln",
         "Musterprozesse für {t} entwickeln", "Schnittstellen und Fachverfahren für {t} abstimmen")
CONDITIONS = ("Umsetzung im Rahmen der vorhandenen Haushaltsmittel",
              "Abstimmung mit den zuständigen Fachressorts", "Beachtung des EGovG LSA",
              "Einbindung der kommunalen Spitzenverbände")
MILESTONES = ("Bestandsaufnahme", "Konzeptentwurf", "Pilotphase", "Abschlussbericht", "Rollout")
# Group names used for the "unknown AG" questions: must match no group and no organisation.
UNKNOWN_AGS = ("Raumfahrt", "Weinbau", "Hafenlogistik", "Astronomie", "Fischerei", "Bergrettung")


def _fold_tokens(text: str) -> tuple[str, ...]:
    from bot.text import tokens
    return tokens(text)


def _clashes_with_vocabulary(token: str) -> bool:
    """True if ``token`` would be read as a cue word or a common word by the understanding."""
    from bot.understanding import COMMON as _COMMON, CUES, cue_matches
    if token in _COMMON:
        return True
    return any(cue_matches(token, cue) for cues in CUES.values() for cue in cues)


def build_synthetic_programme(n_groups: int = 500, n_orgs: int = 5000, seed: int = SEED):
    """A plausible programme: ``n_groups`` AGs ("Digitalisierung Nord 17"), ``n_orgs``
    organisations with unique compound names ("Oberbirkenfeld") that clash with no cue word,
    no common word, no Destatis name and no group name."""
    from bot.directory import destatis_organisations
    from bot.programme import (Cadence, Group, Lead, Membership, MembershipStatus, Meta, Milestone,
                               Organisation, OrganisationType, Programme, SessionSeries)

    rng = random.Random(seed)
    for word in (*TOPICS, *REGIONS, *UNKNOWN_AGS):
        for token in _fold_tokens(word):
            if len(token) >= 4 and _clashes_with_vocabulary(token):
                raise SystemExit(f"bench: group vocabulary word {word!r} clashes with a cue word")
    taken_tokens: set[tuple[str, ...]] = set()
    for org in destatis_organisations():
        for name in (org.name, *org.aliases):
            taken_tokens.add(_fold_tokens(name))
            taken_tokens.update((t,) for t in _fold_tokens(name))
    group_words = {t for w in (*TOPICS, *REGIONS, *UNKNOWN_AGS) for t in _fold_tokens(w)}

    compounds = [f"{p}{s.lower() if p else s}{x}" for p in PREFIXES for s in STEMS for x in SUFFIXES]
    rng.shuffle(compounds)
    names: list[str] = []
    seen: set[str] = set()
    for name in compounds:
        folded = _fold_tokens(name)
        if len(folded) != 1 or len(folded[0]) < 5 or folded[0] in seen:
            continue
        token = folded[0]
        if _clashes_with_vocabulary(token) or folded in taken_tokens or token in group_words:
            continue
        seen.add(token)
        names.append(name)
        if len(names) == n_orgs:
            break
    if len(names) < n_orgs:
        raise SystemExit(f"bench: only {len(names)} unique organisation names available")

    kinds = ([OrganisationType.GEMEINDE] * 50 + [OrganisationType.STADT] * 20
             + [OrganisationType.VERBANDSGEMEINDE] * 10 + [OrganisationType.LANDKREIS] * 6
             + [OrganisationType.VERBAND] * 6 + [OrganisationType.MINISTERIUM] * 2
             + [OrganisationType.ABTEILUNG] * 4 + [OrganisationType.GENOSSENSCHAFT] * 2)
    prefix = {OrganisationType.GEMEINDE: "GM", OrganisationType.VERBANDSGEMEINDE: "VG",
              OrganisationType.LANDKREIS: "LK", OrganisationType.STADT: "Stadt"}
    word = {OrganisationType.VERBAND: "Verband", OrganisationType.MINISTERIUM: "Ministerium",
            OrganisationType.ABTEILUNG: "Abteilung", OrganisationType.GENOSSENSCHAFT: "Genossenschaft"}
    organisations = []
    for i, base in enumerate(names):
        kind = kinds[i % len(kinds)]
        if kind in word:
            name, aliases = f"{word[kind]} {base}", (base,)
        else:
            name, aliases = base, (f"{prefix[kind]} {base}",)
        organisations.append(Organisation(key=f"org-{i:04d}", name=name, type=kind, aliases=aliases))
    ministries = [o.key for o in organisations if o.type in (OrganisationType.MINISTERIUM, OrganisationType.ABTEILUNG)]
    municipal = [o.key for o in organisations if o.type in prefix]

    def person() -> str:
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

    groups = []
    for i in range(1, n_groups + 1):
        topic = TOPICS[(i - 1) % len(TOPICS)]
        region = REGIONS[((i - 1) // len(TOPICS)) % len(REGIONS)]
        name = f"{topic} {region} {i}"
        key = f"ag-{i:03d}"
        kommunal = (Lead(seat="kommunal", person=person(), organisation=rng.choice(municipal))
                    if rng.random() < 0.8 else Lead(seat="kommunal", note="Kommunaler AP, Festlegung in der Gruppensitzung"))
        members = []
        for org in rng.sample(organisations, rng.randint(10, 20)):
            roll = rng.random()
            status = (MembershipStatus.RESERVED if roll < 0.05 else
                      MembershipStatus.PROPOSED if roll < 0.10 else MembershipStatus.MEMBER)
            members.append(Membership(organisation=org.key, status=status,
                                      note="Fachreferent" if status is MembershipStatus.PROPOSED else None))
        milestones = []
        for title in rng.sample(MILESTONES, rng.randint(2, 4)):
            due = dt.date(2023, 1, 16) + dt.timedelta(days=rng.randint(0, 330)) if rng.random() < 0.5 else None
            milestones.append(Milestone(title=title, due=due))
        series = None
        if rng.random() < 0.6:
            first = dt.datetime(2023, 1, 9, rng.choice((9, 10, 13, 14))) + dt.timedelta(days=rng.randint(0, 45))
            series = SessionSeries(start=first, rrule=f"FREQ=WEEKLY;INTERVAL={rng.choice((2, 2, 3, 4))}",
                                   location=rng.choice((None, "Magdeburg", "online")))
        groups.append(Group(
            key=key, name=name, kind="AG", aliases=(f"{topic} {i}",),
            leads=(Lead(seat="MID", person=person(), title=rng.choice((None, "Referatsleiterin", "Referatsleiter")),
                        organisation=rng.choice(ministries)), kommunal),
            members=tuple(members),
            goals=tuple(g.format(t=topic) for g in rng.sample(GOALS, rng.randint(3, 5))),
            conditions=tuple(rng.sample(CONDITIONS, rng.randint(1, 3))),
            milestones=tuple(milestones),
            milestone_note="Bestimmung der Zeitpunkte erfolgt in der Gruppe." if rng.random() < 0.3 else None,
            session_series=series))
    meta = Meta(
        title="Synthetisches Programm (Benchmark)", workshop_date=dt.date(2022, 10, 19), workshop_place="Magdeburg",
        source="bench/bench_answers.py", registration_deadline=dt.date(2022, 10, 21),
        cadence=Cadence(session_interval_weeks=2, exchange_interval_weeks=6, first_sessions="Januar 2023",
                        first_sessions_month=dt.date(2023, 1, 1)),
        decisions=("AGs bekommen eine Doppelspitze.", "Den Zeitrahmen für die Meilensteine legt jede AG fest.",
                   "Kommunen können die Teilnahme an den AGs bis 21.10.2022 nachmelden."),
        next_steps=("Die ersten Sitzungen der Arbeitsgruppen starten im Januar 2023.",),
        exchange_series=SessionSeries(start=dt.datetime(2023, 1, 27, 10), rrule="FREQ=WEEKLY;INTERVAL=6",
                                      location="Magdeburg"))
    return Programme(meta=meta, organisations=tuple(organisations), groups=tuple(groups))


# =========================================================================================
# The question mix
# =========================================================================================

@dataclass(frozen=True)
class Template:
    category: str
    weight: float
    text: str            # placeholders: {ag} group label, {name} group name, {org} organisation, {unknown}
    intent: str | None   # expected Intent value for questions; None for commands
    room: bool = False   # asked in a room linked to an AG (the group comes from the room)
    user: str = USER
    typo: str | None = None  # "ag", "org" or None: misspell that placeholder


TEMPLATES: tuple[Template, ...] = (
    # leads
    Template("lead", 6, "Wer leitet die {ag}?", "lead"),
    Template("lead", 3, "Wer ist für die {ag} zuständig?", "lead"),
    Template("lead-all", 1, "Wer leitet die Arbeitsgruppen?", "lead"),
    # members
    Template("members", 6, "Wer ist Mitglied der {ag}?", "members"),
    Template("members", 2, "Welche Kommunen sind in der {ag} vertreten?", "members"),
    Template("members", 2, "Wer arbeitet in der {ag} mit?", "members"),
    # membership check and groups of an organisation
    Template("membership", 6, "Ist {org} in der {ag}?", "membership"),
    Template("membership", 3, "Ist {org} Mitglied der {ag}?", "membership"),
    Template("org-groups", 5, "In welchen AGs ist {org}?", "org_groups"),
    Template("org-groups", 2, "Wo arbeitet {org} mit?", "org_groups"),
    # programme-wide lists
    Template("list-groups", 2, "Welche Arbeitsgruppen gibt es?", "list_groups"),
    Template("list-groups", 1, "Welche AGs gibt es?", "list_groups"),
    Template("subgroups", 1, "Welche Unterarbeitsgruppen gibt es?", "subgroups"),
    # goals, conditions, milestones
    Template("goals", 4, "Was sind die Ziele der {ag}?", "goals"),
    Template("goals", 2, "Worum geht es in der {ag}?", "goals"),
    Template("conditions", 3, "Welche Rahmenbedingungen gelten für die {ag}?", "conditions"),
    Template("milestones", 3, "Welche Meilensteine hat die {ag}?", "milestones"),
    Template("next-milestone", 3, "Wann ist der nächste Meilenstein der {ag} fällig?", "next_milestone"),
    Template("next-milestone-all", 2, "Wann ist der nächste Meilenstein fällig?", "next_milestone"),
    # dates
    Template("next-session", 4, "Wann ist die nächste Sitzung der {ag}?", "next_session"),
    Template("next-session", 2, "Wann tagt die {ag} das nächste Mal?", "next_session"),
    Template("first-sessions", 1, "Wann starten die ersten Sitzungen?", "first_sessions"),
    Template("exchange", 2, "Wann ist die nächste Austauschrunde?", "next_exchange"),
    Template("cadence", 2, "Wie oft tagen die Arbeitsgruppen?", "cadence"),
    Template("cadence", 1, "Wie oft trifft sich die {ag}?", "cadence"),
    Template("deadline", 2, "Bis wann können sich Kommunen nachmelden?", "registration_deadline"),
    Template("decisions", 2, "Was wurde beim Workshop beschlossen?", "decisions"),
    Template("overview", 2, "Erzähl mir etwas über die {ag}", "overview"),
    # several questions in one message, follow-ups (continue from the direct chat's last question)
    Template("multi-part", 2, "Wer leitet die {ag} und wann trifft sie sich?", "lead"),
    Template("multi-part", 1, "Who leads the {name} group and who are its members?", "lead"),
    Template("follow-up", 2, "Und wer ist Mitglied?", "members"),
    Template("follow-up", 1, "Und die {ag}?", "overview"),
    Template("follow-up", 1, "Kurz bitte", "repeat"),
    # queries across AGs, seats of the Doppelspitze
    Template("cross-ag", 2, "Welche Kommunen sind in mehr als einer AG?", "member_query"),
    Template("cross-ag", 1, "Wie viele Landkreise sind dabei?", "member_query"),
    Template("cross-ag", 1, "Welche AG hat die meisten Mitglieder?", "group_ranking"),
    Template("cross-ag", 1, "Wer ist in allen AGs?", "member_query"),
    Template("seat", 1, "Wer vertritt die Kommunen in der Leitung der {ag}?", "lead"),
    # the workshop document: passages, agenda, abbreviations, nothing found
    Template("document", 2, "Was ist die Risiko-Matrix?", "unknown"),
    # follow-through between sessions (issue 14): read from the task, agenda and result stores
    Template("tasks", 2, "Welche Aufträge der {ag} sind offen?", "tasks"),
    Template("tasks", 1, "Gibt es überfällige Aufträge in der {ag}?", "tasks"),
    Template("results", 2, "Was hat die {ag} beschlossen?", "results"),
    Template("agenda", 1, "Was steht auf der Tagesordnung der {ag}?", "group_agenda"),
    Template("document", 1, "Welche Tools wie Jira wurden genannt?", "unknown"),
    Template("document", 1, "Wie wird das Wetter morgen?", "unknown"),
    Template("agenda", 1, "Wann war die Kaffeepause?", "agenda"),
    Template("glossary", 1, "Wofür steht FAG?", "glossary"),
    # unknown AG, small talk
    Template("unknown-ag", 3, "Wer leitet die AG {unknown}?", "lead"),
    Template("small-talk", 1, "Hallo!", "greeting"),
    Template("small-talk", 1, "Danke!", "thanks"),
    Template("small-talk", 1, "Was kannst du?", "help"),
    # typos
    Template("typo", 2, "Wer leitet die {ag}?", "lead", typo="ag"),
    Template("typo", 2, "Ist {org} in der {ag}?", "membership", typo="org"),
    Template("typo", 2, "Wer ist Mitglid der {ag}?", "members"),
    # English
    Template("english", 2, "Who leads the {name} group?", "lead"),
    Template("english", 2, "Who are the members of the {name} group?", "members"),
    Template("english", 1, "When is the next milestone of the {name} group due?", "next_milestone"),
    Template("english", 1, "Which working groups are there?", "list_groups"),
    Template("english", 1, "How often do the groups meet?", "cadence"),
    Template("english", 1, "When is the next exchange round?", "next_exchange"),
    Template("english", 1, "Is {org} a member of the {name} group?", "membership"),
    # commands
    Template("command", 2, "!mitglieder {name}", None),
    Template("command", 1, "!leitung {name}", None),
    Template("command", 1, "!ag {name}", None),
    Template("command", 1, "!termine {name}", None),
    Template("command", 1, "!meilensteine {name}", None),
    Template("command", 1, "!members {name}", None),
    Template("command-list", 1, "!ags", None),
    Template("command", 1, "!hilfe", None),
    Template("command-refused", 1, "!meilenstein {name} 31.03.2023 Zwischenbericht", None),
    # in a room linked to an AG
    Template("room", 2, "Wer leitet diese AG?", "lead", room=True),
    Template("room", 2, "Wer ist dabei?", "members", room=True),
    Template("room", 1, "Wann ist der nächste Meilenstein?", "next_milestone", room=True),
    Template("room", 1, "Wann ist die nächste Sitzung?", "next_session", room=True),
    Template("room", 1, "Was sind unsere Ziele?", "goals", room=True),
    Template("room", 1, "!mitglieder", None, room=True),
)


@dataclass
class Question:
    category: str
    text: str
    user: str
    room_key: str | None      # group key of the linked room it is asked in, None: direct chat
    intent: str | None        # expected intent (questions only)
    group_key: str | None     # the group the text names (to check understanding), if any


def misspell(word: str, rng: random.Random) -> str:
    """Swap two adjacent letters inside the longest word (keeps first and last letter)."""
    parts = word.split(" ")
    longest = max(range(len(parts)), key=lambda i: len(parts[i]))
    w = parts[longest]
    if len(w) >= 5:
        i = rng.randint(1, len(w) - 3)
        w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    parts[longest] = w
    return " ".join(parts)


def org_spelling(org, rng: random.Random) -> str:
    """How a user names an organisation: its short form, its name or one of its aliases."""
    if org.short:
        return org.short
    if org.aliases and rng.random() < 0.3:
        return rng.choice(org.aliases)
    return org.name


def template_sequence(n: int, seed: int) -> list[Template]:
    """The shape of the mix: the same for every dataset."""
    rng = random.Random(seed)
    weights = [t.weight for t in TEMPLATES]
    return rng.choices(TEMPLATES, weights=weights, k=n)


def make_questions(view, templates: list[Template], room_keys: list[str], seed: int) -> list[Question]:
    """Fill the templates with names drawn (seeded) from the programme in ``view``."""
    rng = random.Random(seed + 1)
    groups = list(view.programme.groups)
    orgs = list(view.programme.organisations)
    members_of = {g.key: [m.organisation for m in g.members] for g in groups}
    questions = []
    for tpl in templates:
        group = rng.choice(groups)
        room_key = rng.choice(room_keys) if tpl.room else None
        # membership questions ask about a member of the group half of the time
        org_key = None
        if members_of[group.key] and rng.random() < 0.5:
            org_key = rng.choice(members_of[group.key])
        org = view.directory.get(org_key) if org_key else rng.choice(orgs)
        label, name, org_text = group.label, group.name, org_spelling(org, rng)
        if tpl.typo == "ag":
            label = f"{group.kind} {misspell(group.name, rng)}"
        if tpl.typo == "org":
            org_text = misspell(org_text, rng)
        text = tpl.text.format(ag=label, name=name, org=org_text, unknown=rng.choice(UNKNOWN_AGS))
        names_group = "{ag}" in tpl.text or "{name}" in tpl.text
        questions.append(Question(tpl.category, text, tpl.user, room_key, tpl.intent,
                                  group.key if names_group else room_key))
    return questions


def write_commands(view, n: int, seed: int) -> list[tuple[int, Question]]:
    """A few writes by an admin (3 per 1,000 questions), spread over the batch: each one
    invalidates the cached view, so the next answer brings it up to date first."""
    rng = random.Random(seed + 2)
    groups = list(view.programme.groups)
    count = max(1, round(3 * n / 1000))
    found = []
    for k in range(count):
        position = (k + 1) * n // (count + 1)
        group = rng.choice(groups)
        if k % 3 == 1:
            text = f"!serie {group.name} 16.01.2023 10:00 2"
        else:
            title = group.milestones[0].title if group.milestones and k % 3 == 0 else "Zwischenbericht Benchmark"
            text = f"!meilenstein {group.name} 31.03.2023 {title}"
        found.append((position, Question("write", text, ADMIN, None, None, None)))
    return found


REGISTRATION_PLACEHOLDER = "{registration}"  # filled in with the number the last !nachmelden got


def mixed_writes(view, n: int, count: int, seed: int) -> list[tuple[int, Question]]:
    """``count`` admin writes spread evenly over ``n`` questions, in a cycle of 20: 9 milestone
    dates (an existing or a new milestone), 4 session series, 4 extra sessions, 1 exchange-round
    series, 1 late registration of a Destatis municipality and its approval (a new member)."""
    from bot.commands.args import MUNICIPAL

    rng = random.Random(seed + 4)
    groups = list(view.programme.groups)
    municipalities = sorted(o.name for o in view.directory.by_key.values()
                            if o.key.startswith("ars-") and o.type in MUNICIPAL
                            and re.fullmatch(r"[^\W\d_]+(?:[ -][^\W\d_]+)*", o.name)
                            and len(view.directory.lookup(o.name)) == 1)
    registered: set[tuple[str, str]] = set()
    start = dt.date(2023, 1, 16)
    found = []
    for k in range(count):
        position = (k + 1) * n // (count + 1)
        group = rng.choice(groups)
        step = k % 20
        if step < 8 or step == 19:
            if group.milestones and rng.random() < 0.5:
                title = rng.choice(group.milestones).title
            else:
                title = f"Zwischenbericht {k}"
            day = start + dt.timedelta(days=rng.randint(14, 330))
            text = f"!meilenstein {group.name} {day:%d.%m.%Y} {title}"
        elif step < 12:
            day = start + dt.timedelta(days=rng.randint(0, 30))
            text = f"!serie {group.name} {day:%d.%m.%Y} {rng.choice(('10:00', '14:00'))} {rng.choice((2, 3, 4))}"
        elif step < 16:
            day = start + dt.timedelta(days=rng.randint(7, 120))
            text = f"!termin {group.name} {day:%d.%m.%Y} {rng.choice(('09:30', '13:00'))} ort=Magdeburg"
        elif step == 16:
            day = dt.date(2023, 1, 27) + dt.timedelta(days=rng.randint(0, 14))
            text = f"!austauschrunde {day:%d.%m.%Y} 10:00 {rng.choice((6, 8))}"
        elif step == 17:
            members = {m.organisation for m in group.members}
            while True:
                name = rng.choice(municipalities)
                key = view.directory.lookup(name)[0].key
                if key not in members and (group.key, key) not in registered:
                    break
            registered.add((group.key, key))
            text = f"!nachmelden {group.name} {name}"
        else:
            text = f"!bestaetigen {REGISTRATION_PLACEHOLDER}"
        found.append((position, Question("write", text, ADMIN, None, None, None)))
    return found


# =========================================================================================
# One dataset, in this process (the child)
# =========================================================================================

def _vm_hwm_mib(field: str = "VmHWM") -> float | None:
    """Peak (VmHWM) or current (VmRSS) resident memory from /proc, MiB; None elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


TASKS_PER_AG, RESULTS_PER_AG = 20, 5


async def load_work(app, group_keys: list[str], now: dt.datetime, seed: int) -> tuple[int, int]:
    """Load :data:`TASKS_PER_AG` tasks (some done, some overdue, some for an organisation) and
    :data:`RESULTS_PER_AG` results into every AG, in one transaction (set-up, not timed)."""
    rng = random.Random(seed + 7)
    today = now.date()
    tasks, results = [], []
    for key in group_keys:
        for i in range(TASKS_PER_AG):
            due = (today + dt.timedelta(days=rng.randint(-20, 60))).isoformat() if i % 4 else None
            tasks.append((key, f"Arbeitsauftrag {i + 1} der Gruppe", due, "done" if i % 5 == 0 else "open",
                          PLATFORM, ADMIN, now.astimezone(dt.timezone.utc).isoformat()))
        for i in range(RESULTS_PER_AG):
            results.append((key, f"Ergebnis {i + 1}: Beschluss zur Umsetzung", PLATFORM, ADMIN,
                            (now - dt.timedelta(days=14 * i)).astimezone(dt.timezone.utc).isoformat()))
    async with app.db.write_lock, app.db.transaction():
        await app.db.executemany(
            "INSERT INTO tasks (group_key, title, due, state, created_platform, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", tasks)
        await app.db.executemany(
            "INSERT INTO results (group_key, text, created_platform, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
            results)
    return len(tasks), len(results)


async def _fresh_postgres_database(server: str) -> str:
    """Create an empty database ``agbot_bench_<pid>`` on the server ``server`` (a
    ``postgresql://`` URL of a database the user may run CREATE DATABASE from); its URL."""
    import asyncpg

    name = f"agbot_bench_{os.getpid()}"
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {name}")
        await connection.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'")
    finally:
        await connection.close()
    return server.rsplit("/", 1)[0] + "/" + name


async def _drop_postgres_database(server: str, url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]}")
    finally:
        await connection.close()


async def run_dataset(dataset: str, programme_path: str | None, n: int, seed: int, profile: bool,
                      writes: int = 0) -> dict:
    """One batch on one dataset. ``writes`` > 0: the questions without the mix's own 3 writes,
    plus ``writes`` admin writes from :func:`mixed_writes` spread among them."""
    t_import = time.perf_counter()
    from bot.app import App
    from bot.config import Settings
    from bot.messages import ChannelRef, IncomingMessage, UserRef
    import_s = time.perf_counter() - t_import

    import logging

    class Collect(logging.Handler):
        """Keeps the bot's logged exceptions (one example per distinct cause) off the terminal."""

        def __init__(self) -> None:
            super().__init__(logging.WARNING)
            self.count = 0
            self.causes: dict[str, str] = {}

        def emit(self, record: logging.LogRecord) -> None:
            self.count += 1
            text = self.format(record)
            cause = text.strip().splitlines()[-1]
            self.causes.setdefault(cause, text)

    logged = Collect()
    logging.getLogger().addHandler(logged)

    now = dt.datetime.fromisoformat(NOW)
    tmp = tempfile.TemporaryDirectory(prefix="agbot-bench-")
    database: Path | str = Path(tmp.name) / "bench.sqlite3"
    server = os.environ.get("AGBOT_BENCH_POSTGRES")  # a PostgreSQL server's URL: a fresh database there
    if server:
        database = await _fresh_postgres_database(server)
    settings = Settings(bot={"programme": programme_path, "database": str(database)}, roles={"admins": [ADMIN]})

    t0 = time.perf_counter()
    app = await App.create(settings, now, database=database)
    startup_s = time.perf_counter() - t0
    rss_after_startup = _vm_hwm_mib()
    try:
        view = (await app.state.current())[0]
        n_groups, n_orgs = len(view.programme.groups), len(view.programme.organisations)
        n_directory = len(view.directory.by_key)
        # rooms: link up to 20 rooms, each to a different group
        rng = random.Random(seed + 3)
        room_keys = rng.sample([g.key for g in view.programme.groups], min(20, n_groups))
        for key in room_keys:
            await app.rooms.link(PLATFORM, f"!room-{key}:bench", key, ADMIN, now)
        t_work = time.perf_counter()
        n_tasks, n_results = await load_work(app, [g.key for g in view.programme.groups], now, seed)
        work_s = time.perf_counter() - t_work

        questions = make_questions(view, template_sequence(n, seed), room_keys, seed)
        if writes:
            for position, write in reversed(mixed_writes(view, n, writes, seed)):
                questions.insert(position, write)
        else:
            for position, write in reversed(write_commands(view, n, seed)):
                questions.insert(position, write)
            questions = questions[:n]
        warmup = make_questions(view, template_sequence(WARMUP, seed + 99), room_keys, seed + 99)
        del view  # hold no snapshot of our own: after a write the old one must be freeable

        direct = ChannelRef(PLATFORM, "!direct:bench", is_direct=True)
        rooms = {key: ChannelRef(PLATFORM, f"!room-{key}:bench") for key in room_keys}
        counter = 0
        registration = "0"  # the number the last "!nachmelden" got

        def message(q: Question) -> IncomingMessage:
            nonlocal counter
            counter += 1
            return IncomingMessage(text=q.text.replace(REGISTRATION_PLACEHOLDER, registration),
                                   sender=UserRef(PLATFORM, q.user),
                                   channel=rooms[q.room_key] if q.room_key else direct,
                                   sent_at=now, message_id=f"m{counter}", addressed=True)

        for q in warmup:
            await app.router.handle(message(q))

        profiler = None
        if profile:
            import cProfile
            profiler = cProfile.Profile()
        latencies: list[int] = []
        replies = []
        clock = time.perf_counter_ns
        handle = app.router.handle
        t_batch = time.perf_counter()
        if profiler:
            profiler.enable()
        rss_timeline = [_vm_hwm_mib("VmRSS")]
        logged_before = logged.count
        for i, q in enumerate(questions, 1):
            msg = message(q)
            start = clock()
            reply = await handle(msg)
            latencies.append(clock() - start)
            replies.append((reply.kind, reply.lead[:40]))
            if q.text.startswith("!nachmelden"):
                number = re.search(r"\(Nr\. (\d+)\)", reply.lead)
                registration = number.group(1) if number else "0"
            if i % 100 == 0:
                rss_timeline.append(_vm_hwm_mib("VmRSS"))
        if profiler:
            profiler.disable()
        batch_s = time.perf_counter() - t_batch
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_hwm = _vm_hwm_mib()
        logged_in_batch = logged.count - logged_before

        # -- sanity checks (not timed) ---------------------------------------------------
        kinds: dict[str, int] = {}
        for kind, _ in replies:
            kinds[kind] = kinds.get(kind, 0) + 1
        fallbacks = [q.text for q, (kind, _) in zip(questions, replies) if kind == "fallback"]
        internal = [q.text for q, (_, lead) in zip(questions, replies)
                    if lead.startswith(("Entschuldigung, dabei ist ein Fehler", "Sorry, something went wrong"))]
        view, understanding = await app.state.current()
        # the snapshot the answers read must be what the database holds after all the writes
        snapshot_matches = view.programme == await app.programme.load()
        del view
        wrong_intent, wrong_group = [], []
        from bot.text import clean
        for q in questions:
            if q.intent is None:
                continue
            parsed = understanding.parse(clean(q.text))
            if parsed.intent.value != q.intent:
                wrong_intent.append(f"{q.text!r}: {parsed.intent.value}, expected {q.intent}")
            elif q.group_key and not q.room_key and parsed.groups[:1] != (q.group_key,):
                wrong_group.append(f"{q.text!r}: {parsed.groups[:1] or 'no group'}, expected {q.group_key}")

        slowest = sorted(range(len(questions)), key=lambda i: latencies[i], reverse=True)[:8]
        slowest = [{"ms": latencies[i] / 1e6, "index": i, "category": questions[i].category,
                    "text": questions[i].text, "after_write": i > 0 and questions[i - 1].category == "write"}
                   for i in slowest]
        by_category: dict[str, list[int]] = {}
        for q, ns in zip(questions, latencies):
            by_category.setdefault(q.category, []).append(ns)

        # -- extra timings after the batch (not part of the peak above) ------------------
        from bot.understanding import Understanding
        from bot.view import ProgrammeView

        previous, _ = await app.state.current()
        t0 = time.perf_counter()  # a full rebuild, as after a change of the whole programme
        Understanding(ProgrammeView.build(await app.programme.load(), previous=previous))
        rebuild_s = time.perf_counter() - t0
        del previous
        single = {}
        for text in ("Welche Arbeitsgruppen gibt es?", "Wer leitet die Arbeitsgruppen?", "!ags",
                     "Wann ist der nächste Meilenstein fällig?", "Wann tagen die Arbeitsgruppen?",
                     "!termine", "!meilensteine", "Welche Unterarbeitsgruppen gibt es?"):
            q = Question("single", text, USER, None, None, None)
            runs = []
            for _ in range(5):
                msg = message(q)
                start = clock()
                reply = await handle(msg)
                runs.append(clock() - start)
            single[text] = {"median_ms": sorted(runs)[2] / 1e6, "items": len(reply.items), "kind": reply.kind}
    finally:
        await app.close()
    t0 = time.perf_counter()
    app2 = await App.create(settings, now, database=database)
    reopen_s = time.perf_counter() - t0
    await app2.close()
    tmp.cleanup()
    if server:
        await _drop_postgres_database(server, str(database))

    if writes:  # the questions apart from the writes
        asked = [i for i, q in enumerate(questions) if q.category != "write"]
        written = [i for i, q in enumerate(questions) if q.category == "write"]
        values = sorted(latencies[i] for i in asked)
        after = sorted(latencies[i + 1] for i in written if i + 1 < len(questions)
                       and questions[i + 1].category != "write")
        spent = sorted(latencies[i] for i in written)
        write_kinds: dict[str, int] = {}
        for i in written:
            write_kinds[replies[i][0]] = write_kinds.get(replies[i][0], 0) + 1
        write_stats = {
            "writes": len(written), "write_kinds": write_kinds,
            "write_problems": [f"{questions[i].text}: {replies[i][1]}" for i in written
                               if replies[i][0] != "confirmation"][:6],
            "write_p50_ms": percentile(spent, 50) / 1e6, "write_p90_ms": percentile(spent, 90) / 1e6,
            "write_p99_ms": percentile(spent, 99) / 1e6, "write_max_ms": spent[-1] / 1e6,
            "after_p50_ms": percentile(after, 50) / 1e6, "after_p99_ms": percentile(after, 99) / 1e6,
            "after_max_ms": after[-1] / 1e6, "after_n": len(after),
        }
    else:
        values = sorted(latencies)
        write_stats = {"writes": 0}
    result = {
        "dataset": dataset, "groups": n_groups, "organisations": n_orgs, **write_stats,
        "tasks": n_tasks, "results": n_results, "work_load_s": work_s,
        "snapshot_matches": snapshot_matches, "bot_path": str(Path(sys.modules["bot"].__file__).parent),
        "directory": n_directory, "questions": len(values), "warmup": len(warmup),
        "p50_ms": percentile(values, 50) / 1e6, "p90_ms": percentile(values, 90) / 1e6,
        "p99_ms": percentile(values, 99) / 1e6, "max_ms": values[-1] / 1e6,
        "mean_ms": sum(values) / len(values) / 1e6, "batch_s": batch_s,
        "peak_rss_kib": peak_kib, "rss_after_startup_mib": rss_after_startup, "peak_hwm_mib": peak_hwm,
        "rss_timeline": rss_timeline,
        "import_s": import_s, "startup_s": startup_s, "rebuild_s": rebuild_s, "reopen_s": reopen_s,
        "kinds": kinds, "fallbacks": len(fallbacks), "fallback_examples": fallbacks[:10],
        "internal_errors": len(internal), "internal_examples": internal[:10],
        "wrong_intent": len(wrong_intent), "wrong_intent_examples": wrong_intent[:12],
        "wrong_group": len(wrong_group), "wrong_group_examples": wrong_group[:8],
        "categories": {c: {"n": len(v), "p50_ms": percentile(sorted(v), 50) / 1e6,
                           "p99_ms": percentile(sorted(v), 99) / 1e6, "max_ms": max(v) / 1e6}
                       for c, v in sorted(by_category.items())},
        "single": single, "slowest": slowest,
        "logged": logged_in_batch, "logged_causes": list(logged.causes.values())[:3],
    }
    if profiler:
        import io
        import pstats
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(r"/(bot|store)/", 25)
        result["profile"] = out.getvalue()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(12)
        result["profile_tottime"] = out.getvalue()
    return result


def generate_main(path: str) -> int:
    from bot.programme_file import programme_to_toml
    t0 = time.perf_counter()
    programme = build_synthetic_programme()
    Path(path).write_text(programme_to_toml(programme), encoding="utf-8")
    print(f"synthetic programme generated in {time.perf_counter() - t0:.2f} s "
          f"({len(programme.groups)} AGs, {len(programme.organisations)} organisations, "
          f"TOML {Path(path).stat().st_size / 1e6:.1f} MB; generation is not part of either run)")
    return 0


def child_main(args: argparse.Namespace) -> int:
    result = asyncio.run(run_dataset(args.child, args.programme, args.questions, args.seed, args.profile,
                                     writes=args.child_writes))
    print(RESULT_MARK + json.dumps(result), flush=True)
    return 0


# =========================================================================================
# The parent: one subprocess per dataset, then the tables
# =========================================================================================

def run_child(dataset: str, programme: str | None, args: argparse.Namespace, profile: bool = False,
              writes: int = 0, postgres: str | None = None) -> dict | None:
    """One child run; ``postgres``: a server URL to run on (else SQLite, or AGBOT_BENCH_POSTGRES)."""
    env = dict(os.environ)
    if postgres:
        env["AGBOT_BENCH_POSTGRES"] = postgres
    elif getattr(args, "postgres", False):
        env.pop("AGBOT_BENCH_POSTGRES", None)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", dataset,
               "--questions", str(args.questions), "--seed", str(args.seed), "--child-writes", str(writes)]
    if programme:
        command += ["--programme", programme]
    if profile:
        command.append("--profile")
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env)
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result = json.loads(line[len(RESULT_MARK):])
            result["backend"] = "postgresql" if env.get("AGBOT_BENCH_POSTGRES") else "sqlite"
            return result
    print(f"bench: the {dataset} run{f' with {writes} writes' if writes else ''} failed "
          f"(exit {done.returncode}):\n{done.stdout}", file=sys.stderr)
    return None


def print_writes_result(r: dict) -> None:
    """The run with writes mixed in: the questions' latency, the writes' own, memory, consistency."""
    peak_mb = r["peak_rss_kib"] * 1024 / 1e6
    ok_p99 = "ok" if r["p99_ms"] <= TARGET_P99_WRITES_MS else "MISSED"
    ok_mem = "ok" if peak_mb <= TARGET_PEAK_MB else "MISSED"
    print(f"\n== {r['dataset']} with {r['writes']} writes mixed in: {r['groups']} groups, "
          f"{r['organisations']} programme organisations ==")
    rows = [
        ("questions answered", f"{r['questions']} (plus {r['writes']} writes spread among them; after "
                               f"{r['warmup']} warm-up questions, not counted)"),
        ("p50 per answer", f"{r['p50_ms']:.3f} ms"),
        ("p90 per answer", f"{r['p90_ms']:.3f} ms"),
        ("p99 per answer", f"{r['p99_ms']:.3f} ms   target <= {TARGET_P99_WRITES_MS:g} ms: {ok_p99}"),
        ("max per answer", f"{r['max_ms']:.3f} ms"),
        ("first answer after a write", f"p50 {r['after_p50_ms']:.3f} ms, p99 {r['after_p99_ms']:.3f} ms, "
                                       f"max {r['after_max_ms']:.3f} ms ({r['after_n']} answers)"),
        ("the writes themselves", f"p50 {r['write_p50_ms']:.3f} ms, p90 {r['write_p90_ms']:.3f} ms, "
                                  f"p99 {r['write_p99_ms']:.3f} ms, max {r['write_max_ms']:.3f} ms"),
        ("write replies", ", ".join(f"{k} {v}" for k, v in sorted(r["write_kinds"].items()))),
        ("peak RSS (ru_maxrss)", f"{r['peak_rss_kib'] / 1024:.1f} MiB = {peak_mb:.1f} MB   "
                                 f"target <= {TARGET_PEAK_MB:g} MB: {ok_mem}"),
        ("RSS every 100 answers", " ".join(f"{x:.0f}" for x in r["rss_timeline"]) + " MiB"
         if r["rss_timeline"][0] else "n/a"),
        ("snapshot = store.load()", "yes" if r["snapshot_matches"] else "NO: the answers read stale data"),
        ("fallback answers", str(r["fallbacks"])),
        ("internal errors", str(r["internal_errors"])),
        ("intent / group not as expected", f"{r['wrong_intent']} / {r['wrong_group']}"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    for title, examples in (("writes not confirmed", r["write_problems"]), ("internal errors", r["internal_examples"])):
        if examples:
            print(f"  {title} (first {len(examples)}):")
            for e in examples:
                print(f"    - {e}")
    if r["logged"]:
        print(f"  the bot logged {r['logged']} warnings/errors during the batch; distinct causes (last lines):")
        for text in r["logged_causes"]:
            print("    | " + "\n    | ".join(text.splitlines()[-8:]))
    print("  slowest messages in the batch (writes included):")
    for s in r["slowest"]:
        note = "  (first after a write)" if s["after_write"] else ""
        print(f"    {s['ms']:>8.3f} ms  #{s['index']:<5} {s['category']:<18} {s['text']}{note}")


def print_result(r: dict) -> None:
    peak_mib = r["peak_rss_kib"] / 1024
    peak_mb = r["peak_rss_kib"] * 1024 / 1e6
    ok_p99 = "ok" if r["p99_ms"] <= TARGET_P99_MS else "MISSED"
    ok_mem = "ok" if peak_mb <= TARGET_PEAK_MB else "MISSED"
    print(f"\n== {r['dataset']}: {r['groups']} groups, {r['organisations']} programme organisations "
          f"({r['directory']} in the directory incl. Destatis) ==")
    rows = [
        ("questions answered", f"{r['questions']} (after {r['warmup']} warm-up questions, not counted)"),
        ("p50 per answer", f"{r['p50_ms']:.3f} ms"),
        ("p90 per answer", f"{r['p90_ms']:.3f} ms"),
        ("p99 per answer", f"{r['p99_ms']:.3f} ms   target <= {TARGET_P99_MS:g} ms: {ok_p99}"),
        ("max per answer", f"{r['max_ms']:.3f} ms"),
        ("mean per answer", f"{r['mean_ms']:.3f} ms ({r['batch_s']:.2f} s for the batch)"),
        ("peak RSS (ru_maxrss)", f"{peak_mib:.1f} MiB = {peak_mb:.1f} MB   target <= {TARGET_PEAK_MB:g} MB: {ok_mem}"),
        ("peak RSS cross-check", f"{r['peak_hwm_mib']:.1f} MiB (VmHWM of /proc/self/status)" if r["peak_hwm_mib"] else "n/a"),
        ("peak RSS after start-up", f"{r['rss_after_startup_mib']:.1f} MiB" if r["rss_after_startup_mib"] else "n/a"),
        ("RSS every 100 answers", " ".join(f"{x:.0f}" for x in r["rss_timeline"]) + " MiB" if r["rss_timeline"][0] else "n/a"),
        ("work data loaded", f"{r['tasks']} tasks, {r['results']} results ({TASKS_PER_AG} and {RESULTS_PER_AG} per AG)"),
        ("import of bot modules", f"{r['import_s'] * 1000:.0f} ms"),
        ("start-up: open+seed+index", f"{r['startup_s'] * 1000:.0f} ms (App.create on an empty database)"),
        ("start-up: reopen seeded db", f"{r['reopen_s'] * 1000:.0f} ms (App.create on the seeded database)"),
        ("full index rebuild", f"{r['rebuild_s'] * 1000:.0f} ms (store.load + ProgrammeView + Understanding; "
                               "start-up, whole-programme changes)"),
        ("reply kinds", ", ".join(f"{k} {v}" for k, v in sorted(r["kinds"].items()))),
        ("fallback answers", f"{r['fallbacks']} (\"Das habe ich leider nicht verstanden\")"),
        ("internal errors", str(r["internal_errors"])),
        ("intent not as expected", str(r["wrong_intent"])),
        ("group not as expected", str(r["wrong_group"])),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    for title, examples in (("fallbacks", r["fallback_examples"]), ("internal errors", r["internal_examples"]),
                            ("intent mismatches", r["wrong_intent_examples"]),
                            ("group mismatches", r["wrong_group_examples"])):
        if examples:
            print(f"  {title} (first {len(examples)}):")
            for e in examples:
                print(f"    - {e}")
    if r["logged"]:
        print(f"  the bot logged {r['logged']} warnings/errors during the batch; distinct causes (last lines):")
        for text in r["logged_causes"]:
            print("    | " + "\n    | ".join(text.splitlines()[-8:]))
    print("  latency by category (ms):     n      p50      p99      max")
    for cat, c in r["categories"].items():
        print(f"    {cat:<24} {c['n']:>5} {c['p50_ms']:>8.3f} {c['p99_ms']:>8.3f} {c['max_ms']:>8.3f}")
    print("  slowest answers in the batch:")
    for s in r["slowest"]:
        note = "  (first after a write: updates the view)" if s["after_write"] else ""
        print(f"    {s['ms']:>8.3f} ms  #{s['index']:<5} {s['category']:<18} {s['text']}{note}")
    print("  programme-wide answers, asked alone (median of 5):")
    for text, s in r["single"].items():
        print(f"    {s['median_ms']:>8.3f} ms  {s['items']:>4} items  {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=1000, help="questions per dataset (default 1000)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the question mix and names")
    parser.add_argument("--profile", action="store_true",
                        help="also run the synthetic batch under cProfile and print the top functions")
    parser.add_argument("--writes", type=int, default=DEFAULT_WRITES,
                        help=f"admin writes mixed into the second run of each dataset (default {DEFAULT_WRITES}; "
                             "0: no such run)")
    parser.add_argument("--only", choices=("shipped", "synthetic"), help="run one dataset only")
    parser.add_argument("--postgres", action="store_true",
                        help="run every batch on SQLite and on a throw-away PostgreSQL server started here "
                             "(tests/pg_server.py), and print the ratios PostgreSQL/SQLite")
    parser.add_argument("--child-writes", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=("shipped", "synthetic"), help=argparse.SUPPRESS)
    parser.add_argument("--programme", help=argparse.SUPPRESS)
    parser.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.questions < 10:
        parser.error("--questions must be at least 10")
    if args.child:
        return child_main(args)
    if args.generate:
        return generate_main(args.generate)

    print(f"AG-Bot answer benchmark: Python {platform.python_version()} ({platform.python_implementation()}), "
          f"os.cpu_count() = {os.cpu_count()}, {platform.machine()} {platform.system()}")
    print(f"{args.questions} questions per dataset (seed {args.seed}), {WARMUP} warm-up questions first; "
          f"one subprocess per dataset; clock {NOW}; code from {ROOT}")
    results = []
    written = []
    failed = False
    server = None
    backends: list[str | None] = [None]
    if args.postgres:
        import throwaway_postgres

        server = throwaway_postgres.start()
        backends = [None, server.url("postgres")]
        print(f"SQLite, then PostgreSQL (throw-away server on 127.0.0.1:{server.port}, fsync off) for each run")
    try:
        failed = run_all(args, backends, results, written)
    finally:
        if server is not None:
            server.stop()
    print_summaries(args, results, written)
    return 1 if failed else 0


def run_all(args: argparse.Namespace, backends: list[str | None], results: list[dict], written: list[dict]) -> bool:
    """Every dataset's runs on every backend (None: SQLite), printed as they finish; True if one
    failed. The profiles (``--profile``) run on the first backend."""
    failed = False
    with tempfile.TemporaryDirectory(prefix="agbot-bench-prog-") as tmp:
        programme_path = None
        if args.only != "shipped":
            # generated in a subprocess of its own: the parent stays small, because on Linux a
            # child's ru_maxrss starts at the parent's resident size when it is spawned
            programme_path = str(Path(tmp) / "synthetic_programme.toml")
            done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--generate", programme_path],
                                  stdout=subprocess.PIPE, text=True)
            if done.returncode != 0:
                print(f"bench: generating the synthetic programme failed:\n{done.stdout}", file=sys.stderr)
                return True
            print(done.stdout.strip())
        for dataset in ("shipped", "synthetic"):
            if args.only and args.only != dataset:
                continue
            for postgres in backends:
                r = run_child(dataset, programme_path if dataset == "synthetic" else None, args, postgres=postgres)
                if r is None:
                    failed = True
                    continue
                results.append(r)
                print_result(r)
        for dataset in ("shipped", "synthetic"):
            if args.writes <= 0 or args.only and args.only != dataset:
                continue
            for postgres in backends:
                r = run_child(dataset, programme_path if dataset == "synthetic" else None, args, writes=args.writes,
                              postgres=postgres)
                if r is None:
                    failed = True
                    continue
                written.append(r)
                print_writes_result(r)
        profile = profile_writes = None
        if args.profile and args.only != "shipped":
            profile = run_child("synthetic", programme_path, args, profile=True)
            if args.writes > 0:
                profile_writes = run_child("synthetic", programme_path, args, profile=True, writes=args.writes)
    for title, p in (("the synthetic batch", profile), (f"the synthetic batch with {args.writes} writes", profile_writes)):
        if p:
            print(f"\n== cProfile of {title} (timings inflated by the profiler) ==")
            print(f"  p99 under the profiler: {p['p99_ms']:.3f} ms")
            print("  -- bot/ and store/ functions by cumulative time --")
            print(p["profile"].strip())
            print("  -- all functions by own time --")
            print(p["profile_tottime"].strip())
    return failed


def print_ratios(runs: list[dict], keys: tuple[str, ...]) -> None:
    """PostgreSQL / SQLite for each dataset run on both backends."""
    for dataset in ("shipped", "synthetic"):
        by = {r["backend"]: r for r in runs if r["dataset"] == dataset}
        if {"sqlite", "postgresql"} <= set(by):
            ratios = ", ".join(f"{key.removesuffix('_ms')} {by['postgresql'][key] / by['sqlite'][key]:.2f}"
                               for key in keys)
            print(f"  ratio PostgreSQL/SQLite, {dataset}: {ratios}")


def print_summaries(args: argparse.Namespace, results: list[dict], written: list[dict]) -> None:
    if results:
        print("\n== summary ==")
        print(f"  {'dataset':<10} {'backend':<10} {'answers':>7} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} "
              f"{'peak MiB':>9} {'start-up ms':>11} {'fallbacks':>9}")
        for r in results:
            print(f"  {r['dataset']:<10} {r['backend']:<10} {r['questions']:>7} {r['p50_ms']:>8.3f} {r['p90_ms']:>8.3f} "
                  f"{r['p99_ms']:>8.3f} {r['max_ms']:>8.3f} {r['peak_rss_kib'] / 1024:>9.1f} "
                  f"{r['startup_s'] * 1000:>11.0f} {r['fallbacks']:>9}")
        print_ratios(results, ("p50_ms", "p90_ms", "p99_ms"))
    if written:
        print("\n== summary with writes mixed in (questions only; writes apart) ==")
        print(f"  {'dataset':<10} {'backend':<10} {'answers':>7} {'writes':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
              f"{'max ms':>8} {'after-write p99':>15} {'write p50':>9} {'write p99':>9} {'peak MiB':>9} {'consistent':>10}")
        for r in written:
            print(f"  {r['dataset']:<10} {r['backend']:<10} {r['questions']:>7} {r['writes']:>6} {r['p50_ms']:>8.3f} "
                  f"{r['p90_ms']:>8.3f} {r['p99_ms']:>8.3f} {r['max_ms']:>8.3f} {r['after_p99_ms']:>15.3f} "
                  f"{r['write_p50_ms']:>9.3f} {r['write_p99_ms']:>9.3f} {r['peak_rss_kib'] / 1024:>9.1f} "
                  f"{'yes' if r['snapshot_matches'] else 'NO':>10}")
        print_ratios(written, ("p50_ms", "p99_ms", "after_p99_ms", "write_p50_ms", "write_p99_ms"))


if __name__ == "__main__":
    sys.exit(main())
