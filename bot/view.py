"""An indexed, read-only snapshot of the programme for answering questions quickly.

Built from a :class:`~bot.programme.Programme` after each change; every lookup that answering
needs (group by alias, organisation by name, groups of an organisation) is a dict access.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.directory import Directory
from bot.programme import Group, Membership, Programme
from bot.text import tokens


@dataclass(frozen=True)
class ProgrammeView:
    """The programme plus its indexes. ``group_tokens`` maps folded alias tokens to group keys."""

    programme: Programme
    directory: Directory
    groups: dict[str, Group]
    group_tokens: dict[tuple[str, ...], frozenset[str]]
    memberships_of: dict[str, tuple[tuple[Group, Membership], ...]]  # organisation key -> (group, membership)
    longest_group_alias: int

    @classmethod
    def build(cls, programme: Programme, include_destatis: bool = True) -> "ProgrammeView":
        groups = {g.key: g for g in programme.groups}
        by_tokens: dict[tuple[str, ...], set[str]] = {}
        for group in programme.groups:
            for name in (group.name, group.key.replace("-", " "), *group.aliases):
                folded = tokens(name)
                if folded:
                    by_tokens.setdefault(folded, set()).add(group.key)
        memberships: dict[str, list[tuple[Group, Membership]]] = {}
        for group in programme.groups:
            for member in group.members:
                memberships.setdefault(member.organisation, []).append((group, member))
        frozen = {k: frozenset(v) for k, v in by_tokens.items()}
        return cls(
            programme=programme,
            directory=Directory.build(programme.organisations, include_destatis=include_destatis),
            groups=groups,
            group_tokens=frozen,
            memberships_of={k: tuple(v) for k, v in memberships.items()},
            longest_group_alias=max((len(k) for k in frozen), default=1),
        )

    @property
    def ags(self) -> list[Group]:
        """The top-level working groups (kind "AG") in programme order."""
        return [g for g in self.programme.groups if g.kind == "AG"]

    def subgroups(self, group_key: str) -> list[Group]:
        return [g for g in self.programme.groups if g.parent == group_key]
