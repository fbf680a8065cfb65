"""Writes the fault matrix table of docs/fault-matrix.md from the rows of the tests.

The rows live in tests/e2e/test_fault_matrix.py (``ROWS``), where each one is also run end to
end against the simulator; this script renders them as the Markdown table between the
markers in the doc, so the doc says exactly what the tests check::

    python scripts/gen_fault_matrix.py          # rewrite the table
    python scripts/gen_fault_matrix.py --check  # exit 1 when the doc is out of date
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests" / "e2e" / "test_fault_matrix.py"


def load_matrix() -> ModuleType:
    """The test module, imported by path (tests/ is not a package)."""
    # The test module imports the tests' shared modules (demo_apps), as pytest lets it.
    if str(TESTS.parents[1]) not in sys.path:
        sys.path.insert(0, str(TESTS.parents[1]))
    spec = importlib.util.spec_from_file_location("fault_matrix_rows", TESTS)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {TESTS}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only check that the doc is up to date (exit 1 if not)"
    )
    args = parser.parse_args(argv)
    matrix = load_matrix()
    doc: Path = matrix.DOC
    current = doc.read_text(encoding="utf-8")
    updated = matrix.replace_table(current, matrix.render_table())
    if updated == current:
        print(f"{doc.relative_to(ROOT)} is up to date ({len(matrix.ROWS)} rows)")
        return 0
    if args.check:
        print(f"{doc.relative_to(ROOT)} is out of date: run python scripts/gen_fault_matrix.py")
        return 1
    doc.write_text(updated, encoding="utf-8")
    print(f"wrote {len(matrix.ROWS)} rows to {doc.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
