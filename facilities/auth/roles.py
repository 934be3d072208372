"""Who may do what: the roles, the actions the services guard, and the user a service is given.

Declared once. The store (:mod:`facilities.store.db.edits`, :mod:`facilities.store.db.backend`) and the task
service (:mod:`facilities.tasks.service`, :mod:`facilities.tasks.queries`) call :func:`allow` with the user
before they write or read anything scoped, inside the same call; the pages only ask :func:`can` to hide
what the user cannot do. A refusal is :class:`~facilities.errors.Forbidden` (Chinese and English; nothing
was written).

A :class:`User` comes from a sign-in (:func:`facilities.auth.accounts.sign_in`, a session, or the login the
intranet's single sign-on put in a header), from ``--as LOGIN`` on the command line, or is one of the two
built-in actors: :func:`operator` (whoever runs the command line on the server: they hold the database's
credentials already, so they act as an administrator, recorded under their system login) and :data:`SYSTEM`
(the check itself, reopening a closed task whose gap came back).
"""

from __future__ import annotations

from dataclasses import dataclass

from facilities.errors import Forbidden
from facilities.schema import Pair

#: the roles, with their (zh, en) labels and what each may do (shown on the users page and in the docs)
ROLES: dict[str, Pair] = {
    "viewer": ("浏览者", "Viewer"),
    "staff": ("工作人员", "Staff"),
    "unit": ("责任单位", "Responsible unit"),
    "leader": ("领导", "Leader"),
    "admin": ("管理员", "Administrator"),
}
ROLE_DUTIES: dict[str, Pair] = {
    "viewer": ("看地图、缺口和评分", "reads the maps, gaps and score"),
    "staff": ("编辑设施台账，立案、派遣、核查任务", "edits the inventory; files, dispatches and verifies tasks"),
    "unit": (
        "只看本单位的设施和任务：签收、退回、反馈整改（附照片）",
        "sees only its own facilities and tasks: accepts, returns, reports fixed with photos",
    ),
    "leader": ("全部只读，看总览，批准延期", "reads everything, the dashboards; approves deadline extensions"),
    "admin": ("用户、责任单位、规则文件、导入、删除和撤销", "users, units, the rules file, imports, deletes and reverts"),
}
#: the built-in actors' roles (never given to an account)
SYSTEM_ROLE, OPERATOR_ROLE = "system", "operator"

_READERS = frozenset({"viewer", "staff", "unit", "leader", "admin"})


@dataclass(frozen=True)
class Action:
    """An action a service guards: its (zh, en) label, the roles allowed, and whether a ``unit`` user may
    take it only on its own unit's tasks or facilities (``own``)."""

    label: Pair
    roles: frozenset[str]
    own: bool = False


def _a(zh: str, en: str, *roles: str, own: bool = False) -> Action:
    return Action((zh, en), frozenset(roles) | {"admin", OPERATOR_ROLE}, own)


#: every guarded action (an administrator and the command line's operator may take them all, except the
#: system's own; a ``unit`` user only on its own unit's tasks where ``own``)
ACTIONS: dict[str, Action] = {
    "read": _a("查看地图、缺口和评分", "read the maps, gaps and score", *_READERS, "admin"),
    "read_all": _a("查看全市设施", "read the whole inventory", "viewer", "staff", "leader", "admin"),
    "read_tasks": _a("查看整改任务", "read the tasks", "staff", "leader", "unit", SYSTEM_ROLE, own=True),
    "history": _a("查看修改记录", "read the change history", "staff", "leader", "admin"),
    "dashboard": _a("查看总览", "read the dashboard", "staff", "leader", "admin"),
    "edit": _a("编辑设施", "edit the inventory", "staff", "admin"),
    "delete": _a("删除设施", "delete a facility", "admin"),
    "revert": _a("撤销修改", "revert a change", "admin"),
    "import": _a("导入数据", "import data into the store", "admin"),
    "rules": _a("修改规则文件", "change the rules file", "admin"),
    "file": _a("立案", "file tasks", "staff", "admin"),
    "staff_step": _a("派遣、核查、结案", "dispatch, verify and close tasks", "staff", "admin"),
    "unit_step": _a("签收、退回、反馈整改", "accept, return and report tasks fixed", "unit", "admin", own=True),
    "notices": _a("发整改通知书", "issue rectification notices", "staff", "admin"),
    "reassign": _a("更换责任单位", "change a task's unit", "staff", "admin"),
    "request_extension": _a("申请延期", "ask for an extension", "unit", "admin", own=True),
    "decide_extension": _a("批准延期", "approve or refuse extensions", "leader", "admin"),
    "attach_task": _a("上传任务照片", "add photos to a task", "staff", "unit", "admin", own=True),
    "attach_feature": _a("上传设施照片", "add photos to a facility", "staff", "admin"),
    "users": _a("管理用户和责任单位", "manage users and units", "admin"),
    "system": Action(("系统自动操作", "the system's own steps"), frozenset({SYSTEM_ROLE, OPERATOR_ROLE})),
}


