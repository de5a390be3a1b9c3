"""Word flags and query parts read from a question's tokens: what the intent table reacts to
besides the cue groups, and the restrictions of queries across AGs (number of AGs, seat side,
kinds asked for, milestone titles). The words themselves live in :mod:`bot.understanding.vocabulary`.
"""
from __future__ import annotations

from bot.text import tokens as fold_tokens
import bot.understanding.vocabulary as v
from bot.understanding.tokens import is_word, token_cues
from bot.view import ProgrammeView


def word_flags(flags: set[str], tokens: list[str], words_set: set[str]) -> None:
    """Add the word flags of the intent table (see :mod:`bot.understanding.intents`) that
    ``tokens`` (folded) show to ``flags``; the words are :data:`vocabulary.WORD_FLAGS`."""
    for name, flag in v.WORD_FLAGS.items():
        if (words_set & flag.words or (flag.prefixes and any(t.startswith(flag.prefixes) for t in tokens))
                or any(together <= words_set for together in flag.together)
                or (flag.both is not None and words_set & flag.both[0] and words_set & flag.both[1])):
            flags.add(name)
    if tokens and tokens[0] in v.YES_NO_START:
        flags.add("yes_no")
    if any(a == "sub" and b.startswith("group") for a, b in zip(tokens, tokens[1:])):
        flags.add("subgroups")  # "sub-groups"
    if tuple(tokens[:2]) in v.WHAT_IS_STARTS or tuple(tokens[:1]) in v.WHAT_IS_STARTS:
        flags.add("what_is")
    if len(tokens) <= 3:
        flags.add("short")
    if any("most" in token_cues(a) and b in v.GROUP_WORDS for a, b in zip(tokens, tokens[1:])):
        flags.add("most_groups")  # "in den meisten AGs"
    if words_set & v.HAPPENS and "next" in flags and not flags & {"milestone", "session", "exchange"}:
        flags.add("next_steps")


def milestone_words(view: ProgrammeView, previous: dict | None = None
                    ) -> tuple[dict[str, tuple[tuple[str, str], ...]], dict]:
    """Folded words of milestone titles ("nutzungskonzept", "entwurf") -> every (group key,
    title) they occur in; ordinary words and words under seven letters are left out.

    Returns the index and a per-group cache to pass as ``previous`` next time: groups whose
    milestones are the same objects as before are not read again.
    """
    cache: dict = {}
    seen: dict[str, list[tuple[str, str]]] = {}
    for group in view.programme.groups:
        known = previous.get(group.key) if previous else None
        if known is not None and known[0] is group.milestones:
            words = known[1]
        else:
            words = tuple((token, milestone.title) for milestone in group.milestones
                          for token in set(fold_tokens(milestone.title)) if len(token) >= 7 and not is_word(token))
        cache[group.key] = (group.milestones, words)
        for token, title in words:
            seen.setdefault(token, []).append((group.key, title))
    return {token: tuple(found) for token, found in seen.items()}, cache


def type_words(originals: list[str], tokens: list[str], first: int | None) -> str | None:
    """The words that asked for kinds, as written: "Städte", "Städte und Landkreise"."""
    if first is None:
        return None
    end = first + 1
    while end + 1 < len(tokens) and tokens[end] in {"und", "oder", "and", "or"} and (
            tokens[end + 1] in v.TYPE_WORDS or tokens[end + 1] == "kreisfreie"):
        end += 2
        if end < len(tokens) and tokens[end - 1] == "kreisfreie":
            end += 1
    return " ".join(originals[first:end])


def ag_count(tokens: list[str], total: int) -> tuple[str, int] | None:
    """A restriction on the number of AGs an organisation is in: "in mehr als einer AG" (>=2),
    "in mehreren" (>=2), "in allen (vier)" (==total), "nur in einer" (==1), "überall" (==total).
    Only read from the words between "in"/"bei" and a group word ("... der Austauschrunde aller
    Gruppen" is no restriction)."""
    if "ueberall" in tokens:
        return ("==", total)
    for end, token in enumerate(tokens):
        if token not in v.GROUP_WORDS:
            continue
        start = max((i for i in range(max(0, end - 5), end) if tokens[i] in {"in", "bei", "an"}), default=None)
        if start is None:
            continue
        window = tokens[max(0, start - 1):end]
        words_set = set(window)
        if words_set & {"oder", "or"} and words_set & {"mehr", "more"}:  # "zwei oder mehr"
            number = next((v.NUMBER_WORDS[t] for t in window if t in v.NUMBER_WORDS),
                          next((int(t) for t in window if t.isdigit()), None))
            if number is not None:
                return (">=", number)
        for i, word in enumerate(window):
            if word in v.MORE_THAN:
                following = window[i + 1:i + 3]
                number = next((v.NUMBER_WORDS[t] for t in following if t in v.NUMBER_WORDS),
                              next((int(t) for t in following if t.isdigit()), None))
                if number is not None:
                    return (">=", number + (1 if word in {"mehr", "more", "ueber"} else 0))
        if words_set & v.SEVERAL:
            return (">=", 2)
        if words_set & v.ALL_WORDS:
            return ("==", total)
        if words_set & v.ONLY_WORDS:
            number = next((v.NUMBER_WORDS[t] for t in window if t in v.NUMBER_WORDS), None)
            return ("==", number or 1)
        if words_set & v.NONE_WORDS - {"no"}:
            return ("==", 0)
        number = next((v.NUMBER_WORDS[t] for t in window if t in v.NUMBER_WORDS and t not in
                       {"eine", "einer", "einem", "one"}), next((int(t) for t in window if t.isdigit()), None))
        if number is not None:
            return ("==", number)
    return None


def seat_side(tokens: list[str], organisations: list[str]) -> str | None:
    """The seat of the Doppelspitze a question asks for ("für das MID", "die Kommunen"), if it
    asks with a seat word ("sitzt", "vertritt", "Seite", "Leitung")."""
    if not any(t.startswith(v.SEAT_VERBS) or t.startswith(("leit", "lead", "spitze", "doppelspitze")) for t in tokens):
        return None
    for token in tokens:
        side = v.SEAT_SIDES.get(token)
        if side:
            return side
    if "mid" in organisations:
        return "MID"
    return None


