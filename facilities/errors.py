"""Every error the project raises on purpose, in one place.

Each is a subclass of a built-in error so callers can catch broadly, and each carries enough context
(file, feature, field, value, what is accepted) to be shown to a user as is. The command line
(:mod:`cli`) turns them into exit codes: invalid data 1 or 2, bad usage or unwritable files 2.

=========================  ==========================================================================
``CityValidationError``    a city has errors; nothing was loaded (``report`` lists every one)
``RulesError``             a rules file has errors (``report`` lists every one)
``SettingError``           a setting (environment variable, ``--as-of``) that cannot be used
``StoreError``             the store cannot be used as asked (e.g. the target is a file, not a city)
``StoreWriteError``        a file or table could not be written; says what was written before
``EditRejected``           an edit with invalid values (``problems``, one per field); nothing written
``EditConflict``           an edit made on an old version (``conflicts`` say who changed what since)
``Forbidden``              an action the user's role does not allow; nothing written or read
``SignInRefused``          a wrong login or password, a disabled or locked account
``ImportUsageError``       bad import usage or unreadable input: nothing was imported
``ImportWriteError``       a :class:`StoreWriteError` during an import
``MixedEncodingError``     a table mixing text encodings (``mixed`` says which lines)
``BasemapError``           an unknown basemap, or one that needs a key that is not set
``OfflineAssetError``      a map element needs a JS/CSS asset that is not vendored
=========================  ==========================================================================

Nothing here imports anything of the project at run time (the report types only for type checking),
so every module may import this one.
"""

from __future__ import annotations

import errno as errno_names
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from facilities.importers.encoding import Mixed
    from facilities.problems import Problem, ValidationReport
    from facilities.store.db.edits import Conflict


class CityValidationError(ValueError):
    """A city has errors; ``report`` lists every one of them."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        n = len(report.errors)
        super().__init__(
            f"{report.folder}: {n} error{'s' if n != 1 else ''} in the city's files; nothing was loaded.\n"
            + report.to_text(include_warnings=False)
        )


class RulesError(ValueError):
    """A rules file has errors; ``report`` lists every one."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(report.to_text(include_warnings=False))


class SettingError(ValueError):
    """A setting (environment variable or command-line value) that cannot be used; the message says why."""


class StoreError(ValueError):
    """The store cannot be used as asked (the target is not a city, a mode is unknown); nothing was changed."""


class StoreWriteError(StoreError):
    """A file could not be written (disk full, permissions).

    The message names the file (``file``), where it was going (``where``), why (``reason``, ``errno``) and
    what had been written before the error (``written``: files now in place; empty when nothing changed).
    ``again`` ends the message: what to do once the cause is fixed.
    """

    def __init__(
        self,
        file: str,
        where: str,
        reason: str,
        *,
        errno: int | None = None,
        filename: str | None = None,
        written: Sequence[str] = (),
        again: str = "write again",
    ) -> None:
        self.file, self.where, self.reason, self.errno = file, where, reason, errno
        self.filename, self.written = filename, tuple(written)
        code = f" [{errno_names.errorcode.get(errno, errno)}]" if errno else ""
        shown = f" (writing {filename})" if filename and os.path.basename(filename) != file else ""
        if self.written:
            done = f"written before the error: {', '.join(self.written)}; {file} and the files after it are as they were"
        else:
            done = f"nothing was changed in {where}: its files are as they were"
        if errno in (errno_names.ENOSPC, errno_names.EDQUOT):
            hint = " Free some disk space and"
        else:
            hint = " Check the folder's permissions and space, then"
        super().__init__(f"could not write {file} into {where}: {reason}{code}{shown}; {done}.{hint} {again}.")


class EditRejected(StoreError):
    """An edit the layer model does not accept: ``problems`` (each naming the field, value and what is
    accepted); nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p.to_text()}" for p in self.problems)
        super().__init__(f"the edit was not saved 未保存: {len(self.problems)} problem(s)\n{lines}")


class EditConflict(StoreError):
    """An edit made on a version of a feature that is no longer the current one (someone saved meanwhile).

    ``conflicts``: one :class:`~facilities.store.db.edits.Conflict` per feature (the version edited, the
    current one, and the changes made since: who, when, field, old and new value). Nothing was written.
    """

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        self.conflicts = list(conflicts)
        super().__init__(
            "the edit was not saved 未保存: changed by someone else since you opened it 他人已修改\n"
            + "\n".join(f"  - {c.to_text()}" for c in self.conflicts)
        )


class TaskRefused(StoreError):
    """A task step that is not allowed (wrong state, a missing reason, unit or due date, a gap still there);
    the message says what is accepted; nothing was written."""


class TaskConflict(TaskRefused):
    """A task moved by someone else since the user looked at it (its version changed); nothing was written."""


class Forbidden(StoreError):
    """An action the user's role does not allow (or not on that unit's task); the message says who may;
    nothing was written or read."""


class SignInRefused(StoreError):
    """A sign-in refused: a wrong login or password (said the same way for both), a disabled or locked
    account (the message says until when); ``locked_until`` when locked."""

    def __init__(self, message: str, locked_until: object = None) -> None:
        self.locked_until = locked_until
        super().__init__(message)


class EvidenceRejected(StoreError):
    """A file offered as evidence that is not an accepted image or is too large; the message says why."""


class ImportUsageError(ValueError):
    """Bad usage or unreadable input: nothing was imported (exit code 2). The message says what to do."""


class ImportWriteError(ImportUsageError, StoreWriteError):
    """A file could not be written during an import: the message names it and what was written (exit 2)."""

    def __init__(
        self, file: str, where: str, reason: str, *, errno: int | None = None, filename: str | None = None, written: Sequence[str] = ()
    ) -> None:
        StoreWriteError.__init__(self, file, where, reason, errno=errno, filename=filename, written=written, again="run the import again")

    @classmethod
    def from_store(cls, exc: StoreWriteError) -> ImportWriteError:
        """The same facts as ``exc``, said as an import's error."""
        return cls(exc.file, exc.where, exc.reason, errno=exc.errno, filename=exc.filename, written=exc.written)


class MixedEncodingError(ImportUsageError):
    """A file mixing encodings; ``mixed`` says which lines, the message names them."""

    def __init__(self, file: str, mixed: Mixed, message: str) -> None:
        self.file = file
        self.mixed = mixed
        super().__init__(message)


class BasemapError(ValueError):
    """An unknown basemap, or one that needs a key that is not set."""


class OfflineAssetError(RuntimeError):
    """A map element needs a JS/CSS asset that is not vendored."""


__all__ = [
    "BasemapError",
    "CityValidationError",
    "EditConflict",
    "EditRejected",
    "EvidenceRejected",
    "Forbidden",
    "ImportUsageError",
    "ImportWriteError",
    "MixedEncodingError",
    "OfflineAssetError",
    "RulesError",
    "SettingError",
    "SignInRefused",
    "StoreError",
    "StoreWriteError",
    "TaskConflict",
    "TaskRefused",
]
