"""The router: one entry point for every incoming message, on every platform.

Order: clean and check the text; commands (``!``/``/`` prefix, or a command word right after a
mention or in a direct chat); then questions; then a helpful fallback. User errors become
friendly replies; any other exception is logged once with the message id and answered with a
short apology, so the process never dies on one message.
"""
from __future__ import annotations

import dataclasses
import logging

from bot import answers
from bot import answers_more as more
from bot.answers import t
from bot.commands import BY_NAME, Commands, Turn, command_word
from bot.errors import UserError
from bot.messages import IncomingMessage, Reply
from bot.ports import ConversationContextStore, RoomLinkStore
from bot.state import ProgrammeState
from bot.text import clean
from bot.registration import CONFIRM_WORDS
from bot.understanding import Intent, Question, detect_language, _words

log = logging.getLogger(__name__)

MAX_LENGTH = 2000  # characters after cleaning
_PROGRAMME_WIDE = {
    Intent.LIST_GROUPS: answers.answer_list_groups, Intent.DECISIONS: answers.answer_decisions,
    Intent.LEGAL: more.answer_legal, Intent.WORKSHOP: more.answer_workshop, Intent.NEXT_STEPS: more.answer_next_steps,
    Intent.FEEDBACK: more.answer_feedback, Intent.SUPPORT: more.answer_support,
    Intent.MILESTONE_RULE: more.answer_milestone_rule, Intent.SEAT_WHEN: more.answer_seat_when,
}
_PER_GROUP = {Intent.LEAD, Intent.MEMBERS, Intent.GOALS, Intent.CONDITIONS, Intent.MILESTONES,
              Intent.NEXT_MILESTONE, Intent.NEXT_SESSION, Intent.OVERVIEW, Intent.SUBGROUPS}


