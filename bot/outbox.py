"""The outbox: every message the bot sends on its own, to linked rooms on any platform.

One place for what the Matrix and Teams adapters and the reminder dispatcher each did on their own:
pick the :class:`bot.ports.Sender` of the room's platform, give the send a stable transaction id,
and keep one room's trouble away from the others. The exactly-once ledger and the leases of
reminders stay with :class:`scheduler.dispatcher.Dispatcher`, which sends through :meth:`Outbox.send`.

Rules (as before the outbox existed):
* Notifications (:class:`bot.messages.Notification`, e.g. coordinators told about a new late
  registration) go out after the answer of the turn that caused them, each room on its own task,
  so that a slow room delays none of the others. They are not retried: a failure, or a platform
  without a sender, is logged and the turn goes on. The transaction id is derived from the id of
  the incoming message and the notification's position, so a turn handled again after a crash
  (Matrix) does not post the notification twice.
* Reminders: :meth:`send` raises what the sender raised; the dispatcher records the failure in its
  ledger and tries again after the lease (with the same transaction id).
* Retries inside one send (Teams: 429 and 5xx with backoff; Matrix: ``M_LIMIT_EXCEEDED``) belong to
  the platform's sender.

Adding a platform means implementing :class:`~bot.ports.Sender` (and a convert module); the outbox
needs no change.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable, Sequence
from contextvars import ContextVar

from bot.messages import Notification, Reply
from bot.ports import Sender

log = logging.getLogger(__name__)


#: True while a send may repeat one that another bot process (another Matrix device of the bot's
#: account) already made and that this process has not seen yet: a reminder (its lease is taken over
#: after it runs out) or an answer taken over from a process whose claim ran out. A sender that can
#: look up what was sent (Matrix: the room's latest events of the bot) checks before sending.
may_repeat: ContextVar[bool] = ContextVar("agbot_may_repeat", default=False)


class NoSender(LookupError):
    """No sender is configured for the platform a message should go to."""


def notice_txn_id(origin: str | None, number: int) -> str:
    """The transaction id of the ``number``-th notification caused by the incoming message
    ``origin`` (its platform id): ``agbot-notice-`` and 32 hex digits of a SHA-256, the same for a
    repeated turn. Valid as a Matrix transaction id (client-server API, ``PUT /send``)."""
    return "agbot-notice-" + hashlib.sha256(f"{origin}|{number}".encode()).hexdigest()[:32]


class Outbox:
    """Delivers proactive messages through the senders of the configured platforms.

    ``senders``: one :class:`~bot.ports.Sender` per platform (a second one for the same platform
    raises ``ValueError``). The outbox keeps no messages itself: what must survive a restart
    (reminders) is in the dispatcher's ledger.
    """

    def __init__(self, senders: Iterable[Sender]) -> None:
        self._senders: dict[str, Sender] = {}
        for sender in senders:
            if sender.platform in self._senders:
                raise ValueError(f"two senders for platform {sender.platform!r}")
            self._senders[sender.platform] = sender

    @property
    def platforms(self) -> frozenset[str]:
        """The platforms this outbox can send to, e.g. ``{"matrix", "teams"}``."""
        return frozenset(self._senders)

    def reaches(self, platform: str) -> bool:
        """True if a sender for ``platform`` is configured."""
        return platform in self._senders

    async def send(self, platform: str, room_id: str, reply: Reply, *, thread_id: str | None = None,
                   txn_id: str | None = None) -> str | None:
        """Send ``reply`` to ``room_id`` on ``platform``; return the platform's message id, or None if
        the platform refused or cannot reach the room. Raises :class:`NoSender` for an unknown
        platform and passes on what the sender raises (network errors)."""
        sender = self._senders.get(platform)
        if sender is None:
            raise NoSender(platform)
        return await sender.send(room_id, reply, thread_id=thread_id, txn_id=txn_id)

    async def notify(self, notifications: Sequence[Notification], origin: str | None) -> None:
        """Send each notification to its room, concurrently, as a ``kind="notification"`` reply.

        ``origin`` is the id of the incoming message whose turn caused them (for the transaction
        ids). Never raises for one room's failure: it is logged, the other rooms get theirs.
        """
        async def one(number: int, note: Notification) -> None:
            if not self.reaches(note.platform):
                log.warning("no sender for %s; notification for %s not sent", note.platform, note.room_id)
                return
            try:
                await self.send(note.platform, note.room_id, Reply(note.text, kind="notification"),
                                txn_id=notice_txn_id(origin, number))
            except Exception:  # another room's trouble must not cost this turn
                log.exception("notification to %s:%s failed", note.platform, note.room_id)

        if notifications:
            await asyncio.gather(*(one(number, note) for number, note in enumerate(notifications)))
