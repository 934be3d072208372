"""Who is there and what they may do: roles and the permission check (:mod:`facilities.auth.roles`), and
local accounts, sessions and responsible units in the store (:mod:`facilities.auth.accounts`).

No Streamlit here: the app's sign-in page and its "who is signed in" function are in :mod:`ui.auth`.
"""

from facilities.auth.roles import ACTIONS, ROLE_DUTIES, ROLES, SETUP, SYSTEM, Action, User, allow, can, operator, scope_unit

__all__ = ["ACTIONS", "ROLES", "ROLE_DUTIES", "SETUP", "SYSTEM", "Action", "User", "allow", "can", "operator", "scope_unit"]
