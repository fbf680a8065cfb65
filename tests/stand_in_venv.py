"""A stand-in for the virtual environment the GitHub Action creates (``$GATEKEEPER_VENV``).

Its ``bin/python`` runs the interpreter of the test run through a wrapper, not a symlink: a
symlinked venv interpreter outside its venv finds no ``pyvenv.cfg`` beside the link, loses
the venv, and with it the installed gatekeeper (the suite run inside a virtual environment).
"""

from __future__ import annotations

import sys
from pathlib import Path


def stand_in_venv(directory: Path) -> Path:
    """``directory/venv`` with a ``bin/python`` that runs this interpreter; the caller adds
    its own ``bin/gatekeeper``."""
    venv = directory / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return venv
