"""What the core and the adapters report for monitoring, as a port: :class:`Metrics`.

The core only calls these methods; :class:`adapters.ops_http.metrics.PrometheusMetrics`
implements them with ``prometheus_client`` (served on ``/metrics`` when ``[ops] port`` is set),
:data:`NO_METRICS` does nothing (the default everywhere, e.g. the console CLI).
"""
from __future__ import annotations

from typing import Literal, Protocol

Outcome = Literal["answered", "error", "ignored", "refused"]
ReminderOutcome = Literal["sent", "late", "dropped", "failed"]


class Metrics(Protocol):
    """Counters and timings of one bot process. ``platform``: "matrix", "teams", "console"."""

    def message_handled(self, platform: str, outcome: Outcome, seconds: float | None = None) -> None:
        """One incoming message finished. ``outcome``: "answered" (any reply, including a
        friendly user-error reply such as "no AG named X"), "error" (an unexpected exception,
        answered with an apology), "ignored" (nothing sent: loop protection, chatter not
        addressed to the bot, other bots), "refused" (not allowed, e.g. a command for
        coordinators). ``seconds``: time from receiving to the reply being ready (monotonic
        clock); None when there was no answer to time."""

    def reminder(self, platform: str, outcome: ReminderOutcome) -> None:
        """One reminder for one room: "sent", "late" (sent after ``[reminders] late_after_minutes``;
        counted in "sent" too), "dropped" (its event had started), "failed" (the platform refused)."""

    def send_retry(self, platform: str) -> None:
        """One retried send (e.g. Teams: the Bot Connector answered 429 or 5xx)."""

    def reply_failed(self, platform: str) -> None:
        """A reply to an incoming message was ready but the platform did not take it (refused,
        timed out, given up after retries). The message is still counted by
        :meth:`message_handled` with its outcome; this counts the answers users did not get."""


class _NoMetrics:
    def message_handled(self, platform: str, outcome: Outcome, seconds: float | None = None) -> None:
        pass

    def reminder(self, platform: str, outcome: ReminderOutcome) -> None:
        pass

    def send_retry(self, platform: str) -> None:
        pass

    def reply_failed(self, platform: str) -> None:
        pass


NO_METRICS: Metrics = _NoMetrics()
