"""``python -m facilities users add|list|disable|enable|unlock|passwd`` on a real SQLite store, each a real process:
the first administrator made at a terminal (the password typed twice at the prompt, on a pseudo-terminal), the
rest from scripts; a disabled account cannot sign in; bad input says what is wrong and saves nothing; and no
password is ever in the store, the output or the logs in clear (the store's files are searched byte by byte)."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

import pytest

from facilities.auth import accounts
from facilities.errors import SignInRefused
from facilities.store.db import engine
from tests.helpers import ROOT, clean_env, output_of, run_cli

BOSS_PASSWORD = "Boss-pass-2026-秘密"
CLERK_PASSWORD = "clerk-pass-2026"


@pytest.fixture
def database(tmp_path):
    yield f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine.dispose()


def _at_a_terminal(database: str, *args: str, typed: tuple[str, ...]) -> tuple[int, str]:
    """Run ``python -m facilities <args>`` on a pseudo-terminal (as a person at the server's console does),
    typing each of ``typed`` when a prompt asks; its exit code and everything the terminal showed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, its terminal the pseudo-terminal
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "facilities", *args], clean_env(FACILITIES_DB=database))
    shown, since, answers, deadline = b"", b"", list(typed), time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the command ended: the terminal closed
            break
        if not chunk:
            break
        shown, since = shown + chunk, since + chunk
        if answers and since.rstrip().endswith(b":"):  # a new prompt: type the next answer
            os.write(fd, answers.pop(0).encode() + b"\n")
            since = b""
    else:
        os.kill(pid, signal.SIGKILL)  # still waiting after two minutes: stopped (the test then fails)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace")


def _users(database: str) -> list[dict]:
    run = run_cli("users", "list", "--json", FACILITIES_DB=database)
    assert run.returncode == 0, output_of(run)
    return json.loads(run.stdout)


def _stdin(database: str, *args: str, password: str):
    return run_cli(*args, stdin=password + "\n", FACILITIES_DB=database)


def test_the_first_admin_is_made_at_the_prompt_and_the_password_never_shows(database, tmp_path):
    code, shown = _at_a_terminal(database, "users", "add", "boss", "--role", "admin", "--name", "张主任", typed=(BOSS_PASSWORD,) * 2)
    assert code == 0, shown
    assert "password 密码:" in shown and "again 再输一次:" in shown and "added 已添加 boss" in shown
    assert BOSS_PASSWORD not in shown  # the prompt does not echo
    user, _ = accounts.sign_in("boss", BOSS_PASSWORD, database=database)
    assert (user.login, user.name, user.role) == ("boss", "张主任", "admin")


def test_two_different_passwords_at_the_prompt_save_nothing(database):
    code, shown = _at_a_terminal(database, "users", "add", "boss", "--role", "admin", typed=(BOSS_PASSWORD, BOSS_PASSWORD + "x"))
    assert code != 0 and "the two passwords differ" in shown and "nothing was saved" in shown
    assert _users(database) == []


def test_add_list_disable_enable(database):
    assert _stdin(database, "users", "add", "clerk", "--role", "staff", "--name", "王科员", "--password-stdin",
                  password=CLERK_PASSWORD).returncode == 0  # fmt: skip
    unit = _stdin(database, "users", "add", "li", "--role", "unit", "--unit", "襄城区城管局", "--password-stdin", password=CLERK_PASSWORD)
    assert unit.returncode == 0 and "襄城区城管局" in unit.stdout
    assert run_cli("users", "add", "sso-wang", "--role", "leader", "--no-password", FACILITIES_DB=database).returncode == 0
    rows = {r["login"]: r for r in _users(database)}
    assert {k: (r["role"], r["unit"], r["active"], r["has_password"]) for k, r in rows.items()} == {
        "clerk": ("staff", None, True, True),
        "li": ("unit", "襄城区城管局", True, True),
        "sso-wang": ("leader", None, True, False),
    }
    assert not any("password" in k and k != "has_password" for r in rows.values() for k in r)  # no hash, no password
    table = run_cli("users", "list", FACILITIES_DB=database)
    assert table.returncode == 0 and "王科员" in table.stdout and "仅单点登录" in table.stdout

    accounts.sign_in("clerk", CLERK_PASSWORD, database=database)
    off = run_cli("users", "disable", "clerk", FACILITIES_DB=database)
    assert off.returncode == 0 and "disabled" in off.stdout
    with pytest.raises(SignInRefused):
        accounts.sign_in("clerk", CLERK_PASSWORD, database=database)
    assert {r["login"]: r["active"] for r in _users(database)}["clerk"] is False
    assert run_cli("users", "enable", "clerk", FACILITIES_DB=database).returncode == 0
    accounts.sign_in("clerk", CLERK_PASSWORD, database=database)  # allowed again


