"""Local accounts in the store: users with argon2id password hashes, sessions that expire, a lockout after
repeated wrong passwords, the responsible units of each city, and the accounts' own audit trail.

* A password is hashed with argon2id (``argon2-cffi``, its default parameters) and never stored, logged or
  recorded in clear; a user without a password signs in only through the intranet's single sign-on.
* :func:`sign_in` gives a session token (random, 256 bits); the store keeps its SHA-256 only. A session
  ends at :func:`sign_out`, :data:`SESSION_IDLE` after its last use, or :data:`SESSION_MAX` after sign-in.
* :data:`MAX_FAILURES` wrong passwords in a row lock the account for :data:`LOCK_MINUTES` (an admin may
  unlock it earlier); a wrong login and a wrong password are refused with the same words.
* Every change of an account or unit, and every sign-in (failed or not), is a row of ``user_events``.

Managing accounts and units is the ``users`` action (:mod:`facilities.auth.roles`): an administrator's, or
the command line's operator's. Times: ``now`` may be given (tests); else the wall clock, in UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from facilities.auth.roles import ROLES, SETUP, User, allow
from facilities.errors import SignInRefused, StoreError
from facilities.store.db import engine as db
from facilities.store.db import tables

#: a row as SQLAlchemy gives it (``RowMapping``)
Row = Mapping[Any, Any]
U = tables.users
S = tables.sessions

MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_IDLE = dt.timedelta(hours=2)
SESSION_MAX = dt.timedelta(hours=12)
MIN_PASSWORD = 8
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
_SEEN_EVERY = dt.timedelta(minutes=5)  # a session's last use is written at most this often

_hasher = PasswordHasher()
#: verified when the login does not exist, so a wrong login takes as long as a wrong password
_DUMMY = _hasher.hash("not a password of anyone")
WRONG = "用户名或密码错误 Wrong login or password"


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back: they are UTC."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def _user(row: Row) -> User:
    return User(row["login"], row["name"], row["role"], row["unit"], bool(row["demo"]))


def _event(conn: Connection, actor: str, login: str, action: str, now: dt.datetime, **detail: Any) -> None:
    conn.execute(sa.insert(tables.user_events).values(at=now, actor=actor, login=login, action=action, detail=detail or None))


def check_password(password: str, login: str = "") -> list[str]:
    """What is wrong with a new password (empty when it is accepted)."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"密码至少 {MIN_PASSWORD} 个字符 at least {MIN_PASSWORD} characters (got {len(password)})")
    if login and password.strip().lower() == login.strip().lower():
        problems.append("密码不能与用户名相同 not the same as the login")
    return problems


def _check_account(login: str, name: str, role: str, unit: str | None, password: str | None) -> None:
    problems = []
    if not LOGIN_PATTERN.match(login or ""):
        problems.append(f"login {login!r}: 2–64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit 用户名格式不对")
    if not (name or "").strip():
        problems.append("name: empty (accepted: the person's real name 真实姓名)")
    if role not in ROLES:
        problems.append(f"role {role!r}: accepted: {', '.join(f'{r} ({zh})' for r, (zh, _) in ROLES.items())}")
    if role == "unit" and not (unit or "").strip():
        problems.append("unit: a responsible unit's user names its unit 责任单位用户须填写单位")
    if password is not None:
        problems += [f"password: {p}" for p in check_password(password, login)]
    if problems:
        raise StoreError("用户未保存 the user was not saved:\n" + "\n".join(f"  - {p}" for p in problems))


def add_user(
    login: str, *, name: str, role: str, by: User, unit: str | None = None, password: str | None = None,
    demo: bool = False, database: str | None = None, now: dt.datetime | None = None,
) -> User:  # fmt: skip
    """A new account (``password`` None: it signs in through single sign-on only)."""
    allow(by, "users")
    _check_account(login, name, role, unit, password)
    at = _now(now)
    with db.write(database) as conn:
        if conn.execute(sa.select(U.c.login).where(U.c.login == login)).first() is not None:
            raise StoreError(f"login {login!r}: used already 用户名已存在 (accepted: a new login)")
        conn.execute(
            sa.insert(U).values(
                login=login, name=name.strip(), role=role, unit=(unit or "").strip() or None,
                password_hash=_hasher.hash(password) if password is not None else None, active=True, demo=demo,
                failed=0, created_at=at, updated_at=at,
            )
        )  # fmt: skip
        _event(conn, by.login, login, "add", at, name=name.strip(), role=role, unit=unit, demo=demo)
    return User(login, name.strip(), role, (unit or "").strip() or None, demo)