class Router:
    """Dispatches :class:`IncomingMessage` to commands or question answering; returns a :class:`Reply`."""

    def __init__(self, state: ProgrammeState, commands: Commands, rooms: RoomLinkStore,
                 default_language: str = "de", contexts: ConversationContextStore | None = None) -> None:
        self.state = state
        self.commands = commands
        self.rooms = rooms
        self.default_language = default_language
        self.contexts = contexts  # conversation contexts for follow-up questions (None: none kept)

    async def handle(self, message: IncomingMessage) -> Reply:
        """Answer one message. Never raises (except on cancellation)."""
        try:
            reply = await self._handle(message)
        except UserError as error:
            reply = self._error_reply(error, message)
        except Exception:
            log.exception("failed to handle message %s from %s", message.message_id, message.sender.user_id)
            reply = Reply(t(self.default_language, "Entschuldigung, dabei ist ein Fehler aufgetreten. Bitte versuchen Sie es "
                                                  "später noch einmal.", "Sorry, something went wrong. Please try again later."),
                          kind="error", language=self.default_language)
        return dataclasses.replace(reply, in_reply_to=message.message_id)

    def _error_reply(self, error: UserError, message: IncomingMessage) -> Reply:
        _, tokens = _words(clean(message.text)[:MAX_LENGTH])
        language = detect_language(tokens) if tokens else self.default_language
        if message.text.lstrip()[:1] in "!/":
            word = command_word(message.text.lstrip()[1:].split(" ")[0]) if message.text.strip()[1:] else ""
            spec = BY_NAME.get(word)
            language = "en" if spec and word == spec.alias and word != spec.name else self.default_language
        if language == "en":
            return Reply(error.message_en, error.items, error.footer_en, "en", kind=error.kind)
        return Reply(error.message, error.items, error.footer, "de", kind=error.kind)

    async def _handle(self, message: IncomingMessage) -> Reply:
        text = clean(message.text)
        lang = self.default_language
        if not text or text in {"!", "/"}:
            return Reply(t(lang, "Ihre Nachricht ist leer. Stellen Sie eine Frage, z. B. „Wer leitet die AG Finanzen?“, "
                                 "oder schreiben Sie !hilfe.",
                           "Your message is empty. Ask a question, e.g. \"Who leads the Finanzen group?\", or write !help."),
                         kind="error", language=lang)
        if len(text) > MAX_LENGTH:
            return Reply(t(lang, f"Ihre Nachricht ist zu lang ({len(text)} Zeichen, höchstens {MAX_LENGTH}). "
                                 "Bitte stellen Sie eine kurze Frage oder schreiben Sie !hilfe.",
                           f"Your message is too long ({len(text)} characters, at most {MAX_LENGTH}). "
                           "Please ask a short question or write !help."), kind="error", language=lang)
        view, understanding = await self.state.current()
        room_group = await self.rooms.group_of(message.channel.platform, message.channel.room_id)
        if room_group not in view.groups:
            room_group = None
        registration = self.commands.registration
        if registration is not None and text.casefold().strip(" .!") in CONFIRM_WORDS:
            turn = Turn(message, view, understanding, room_group, self.default_language)
            confirmed = await registration.confirm(turn)
            if confirmed is not None:
                return confirmed
        command = self._command(text, message)
        if command is not None:
            word, args = command
            spec = BY_NAME.get(word)
            language = "en" if spec and word == spec.alias and word != spec.name else self.default_language
            turn = Turn(message, view, understanding, room_group, language)
            return await self.commands.run(turn, word, args)
        question = understanding.parse(text, room_group)
        turn = Turn(message, view, understanding, room_group, question.language)
        if question.intent is Intent.REGISTRATION_REQUEST and registration is not None:
            group = view.groups.get(question.groups[0] if question.groups else room_group or "")
            org = view.directory.get(question.organisations[0]) if question.organisations else None
            if group is not None and org is not None:
                return await registration.register_resolved(turn, group, org)
            if question.ambiguous:
                word, keys = question.ambiguous[0]
                raise UserError(f"„{word}“ ist nicht eindeutig. Bitte genauer angeben:",
                                f"\"{word}\" is ambiguous. Please be more specific:",
                                items=tuple(f"{view.directory.get(k).name} ({view.directory.get(k).type.value})"
                                            for k in keys if view.directory.get(k)))
        return self.answer(turn, question)

    @staticmethod
    def _command(text: str, message: IncomingMessage) -> tuple[str, str] | None:
        if text[0] in "!/":
            body = text[1:].strip()
            word, _, args = body.partition(" ")
            return command_word(word), args.strip()
        if message.addressed or message.channel.is_direct:
            word, _, args = text.partition(" ")
            folded = command_word(word)
            if folded in BY_NAME and "?" not in text:
                return folded, args.strip()
        return None

    def answer(self, turn: Turn, q: Question) -> Reply:
        """Answer an understood question from the programme data.

        A question about several named AGs ("... der AG Finanzen und der AG Kommunikation")
        gets one part per AG.
        """
        if len(q.groups) > 1 and q.intent in _PER_GROUP and not q.organisations and not q.ambiguous:
            parts = tuple(self._answer_one(turn, dataclasses.replace(q, groups=(key,))) for key in q.groups)
            return Reply.combine(parts)
        return self._answer_one(turn, q)

    def _answer_one(self, turn: Turn, q: Question) -> Reply:
        view, lang, now = turn.view, turn.language, turn.now
        named = q.groups[0] if q.groups else None
        group = view.groups.get(named or turn.room_group or "")

        def need_group():
            if q.unknown_group and not q.groups:
                raise answers.group_not_found(view, q.unknown_group, lang)
            if group is None:
                raise answers.which_group(view, lang)
            return group

        if q.intent in _PROGRAMME_WIDE:  # answers that need only the programme and the language
            return _PROGRAMME_WIDE[q.intent](view, lang)
        match q.intent:
            case Intent.LEAD:
                if group is None and not q.unknown_group:
                    return answers.answer_all_leads(view, lang)
                return answers.answer_lead(view, need_group(), lang)
            case Intent.MEMBERS:
                if group is None and q.member_types and not q.unknown_group:
                    return more.answer_members_of_kind(view, q.member_types, q.type_word, lang)
                return answers.answer_members(view, need_group(), lang, q.member_types, q.type_word)
            case Intent.MEMBERSHIP:
                g = need_group()
                if q.unknown_organisation and not q.organisations and not q.ambiguous:
                    return Reply(t(lang, f"„{q.unknown_organisation}“ kenne ich nicht: weder als Kommune oder Landkreis in "
                                         f"Sachsen-Anhalt noch als Organisation der AGs. Mitglieder der {g.label}: "
                                         f"!mitglieder {g.name}",
                                   f"I do not know \"{q.unknown_organisation}\": it is neither a municipality or district "
                                   f"of Sachsen-Anhalt nor an organisation of the groups. Members: !members {g.name}"),
                                 language=lang)
                orgs = [view.directory.get(k) for k in q.organisations] + [
                    view.directory.get(k) for _, keys in q.ambiguous for k in keys]
                replies = [answers.answer_membership(view, o, g, lang) for o in orgs if o]
                if len(replies) == 1:
                    return replies[0]
                return Reply(replies[0].lead, tuple(r.lead for r in replies[1:]), language=lang)
            case Intent.ORGANISATION_GROUPS:
                if q.ambiguous and not q.organisations:
                    word, keys = q.ambiguous[0]
                    return answers.answer_organisation_groups(view, [view.directory.get(k) for k in keys], lang, word)
                orgs = [view.directory.get(k) for k in q.organisations]
                orgs += [view.directory.get(k) for _, keys in q.ambiguous for k in keys]
                return answers.answer_organisation_groups(view, [o for o in orgs if o], lang)
            case Intent.SUBGROUPS:
                if q.unknown_group and not q.groups:
                    raise answers.group_not_found(view, q.unknown_group, lang)
                return answers.answer_subgroups(view, group, lang)
            case Intent.GOALS:
                return answers.answer_goals(view, need_group(), lang)
            case Intent.CONDITIONS:
                return answers.answer_conditions(view, need_group(), lang)
            case Intent.MILESTONES:
                return answers.answer_milestones(view, need_group(), lang)
            case Intent.NEXT_MILESTONE:
                if q.unknown_group and not q.groups:
                    raise answers.group_not_found(view, q.unknown_group, lang)
                return answers.answer_next_milestone(view, group, now, lang)
            case Intent.NEXT_SESSION:
                if q.unknown_group and not q.groups:
                    raise answers.group_not_found(view, q.unknown_group, lang)
                if q.day is not None and group is not None:
                    return answers.answer_session_on(view, group, q.day, now, lang)
                return answers.answer_next_session(view, group, now, lang, q.nth)
            case Intent.FIRST_SESSIONS:
                return answers.answer_first_sessions(view, lang)
            case Intent.NEXT_EXCHANGE:
                return answers.answer_next_exchange(view, now, lang)
            case Intent.CADENCE:
                return answers.answer_cadence(view, group if named else None, lang)
            case Intent.REGISTRATION_DEADLINE:
                return answers.answer_registration_deadline(view, now, lang)
            case Intent.OVERVIEW:
                return answers.answer_overview(view, need_group(), now, lang)
            case Intent.PERSON:
                return more.answer_person(view, q.persons, lang)
            case Intent.TOPIC:
                found = more.answer_topic(view, q.topic, lang)
                if found is not None:
                    return found
            case Intent.GREETING:
                return Reply(t(lang, "Hallo! Ich beantworte Fragen zu den Arbeitsgruppen, z. B. „Wer leitet die AG Finanzen?“. "
                                     "Alle Befehle: !hilfe", "Hello! I answer questions about the working groups, e.g. "
                                     "\"Who leads the Finanzen group?\". All commands: !help"), language=lang)
            case Intent.THANKS:
                return Reply(t(lang, "Gern geschehen!", "You're welcome!"), language=lang)
            case Intent.HELP:
                return Reply(t(lang, "Ich beantworte Fragen zu den Arbeitsgruppen: wer sie leitet, wer mitarbeitet, was sie "
                                     "klären wollen, Meilensteine und Termine. Alle Befehle: !hilfe",
                               "I answer questions about the working groups: leads, members, goals, milestones and dates. "
                               "All commands: !help"), language=lang)
        return Reply(t(lang, "Das habe ich leider nicht verstanden.", "Sorry, I did not understand that."),
                     (t(lang, "„Wer leitet die AG Finanzen?“", "\"Who leads the Finanzen group?\""),
                      t(lang, "„Wer ist Mitglied der AG Kommunikation?“", "\"Who are the members of the Kommunikation group?\""),
                      t(lang, "„Wann ist der nächste Meilenstein fällig?“", "\"When is the next milestone due?\""),
                      t(lang, "„Welche Arbeitsgruppen gibt es?“", "\"Which working groups are there?\"")),
                     t(lang, "Zum Beispiel so. Alle Befehle: !hilfe", "For example. All commands: !help"),
                     language=lang, kind="fallback")
