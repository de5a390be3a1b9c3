"""``agbot matrix-verify [--reset]``: the cross-signing state of the bot's Matrix device.

Uses the device id and access token the bot stored at its login (the ``matrix`` adapter state in
the database), or ``[matrix] access_token``; it never logs in by password, which would create a
new device. Without ``--reset`` nothing is changed. Exit status: 0 the device is cross-signed by
the keys in ``store_dir``; 1 it is not (or the homeserver could not be asked); 2 no ``[matrix]``
section.
"""
from __future__ import annotations

import asyncio
from typing import Protocol

import aiohttp

from adapters.matrix.adapter import new_client
from adapters.matrix.cross_signing import CrossSigningError, CrossSigningStatus, cross_signing_for, key_file_lock
from bot.config import MatrixSection

_YES = {True: "ja", False: "nein"}


class KeyValueStore(Protocol):
    async def get(self, key: str) -> str | None: ...


def status_lines(status: CrossSigningStatus) -> list[str]:
    """The state as German lines for the admin's terminal."""
    lines = [f"Schlüssel lokal vorhanden:       {_YES[status.local_keys]}",
             f"Schlüssel auf dem Homeserver:    {_YES[status.server_keys]}",
             f"Lokal und Server gleich:         {_YES[status.keys_match]}",
             f"Gerät vom Bot-Konto signiert:    {_YES[status.device_signed]}"]
    if status.uploaded:
        lines.append("Neue Cross-Signing-Schlüssel hochgeladen.")
    if status.advice:
        lines.append(f"Hinweis: {status.advice}")
    return lines


async def run_verify(settings: MatrixSection | None, state: KeyValueStore, reset: bool, out=print) -> int:
    """Report (and with ``reset`` replace) the cross-signing keys; returns the exit status."""
    if settings is None:
        out("agbot matrix-verify: kein [matrix]-Abschnitt in der Konfiguration")
        return 2
    device_id, token = await state.get("device_id"), await state.get("access_token")
    if not (device_id and token) and settings.access_token is None:
        out("Der Bot hat sich noch nicht angemeldet (kein Gerät in der Datenbank). Bitte zuerst `agbot run` starten.")
        return 1
    if reset and settings.password is None:
        out("--reset braucht das Passwort des Bot-Kontos: [matrix] password oder AGBOT_MATRIX__PASSWORD.")
        return 1
    client = new_client(settings)
    try:
        if device_id and token:
            client.restore_login(settings.user_id, device_id, token)
        else:
            client.access_token = settings.access_token.get_secret_value()
            device_id = getattr(await client.whoami(), "device_id", None)
            if not device_id:
                out(f"Das Zugriffstoken wird von {settings.homeserver} nicht angenommen.")
                return 1
            client.restore_login(settings.user_id, device_id, client.access_token)
        out(f"Konto {settings.user_id}, Gerät {device_id}")
        signing = cross_signing_for(client, settings)
        if reset:
            async with key_file_lock(signing.key_file):
                status = await signing.ensure(reset=True)
        else:
            status = await signing.status()
    except CrossSigningError as exc:
        out(f"Fehler: {exc}")
        return 1
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        out(f"{settings.homeserver} nicht erreichbar: {exc}")
        return 1
    finally:
        await client.close()
    for line in status_lines(status):
        out(line)
    return 0 if status.ok else 1
