"""``python -m facilities users add|list|disable|enable|unlock|passwd``: the store's local accounts.

``users add <login> --role admin|staff|unit|leader|viewer [--name N] [--unit U]`` prompts twice for the
password (never an argument: it would stay in the shell's history and the process list); ``--password-stdin``
reads it from the first line of the standard input (scripts), ``--no-password`` makes an account that signs
in through the intranet's single sign-on only. ``users list [--json]`` shows every account (never a
password or its hash); ``disable``/``enable`` stop or allow an account (its sessions end at once);
``unlock`` ends a lockout; ``passwd`` sets a new password. The command line acts as the server's operator
(an administrator, recorded as ``os:<login>``), or as ``--as LOGIN``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from cli.arguments import ACTING_HELP, acting_user, pad
from facilities.auth import accounts
from facilities.auth.roles import ROLES


def _password(args: argparse.Namespace) -> str | None:
    if getattr(args, "no_password", False):
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password 密码: ")
    if first != getpass.getpass("again 再输一次: "):
        raise SystemExit("error: the two passwords differ 两次输入的密码不同; nothing was saved")
    return first


def _add(args: argparse.Namespace) -> int:
    password = _password(args)
    problems = accounts.check_password(password, args.login) if password is not None else []
    if problems:
        print("error: the user was not saved 用户未保存: " + "; ".join(problems), file=sys.stderr)
        return 2
    user = accounts.add_user(args.login, name=args.name or args.login, role=args.role, unit=args.unit, password=password,
                             by=acting_user(args.user))  # fmt: skip
    print(
        f"added 已添加 {user.login}: {user.name}, {user.role_label('zh')} {user.role_label('en')}" + (f", {user.unit}" if user.unit else "")
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    rows = accounts.users(by=acting_user(args.user))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
        return 0
    if not rows:
        print("no users yet 尚无用户; add the first: python -m facilities users add <login> --role admin")
    for r in rows:
        zh, en = ROLES.get(r["role"], (r["role"], r["role"]))
        state = "active 在用" if r["active"] else "disabled 停用"
        if r["locked_until"] is not None:
            state += f", locked until {r['locked_until']:%Y-%m-%d %H:%M} UTC"
        flags = (" demo 演示" if r["demo"] else "") + ("" if r["has_password"] else " sso-only 仅单点登录")
        print(f"{pad(r['login'], 16)} {pad(r['name'], 14)} {pad(f'{zh} {en}', 26)} {pad(r['unit'] or '', 22)} {state}{flags}")
    return 0


def _set_active(active: bool):
    def run(args: argparse.Namespace) -> int:
        accounts.set_active(args.login, active, by=acting_user(args.user))
        print(f"{args.login}: {'enabled 已启用' if active else 'disabled 已停用 (its sessions ended)'}")
        return 0

    return run


def _unlock(args: argparse.Namespace) -> int:
    accounts.unlock(args.login, by=acting_user(args.user))
    print(f"{args.login}: unlocked 已解锁")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    password = _password(args)
    assert password is not None
    accounts.set_password(args.login, password, by=acting_user(args.user))
    print(f"{args.login}: password changed 密码已修改 (its sessions ended)")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``users add|list|disable|enable|unlock|passwd`` to the sub-commands."""
    users = sub.add_parser("users", help="local accounts: add, list, disable, enable, unlock, passwd")
    cmds = users.add_subparsers(dest="users_command", required=True)

    def command(name: str, func, help_text: str, login: bool = True) -> argparse.ArgumentParser:
        p = cmds.add_parser(name, help=help_text)
        if login:
            p.add_argument("login", help="the account's login")
        p.add_argument("--as", dest="user", help=ACTING_HELP)
        p.set_defaults(func=func)
        return p

    a = command("add", _add, "add an account (prompts for the password)")
    a.add_argument("--role", required=True, choices=list(ROLES), help="; ".join(f"{r}: {zh} {en}" for r, (zh, en) in ROLES.items()))
    a.add_argument("--name", help="the person's real name (default: the login)")
    a.add_argument("--unit", help="for --role unit: the responsible unit (责任单位) it answers for")
    a.add_argument("--password-stdin", action="store_true", help="read the password from the first line of the standard input")
    a.add_argument("--no-password", action="store_true", help="no password: signs in through the intranet's single sign-on only")
    ls = command("list", _list, "every account (never a password)", login=False)
    ls.add_argument("--json", action="store_true", help="as JSON")
    command("disable", _set_active(False), "stop an account (its sessions end at once)")
    command("enable", _set_active(True), "allow a disabled account again")
    command("unlock", _unlock, "end a lockout after wrong passwords")
    p = command("passwd", _passwd, "set a new password (prompts)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of the standard input")


__all__ = ["add_parsers"]
