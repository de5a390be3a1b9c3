"""Errors the router turns into friendly replies instead of apologies."""
from __future__ import annotations


class UserError(Exception):
    """Something the user can fix (bad arguments, unknown AG, missing right).

    ``message`` is the German text shown, ``message_en`` the English one; ``items`` an optional
    list (e.g. the AGs that exist) and ``kind`` one of "error" or "refusal".
    """

    def __init__(self, message: str, message_en: str | None = None, items: tuple[str, ...] = (),
                 footer: str | None = None, footer_en: str | None = None, kind: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.items = items
        self.footer = footer
        self.footer_en = footer_en or footer
        self.kind = kind


class PermissionDenied(UserError):
    """The sender may not do this (e.g. a member using a coordinator command)."""

    def __init__(self, message: str, message_en: str | None = None) -> None:
        super().__init__(message, message_en, kind="refusal")
