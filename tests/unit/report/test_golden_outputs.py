"""Exact output of every formatter for every sample report (STYLE habit 14).

The expected files live in ``golden/`` as ``CASE.FORMAT``. After an intended change of a
format, regenerate them with ``GATEKEEPER_UPDATE_GOLDEN=1 pytest tests/unit/report`` and
review the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from report_samples import CASES, OPTIONS

from gatekeeper.outputs import emit
from gatekeeper.report.registry import format_names, render

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GATEKEEPER_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("fmt", format_names())
@pytest.mark.parametrize("case", sorted(CASES))
def test_output_matches_golden_file(case: str, fmt: str) -> None:
    output = render(CASES[case](), fmt, OPTIONS)
    golden = GOLDEN / f"{case}.{fmt}"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(output.encode("utf-8"))
    assert golden.exists(), f"missing {golden}; run with GATEKEEPER_UPDATE_GOLDEN=1"
    assert output == golden.read_bytes().decode("utf-8")


@pytest.mark.parametrize("fmt", format_names())
@pytest.mark.parametrize("case", sorted(CASES))
def test_output_is_deterministic_and_ends_with_newline(case: str, fmt: str) -> None:
    first = render(CASES[case](), fmt, OPTIONS)
    assert first == render(CASES[case](), fmt, OPTIONS)
    assert first.endswith("\n")


@pytest.mark.parametrize("case", sorted(CASES))
def test_files_written_as_streams_are_the_golden_bytes(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What ``--output FMT=FILE`` writes (each format streamed into its temporary file, all
    replaced together) and what stdout gets are the golden files, byte for byte."""
    formats = format_names()
    outputs = tuple(f"{fmt}={tmp_path / f'{case}.{fmt}'}" for fmt in formats)
    emit(CASES[case](), "json", outputs, OPTIONS, env={})
    for fmt in formats:
        assert (tmp_path / f"{case}.{fmt}").read_bytes() == (GOLDEN / f"{case}.{fmt}").read_bytes()
    assert capsys.readouterr().out == (GOLDEN / f"{case}.json").read_text(encoding="utf-8")
