"""Risk matrix commands (Risiko-Matrix, issue 14): record an AG's risks with Wahrscheinlichkeit
and Auswirkung (1–5 each), list them by risk value with the matrix as a picture, change, close and
delete them.

Commands: ``risiko <AG> <Titel> w=<1-5> a=<1-5> [massnahme=…] [verantwortlich=…]`` / ``risk … p= i=
[measure=…] [owner=…]`` (everyone), ``risiken [AG] [alle]`` / ``risks`` (everyone; with an AG also
the picture), ``risikomatrix [AG]`` / ``risk-matrix`` (the same), ``risiko-aendern <Nr> …`` /
``risk-change``, ``risiko-schliessen <Nr> [Grund]`` / ``risk-close``, ``risiko-loeschen <Nr>`` /
``risk-delete`` (the AG's coordinators and admins). Values ``w``/``a`` are digits 1–5 or the step
names ("sehr gering" … "sehr hoch"); option values run to the next option, quotes are optional.
``verantwortlich`` is an organisation of the AG (programme directory), a Matrix user id
(``@name:server``, pseudonymised on ``!daten-loeschen``) or free text. Colour classes and order:
:mod:`bot.risks`; the picture: :mod:`bot.risk_picture`. Without a risk store
(``Services.risks`` None) every command says the risk matrix is not available.
"""
from __future__ import annotations

import re

from bot.answers import t
from bot.clock import BERLIN
from bot.commands.args import group_arg, required_group
from bot.commands.work import check_text, refuse_duplicate, same_title, unbracket_options
from bot.commands.registry import Turn, command, unbracket, usage_error
from bot.directory import display_name
from bot.people import person_label
from bot.errors import UserError
from bot.messages import Attachment, Reply
from bot.ports import Risk, RiskChanges, RiskOwner, RiskStore
from bot.programme import Group
from bot.risk_picture import render
from bot.risks import (QUOTES, alt_text, class_name, clean_text, colour_class, legend, parse_step, ranked,
                       split_options)
from bot.text import fold, tokens

MAX_TITLE, MAX_TEXT, MAX_REASON = 200, 500, 300
OVERVIEW_ITEMS = 20  # risks listed for all AGs at once
_MATRIX_USER = re.compile(r"^@[^\s:]+:[^\s:]+(:\d+)?$")
_CLEAR = {"-", "niemand", "keine", "keiner", "none", "nobody"}


def risk_store(turn: Turn) -> RiskStore:
    """The risk store; raises :class:`UserError` when it is not set up."""
    store = turn.svc.risks
    if store is None:
        raise UserError("Die Risiko-Matrix ist in diesem Bot nicht eingerichtet.",
                        "The risk matrix is not set up in this bot.")
    return store


def _text(options: dict[str, str], key: str, limit: int, what_de: str, what_en: str) -> str | None:
    value = options.get(key)
    if value is None:
        return None
    return check_text(clean_text(value), "de", what_de, what_en, limit)


def _title(text: str, language: str, name: str) -> str:
    title = clean_text(text).strip(QUOTES).strip()
    if not title:
        raise usage_error(name, language, t(language, "Der Titel des Risikos fehlt.", "The risk's title is missing."))
    return check_text(title, language, limit=MAX_TITLE)  # too long or HTML: refused, as for tasks


def resolve_owner(turn: Turn, group: Group, text: str) -> RiskOwner:
    """Who ``verantwortlich=`` names: nobody ("-", "niemand", empty), a Matrix user id, an
    organisation of ``group`` (directory name or alias, exactly), else the text as typed.
    Raises :class:`UserError` when the name fits several organisations of the AG."""
    text = clean_text(text)
    if not text or fold(text) in _CLEAR:
        return RiskOwner()
    text = check_text(text, turn.language, "Die Angabe „verantwortlich“", "\"owner\"", MAX_TITLE)
    if _MATRIX_USER.match(text):
        return RiskOwner(user=text)
    members = {m.organisation for m in group.members}
    found = [o for o in turn.view.directory.lookup(text) if o.key in members]
    if len(found) == 1:
        return RiskOwner(organisation=found[0].key)
    if len(found) > 1:
        raise UserError(f"„{text}“ passt zu mehreren Mitgliedern der {group.label}. Bitte genauer angeben:",
                        f"\"{text}\" fits several members of the {group.label}. Please be more specific:",
                        items=tuple(display_name(o) for o in found))
    return RiskOwner(name=text)


