"""What the core needs from the outside, as Protocols. The store implements them; tests may
use fakes. Nothing here imports a database or chat SDK."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from bot.programme import Milestone, Programme, SessionSeries


@dataclass(frozen=True)
class MilestoneChange:
    """Result of setting a milestone's due date: the milestone, whether it was new, the old date."""

    milestone: Milestone
    created: bool
    previous_due: dt.date | None


class ProgrammeStore(Protocol):
    async def load(self) -> Programme: ...

    async def data_version(self) -> int:
        """A number that changes whenever another connection committed a change."""

    async def set_milestone_due(self, group_key: str, title: str, due: dt.date,
                                now: dt.datetime, by: str) -> MilestoneChange: ...

    async def set_session_series(self, group_key: str | None, series: SessionSeries,
                                 now: dt.datetime, by: str) -> None: ...


class RoomLinkStore(Protocol):
    async def link(self, platform: str, room_id: str, group_key: str, by: str | None, now: dt.datetime) -> None: ...

    async def group_of(self, platform: str, room_id: str) -> str | None: ...
