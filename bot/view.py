"""An indexed, read-only snapshot of the programme for answering questions quickly.

Built from a :class:`~bot.programme.Programme`; every lookup that answering needs (group by
alias, organisation by name, groups of an organisation) is a dict access. After a change of a
few groups (a milestone date, a session series, a new member) :meth:`ProgrammeView.updated`
derives the next view from the previous one instead of indexing everything again.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.directory import Directory
from bot.programme import Group, Lead, Membership, Meta, Programme
from bot.text import tokens


@dataclass(frozen=True)
class ProgrammeView:
    """The programme plus its indexes. ``group_tokens`` maps folded alias tokens to group keys."""

    programme: Programme
    directory: Directory
    groups: dict[str, Group]
    group_tokens: dict[tuple[str, ...], frozenset[str]]
    # organisation key -> (group, membership), in programme order; the order of the keys means nothing
    memberships_of: dict[str, tuple[tuple[Group, Membership], ...]]
    longest_group_alias: int
    children: dict[str, tuple[Group, ...]]  # AG key -> its UAGs, in programme order
    top_level: tuple[Group, ...]  # the AGs
    skip_holidays: bool = False  # sessions on public holidays are left out ([reminders] skip_holidays)
    # folded name/last name/title -> persons
    person_tokens: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict)
    roles_of: dict[str, tuple[tuple[Group, Lead], ...]] = field(default_factory=dict)  # person -> the seats they hold

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

    def updated(self, groups: Mapping[str, Group] = {}, meta: Meta | None = None) -> "ProgrammeView":
        """This view with some groups (by key, as loaded again from the store) and the programme's
        ``meta`` replaced; equal to ``build`` of the changed programme, but only what the change
        touches is redone.

        Reused: the organisation directory, the group and person name indexes (while the groups'
        names, aliases, kind, parent and leads stay), the membership entries of organisations
        that are in none of the changed groups. Returns ``self`` when nothing differs; falls back
        to :meth:`build` (directory still reused) when a changed group is new (it comes last) or
        was renamed or got other leads (a programme import; chat commands change members,
        milestones and sessions).
        """
        changed = {k: g for k, g in groups.items() if self.groups.get(k) != g}
        if meta is not None and meta == self.programme.meta:
            meta = None
        if not changed and meta is None:
            return self
        position = {g.key: i for i, g in enumerate(self.programme.groups)}
        ordered = list(self.programme.groups)
        for key, group in changed.items():
            if key in position:
                ordered[position[key]] = group
            else:  # a new group comes last, as the store appends it
                ordered.append(group)
        update: dict = {"groups": tuple(ordered)} if changed else {}
        if meta is not None:
            update["meta"] = meta
        programme = self.programme.model_copy(update=update)
        if any(key not in self.groups or _shape(self.groups[key]) != _shape(group) for key, group in changed.items()):
            return ProgrammeView.build(programme, previous=self, skip_holidays=self.skip_holidays)
        old = {key: self.groups[key] for key in changed}

        children = dict(self.children)
        for parent in {g.parent for g in changed.values() if g.parent}:
            children[parent] = tuple(changed.get(g.key, g) for g in children[parent])
        top_level = self.top_level
        if any(g.kind == "AG" for g in changed.values()):
            top_level = tuple(changed.get(g.key, g) for g in top_level)

        memberships = dict(self.memberships_of)
        added: dict[str, list[tuple[Group, Membership]]] = {}
        for group in changed.values():
            for member in group.members:
                added.setdefault(member.organisation, []).append((group, member))
        affected = set(added) | {m.organisation for g in old.values() for m in g.members}
        for org in affected:
            entries = [e for e in memberships.get(org, ()) if e[0].key not in changed] + added.get(org, [])
            if entries:
                entries.sort(key=lambda e: position[e[0].key])
                memberships[org] = tuple(entries)
            else:
                del memberships[org]

        roles = dict(self.roles_of or {})
        for person in {lead.person for g in changed.values() for lead in g.leads if lead.person in roles}:
            roles[person] = tuple((changed.get(g.key, g), lead) for g, lead in roles[person])
        return ProgrammeView(
            programme=programme, directory=self.directory, groups={**self.groups, **changed},
            group_tokens=self.group_tokens, memberships_of=memberships,
            longest_group_alias=self.longest_group_alias, children=children, top_level=top_level,
            skip_holidays=self.skip_holidays, person_tokens=self.person_tokens, roles_of=roles)

    @property
    def ags(self) -> tuple[Group, ...]:
        """The top-level working groups (kind "AG") in programme order."""
        return self.top_level

    def subgroups(self, group_key: str) -> tuple[Group, ...]:
        """The UAGs of one AG, in programme order."""
        return self.children.get(group_key, ())


def _shape(group: Group) -> tuple:
    """What the name, person and hierarchy indexes of a view read from a group."""
    return group.name, group.aliases, group.kind, group.parent, group.leads
