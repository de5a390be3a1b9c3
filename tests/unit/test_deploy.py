"""The deploy recipe in ``deploy/``: the systemd unit passes ``systemd-analyze verify`` (skipped
without systemd-analyze, except under ``CI=true``, where that fails) and keeps its promises (user,
directories, umask, hardening); the Containerfile is linted (it is not built here: no container
registry is reachable for its base image): non-root user, /data volume and working directory, no
secrets; the nginx example proxies the Teams endpoint over TLS to the bot's default port."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.config import TeamsSection

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
EXEC = "/opt/agbot/.venv/bin/agbot"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unit_settings(text: str) -> dict[str, list[str]]:
    """``Key=value`` lines of a unit file (all sections), each key with all its values in order."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        if in_ci():
            pytest.fail("systemd-analyze is missing under CI (install the Debian package systemd)")
        pytest.skip("systemd-analyze not installed")
    # verify also checks that ExecStart's program exists: point it at a stand-in executable
    stand_in = tmp_path / "agbot"
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    text = (DEPLOY / "agbot.service").read_text(encoding="utf-8")
    assert text.count(EXEC) == 1
    unit = tmp_path / "agbot.service"
    unit.write_text(text.replace(EXEC, str(stand_in)), encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    # verify exits 0 even for unknown keys and unparsable values; it only warns: any output fails
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_systemd_analyze_verify_would_notice_a_mistake(tmp_path):
    """The check above can fail: a misspelt hardening option is reported."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed")
    stand_in = tmp_path / "agbot"
    stand_in.write_text("#!/bin/sh\n")
    stand_in.chmod(0o755)
    text = (DEPLOY / "agbot.service").read_text(encoding="utf-8").replace(EXEC, str(stand_in))
    unit = tmp_path / "agbot.service"
    unit.write_text(text.replace("ProtectHome=yes", "ProtectHom=yes"), encoding="utf-8")
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert "ProtectHom" in result.stderr


def test_unit_runs_as_agbot_in_its_state_directory_with_hardening():
    unit = unit_settings((DEPLOY / "agbot.service").read_text(encoding="utf-8"))
    expected = {"User": ["agbot"], "Group": ["agbot"], "WorkingDirectory": ["/var/lib/agbot"],
                "StateDirectory": ["agbot"], "UMask": ["0077"],
                "ExecStart": [f"{EXEC} run --config /etc/agbot/config.toml"],
                "NoNewPrivileges": ["yes"], "ProtectSystem": ["strict"], "ProtectHome": ["yes"],
                "PrivateTmp": ["yes"], "CapabilityBoundingSet": [""], "RestartPreventExitStatus": ["2"]}
    assert {key: unit.get(key) for key in expected} == expected
    assert unit["SystemCallFilter"][0] == "@system-service"
    assert set(unit["RestrictAddressFamilies"][0].split()) == {"AF_UNIX", "AF_INET", "AF_INET6"}
    # ProtectSystem=strict makes everything read-only: the bot's data must be writable
    assert "/var/lib/agbot" in unit["ReadWritePaths"][0].split()


def containerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of deploy/Containerfile, continuation lines joined."""
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    logical, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    assert not current, "a continuation line at the end"
    return [(parts[0].upper(), parts[1] if len(parts) > 1 else "") for parts in (s.strip().split(None, 1) for s in logical)]


def test_containerfile_runs_as_a_non_root_user_on_a_data_volume():
    steps = containerfile_instructions()
    names = [name for name, _ in steps]
    known = {"ARG", "FROM", "ENV", "RUN", "COPY", "USER", "WORKDIR", "VOLUME", "EXPOSE", "HEALTHCHECK",
             "STOPSIGNAL", "ENTRYPOINT", "CMD", "LABEL"}
    assert set(names) <= known, set(names) - known
    assert names.count("FROM") == 1 and re.search(r"python:\$\{PYTHON_VERSION\}-slim", dict(steps)["FROM"])
    users = [args for name, args in steps if name == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert names.index("USER") < names.index("ENTRYPOINT")  # the bot never runs as root
    assert dict(steps)["WORKDIR"] == "/data" and "/data" in dict(steps)["VOLUME"]
    assert '"run", "--config"' in dict(steps)["CMD"]


def test_containerfile_holds_no_secrets_and_copies_only_the_code():
    steps = containerfile_instructions()
    for name, args in steps:
        if name in {"ENV", "ARG"}:
            assert not re.search(r"PASSWORD|TOKEN|SECRET|APP_PASSWORD|KEY", args, re.IGNORECASE), args
        if name == "COPY":
            *sources, _ = args.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert source not in {".", "data", "config.toml", ".venv"}, f"COPY {source} may carry secrets"


def test_nginx_example_proxies_the_teams_endpoint_over_tls():
    text = (DEPLOY / "nginx-agbot.conf").read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert code.count("{") == code.count("}")
    assert re.search(r"listen 443 ssl;", code) and "ssl_certificate " in code
    assert re.search(r"location = /api/messages \{[^}]*limit_except POST", code)
    assert f"server 127.0.0.1:{TeamsSection().port};" in code  # the bot's default [teams] port
    for directive in ("client_header_timeout", "client_body_timeout", "client_max_body_size 1m"):
        assert directive in code
    assert "9464" not in code  # the ops endpoints are not published


def test_nginx_example_publishes_the_oparl_interface_read_only():
    text = (DEPLOY / "nginx-agbot.conf").read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    block = re.search(r"location /oparl/ \{\s*limit_except GET \{ deny all; \}([^}]*)\}", code)
    assert block and "proxy_pass http://agbot_oparl;" in block.group(1)
    assert re.search(r"upstream agbot_oparl\s+\{ server 127\.0\.0\.1:8089; \}", code)
    example = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    assert "# port = 8089" in example  # the README's port, off by default