def owner_text(turn: Turn, risk: Risk) -> str | None:
    """Who is responsible, as the list shows it (an organisation by its display name)."""
    if risk.owner_organisation:
        org = turn.view.directory.get(risk.owner_organisation)
        return display_name(org) if org else risk.owner_organisation
    if risk.owner_user:
        return person_label(risk.owner_user, None, turn.language)
    return risk.owner_name


def risk_line(turn: Turn, risk: Risk, with_group: bool = False) -> str:
    """``Nr. 4 „Fördermittel laufen aus“: W 4 × A 5 = 20, rot · Maßnahme: … · verantwortlich: …``."""
    lang = turn.language
    cls = class_name(colour_class(risk.wahrscheinlichkeit, risk.auswirkung), lang)
    group = turn.view.groups.get(risk.group_key)
    where = f"{group.label if group else risk.group_key} " if with_group else ""
    title = t(lang, f"„{risk.title}“", f"\"{risk.title}\"")
    line = (f"{where}{t(lang, 'Nr.', 'no.')} {risk.id} {title}: {t(lang, 'W', 'L')} {risk.wahrscheinlichkeit} "
            f"× {t(lang, 'A', 'I')} {risk.auswirkung} = {risk.score}, {cls}")
    if risk.massnahme:
        line += f" · {t(lang, 'Maßnahme', 'measure')}: {risk.massnahme}"
    owner = owner_text(turn, risk)
    if owner:
        line += f" · {t(lang, 'verantwortlich', 'owner')}: {owner}"
    if risk.state == "closed" and risk.closed_at:
        day = f"{risk.closed_at.astimezone(BERLIN):%d.%m.%Y}"
        line += t(lang, f" · geschlossen am {day}", f" · closed on {day}")
        if risk.closed_reason:
            line += f" ({risk.closed_reason})"
    return line


def _split_group(turn: Turn, text: str, name: str) -> tuple[Group, str]:
    """"<AG> <Titel>": the longest leading words that are exactly an AG's name or alias (at least
    one word left for the title); else the room's AG with all of ``text`` as the title; else the
    first word read as an AG (fuzzy, "Meinten Sie …?" when nothing fits)."""
    words = text.split()
    for cut in range(len(words) - 1, 0, -1):
        keys = turn.view.group_tokens.get(tokens(" ".join(words[:cut])))
        if keys:
            key = sorted(keys, key=lambda k: (turn.view.groups[k].kind != "AG", k))[0]
            return turn.view.groups[key], " ".join(words[cut:])
    if turn.room_group:
        return turn.view.groups[turn.room_group], text
    if len(words) == 1 and turn.view.group_tokens.get(tokens(text)):
        raise usage_error(name, turn.language, t(turn.language, "Der Titel des Risikos fehlt.",
                                                 "The risk's title is missing."))
    if len(words) < 2:
        raise usage_error(name, turn.language)
    return required_group(turn, words[0], name), " ".join(words[1:])


def _number(turn: Turn, args: str, name: str) -> tuple[int, str]:
    words = args.split(maxsplit=1)
    digits = unbracket(words[0]).lstrip("#").removeprefix("Nr.").removeprefix("nr.") if words else ""
    if not digits.isdigit() or len(digits) > 9:
        raise usage_error(name, turn.language)
    return int(digits), words[1] if len(words) > 1 else ""


async def _risk(turn: Turn, number: int, open_only: bool = True) -> tuple[Risk, Group]:
    """The risk ``number`` and its AG, after checking that the sender may manage that AG."""
    risk = await risk_store(turn).get(number)
    lang = turn.language
    if risk is None:
        raise UserError(f"Ein Risiko Nr. {number} gibt es nicht.", f"There is no risk no. {number}.",
                        footer=t(lang, "Die Risiken einer AG: !risiken <AG>", "A group's risks: !risks <group>"))
    group = turn.view.groups.get(risk.group_key)
    if group is None:
        raise UserError(f"Die AG des Risikos Nr. {number} gibt es nicht mehr.",
                        f"The group of risk no. {number} no longer exists.")
    turn.svc.require_manage(turn.message.sender, group)
    if open_only and risk.state != "open":
        raise UserError(f"Das Risiko Nr. {number} ist schon geschlossen.", f"Risk no. {number} is already closed.")
    return risk, group


