"""Write a file so that readers see either the old content or the new, never half of it.

Reports, snapshots and other outputs go through :func:`write_atomic`: an audit that fails or
is interrupted midway leaves the last good report in place (docs/history.md).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

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
    target = Path(os.path.realpath(path))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = target.parent
    temp: Path | None = None
    try:
        temp, fd = _create_temp(directory, target.name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
        temp = None
    except OSError as exc:
        raise UsageError(
            f"Could not write {os.fspath(path)}: {exc.strerror or exc}.",
            hint="Check that the directory exists and is writable; the previous file, if "
            "any, was left as it was.",
        ) from exc
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
    _fsync_directory(directory)
    return Path(path)


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
