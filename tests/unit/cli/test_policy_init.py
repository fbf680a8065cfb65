"""``gatekeeper policy init``: a commented starting policy from the examples in the package."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper import examples
from gatekeeper.cli import run
from gatekeeper.policy import load_policy

HEADER = "# Written by heroku-gatekeeper "


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def without_header(text: str) -> str:
    """The written policy minus the lines init adds, which must be the example itself."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(HEADER))
    end = next(i for i, line in enumerate(lines) if line.startswith(examples.SUMMARY_START))
    return "".join(lines[:start] + lines[end:])


def test_default_writes_the_university_example_to_gatekeeper_toml(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["policy", "init"]) == 0
    written = (in_tmp / "gatekeeper.toml").read_text(encoding="utf-8")
    example = examples.policy_path("university").read_text(encoding="utf-8")
    assert without_header(written) == example
    # The editor schema directive stays on the first line, where Taplo looks for it.
    assert written.startswith("#:schema ./gatekeeper-policy.schema.json\n")
    assert "#     gatekeeper policy init --example university\n" in written
    out = capsys.readouterr().out
    assert "Wrote gatekeeper.toml from the example 'university'" in out
    assert "gatekeeper policy validate gatekeeper.toml" in out
    assert run(["policy", "validate", "gatekeeper.toml"]) == 0


@pytest.mark.parametrize("name", examples.names())
def test_every_example_is_written_and_validates(name: str, in_tmp: Path) -> None:
    target = in_tmp / "sub" / f"{name}.toml"
    target.parent.mkdir()
    assert run(["policy", "init", "--example", name, str(target)]) == 0
    policy = load_policy(target)  # raises PolicyError unless it validates
    example = examples.policy_path(name)
    assert without_header(target.read_text(encoding="utf-8")) == example.read_text("utf-8")
    assert policy.institution == load_policy(example).institution


def test_refuses_to_overwrite_without_force(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = in_tmp / "gatekeeper.toml"
    existing.write_text("# the DPO's own policy\n", encoding="utf-8")
    assert run(["policy", "init"]) == 2
    assert existing.read_text(encoding="utf-8") == "# the DPO's own policy\n"
    err = capsys.readouterr().err
    assert "gatekeeper.toml already exists" in err
    assert "--force" in err
    assert "Traceback" not in err


def test_force_overwrites(in_tmp: Path) -> None:
    existing = in_tmp / "gatekeeper.toml"
    existing.write_text("# old\n", encoding="utf-8")
    assert run(["policy", "init", "--force", "-e", "small-lab-no-agreements"]) == 0
    written = existing.read_text(encoding="utf-8")
    assert without_header(written) == examples.policy_path("small-lab-no-agreements").read_text(
        encoding="utf-8"
    )


def test_a_directory_is_refused(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "policies").mkdir()
    assert run(["policy", "init", "--force", "policies"]) == 2
    assert "policies is a directory" in capsys.readouterr().err
    assert list((in_tmp / "policies").iterdir()) == []


def test_unknown_example_lists_the_examples(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["policy", "init", "--example", "universty"]) == 2
    err = capsys.readouterr().err
    assert "There is no example policy 'universty'" in err
    for name in examples.names():
        assert name in err
    assert not (in_tmp / "gatekeeper.toml").exists()


def test_list_shows_each_example_with_what_it_is(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["policy", "init", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(examples.names())
    assert any(line.startswith("university ") and "(default)" in line for line in lines)
    assert any("special-category data (GDPR Art. 9)" in line for line in lines)
    assert list(in_tmp.iterdir()) == []


def test_dash_writes_to_stdout(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "init", "-", "--example", "clinic-special-category"]) == 0
    out = capsys.readouterr().out
    assert without_header(out) == examples.policy_path("clinic-special-category").read_text(
        encoding="utf-8"
    )
    assert list(in_tmp.iterdir()) == []


# --- gatekeeper.examples: what the demo and init find inside the package ------------------


def test_the_examples_are_the_toml_files_inside_the_package() -> None:
    package_dir = Path(examples.__file__).resolve().parent
    assert examples.names() == tuple(sorted(p.stem for p in package_dir.glob("*.toml")))
    assert len(examples.names()) >= 3
    assert examples.DEFAULT_EXAMPLE in examples.names()
    assert (package_dir / examples.SCHEMA_FILE).is_file()
    for name in examples.names():
        path = examples.policy_path(name)
        assert path.is_file() and path.parent == package_dir
        assert examples.summary(name).endswith(".")


def test_policy_path_of_an_unknown_example_is_a_usage_error() -> None:
    from gatekeeper.errors import UsageError

    with pytest.raises(UsageError, match=r"no example policy '\.\./university'"):
        examples.policy_path("../university")
