"""Picking the wording for the answer's language."""
from __future__ import annotations


def t(language: str, de: str, en: str) -> str:
    """The German or the English wording: ``en`` when ``language`` is "en", else ``de``."""
    return en if language == "en" else de
