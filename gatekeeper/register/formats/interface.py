"""The seam between a :class:`~gatekeeper.register.model.Register` and its renderings.

A register formatter writes bytes to the binary stream it is given (the workbook is a zip
file; the CSV starts with a byte order mark), and never opens files, prints or reads the
environment: the CLI (``gatekeeper.outputs``) and a web server choose the stream.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable

if TYPE_CHECKING:
    from gatekeeper.register.model import Register


@runtime_checkable
class RegisterFormatter(Protocol):
    """Renders a register in one format. Implementations hold no state between calls."""

    #: the format's name, e.g. ``"xlsx"``
    name: str
    #: the usual file name extension, with the dot
    extension: str
    #: the media type a web server answers with
    media_type: str

    def write(self, register: Register, out: BinaryIO) -> None:
        """Write the whole register to ``out``."""
        ...


def render_bytes(formatter: RegisterFormatter, register: Register) -> bytes:
    """What ``formatter.write`` writes, as bytes (for tests and small answers)."""
    buffer = io.BytesIO()
    formatter.write(register, buffer)
    return buffer.getvalue()


class TextOut:
    """A text stream over ``out`` that is flushed, then let go (``out`` stays open)."""

    def __init__(self, out: BinaryIO, encoding: str = "utf-8") -> None:
        self._wrapper = io.TextIOWrapper(out, encoding=encoding, newline="")

    def __enter__(self) -> io.TextIOWrapper:
        return self._wrapper

    def __exit__(self, *exc: object) -> None:
        self._wrapper.flush()
        self._wrapper.detach()
