"""The router: one entry point for every incoming message, on every platform.

Order: clean and check the text; commands (``!``/``/`` prefix, or a command word right after a
mention or in a direct chat); then questions; then a helpful fallback. User errors become
friendly replies; any other exception is logged once with the message id and answered with a
short apology, so the process never dies on one message.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable

from bot.answers import table
from bot.answers.common import BRIEF_LIMIT, SHORT_LIMIT, shorten
from bot.answers.i18n import t
from bot.answers.suggestions import spell_out, suggestions
from bot.answers.table import Asked
from bot.context import conversation_anchor, message_anchor
from bot.document import answers as document
from bot.loop_guard import LoopGuard
from bot.metrics import NO_METRICS, Metrics, Outcome
from bot.conversation import Previous, resolve
from bot.commands import BY_NAME, Commands, Turn, command_word
from bot.platform_traits import traits_of
from bot.errors import UserError
from bot.messages import IncomingMessage, Reply
from bot.ports import ConversationContextStore
from bot.state import ProgrammeState
from bot.text import clean
from bot.commands.registration import CONFIRM_WORDS
from bot.commands.work_answers import WORK_INTENTS, goals_instead
from bot.conversation import in_context, refers_back
from bot.understanding import Intent, Question, detect_language, words

log = logging.getLogger(__name__)

MAX_LENGTH = 2000  # characters after cleaning
# Intents chosen only because a name was mentioned; other words in the question may ask for more
_WEAK = frozenset({Intent.OVERVIEW, Intent.ORGANISATION_GROUPS, Intent.DECISIONS})
_REPLY_PLATFORMS = frozenset({"matrix", "teams"})  # platforms where a user can reply to the bot's answer
_NO_CONTEXT = {Intent.GREETING, Intent.THANKS, Intent.HELP, Intent.UNKNOWN, Intent.REPEAT}
_NEEDS_ONE_GROUP = {Intent.ATTENDANCE, Intent.GROUP_AGENDA}  # without an AG these would ask "Welche AG?"
_PER_GROUP = {Intent.LEAD, Intent.MEMBERS, Intent.GOALS, Intent.CONDITIONS, Intent.MILESTONES,
              Intent.NEXT_MILESTONE, Intent.NEXT_SESSION, Intent.OVERVIEW, Intent.SUBGROUPS}


@dataclasses.dataclass
class _StoredContext:
    """The conversation's stored context (see :meth:`Router._load_context`), read from the store on
    first need: ``load`` gives (previous question, whether it came from a reply)."""

    load: Callable[[], Awaitable[tuple[Previous | None, bool]]]
    read: bool = False
    previous: Previous | None = None
    replied: bool = False

    async def get(self) -> tuple[Previous | None, bool]:
        if not self.read:
            self.previous, self.replied = await self.load()
            self.read = True
        return self.previous, self.replied


class Router:
    """Dispatches :class:`IncomingMessage` to commands or question answering; returns a :class:`Reply`."""

    def __init__(self, state: ProgrammeState, commands: Commands,
                 default_language: str = "de", contexts: ConversationContextStore | None = None,
                 loop_guard: LoopGuard | None = None, metrics: Metrics = NO_METRICS) -> None:
        self.state = state
        self.metrics = metrics  # messages by platform and outcome, answer latency (see bot.metrics)
        self.commands = commands
        self.default_language = default_language
        self.contexts = contexts  # conversation contexts for follow-up questions (None: none kept)
        self.loop_guard = loop_guard  # no answer loops with other bots (None: no limit)

    async def handle(self, message: IncomingMessage) -> Reply:
        """Answer one message. Never raises (except on cancellation). A reply of kind "silent"
        means: send nothing (loop protection, see :mod:`bot.loop_guard`). Reports the outcome and
        the time taken to :attr:`metrics`."""
        started = time.perf_counter()
        platform = message.channel.platform
        if self.loop_guard is not None:
            instead = self.loop_guard.check(message)
            if instead is not None:
                self.metrics.message_handled(platform, "ignored" if instead.kind == "silent" else "refused")
                return dataclasses.replace(instead, in_reply_to=message.message_id)
        outcome: Outcome = "answered"
        try:
            reply = await self._handle(message)
        except UserError as error:
            reply = self._error_reply(error, message)
        except Exception:
            outcome = "error"
            log.exception("failed to handle message %s from %s", message.message_id, message.sender.user_id)
            reply = Reply(t(self.default_language, "Entschuldigung, dabei ist ein Fehler aufgetreten. Bitte versuchen Sie es "
                                                  "später noch einmal.", "Sorry, something went wrong. Please try again later."),
                          kind="error", language=self.default_language)
        if self.loop_guard is not None:
            self.loop_guard.answered(message, reply)
        if outcome == "answered" and reply.kind in {"silent", "refusal"}:
            outcome = "ignored" if reply.kind == "silent" else "refused"
        self.metrics.message_handled(platform, outcome, time.perf_counter() - started)
        mention = None if message.channel.is_direct else message.sender.user_id
        reply = traits_of(message).render(reply, message.channel.is_direct, BY_NAME)
        return dataclasses.replace(reply, in_reply_to=message.message_id, mention=mention)

    def _error_reply(self, error: UserError, message: IncomingMessage) -> Reply:
        _, tokens = words(clean(message.text)[:MAX_LENGTH])
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
        room_group = self.state.room_group(message.channel.platform, message.channel.room_id)  # no round trip
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
        questions = understanding.parse_message(text, room_group)
        question = questions[0]
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
                                items=tuple(f"{org.name} ({org.type.value})"
                                            for k in keys if (org := view.directory.get(k)) is not None))
        stored = _StoredContext(lambda: self._load_context(message)) if self.contexts is not None else None
        reply, last = await self._answer_parts(turn, questions, stored)
        if last is not None and not (stored is not None and stored.read and last == stored.previous):
            await self._save_context(message, last)
        return reply

    async def _load_context(self, message: IncomingMessage) -> tuple[Previous | None, bool]:
        """The context to continue from: that of the question the replied-to bot message answered,
        else that of the conversation (room, direct chat or thread); and whether it came from a reply."""
        if self.contexts is None:
            return None, False
        channel, now = message.channel, message.sent_at
        if message.replied_to:  # both anchors in one read
            found, replied = await self.contexts.get_for_reply(channel.platform, channel.room_id, message.replied_to,
                                                               conversation_anchor(channel), now)
        else:
            found, replied = await self.contexts.get(channel.platform, channel.room_id, conversation_anchor(channel),
                                                     now), False
        return (Previous.from_context(found) if found is not None else None), replied

    async def _save_context(self, message: IncomingMessage, last: Previous) -> None:
        """Remember what was answered: for the conversation, and (on platforms with replies) for
        this message, so that a reply to the bot's answer continues from it."""
        if self.contexts is None:
            return
        channel = message.channel
        context = last.to_context(message.sent_at)
        also = ((message_anchor(message.message_id),)
                if message.message_id and channel.platform in _REPLY_PLATFORMS else ())
        await self.contexts.put(channel.platform, channel.room_id, conversation_anchor(channel),
                                message.sender.user_id, context, also)

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
        """Answer one understood question from the programme data (no conversation context, no
        stores). A question about several named AGs ("... der AG Finanzen und der AG
        Kommunikation") gets one part per AG.
        """
        return spell_out(turn.understanding.glossary, self._answer_programme(turn, q))

    def _asked(self, turn: Turn) -> Asked:
        return Asked(turn.view, turn.understanding.glossary, turn.now, turn.language, turn.room_group)

    async def _answer_parts(self, turn: Turn, questions: tuple[Question, ...],
                            stored: "_StoredContext | None" = None) -> tuple[Reply, Previous | None]:
        """Answer the questions of one message in order; each later part continues from the one
        before ("... und wann trifft sie sich?"), the first from the conversation's last question
        (``stored``) when it refers back. The stored context is read only when a part may use it
        (:meth:`_needs_previous`; a reply to the bot's answer always reads it), so a question that
        does not refer back costs no read. Questions about the work between sessions (tasks,
        agenda, results, risks, attendance) are answered from the stores. A part the user can fix
        (an unknown AG) is answered with its error without hiding the other parts. Returns the
        reply and what the conversation is about after it (None: nothing to remember)."""
        replies = []
        only_work = True
        previous, replied = None, False
        unread = stored  # the stored context while it is still the one to continue from and not read
        if unread is not None and turn.message.replied_to:  # a reply continues from the question it answers
            previous, replied = await unread.get()
            unread = None
        for index, asked_q in enumerate(questions):
            if unread is not None and self._needs_previous(turn, asked_q, index > 0):
                previous, replied = await unread.get()
                unread = None
            asked_q = in_context(turn, asked_q, previous)
            q = resolve(asked_q, previous, same_message=index > 0 or replied,
                        reparse=lambda text: turn.understanding.parse(text, turn.room_group))
            try:
                reply = None
                if q.intent in WORK_INTENTS:
                    q = self._work_question(turn, asked_q, q, previous)
                    reply = await self.commands.answer_work(turn if q.language == turn.language else
                                                            dataclasses.replace(turn, language=q.language), q)
                    if reply is None and goals_instead(q):
                        q = dataclasses.replace(q, intent=Intent.GOALS)  # an AG without open tasks: its goals
                        reply = self._no_tasks_but_goals(turn, q)
                if reply is None:
                    only_work = False
                    reply = self._answer_programme(turn, q)
                replies.append(reply)
            except UserError as error:
                if len(questions) == 1:
                    raise
                replies.append(Reply(error.message_en if q.language == "en" else error.message, error.items,
                                     error.footer_en if q.language == "en" else error.footer, q.language, kind=error.kind))
            if q.intent not in _NO_CONTEXT:
                previous = Previous.of(q, turn.room_group)
                unread = None  # later parts continue from this one
        reply = replies[0] if len(replies) == 1 else Reply.combine(tuple(replies))
        return (reply if only_work else spell_out(turn.understanding.glossary, reply)), previous

    def _no_tasks_but_goals(self, turn: Turn, q: Question) -> Reply:
        """"Welche Aufgaben hat die AG …?" for an AG without open tasks: its goals, saying so."""
        reply = self._answer_programme(turn, q)
        group = turn.view.groups.get(q.groups[0] if q.groups else turn.room_group or "")
        if group is None or reply.parts:
            return reply
        note = t(q.language, f"Offene Aufträge hat die {group.label} keine (!auftraege {group.name}).",
                 f"The {group.label} has no open tasks (!tasks {group.name}).")
        return dataclasses.replace(reply, footer=f"{reply.footer} {note}" if reply.footer else note)

    @staticmethod
    def _needs_previous(turn: Turn, q: Question, same_message: bool) -> bool:
        """Whether answering ``q`` may read the conversation's previous question: where
        :func:`~bot.conversation.refers_back` says so (:func:`in_context`, :func:`resolve`), or for a
        question that needs one AG and names none in a room linked to none (:meth:`_work_question`)."""
        return refers_back(q, turn.room_group, same_message) or (
            q.intent in _NEEDS_ONE_GROUP and not q.groups and not q.unknown_group and turn.room_group is None)

    @staticmethod
    def _work_question(turn: Turn, asked: Question, q: Question, previous: Previous | None) -> Question:
        """A work question completed from the conversation: a follow-up ("Und die AG
        Kommunikation?") keeps the earlier question's words (its filters and dates), and a question
        that needs one AG and names none ("Wie viele haben zugesagt?") takes the AG just asked about."""
        if q.intent is not asked.intent and previous is not None and previous.text:
            q = dataclasses.replace(q, text=previous.text)  # "überfällig", "bis Freitag", "am 12.1."
        if q.intent in _NEEDS_ONE_GROUP and not q.groups and not q.unknown_group and turn.room_group is None \
                and previous is not None and previous.groups:
            q = dataclasses.replace(q, groups=previous.groups[:1])
        return q

    def _answer_programme(self, turn: Turn, q: Question) -> Reply:
        """One (resolved) question answered from the programme data; several named AGs of a
        per-AG question get one part each."""
        asked = dataclasses.replace(self._asked(turn), language=q.language)
        if len(q.groups) > 1 and q.intent in _PER_GROUP and not q.organisations and not q.ambiguous:
            return Reply.combine(tuple(self._answer_one(asked, dataclasses.replace(q, groups=(key,)))
                                       for key in q.groups))
        return self._answer_one(asked, q)

    def _answer_one(self, asked: Asked, q: Question) -> Reply:
        """One question: the table's answer, shortened and with abbreviations spelled out; the
        document search when the table has none; else a fallback built from what was understood."""
        reply = None
        if q.intent in _WEAK and q.topic and "count" not in q.cues:  # "Was hält die AG Finanzen vom FAG?": the words beyond the name decide
            reply = document.answer_document_question(q.text, asked.language)
            reply = None if reply.kind == "fallback" else reply
        if reply is None:
            reply = table.answer(asked, q)
        if reply is None:
            reply = self._fallback(asked, q)
        if not q.detailed:
            group = asked.view.groups.get((q.groups[0] if q.groups else None) or asked.room_group or "")
            more = table.MORE_COMMANDS.get(q.intent)
            name = group.name if group else ""
            reply = shorten(reply, BRIEF_LIMIT if q.brief else table.LIMITS.get(q.intent, SHORT_LIMIT),
                            more[0].format(group=name) if more else None, more[1].format(group=name) if more else None)
        return reply

    def _fallback(self, asked: Asked, q: Question) -> Reply:
        """No answer from the data: the best passage of the workshop document, quoted with its
        section; below the search threshold a plain "the document says nothing about it" with
        questions the bot can answer."""
        lang = asked.language
        examples = suggestions(asked.view, q, asked.room_group)
        reply = document.answer_document_question(q.text, lang, examples)
        if reply.kind == "fallback":
            return Reply(t(lang, "Das habe ich leider nicht verstanden, und im Workshop-Dokument vom 19.10.2022 steht "
                                 "dazu nichts.", "Sorry, I did not understand that, and the workshop document of "
                                 "19.10.2022 says nothing about it."),
                         examples, t(lang, "Fragen Sie zum Beispiel so. Alle Befehle: !hilfe",
                                     "You could ask like this. All commands: !help"), language=lang, kind="fallback")
        return reply
