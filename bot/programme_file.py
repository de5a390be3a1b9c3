"""The programme file: reading and validating a programme TOML file (``agbot import``, the seed
of an empty database) and writing the stored programme back as TOML (``agbot export``).

The shipped file is ``bot/data/programme.toml``; its shape is :class:`bot.programme.Programme`.
"""
from __future__ import annotations

import importlib.resources
import tomllib
from pathlib import Path

import tomli_w
from pydantic import ValidationError

from bot.directory import destatis_organisations
from bot.programme import Programme


class ProgrammeFileError(Exception):
    """A programme file that cannot be read; ``lines`` say what is wrong, one per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def shipped_programme_path() -> Path:
    """The programme file shipped with the package (``bot/data/programme.toml``)."""
    return Path(str(importlib.resources.files("bot.data").joinpath("programme.toml")))


def load_programme_file(path: str | Path | None) -> Programme:
    """Read and validate a programme TOML file (None: the shipped one).

    Besides the model's own validation it checks that group keys and names are unique, that
    parents exist and that members and lead organisations are organisations of the file or of the
    Destatis list (:func:`bot.directory.destatis_organisations`).
    Raises :class:`ProgrammeFileError` for a missing file, bad TOML or invalid content.
    """
    path = Path(path) if path else shipped_programme_path()
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ProgrammeFileError([f"programme: cannot read {path}: {exc.strerror}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProgrammeFileError([f"programme: {path} is not valid TOML: {exc}"]) from None
    try:
        programme = Programme.model_validate(data)
    except ValidationError as exc:
        raise ProgrammeFileError([f"programme: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]) from None
    keys = [g.key for g in programme.groups]
    problems = [f"programme: group key {k!r} appears twice" for k in set(keys) if keys.count(k) > 1]
    problems += [f"programme: {g.key}: parent {g.parent!r} does not exist"
                 for g in programme.groups if g.parent and g.parent not in keys]
    names = [g.name.casefold() for g in programme.groups]
    problems += [f"programme: two groups are named {n!r}" for n in sorted(set(names)) if names.count(n) > 1]
    known = {o.key for o in programme.organisations} | {o.key for o in destatis_organisations()}
    problems += [f"programme: {g.key}: member {m.organisation!r} is no organisation of the file nor of the "
                 f"Destatis list" for g in programme.groups for m in g.members if m.organisation not in known]
    problems += [f"programme: {g.key}: lead organisation {lead.organisation!r} is unknown"
                 for g in programme.groups for lead in g.leads if lead.organisation and lead.organisation not in known]
    if problems:
        raise ProgrammeFileError(problems)
    return programme


def programme_to_toml(programme: Programme) -> str:
    """The programme as a TOML file that ``agbot import`` reads back unchanged.

    Dates, local times (agenda) and local date-times (series) are written as TOML values, not
    strings; enums as their string values.
    """
    data = programme.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    return "# AG-Bot programme export (current state of the database)\n" + tomli_w.dumps(data)
