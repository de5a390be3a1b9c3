"""Who may do what. One place decides; every command that changes data asks it.

Roles come from the configuration: ``[roles] admins`` (all AGs) and ``coordinators``
(per AG). User ids are platform ids (Matrix ``@user:server``, Teams AAD object ids, console
names) and compared exactly.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.messages import UserRef


@dataclass(frozen=True)
class Roles:
    admins: frozenset[str] = frozenset()
    coordinators: dict[str, frozenset[str]] = field(default_factory=dict)  # group key -> user ids

    def is_admin(self, user: UserRef) -> bool:
        return user.user_id in self.admins

    def coordinates(self, user: UserRef, group_key: str) -> bool:
        return user.user_id in self.coordinators.get(group_key, frozenset())

    def may_manage(self, user: UserRef, group_key: str | None) -> bool:
        """May ``user`` change the data of ``group_key`` (None: programme-wide data)?"""
        if self.is_admin(user):
            return True
        return group_key is not None and self.coordinates(user, group_key)

    def managed_groups(self, user: UserRef) -> set[str]:
        return {g for g, users in self.coordinators.items() if user.user_id in users}
