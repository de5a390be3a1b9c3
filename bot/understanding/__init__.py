"""Question understanding: vocabulary, tokens, entities, the intent table and the parser.

Public names: :class:`Understanding` (build per programme view), :class:`Question`,
:class:`Intent`, :data:`RULES` (the intent table), :func:`detect_language`, :func:`words`,
:func:`find_groups`, :func:`suggest_groups`, :func:`split_parts`.
"""
from bot.understanding.intents import RULES, Intent, IntentRule, decide
from bot.understanding.parser import Question, Understanding, find_groups, split_parts, suggest_groups
from bot.understanding.tokens import cue_matches, detect_language, token_cues, words
from bot.understanding.vocabulary import COMMON, CUES

__all__ = ["RULES", "Intent", "IntentRule", "decide", "Question", "Understanding", "find_groups", "split_parts",
           "suggest_groups", "cue_matches", "detect_language", "token_cues", "words", "COMMON", "CUES"]
