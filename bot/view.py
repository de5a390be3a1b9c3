"""An indexed, read-only snapshot of the programme for answering questions quickly.

Built from a :class:`~bot.programme.Programme` after each change; every lookup that answering
needs (group by alias, organisation by name, groups of an organisation) is a dict access.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.directory import Directory
from bot.programme import Group, Lead, Membership, Programme
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
    children: dict[str, tuple[Group, ...]]  # AG key -> its UAGs, in programme order
    top_level: tuple[Group, ...]  # the AGs
    skip_holidays: bool = False  # sessions on public holidays are left out ([reminders] skip_holidays)
    person_tokens: dict[tuple[str, ...], frozenset[str]] = None  # folded name/last name/title -> persons
    roles_of: dict[str, tuple[tuple[Group, Lead], ...]] = None  # person -> the seats they hold

    @classmethod
    def build(cls, programme: Programme, include_destatis: bool = True,
              previous: "ProgrammeView | None" = None, skip_holidays: bool = False) -> "ProgrammeView":
        """Index ``programme``. ``previous``: the view before a change; its organisation
        directory is reused when the organisations did not change (milestone or series edits)."""
        groups = {g.key: g for g in programme.groups}
        children: dict[str, list[Group]] = {}
        for group in programme.groups:
            if group.parent:
                children.setdefault(group.parent, []).append(group)
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
        persons: dict[tuple[str, ...], set[str]] = {}
        roles: dict[str, list[tuple[Group, Lead]]] = {}
        for group in programme.groups:
            for lead in group.leads:
                if not lead.person or any(ch.isdigit() for ch in lead.person):
                    continue  # "Abt. 1 MID" is a unit, not a person
                roles.setdefault(lead.person, []).append((group, lead))
                last = lead.person.split()[-1]
                names = {lead.person, last, f"Frau {last}", f"Herr {last}", f"Herrn {last}", f"Fr. {last}",
                         f"Hr. {last}"}
                if lead.title:
                    names |= {lead.title, f"{lead.title} {last}", f"{lead.title} {lead.person}"}
                    if lead.title == "Staatssekretär":
                        names |= {"StS", f"StS {last}", f"STS {lead.person}"}
                for name in names:
                    persons.setdefault(tokens(name), set()).add(lead.person)
        if previous is not None and previous.programme.organisations == programme.organisations:
            directory = previous.directory
        else:
            directory = Directory.build(programme.organisations, include_destatis=include_destatis)
        return cls(
            programme=programme,
            directory=directory,
            children={k: tuple(v) for k, v in children.items()},
            top_level=tuple(g for g in programme.groups if g.kind == "AG"),
            skip_holidays=skip_holidays,
            person_tokens={k: frozenset(v) for k, v in persons.items()},
            roles_of={k: tuple(v) for k, v in roles.items()},
            groups=groups,
            group_tokens=frozen,
            memberships_of={k: tuple(v) for k, v in memberships.items()},
            longest_group_alias=max((len(k) for k in frozen), default=1),
        )

    @property
    def ags(self) -> tuple[Group, ...]:
        """The top-level working groups (kind "AG") in programme order."""
        return self.top_level

    def subgroups(self, group_key: str) -> tuple[Group, ...]:
        """The UAGs of one AG, in programme order."""
        return self.children.get(group_key, ())
