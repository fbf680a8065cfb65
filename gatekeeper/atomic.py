"""Write files so that readers see either the old content or the new, never half of it.

Reports, snapshots and other outputs go through :func:`write_atomic` (one file) or
:class:`ReplacedTogether` (several, streamed): an audit that fails or is interrupted midway
leaves the last good report in place (docs/history.md), and of several outputs either all are
replaced or none.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO, TextIO

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

from gatekeeper.errors import UsageError

_MODE = 0o644  # before the umask, like a file created by open()


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Replace ``path`` with ``data`` atomically; return the path written.

    The data goes to a new temporary file in the same directory (so the final rename stays on
    one file system), is flushed and fsynced, and then renamed over ``path`` with
    :func:`os.replace`; finally the directory is fsynced so the rename itself survives a
    crash. On any error the previous file is untouched and the temporary file is removed.
    Text is written as UTF-8, byte for byte (no newline translation). The new file has mode
    0o644 minus the umask. When ``path`` is a symbolic link, the file it points to is
    replaced and the link kept.

    Raises :class:`~gatekeeper.errors.UsageError` when the file cannot be written (missing
    directory, no permission, disk full); the message names the path.
    """
    with ReplacedTogether() as files:
        if isinstance(data, str):
            files.open_text(path).write(data)
        else:
            files.open_binary(path).write(data)
    return Path(path)


class _TempFile(io.FileIO):
    """The temporary file: a failed write (disk full) is a usage error naming the target."""

    def __init__(self, fd: int, shown: str) -> None:
        super().__init__(fd, "wb", closefd=True)
        self.shown = shown

    def write(self, data: ReadableBuffer, /) -> int:
        try:
            return super().write(data)
        except OSError as exc:
            raise _write_error(self.shown, exc) from exc


class _Pending:
    """A temporary file beside its target, written until the whole set is committed."""

    def __init__(
        self, shown: str, target: Path, temp: Path, raw: io.BufferedWriter[_TempFile]
    ) -> None:
        self.shown = shown  # the path as the user gave it, for messages
        self.target = target
        self.temp: Path | None = temp
        self.raw = raw
        self.text: io.TextIOWrapper | None = None
        self.backup: Path | None = None  # a hard link to the previous file while committing
        self.existed = False


class ReplacedTogether:
    """Several files written as streams and replaced together, or not at all.

    ``with ReplacedTogether() as files: files.open_text(path).write(...)``: every opened
    stream writes a temporary file beside its target. When the block ends normally, all of
    them are flushed, fsynced and renamed over their targets; when it raises (a formatter
    failed, a disk filled, the user pressed Ctrl-C), every temporary file is removed and no
    target changes. Should a rename itself fail once others were done, those are put back
    (from hard links kept for the purpose), so the set stays all old or all new.

    :class:`~gatekeeper.errors.UsageError` names the path that could not be written.
    """

    def __init__(self) -> None:
        self._pending: list[_Pending] = []

    def __enter__(self) -> ReplacedTogether:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                self._commit()
        finally:
            self._discard()

    def open_text(self, path: str | os.PathLike[str]) -> TextIO:
        """A UTF-8 text stream for ``path``, without newline translation."""
        pending = self._open(path)
        pending.text = io.TextIOWrapper(pending.raw, encoding="utf-8", newline="")
        return pending.text

    def open_binary(self, path: str | os.PathLike[str]) -> BinaryIO:
        return self._open(path).raw

    def _open(self, path: str | os.PathLike[str]) -> _Pending:
        shown = os.fspath(path)
        target = Path(os.path.realpath(path))
        try:
            if target.is_dir():
                raise IsADirectoryError(21, "Is a directory")
            temp, fd = _create_temp(target.parent, target.name)
        except OSError as exc:
            raise _write_error(shown, exc) from exc
        raw = io.BufferedWriter(_TempFile(fd, shown), buffer_size=1 << 16)
        pending = _Pending(shown, target, temp, raw)
        self._pending.append(pending)
        return pending

    def _commit(self) -> None:
        for pending in self._pending:
            try:
                stream = pending.text or pending.raw
                stream.flush()
                os.fsync(pending.raw.fileno())
                stream.close()
            except OSError as exc:
                raise _write_error(pending.shown, exc) from exc
        if len(self._pending) > 1:
            for pending in self._pending:
                pending.backup = _link_backup(pending.target)
                pending.existed = pending.backup is not None or pending.target.exists()
        done: list[_Pending] = []
        for pending in self._pending:
            try:
                assert pending.temp is not None
                os.replace(pending.temp, pending.target)
            except OSError as exc:
                _restore(done)
                raise _write_error(pending.shown, exc) from exc
            pending.temp = None
            done.append(pending)
        for directory in dict.fromkeys(p.target.parent for p in self._pending):
            _fsync_directory(directory)

    def _discard(self) -> None:
        for pending in self._pending:
            with contextlib.suppress(OSError, ValueError):
                (pending.text or pending.raw).close()
            for leftover in (pending.temp, pending.backup):
                if leftover is not None:
                    with contextlib.suppress(OSError):
                        leftover.unlink()
        self._pending = []


def _write_error(shown: str, exc: OSError) -> UsageError:
    return UsageError(
        f"Could not write {shown}: {exc.strerror or exc}.",
        hint="Check that the directory exists and is writable; the previous file, if "
        "any, was left as it was.",
    )


def _link_backup(target: Path) -> Path | None:
    """A hard link to the current ``target`` beside it, to put it back; None when there is no
    file (or the file system has no hard links: then a failed rename cannot be undone)."""
    for _ in range(100):
        backup = target.parent / f".{target.name}.{secrets.token_hex(6)}.old.tmp"
        try:
            os.link(target, backup)
            return backup
        except FileExistsError:
            continue
        except OSError:
            return None
    return None


def _restore(done: list[_Pending]) -> None:
    """Undo the renames already made: the previous file back, or no file where none was."""
    for pending in reversed(done):
        with contextlib.suppress(OSError):
            if pending.backup is not None:
                os.replace(pending.backup, pending.target)
                pending.backup = None
            elif not pending.existed:
                pending.target.unlink()


def _create_temp(directory: Path, name: str) -> tuple[Path, int]:
    """A new file ``.NAME.RANDOM.tmp`` beside the target; O_EXCL so nothing is clobbered."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = directory / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return temp, os.open(temp, flags, _MODE)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name in {directory}")


def _fsync_directory(directory: Path) -> None:
    # Makes the rename durable on POSIX; some platforms and file systems cannot open or
    # fsync a directory, and the data itself is already safe, so failures are ignored.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