@dataclass(frozen=True)
class User:
    """Who is asking: a ``login`` (recorded in the audit trail), a display ``name``, a ``role`` of
    :data:`ROLES` (or a built-in actor's) and, for a ``unit`` user, the responsible ``unit`` it answers for."""

    login: str
    name: str
    role: str
    unit: str | None = None
    demo: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES and self.role not in (SYSTEM_ROLE, OPERATOR_ROLE):
            raise ValueError(f"role {self.role!r}: accepted: {', '.join(ROLES)}")
        if self.role == "unit" and not (self.unit or "").strip():
            raise ValueError(f"{self.login}: a responsible unit's user names its unit (unit: empty)")

    def role_label(self, lang: str = "zh") -> str:
        """The role's label in ``lang``."""
        pair = ROLES.get(self.role, ("系统", "System"))
        return pair[0] if lang == "zh" else pair[1]


#: the check itself (reopens a closed task whose gap came back; records a check run)
SYSTEM = User("system", "系统 system", SYSTEM_ROLE)


#: the app's first start: loads the city folders of the data directory and the demo accounts
SETUP = User("setup", "首次启动 first start", OPERATOR_ROLE)


def operator(login: str) -> User:
    """Whoever runs the command line on the server, under their system login (``os:<login>``)."""
    return User(f"os:{login}", login, OPERATOR_ROLE)


def can(user: User | None, action: str, unit: str | None = None) -> bool:
    """Whether ``user`` may take ``action`` (on a task or facility of ``unit``, when the action is ``own``)."""
    if user is None:
        return False
    rule = ACTIONS[action]
    if user.role not in rule.roles:
        return False
    if rule.own and user.role == "unit" and unit is not None:
        return (unit or "").strip() == (user.unit or "").strip()
    return True


def allow(user: object, action: str, unit: str | None = None, *, what: str = "") -> User:
    """``user`` if it may take ``action`` (on ``unit``'s task or facility); else Forbidden, saying who may."""
    if not isinstance(user, User):
        raise Forbidden(f"未登录 Not signed in: every change and every scoped read is made by a signed-in user (got {type(user).__name__})")
    if can(user, action, unit):
        return user
    rule = ACTIONS[action]
    who = "、".join(ROLES[r][0] for r in ROLES if r in rule.roles) + " / " + ", ".join(ROLES[r][1] for r in ROLES if r in rule.roles)
    on = f" ({what})" if what else ""
    role = f"{user.role_label('zh')} {user.role_label('en')}"
    head = f"不允许 Not allowed: {user.name} ({role}) 不能 may not {rule.label[0]} {rule.label[1]}{on}"
    if rule.own and user.role == "unit" and user.role in rule.roles:
        raise Forbidden(f"{head}: 不是本单位（{user.unit}）的 not your unit's ({unit or '—'}); nothing was changed 未作任何修改")
    raise Forbidden(f"{head} (allowed: {who}); nothing was changed 未作任何修改")


def scope_unit(user: User) -> str | None:
    """The unit a user's reads are limited to (a ``unit`` user's own), or None (sees everything)."""
    return user.unit if user.role == "unit" else None


__all__ = ["ACTIONS", "ROLES", "ROLE_DUTIES", "SETUP", "SYSTEM", "Action", "User", "allow", "can", "operator", "scope_unit"]