@command("risiko", "risk", args="<AG> <Titel> w=<1-5> a=<1-5> [massnahme=…] [verantwortlich=…]",
         args_en="<group> <title> p=<1-5> i=<1-5> [measure=…] [owner=…]",
         help="erfasst ein Risiko mit Wahrscheinlichkeit (w) und Auswirkung (a), je 1 bis 5",
         help_en="records a risk with likelihood (p) and impact (i), 1 to 5 each",
         example="!risiko Finanzen Fördermittel laufen aus w=4 a=5 massnahme=Antrag vorziehen", free_text=True)
async def add_risk(turn: Turn, args: str) -> Reply:
    store = risk_store(turn)
    lang = turn.language
    head, options = split_options(args)
    options = unbracket_options(options, "titel", "massnahme")  # free text kept as typed
    if not head:
        raise usage_error("risiko", lang)
    group, rest = _split_group(turn, head, "risiko")
    title = _title(rest, lang, "risiko")
    w, a = parse_step(options, "w", lang), parse_step(options, "a", lang)
    if w is None or a is None:
        raise usage_error("risiko", lang, t(lang, "Bitte Wahrscheinlichkeit (w=1 bis 5) und Auswirkung (a=1 bis 5) "
                                                  "angeben.", "Please give likelihood (p=1 to 5) and impact (i=1 to 5)."))
    massnahme = _text(options, "massnahme", MAX_TEXT, "Die Maßnahme", "The measure") or None
    owner = resolve_owner(turn, group, options["verantwortlich"]) if "verantwortlich" in options else RiskOwner()
    twin = next((r for r in await store.of_groups([group.key]) if same_title(r.title, title)), None)
    if twin is not None:
        raise refuse_duplicate(twin.id, f"Ein offenes Risiko „{twin.title}“ der {group.label}",
                               f"An open risk \"{twin.title}\" of the {group.label}",
                               f"Ändern: !risiko-aendern {twin.id} · Alle: !risiken {group.name}",
                               f"Change it: !risk-change {twin.id} · All: !risks {group.name}")
    risk = await store.create(group.key, title, w, a, massnahme, owner, turn.message.sender, turn.message.channel,
                              turn.now)
    return Reply(t(lang, f"Risiko erfasst für die {group.label}: {risk_line(turn, risk)}.",
                   f"Risk recorded for the {group.label}: {risk_line(turn, risk)}."),
                 footer=t(lang, f"Alle Risiken: !risiken {group.name}", f"All risks: !risks {group.name}"),
                 language=lang, kind="confirmation")


async def group_risks_reply(turn: Turn, group: Group, include_closed: bool = False, picture: bool = True) -> Reply:
    """The AG's risks as a list, highest value first, and (when there are open ones and
    ``picture``) the matrix as a PNG attachment with its alt text; without any, says so and how
    to record one. Raises :class:`UserError` when the bot has no risk store."""
    lang = turn.language
    found = ranked(await risk_store(turn).of_groups({group.key}, include_closed=include_closed))
    open_risks = [r for r in found if r.state == "open"]
    if not found:
        return Reply(t(lang, f"Die {group.label} hat keine offenen Risiken.", f"The {group.label} has no open risks."),
                     footer=t(lang, f"Neues Risiko: !risiko {group.name} <Titel> w=<1-5> a=<1-5>",
                              f"New risk: !risk {group.name} <title> p=<1-5> i=<1-5>"), language=lang)
    closed = len(found) - len(open_risks)
    count = t(lang, f"{len(open_risks)} offen" + (f", {closed} geschlossen" if include_closed else ""),
              f"{len(open_risks)} open" + (f", {closed} closed" if include_closed else ""))
    lead = t(lang, f"Risiken der {group.label} ({count}), die höchsten zuerst:",
             f"Risks of the {group.label} ({count}), highest first:")
    hint = "" if include_closed else t(lang, f" Mit geschlossenen: !risiken {group.name} alle",
                                       f" Including closed ones: !risks {group.name} all")
    attachment = matrix_attachment(turn, group, open_risks) if picture and open_risks else None
    return Reply(lead, tuple(risk_line(turn, r) for r in found), footer=legend(lang) + hint, language=lang,
                 attachment=attachment)


