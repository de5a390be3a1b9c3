"""The command line (``python -m bot``) as a user or a script runs it."""
from __future__ import annotations

import json

import pytest

from fakes import ADMIN

NOW_ARG = "2023-01-13T09:00:00+01:00"


def answers(stdout: str) -> list[str]:
    return [json.loads(line)["answer"] for line in stdout.splitlines()]


def test_batch_answers_every_line_in_order(tmp_path, run_cli, admin_config):
    lines = [
        json.dumps({"text": "Wer leitet die AG Kommunikation?"}),
        json.dumps({"text": "!serie Kommunikation 12.01.2023 10:00 2", "user": ADMIN}),
        json.dumps({"text": "Wann ist die nächste Sitzung der AG Kommunikation?"}, ensure_ascii=False),
    ]
    result = run_cli("ask", "--batch", "--db", tmp_path / "db.sqlite3", "--config", admin_config, "--now", NOW_ARG,
                     stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = answers(result.stdout)
    assert len(out) == 3
    assert "Makiol" in out[0]
    assert "Sitzungsserie der AG Kommunikation" in out[1]
    assert "Donnerstag, 26.01.2023, 10:00 Uhr" in out[2]


def test_batch_survives_malformed_lines(tmp_path, run_cli):
    lines = [
        json.dumps({"text": "Wer leitet die AG Finanzen?"}),
        "{das ist kein json",
        json.dumps([1, 2, 3]),
        json.dumps({"text": 42}),
        json.dumps({"text": "hallo", "now": "gestern"}),
        json.dumps({"text": "hallo", "now": "2023-01-13T09:00:00"}),  # no offset
        json.dumps({"text": "Wer leitet die AG?", "group": "Finanzen"}),
        json.dumps({"text": "Danke"}),
    ]
    result = run_cli("ask", "--batch", "--db", tmp_path / "db.sqlite3", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = answers(result.stdout)
    assert len(out) == len(lines)
    assert "Abt. 1 MID" in out[0]
    for number in (2, 3, 4, 5, 6):
        assert out[number - 1].startswith(f"Zeile {number} ")
    assert "Abt. 1 MID" in out[6]  # answered in the room of AG Finanzen
    assert out[7] == "Gern geschehen!"


def test_batch_survives_deeply_nested_json(tmp_path, run_cli):
    lines = [json.dumps({"text": "hallo"}), "[" * 100_000, json.dumps({"text": "Danke"})]
    result = run_cli("ask", "--batch", "--db", tmp_path / "db.sqlite3", stdin="\n".join(lines) + "\n")
    assert "Traceback" not in result.stderr
    assert len(answers(result.stdout)) == 3


def test_single_question_and_json_output(tmp_path, run_cli):
    result = run_cli("ask", "--db", tmp_path / "db.sqlite3", "--json", "Wer", "leitet", "die", "AG", "Finanzen?")
    assert result.returncode == 0, result.stderr
    assert "Abt. 1 MID" in json.loads(result.stdout)["answer"]


def test_missing_question_and_bad_now_exit_2(tmp_path, run_cli):
    missing = run_cli("ask", "--db", tmp_path / "db.sqlite3")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    bad_now = run_cli("ask", "--db", tmp_path / "db.sqlite3", "--now", "2023-01-13T09:00", "hallo")
    assert bad_now.returncode == 2 and "Traceback" not in bad_now.stderr
    assert "offset" in bad_now.stderr


def test_matrix_verify_needs_a_matrix_section_and_a_bot_that_has_logged_in(tmp_path, run_cli):
    no_matrix = run_cli("matrix-verify", "--db", tmp_path / "db.sqlite3")
    assert no_matrix.returncode == 2 and "[matrix]" in no_matrix.stdout, no_matrix
    config = tmp_path / "matrix.toml"
    config.write_text('[matrix]\nhomeserver = "http://127.0.0.1:9"\nuser_id = "@agbot:localhost"\npassword = "x"\n'
                      f'store_dir = "{tmp_path / "store"}"\n', encoding="utf-8")
    never_started = run_cli("matrix-verify", "--config", config, "--db", tmp_path / "db.sqlite3")
    assert never_started.returncode == 1 and "agbot run" in never_started.stdout, never_started
    assert "Traceback" not in never_started.stderr
