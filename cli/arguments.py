"""What several commands share: the ``--as-of`` argument, who is acting, and text padded for a terminal."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import unicodedata

from facilities import settings
from facilities.auth.roles import User, operator
from facilities.errors import SettingError, StoreError

AS_OF_HELP = (
    f"the check date YYYY-MM-DD: 'today' in the rules and in day counts "
    f"(default: ${settings.AS_OF_ENV}, else the rules file's as_of, else today)"
)


CITY_HELP = "city folder (city.toml + <layer>.geojson files), or a city in the database: db:<key> (see `db list`)"


def as_of_arg(text: str) -> dt.date:
    """``--as-of``: a date, or argparse's clear usage error (never a traceback)."""
    try:
        return settings.parse_date(text, "--as-of")
    except SettingError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--as-of: ")) from None


ACTING_HELP = (
    "act as this user of the store (their role is enforced; see `users list`); "
    "default: you, the server's operator, recorded under your system login as os:<login>"
)


def acting_user(login: str | None) -> User:
    """Who a command acts as: the store's active user ``login``, else the operator running it (whoever can
    run commands on the server holds the database's credentials: an administrator, under ``os:<login>``)."""
    if not login:
        return operator(getpass.getuser())
    from facilities.auth import accounts

    found = accounts.find(login)
    if found is None:
        raise StoreError(f"{login!r}: no active user of that login (accepted: a login of `python -m facilities users list`)")
    return found


def width(text: str) -> int:
    """Display width in a terminal (CJK characters take two columns)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns."""
    return text + " " * max(0, columns - width(text))


__all__ = ["ACTING_HELP", "AS_OF_HELP", "CITY_HELP", "acting_user", "as_of_arg", "pad", "width"]