def test_bad_input_says_what_is_wrong_and_saves_nothing(database):
    role = run_cli("users", "add", "x1", "--role", "boss", "--no-password", FACILITIES_DB=database)
    assert role.returncode == 2 and "boss" in role.stderr and "viewer" in role.stderr  # what is accepted
    short = _stdin(database, "users", "add", "x2", "--role", "staff", "--password-stdin", password="short")
    assert short.returncode == 2 and "not saved" in short.stderr
    login = run_cli("users", "add", "坏 login", "--role", "staff", "--no-password", FACILITIES_DB=database)
    assert login.returncode != 0 and "坏 login" in output_of(login)
    no_unit = run_cli("users", "add", "x3", "--role", "unit", "--no-password", FACILITIES_DB=database)
    assert no_unit.returncode != 0 and "unit" in output_of(no_unit)
    assert _users(database) == []
    assert run_cli("users", "add", "x4", "--role", "staff", "--no-password", FACILITIES_DB=database).returncode == 0
    again = run_cli("users", "add", "x4", "--role", "admin", "--no-password", FACILITIES_DB=database)
    assert again.returncode != 0 and "used already" in output_of(again)
    missing = run_cli("users", "disable", "nobody-here", FACILITIES_DB=database)
    assert missing.returncode != 0 and "no such user" in output_of(missing)
    for run in (role, short, login, no_unit, again, missing):
        assert "Traceback" not in output_of(run)
    assert [(r["login"], r["role"]) for r in _users(database)] == [("x4", "staff")]


def test_acting_as_a_user_who_may_not_manage_users_is_refused(database):
    _stdin(database, "users", "add", "clerk", "--role", "staff", "--password-stdin", password=CLERK_PASSWORD)
    refused = run_cli("users", "add", "x5", "--role", "admin", "--no-password", "--as", "clerk", FACILITIES_DB=database)
    assert refused.returncode != 0 and "nothing was changed" in output_of(refused) and "Traceback" not in output_of(refused)
    assert [r["login"] for r in _users(database)] == ["clerk"]


def test_no_password_is_stored_or_shown_in_clear(database, tmp_path):
    """Accounts added, signed in (rightly and wrongly), locked, reset: the store's files (with its journal)
    hold no password, neither as UTF-8 nor as UTF-16; nor does anything the commands printed."""
    outputs = []
    code, shown = _at_a_terminal(database, "users", "add", "boss", "--role", "admin", typed=(BOSS_PASSWORD,) * 2)
    assert code == 0
    outputs.append(shown)
    outputs.append(output_of(_stdin(database, "users", "add", "clerk", "--role", "staff", "--password-stdin", password=CLERK_PASSWORD)))
    for attempt in ("wrong-password-1", "wrong-password-2", CLERK_PASSWORD):
        try:
            accounts.sign_in("clerk", attempt, database=database)
        except SignInRefused as exc:
            outputs.append(str(exc))
    new = "brand-new-pass-9"
    outputs.append(output_of(_stdin(database, "users", "passwd", "clerk", "--password-stdin", password=new)))
    outputs.append(output_of(run_cli("users", "list", "--json", FACILITIES_DB=database)))
    engine.dispose()
    files = [p for p in tmp_path.iterdir() if p.name.startswith("store.sqlite")]
    assert files
    for secret in (BOSS_PASSWORD, CLERK_PASSWORD, "wrong-password-1", new):
        for path in files:
            data = Path(path).read_bytes()
            assert secret.encode("utf-8") not in data and secret.encode("utf-16-le") not in data, f"{secret!r} in {path.name}"
        assert not any(secret in text for text in outputs), secret
    hashes = {r["login"] for r in _users(database) if r["has_password"]}
    assert hashes == {"boss", "clerk"}