def _locked_row(conn: Connection, login: str) -> Row:
    row = conn.execute(sa.select(U).where(U.c.login == login).with_for_update()).mappings().one_or_none()
    if row is None:
        raise StoreError(f"login {login!r}: no such user 无此用户")
    return row


def update_user(
    login: str, *, by: User, name: str | None = None, role: str | None = None, unit: str | None = None,
    database: str | None = None, now: dt.datetime | None = None,
) -> User:  # fmt: skip
    """Change a user's name, role or unit (its sessions end when the role or unit changes)."""
    allow(by, "users")
    at = _now(now)
    with db.write(database) as conn:
        row = _locked_row(conn, login)
        new = {"name": name if name is not None else row["name"], "role": role or row["role"]}
        new["unit"] = (unit if unit is not None else row["unit"]) if new["role"] == "unit" else None
        _check_account(login, new["name"], new["role"], new["unit"], None)
        changed = {k: v for k, v in new.items() if v != row[k]}
        if changed:
            conn.execute(sa.update(U).where(U.c.login == login).values(updated_at=at, **changed))
            if "role" in changed or "unit" in changed:
                conn.execute(sa.delete(S).where(S.c.login == login))
            _event(conn, by.login, login, "update", at, **{k: [row[k], v] for k, v in changed.items()})
        return _user({**row, **new})


def set_active(login: str, active: bool, *, by: User, database: str | None = None, now: dt.datetime | None = None) -> None:
    """Disable (its sessions end at once) or enable an account."""
    allow(by, "users")
    if not active and login == by.login:
        raise StoreError("你不能停用自己的账号 you cannot disable your own account")
    at = _now(now)
    with db.write(database) as conn:
        _locked_row(conn, login)
        conn.execute(sa.update(U).where(U.c.login == login).values(active=active, updated_at=at))
        if not active:
            conn.execute(sa.delete(S).where(S.c.login == login))
        _event(conn, by.login, login, "enable" if active else "disable", at)


def set_password(login: str, password: str, *, by: User, database: str | None = None, now: dt.datetime | None = None) -> None:
    """A new password (an admin's reset, or the user's own); every session of the user ends; unlocks."""
    if not isinstance(by, User) or by.login != login:  # (nobody signed in: refused, saying so)
        allow(by, "users")
    problems = check_password(password, login)
    if problems:
        raise StoreError("密码未修改 the password was not changed: " + "; ".join(problems))
    at = _now(now)
    with db.write(database) as conn:
        _locked_row(conn, login)
        conn.execute(
            sa.update(U).where(U.c.login == login).values(password_hash=_hasher.hash(password), failed=0, locked_until=None, updated_at=at)
        )
        conn.execute(sa.delete(S).where(S.c.login == login))
        _event(conn, by.login, login, "password", at)


def unlock(login: str, *, by: User, database: str | None = None, now: dt.datetime | None = None) -> None:
    """End a lockout before its time."""
    allow(by, "users")
    at = _now(now)
    with db.write(database) as conn:
        _locked_row(conn, login)
        conn.execute(sa.update(U).where(U.c.login == login).values(failed=0, locked_until=None, updated_at=at))
        _event(conn, by.login, login, "unlock", at)


def users(*, by: User, database: str | None = None) -> list[dict[str, Any]]:
    """Every account (never its password hash), by login."""
    allow(by, "users")
    columns = [c for c in U.c if c.name != "password_hash"]
    with db.read(database) as conn:
        rows = conn.execute(sa.select(*columns, U.c.password_hash.is_not(None).label("has_password")).order_by(U.c.login)).mappings()
        return [{**r, "locked_until": _aware(r["locked_until"]), "last_sign_in": _aware(r["last_sign_in"])} for r in rows]


def demo_users(database: str | None = None) -> list[User]:
    """The active demo accounts (listed on the sign-in page, marked as demo)."""
    with db.read(database) as conn:
        rows = conn.execute(sa.select(U).where(U.c.demo.is_(True), U.c.active.is_(True)).order_by(U.c.login)).mappings()
        return [_user(r) for r in rows]


def find(login: str, database: str | None = None) -> User | None:
    """The active account of ``login`` (the command line's ``--as``, the single sign-on's header), or None."""
    with db.read(database) as conn:
        row = conn.execute(sa.select(U).where(U.c.login == login, U.c.active.is_(True))).mappings().one_or_none()
    return _user(row) if row is not None else None


