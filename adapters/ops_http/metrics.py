"""The :class:`bot.metrics.Metrics` port implemented with the official Prometheus client library.

Every :class:`PrometheusMetrics` has its own ``CollectorRegistry`` (not the library's global
one), so several bots in one process (tests) keep separate counts. Names follow the Prometheus
naming guide: ``agbot_`` prefix, ``_total`` for counters, base units (seconds).
"""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.metrics import Outcome, ReminderOutcome

# answer latency buckets in seconds: most answers take milliseconds, a slow database seconds
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class PrometheusMetrics:
    """Counters and the latency histogram of one bot process, in :attr:`registry`.

    - ``agbot_messages_total{platform, outcome}``: messages handled (outcome: answered, error,
      ignored, refused; see :meth:`bot.metrics.Metrics.message_handled`)
    - ``agbot_answer_seconds{platform}``: histogram of the time to answer one message (seconds)
    - ``agbot_reminders_total{platform, outcome}``: reminders per room (sent, late, dropped,
      failed; late ones are counted in sent too)
    - ``agbot_send_retries_total{platform}``: sends repeated after 429/5xx
    - ``agbot_replies_failed_total{platform}``: answers that were ready but not delivered (the
      platform refused, timed out, or retries gave up)
    - ``agbot_matrix_sync_lag_seconds``: seconds since the last successful Matrix sync (set by the
      ops server at each scrape, only when Matrix is configured; NaN before the first sync)
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.messages = Counter("agbot_messages", "Incoming messages handled, by platform and outcome",
                                ["platform", "outcome"], registry=self.registry)
        self.latency = Histogram("agbot_answer_seconds", "Time to answer one message (seconds)", ["platform"],
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.reminders = Counter("agbot_reminders", "Reminders per room, by platform and outcome "
                                 "(late ones also count as sent)", ["platform", "outcome"], registry=self.registry)
        self.retries = Counter("agbot_send_retries", "Sends repeated after a 429 or 5xx answer", ["platform"],
                               registry=self.registry)
        self.failed_replies = Counter("agbot_replies_failed", "Answers ready but not delivered (refused, timed "
                                      "out or given up)", ["platform"], registry=self.registry)
        self._sync_lag: Gauge | None = None

    def message_handled(self, platform: str, outcome: Outcome, seconds: float | None = None) -> None:
        self.messages.labels(platform, outcome).inc()
        if seconds is not None:
            self.latency.labels(platform).observe(seconds)

    def reminder(self, platform: str, outcome: ReminderOutcome) -> None:
        self.reminders.labels(platform, outcome).inc()

    def send_retry(self, platform: str) -> None:
        self.retries.labels(platform).inc()

    def reply_failed(self, platform: str) -> None:
        self.failed_replies.labels(platform).inc()

    def set_matrix_sync_lag(self, seconds: float) -> None:
        """Seconds since the last successful Matrix sync (``float("nan")``: none yet)."""
        if self._sync_lag is None:
            self._sync_lag = Gauge("agbot_matrix_sync_lag_seconds", "Seconds since the last successful Matrix sync",
                                   registry=self.registry)
        self._sync_lag.set(seconds)

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format (version 0.0.4), UTF-8."""
        return generate_latest(self.registry)