def matrix_attachment(turn: Turn, group: Group, open_risks: list[Risk]) -> Attachment:
    """The risk matrix of ``group``'s ``open_risks`` as of today (Europe/Berlin) as a PNG
    attachment with its alt text (a summary of the matrix for screen readers)."""
    day = turn.now.astimezone(BERLIN).date()
    drawn = render(group.label, day, open_risks, turn.language)
    return Attachment(f"risikomatrix-{group.key}-{day:%Y-%m-%d}.png", "image/png", drawn.png, drawn.width,
                      drawn.height, alt_text(group.label, f"{day:%d.%m.%Y}", open_risks, turn.language))


async def group_matrix(turn: Turn, group: Group) -> Attachment | None:
    """The matrix picture of ``group``'s open risks, or None without open risks or risk store."""
    if turn.svc.risks is None:
        return None
    open_risks = ranked(await turn.svc.risks.of_groups({group.key}))
    return matrix_attachment(turn, group, open_risks) if open_risks else None


def _all_flag(args: str) -> tuple[str, bool]:
    words = args.split()
    if words and fold(words[-1]) in {"alle", "all", "geschlossen", "closed"}:
        return " ".join(words[:-1]), True
    return args, False


@command("risiken", "risks", args="[AG] [alle]", args_en="[group] [all]",
         help="Risiken einer AG nach Risikowert, mit der Risikomatrix als Bild (alle: auch geschlossene)",
         help_en="a group's risks by value, with the risk matrix as a picture (all: closed ones too)",
         example="!risiken Finanzen")
async def list_risks(turn: Turn, args: str) -> Reply:
    risk_store(turn)
    lang = turn.language
    rest, include_closed = _all_flag(args)
    group = group_arg(turn, rest, "risiken", required=False)
    if group is not None:
        return await group_risks_reply(turn, group, include_closed)
    return await all_risks_reply(turn, include_closed)


async def all_risks_reply(turn: Turn, include_closed: bool = False) -> Reply:
    """The risks of all AGs, highest value first (at most :data:`OVERVIEW_ITEMS`), each with its
    AG. Raises :class:`UserError` when the bot has no risk store."""
    lang = turn.language
    found = ranked(await risk_store(turn).of_groups(None, include_closed=include_closed))
    if not found:
        return Reply(t(lang, "Es sind keine offenen Risiken erfasst.", "No open risks are recorded."),
                     footer=t(lang, "Neues Risiko: !risiko <AG> <Titel> w=<1-5> a=<1-5>",
                              "New risk: !risk <group> <title> p=<1-5> i=<1-5>"), language=lang)
    shown = found[:OVERVIEW_ITEMS]
    more = len(found) - len(shown)
    footer = t(lang, (f"… und {more} weitere. " if more else "") + "Die Matrix einer AG: !risiken <AG>",
               (f"… and {more} more. " if more else "") + "A group's matrix: !risks <group>")
    return Reply(t(lang, f"Risiken aller AGs ({len(found)}), die höchsten zuerst:",
                   f"Risks of all groups ({len(found)}), highest first:"),
                 tuple(risk_line(turn, r, with_group=True) for r in shown), footer=footer, language=lang)


@command("risikomatrix", "risk-matrix", args="[AG]", args_en="[group]",
         help="die Risikomatrix einer AG als Bild, mit der Liste als Text",
         help_en="a group's risk matrix as a picture, with the list as text", example="!risikomatrix Finanzen")
async def risk_matrix(turn: Turn, args: str) -> Reply:
    risk_store(turn)
    rest, include_closed = _all_flag(args)
    return await group_risks_reply(turn, required_group(turn, rest, "risikomatrix"), include_closed)


@command("risiko-aendern", "risk-change", who="coordination",
         args="<Nr> [w=…] [a=…] [massnahme=…] [verantwortlich=…] [titel=…]",
         args_en="<no> [p=…] [i=…] [measure=…] [owner=…] [title=…]",
         help="ändert ein Risiko (Koordination)", help_en="changes a risk (coordinators)",
         example="!risiko-aendern 3 w=2 massnahme=Antrag gestellt", free_text=True)
