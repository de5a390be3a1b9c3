"""The iCalendar feed over HTTP (``GET /calendar/<ag>.ics``), for subscription in Outlook or Thunderbird."""