def names(database: str | None = None) -> dict[str, str]:
    """login -> name of every account (pages show names where the audit trail keeps logins)."""
    with db.read(database) as conn:
        return dict(conn.execute(sa.select(U.c.login, U.c.name)).tuples().all())


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sign_in(login: str, password: str, *, database: str | None = None, now: dt.datetime | None = None) -> tuple[User, str]:
    """The user and a new session token, or SignInRefused (wrong login or password: the same words; a
    disabled account; a locked one, saying until when). Wrong passwords are counted even when refused."""
    at = _now(now)
    with db.write(database) as conn:
        outcome = _attempt(conn, login.strip(), password, at)
    if isinstance(outcome, SignInRefused):
        raise outcome
    return outcome


def _attempt(conn: Connection, login: str, password: str, at: dt.datetime) -> tuple[User, str] | SignInRefused:
    """Check one sign-in and record it (committed whatever the outcome, so failures count)."""
    row = conn.execute(sa.select(U).where(U.c.login == login).with_for_update()).mappings().one_or_none()
    if row is None or row["password_hash"] is None:
        _verify(_DUMMY, password)
        _event(conn, login or "-", login or "-", "sign_in_failed", at, reason="unknown login" if row is None else "no password")
        return SignInRefused(WRONG)
    if not row["active"]:
        _event(conn, login, login, "sign_in_failed", at, reason="disabled")
        return SignInRefused("账号已停用 This account is disabled; ask an administrator")
    locked = _aware(row["locked_until"])
    if locked is not None and locked > at:
        _event(conn, login, login, "sign_in_failed", at, reason="locked")
        return _locked_message(locked, at)
    if not _verify(row["password_hash"], password):
        failed = int(row["failed"]) + 1
        values: dict[str, Any] = {"failed": failed}
        if failed >= MAX_FAILURES:
            values.update(failed=0, locked_until=at + dt.timedelta(minutes=LOCK_MINUTES))
        conn.execute(sa.update(U).where(U.c.login == login).values(**values))
        _event(conn, login, login, "locked" if "locked_until" in values else "sign_in_failed", at, reason="wrong password", failed=failed)
        if "locked_until" in values:
            return _locked_message(values["locked_until"], at)
        return SignInRefused(f"{WRONG} ({MAX_FAILURES - failed} 次后锁定 tries left before the account is locked)")
    values = {"failed": 0, "locked_until": None, "last_sign_in": at}
    if _hasher.check_needs_rehash(row["password_hash"]):
        values["password_hash"] = _hasher.hash(password)
    conn.execute(sa.update(U).where(U.c.login == login).values(**values))
    token = secrets.token_urlsafe(32)
    conn.execute(sa.insert(S).values(token_hash=_token_hash(token), login=login, created_at=at, seen_at=at, expires_at=at + SESSION_MAX))
    _event(conn, login, login, "sign_in", at)
    return _user(row), token