async def change_risk(turn: Turn, args: str) -> Reply:
    store = risk_store(turn)
    lang = turn.language
    number, rest = _number(turn, args, "risiko-aendern")
    head, options = split_options(rest)
    options = unbracket_options(options, "titel", "massnahme")  # free text kept as typed
    if not options:
        raise usage_error("risiko-aendern", lang, t(lang, "Was soll sich ändern?", "What should change?"))
    risk, group = await _risk(turn, number)
    changes = RiskChanges(
        title=_title(options["titel"], lang, "risiko-aendern") if "titel" in options else None,
        wahrscheinlichkeit=parse_step(options, "w", lang), auswirkung=parse_step(options, "a", lang),
        massnahme=_text(options, "massnahme", MAX_TEXT, "Die Maßnahme", "The measure"),
        owner=resolve_owner(turn, group, options["verantwortlich"]) if "verantwortlich" in options else None)
    changed = await store.change(number, changes, turn.message.sender, turn.message.channel, turn.now)
    if changed is None:
        raise UserError(f"Das Risiko Nr. {number} wurde inzwischen geschlossen oder gelöscht.",
                        f"Risk no. {number} was closed or deleted meanwhile.")
    was = ""
    if changed.score != risk.score:
        was = t(lang, f" (vorher {risk.score})", f" (was {risk.score})")
    return Reply(t(lang, f"Risiko geändert: {risk_line(turn, changed)}{was}.",
                   f"Risk changed: {risk_line(turn, changed)}{was}."), language=lang, kind="confirmation")


@command("risiko-schliessen", "risk-close", who="coordination", args="<Nr> [Grund]", args_en="<no> [reason]",
         help="schließt ein Risiko; es bleibt im Verlauf (Koordination)",
         help_en="closes a risk; it stays in the history (coordinators)",
         example="!risiko-schliessen 3 Fördermittel bewilligt", free_text=True)
async def close_risk(turn: Turn, args: str) -> Reply:
    store = risk_store(turn)
    lang = turn.language
    number, reason = _number(turn, args, "risiko-schliessen")
    reason = check_text(clean_text(reason), lang, "Der Grund", "The reason", MAX_REASON)
    risk, group = await _risk(turn, number)
    closed = await store.close(number, reason or None, turn.message.sender, turn.message.channel, turn.now)
    if closed is None:
        raise UserError(f"Das Risiko Nr. {number} wurde inzwischen geschlossen oder gelöscht.",
                        f"Risk no. {number} was closed or deleted meanwhile.")
    because = t(lang, f" Grund: {reason}", f" Reason: {reason}") if reason else ""
    return Reply(t(lang, f"Risiko Nr. {number} „{risk.title}“ der {group.label} geschlossen.{because}",
                   f"Risk no. {number} \"{risk.title}\" of the {group.label} closed.{because}"),
                 footer=t(lang, f"Geschlossene Risiken: !risiken {group.name} alle",
                          f"Closed risks: !risks {group.name} all"), language=lang, kind="confirmation")


@command("risiko-loeschen", "risk-delete", who="coordination", args="<Nr>", args_en="<no>",
         help="löscht ein Risiko ganz (Koordination); Schließen behält es im Verlauf",
         help_en="deletes a risk entirely (coordinators); closing keeps it in the history",
         example="!risiko-loeschen 3")
async def delete_risk(turn: Turn, args: str) -> Reply:
    store = risk_store(turn)
    lang = turn.language
    number, _ = _number(turn, args, "risiko-loeschen")
    risk, group = await _risk(turn, number, open_only=False)
    if not await store.delete(number, turn.message.sender, turn.message.channel, turn.now):
        raise UserError(f"Das Risiko Nr. {number} wurde inzwischen gelöscht.", f"Risk no. {number} was deleted meanwhile.")
    return Reply(t(lang, f"Risiko Nr. {number} „{risk.title}“ der {group.label} gelöscht.",
                   f"Risk no. {number} \"{risk.title}\" of the {group.label} deleted."), language=lang,
                 kind="confirmation")

