"""The workshop document of 19.10.2022 split into short, quotable passages with section titles.

Source: ``bot/data/workshop-2022-10-19.txt``, a byte-for-byte copy of the seed
``shared/seed/000_c003c9a0446af45c.txt`` (the text of the slides "Neuausrichtung der
Zusammenarbeit von Land und Kommunen – Nachbereitung", Magdeburg, 19.10.2022).

The splitter knows this document's layout (its slide titles and the five headings of each
working-group page); it is not a general parser. A passage is one bullet, one card or a few
lines, at most :data:`MAX_CHARS` characters, so that a chat answer can quote it whole.

Left out on purpose:

* the English image description ("Illustration showing a hand ...") on the "Nächste Schritte"
  slide and the stray slide label "TERMINE";
* the placeholders "[Telefonnummer entfernt]" and "[E-Mail entfernt]" of the contacts;
* the prompt question under each heading of a group page ("Was wollen wir klären?");
* from the transcribed photos of the pin boards ("Impressionen aus dem Workshop") everything but
  goals and timeline: their member lists and conditions are garbled OCR ("EGVG USA" for
  "EGovG LSA", "W3 (L2)") of what the typed pages say correctly. Goals and timeline are kept at
  :data:`PHOTO_WEIGHT`, so a typed page wins when both match.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import re
from dataclasses import dataclass

from bot.document.cleaning import cells, is_bullet, item, join_wrapped, pack, split_long, tidy
from bot.text import tokens

DOCUMENT_FILE = "workshop-2022-10-19.txt"  # in package bot.data
DOCUMENT_DATE = dt.date(2022, 10, 19)  # title slide: "Magdeburg 19.10.2022"
MAX_CHARS = 300  # longest passage text (characters); longer rows are split between cells
PHOTO_WEIGHT = 0.5  # score factor for passages from the pin-board photos
SEPARATOR = " › "

PHOTOS = "Fotoprotokoll der Stellwände"
TEMPLATE = "Kurzvorstellung (Beispielvorlage)"
FOUR_GROUPS = "Vier Arbeitsgruppen"
MEMBERS_OVERVIEW = "Übersicht der Mitglieder"


@dataclass(frozen=True)
class Passage:
    """One quotable unit of the workshop document.

    ``path`` is the German title path, e.g. ``("Arbeitsgruppe Finanzen", "Rahmenbedingungen")``;
    ``text`` is the cleaned text (tabs of table rows as "; ", white space folded, bullet marks
    removed), at most :data:`MAX_CHARS` characters; ``position`` is the 0-based order in the
    document; ``weight`` (0..1] scales search scores (:data:`PHOTO_WEIGHT` for photo transcripts).
    """

    path: tuple[str, ...]
    text: str
    position: int
    weight: float = 1.0

    @property
    def section(self) -> str:
        """The title path for people, e.g. "Arbeitsgruppe Finanzen › Rahmenbedingungen"."""
        return SEPARATOR.join(self.path)


def document_text() -> str:
    """The shipped workshop document (UTF-8 text)."""
    return importlib.resources.files("bot.data").joinpath(DOCUMENT_FILE).read_text(encoding="utf-8")


@functools.cache
def document_words() -> frozenset[str]:
    """Every folded word of the shipped workshop document ("jira", "conceptboard", "teams"):
    a name the document uses is a topic to search for, not an unknown place."""
    from bot.text import tokens
    return frozenset(tokens(document_text()))


@functools.cache
def workshop_passages() -> tuple[Passage, ...]:
    """The passages of the shipped document, in document order (parsed once, then cached)."""
    return split_passages(document_text())


_BROKEN_WORD = re.compile(r"(\w)- (\w)")  # "Organi- sation" (a hyphenated line break in a table)
_HEADING_WORD = re.compile(r"[A-ZÄÖÜ][a-zäöüß]+")
_TIME = re.compile(r"\d{1,2}:\d{2}")
_PLACEHOLDER = re.compile(r"^\[.*entfernt\]$")


def _split(text: str) -> list[str]:
    return split_long(text, MAX_CHARS)


def _pack(items: list[str], prefix: str = "") -> list[str]:
    return pack(items, MAX_CHARS, prefix)


# -- blocks -------------------------------------------------------------------------------------
_BLOCKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Agenda"), "agenda"),
    (re.compile(r"Kurzvorstellung"), "template"),
    (re.compile(r"Wir wollen im nächsten Schritt in vier Arbeitsgruppen.*"), "four_groups"),
    (re.compile(r"Leitplanken der Zusammenarbeit"), "guidelines"),
    (re.compile(r"Impressionen aus dem Workshop"), "photos"),
    (re.compile(r"Grundsätzliche Festlegungen.*"), "decisions"),
    (re.compile(r"Arbeitsgruppe\s*[-–]\s*\S.*"), "group"),
    (re.compile(r"Übersicht der Mitglieder.*"), "members"),
    (re.compile(r"Feedback"), "feedback"),
    (re.compile(r"Nächste Schritte"), "next_steps"),
    (re.compile(r"Unsere Kontaktdaten"), "contacts"),
)
_GROUP_HEADINGS = {
    "ZIELRICHTUNG": "Zielrichtung", "ORGANISATION": "Organisation", "MITGLIEDER": "Mitglieder",
    "ZEITPLAN": "Zeitplan", "RAHMENBEDINGUNGEN": "Rahmenbedingungen",
}


@dataclass(frozen=True)
class _Block:
    kind: str
    heading: str
    lines: tuple[str, ...]


def _blocks(text: str) -> list[_Block]:
    blocks = [_Block("title", "", ())]
    for line in text.splitlines():
        stripped = line.strip()
        kind = next((k for pattern, k in _BLOCKS if pattern.fullmatch(stripped)), None)
        if kind:
            blocks.append(_Block(kind, stripped, ()))
        else:
            last = blocks[-1]
            blocks[-1] = _Block(last.kind, last.heading, last.lines + (line,))
    return blocks


def _subsections(lines: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """(heading, content lines) for the upper-case headings of a group page or a photo.

    The prompt question printed right under a heading ("Wer arbeitet mit?") is dropped; blank
    lines are dropped.
    """
    found: list[tuple[str, list[str]]] = []
    expect_prompt = False
    for line in lines:
        stripped = line.strip()
        if stripped in _GROUP_HEADINGS:
            found.append((_GROUP_HEADINGS[stripped], []))
            expect_prompt = True
        elif found and stripped:
            if not (expect_prompt and stripped.endswith("?")):
                found[-1][1].append(line)
            expect_prompt = False
    return found


def _paragraphs(lines: tuple[str, ...]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            out[-1].append(line.strip())
        elif out[-1]:
            out.append([])
    return [p for p in out if p]


# -- one parser per kind of slide -------------------------------------------------------------
Draft = tuple[tuple[str, ...], str, float]  # path, text, weight


def _title(block: _Block) -> list[Draft]:
    lines = [tidy(x) for x in block.lines if x.strip()]
    return [(("Titelseite",), " – ".join(lines), 1.0)] if lines else []


def _agenda(block: _Block) -> list[Draft]:
    lines = [tidy(x) for x in block.lines if x.strip()]
    return [(("Agenda",), f"{time} {title}", 1.0)
            for time, title in zip(lines, lines[1:]) if _TIME.fullmatch(time) and not _TIME.fullmatch(title)]


def _template(block: _Block) -> list[Draft]:
    labels = {"Name und Position", "Organisation", "Charakterisierung"}
    parts: list[tuple[str, list[str]]] = []
    for line in (tidy(x) for x in block.lines if x.strip()):
        if line in labels:
            parts.append((line, []))
        elif parts:
            parts[-1][1].append(line)
    text = "; ".join(f"{label}: {' '.join(content)}" for label, content in parts if content)
    return [((TEMPLATE,), piece, 1.0) for piece in _split(text)]


def _four_groups(block: _Block) -> list[Draft]:
    drafts: list[Draft] = [((FOUR_GROUPS,), tidy(block.heading), 1.0)]
    current = None
    for line in block.lines:
        if not line.strip():
            continue
        if is_bullet(line):
            if current:
                drafts.append(((FOUR_GROUPS, current), item(line), 1.0))
        else:
            current = tidy(line)
    return drafts


def _plain(path: tuple[str, ...]):
    def parse(block: _Block) -> list[Draft]:
        return [(path, piece, 1.0) for line in block.lines if line.strip() for piece in _split(item(line))]
    return parse


def _group(block: _Block) -> list[Draft]:
    name = re.sub(r"^Arbeitsgruppe\s*[-–]\s*", "", block.heading).strip()
    root = f"Arbeitsgruppe {name}"
    drafts: list[Draft] = []
    for heading, content in _subsections(block.lines):
        path = (root, heading)
        if heading in {"Organisation", "Mitglieder"}:
            items = [cell for line in content for cell in cells(line)]
            drafts += [(path, text, 1.0) for text in _pack(items)]
            continue
        for line in content:
            if "\t" in line:
                drafts += [(path, text, 1.0) for text in _pack(cells(line))]
            elif tidy(line):
                drafts += [(path, piece, 1.0) for piece in _split(item(line))]
    return drafts


def _photos(block: _Block, typed_conditions: dict[str, str]) -> list[Draft]:
    """Goals and timeline of each pin-board photo, at :data:`PHOTO_WEIGHT`.

    A board is named after the typed group page whose conditions ("Rahmenbedingungen") share
    most words with the board's (the photos carry no group name); ``typed_conditions`` maps a
    group name to the text of its typed conditions.
    """
    boards: list[list[tuple[str, list[str]]]] = []
    for heading, content in _subsections(block.lines):
        if heading == "Zielrichtung" or not boards:
            boards.append([])
        boards[-1].append((heading, content))
    drafts: list[Draft] = []
    for number, board in enumerate(boards, start=1):
        sections = dict(board)
        label = f"Stellwand {number}"
        words = set(tokens(" ".join(sections.get("Rahmenbedingungen", []))))
        if words and typed_conditions:
            def overlap(name: str) -> float:
                other = set(tokens(typed_conditions[name]))
                return len(words & other) / len(words | other)
            best = max(typed_conditions, key=overlap)
            if overlap(best) >= 0.3:
                label += f" (zur AG {best})"
        if goal := join_wrapped(sections.get("Zielrichtung", [])):
            drafts.append(((PHOTOS, label, "Zielrichtung"), goal, PHOTO_WEIGHT))
        if plan := [tidy(x) for x in sections.get("Zeitplan", []) if tidy(x)]:
            drafts += [((PHOTOS, label, "Zeitplan"), text, PHOTO_WEIGHT) for text in _pack(plan)]
    return drafts


def _members(block: _Block) -> list[Draft]:
    """The overview table: ten columns under four group headers, read column by column."""
    rows = [line.split("\t") for line in block.lines if line.strip()]
    if not rows:
        return []
    header = rows[0]
    owner: dict[int, str] = {}
    current = None
    for column, cell in enumerate(header[1:], start=1):
        if cell.strip():
            current = tidy(cell)
        if current:
            owner[column] = current
    collected: dict[tuple[str, str], dict[int, list[str]]] = {}
    order: list[tuple[str, str]] = []
    label = ""
    for row in rows[1:]:
        if row[0].strip():
            label = _BROKEN_WORD.sub(r"\1\2", tidy(row[0]))
        for column, cell in enumerate(row[1:], start=1):
            if cell.strip() and column in owner:
                key = (owner[column], label)
                if key not in collected:
                    collected[key] = {}
                    order.append(key)
                collected[key].setdefault(column, []).append(tidy(cell))
    order.sort(key=lambda key: list(dict.fromkeys(owner.values())).index(key[0]))
    drafts: list[Draft] = []
    for group, label in order:
        items = [cell for column in sorted(collected[(group, label)]) for cell in collected[(group, label)][column]]
        drafts += [((MEMBERS_OVERVIEW, f"AG {group}"), text, 1.0) for text in _pack(items, prefix=f"{label}: ")]
    return drafts


def _feedback(block: _Block) -> list[Draft]:
    drafts: list[Draft] = []
    heading = None
    for line in block.lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("Übersicht einzelner Rückmeldungen"):
            continue
        if _HEADING_WORD.fullmatch(stripped):
            heading = stripped
            continue
        path = ("Feedback", heading) if heading else ("Feedback",)
        drafts += [(path, piece, 1.0) for piece in _split(item(line))]
    return drafts


def _next_steps(block: _Block) -> list[Draft]:
    drafts: list[Draft] = []
    for line in block.lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("Illustration showing") or stripped.isupper():
            continue
        drafts += [(("Nächste Schritte",), piece, 1.0) for piece in _split(item(line))]
    return drafts


def _contacts(block: _Block) -> list[Draft]:
    """Each person: name, role, then the address paragraph; placeholders are dropped."""
    paragraphs = [p for p in _paragraphs(block.lines) if not all(_PLACEHOLDER.match(x) for x in p)]
    drafts: list[Draft] = []
    for start in range(0, len(paragraphs) - 2, 3):
        name, role, address = paragraphs[start:start + 3]
        text = ", ".join([*name, *role, *address])
        drafts.append((("Kontaktdaten",), text, 1.0))
    return drafts


def split_passages(text: str) -> tuple[Passage, ...]:
    """Split the workshop document ``text`` into passages, in document order.

    Every passage text is at most :data:`MAX_CHARS` characters. The photo boards are named
    after the typed group pages, which come later in the document.
    """
    blocks = _blocks(text)
    typed: dict[str, str] = {}
    for block in blocks:
        if block.kind == "group":
            name = re.sub(r"^Arbeitsgruppe\s*[-–]\s*", "", block.heading).strip()
            typed[name] = " ".join(" ".join(content) for heading, content in _subsections(block.lines)
                                   if heading == "Rahmenbedingungen")
    parsers = {
        "title": _title, "agenda": _agenda, "template": _template, "four_groups": _four_groups,
        "guidelines": _plain(("Leitplanken der Zusammenarbeit",)),
        "photos": lambda b: _photos(b, {k: v for k, v in typed.items() if v}),
        "decisions": _plain(("Grundsätzliche Festlegungen",)), "group": _group, "members": _members,
        "feedback": _feedback, "next_steps": _next_steps, "contacts": _contacts,
    }
    drafts = [draft for block in blocks for draft in parsers[block.kind](block)]
    return tuple(Passage(path, text, position, weight)
                 for position, (path, text, weight) in enumerate(d for d in drafts if d[1]))
