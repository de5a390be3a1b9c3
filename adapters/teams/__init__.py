"""Microsoft Teams through the Bot Framework: convert.py (pure activity <-> message functions),
adapter.py (owns every botbuilder object), manifest.py (the Teams app package)."""