def _locked_message(until: dt.datetime, at: dt.datetime) -> SignInRefused:
    minutes = max(1, int((until - at).total_seconds() // 60) + 1)
    return SignInRefused(
        f"账号已锁定（连续 {MAX_FAILURES} 次密码错误），约 {minutes} 分钟后再试，或请管理员解锁 "
        f"Account locked after {MAX_FAILURES} wrong passwords: try again in about {minutes} min, or ask an administrator",
        locked_until=until,
    )


def _verify(hashed: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(hashed, password))
    except (VerificationError, InvalidHashError):
        return False


def session_user(token: str | None, *, database: str | None = None, now: dt.datetime | None = None) -> User | None:
    """The user of a live session (its last use noted), or None: unknown, expired, idle too long, or the
    account disabled since."""
    if not isinstance(token, str) or not token:
        return None
    at = _now(now)
    digest = _token_hash(token)
    with db.read(database) as conn:
        row = conn.execute(
            sa.select(S.c.seen_at, S.c.expires_at, U).join(U, U.c.login == S.c.login).where(S.c.token_hash == digest)
        ).mappings().one_or_none()  # fmt: skip
    if row is None or not row["active"]:
        return None
    seen, expires = _aware(row["seen_at"]) or at, _aware(row["expires_at"]) or at
    if expires <= at or seen + SESSION_IDLE <= at:
        sign_out(token, database=database, now=at)
        return None
    if at - seen >= _SEEN_EVERY:
        with db.write(database) as conn:
            conn.execute(sa.update(S).where(S.c.token_hash == digest).values(seen_at=at))
    return _user(row)


def sign_out(token: str | None, *, database: str | None = None, now: dt.datetime | None = None) -> None:
    """End a session (nothing happens when it has ended already)."""
    if not token:
        return
    at = _now(now)
    with db.write(database) as conn:
        login = conn.execute(sa.delete(S).where(S.c.token_hash == _token_hash(token)).returning(S.c.login)).scalar_one_or_none()
        if login is not None:
            _event(conn, login, login, "sign_out", at)


def events(*, by: User, login: str | None = None, limit: int = 500, database: str | None = None) -> list[dict[str, Any]]:
    """The accounts' audit trail, newest first."""
    allow(by, "users")
    E = tables.user_events
    query = sa.select(E).order_by(E.c.id.desc()).limit(limit)
    if login:
        query = query.where(E.c.login == login)
    with db.read(database) as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


# --------------------------------------------------------------------------- responsible units


def add_units(
    city: str, names_: Iterable[str], *, by: User, contact: str | None = None, phone: str | None = None,
    database: str | None = None, now: dt.datetime | None = None,
) -> list[str]:  # fmt: skip
    """Add responsible units to a city (those it has already are left as they are); the names added."""
    allow(by, "users")
    wanted = sorted({n.strip() for n in names_ if n and n.strip()})
    if not wanted:
        raise StoreError("unit: empty (accepted: the name of a responsible unit 责任单位)")
    at = _now(now)
    T = tables.units
    with db.write(database) as conn:
        if conn.execute(sa.select(tables.cities.c.key).where(tables.cities.c.key == city)).first() is None:
            raise StoreError(f"{city!r}: no such city in the database")
        have = set(conn.execute(sa.select(T.c.name).where(T.c.city == city)).scalars())
        added = [n for n in wanted if n not in have]
        for n in added:
            conn.execute(sa.insert(T).values(city=city, name=n, contact=contact, phone=phone, active=True, created_at=at))
            _event(conn, by.login, f"unit:{n}", "unit_add", at, city=city, contact=contact, phone=phone)
    return added


def update_unit(
    city: str, name: str, *, by: User, contact: str | None = None, phone: str | None = None, active: bool | None = None,
    database: str | None = None, now: dt.datetime | None = None,
) -> None:  # fmt: skip
    """Change a unit's contact, phone, or whether it is still in use."""
    allow(by, "users")
    T = tables.units
    values = {k: v for k, v in {"contact": contact, "phone": phone, "active": active}.items() if v is not None}
    with db.write(database) as conn:
        done = conn.execute(sa.update(T).where(T.c.city == city, T.c.name == name).values(**values)) if values else None
        if done is not None and done.rowcount != 1:
            raise StoreError(f"unit {name!r}: not a unit of city {city!r}")
        _event(conn, by.login, f"unit:{name}", "unit_update", _now(now), city=city, **values)


def units(city: str, *, active_only: bool = False, database: str | None = None) -> list[dict[str, Any]]:
    """The responsible units of a city, by name."""
    T = tables.units
    query = sa.select(T).where(T.c.city == city).order_by(T.c.name)
    if active_only:
        query = query.where(T.c.active.is_(True))
    with db.read(database) as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


#: the file of a demo city listing its demo accounts (``[[account]]`` login, name, role, unit, password)
DEMO_FILE = "accounts.toml"


def demo_accounts(folder: str | Path) -> list[dict[str, Any]]:
    """The demo accounts a demo city folder ships (none when it has no ``accounts.toml``); StoreError
    naming the file, the entry and the field when one cannot be used."""
    path = Path(folder) / DEMO_FILE
    if not path.is_file():
        return []
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("account", [])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StoreError(f"{path}: cannot be read ({exc})") from None
    problems = []
    for i, a in enumerate(entries, 1):
        missing = [k for k in ("login", "name", "role", "password") if not isinstance(a.get(k), str) or not a[k].strip()]
        if missing:
            problems.append(f"{path.name}: account {i}: {', '.join(missing)}: missing (accepted: text)")
    if problems:
        raise StoreError("\n".join(problems))
    return list(entries)


def ensure_demo_accounts(folder: str | Path, database: str | None = None) -> list[str]:
    """Create the demo accounts of a demo city folder that do not exist yet (marked as demo); their logins."""
    made = []
    with db.read(database) as conn:
        have = set(conn.execute(sa.select(U.c.login)).scalars())
    for a in demo_accounts(folder):
        if a["login"] in have:
            continue
        add_user(a["login"], name=a["name"], role=a["role"], unit=a.get("unit"), password=a["password"], by=SETUP,
                 demo=True, database=database)  # fmt: skip
        made.append(a["login"])
    return made


__all__ = [
    "LOCK_MINUTES",
    "MAX_FAILURES",
    "SESSION_IDLE",
    "SESSION_MAX",
    "add_units",
    "add_user",
    "check_password",
    "demo_accounts",
    "demo_users",
    "ensure_demo_accounts",
    "events",
    "find",
    "names",
    "session_user",
    "set_active",
    "set_password",
    "sign_in",
    "sign_out",
    "units",
    "unlock",
    "update_unit",
    "update_user",
    "users",
]
