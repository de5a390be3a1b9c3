"""The read-only OParl 1.1 interface over HTTP (issue 16)."""
