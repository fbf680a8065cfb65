"""``--policy`` naming something that is not a readable file says what it is (exit 2), with
real directories, symbolic links and FIFOs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gatekeeper.cli import run
from gatekeeper.errors import EXIT_USAGE


def check(capsys: pytest.CaptureFixture[str], policy: Path) -> str:
    assert run(["check", "--app", "survey", "--policy", str(policy)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"The policy file {str(policy)!r} (--policy)" in err
    return err


def test_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "does not exist." in check(capsys, tmp_path / "nowhere.toml")


def test_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = check(capsys, tmp_path)
    assert "is a directory, not a file." in err and "does not exist" not in err


def test_a_symbolic_link_loop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop = tmp_path / "loop.toml"
    loop.symlink_to(tmp_path / "other.toml")
    (tmp_path / "other.toml").symlink_to(loop)
    err = check(capsys, loop)
    assert "is a symbolic link loop." in err and "does not exist" not in err


def test_a_dangling_symbolic_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = tmp_path / "gatekeeper.toml"
    link.symlink_to(tmp_path / "gone.toml")
    assert "is a symbolic link to" in check(capsys, link)


def test_a_fifo_is_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "policy.toml"
    os.mkfifo(fifo)
    assert "is not a regular file." in check(capsys, fifo)  # and the read never blocks


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "policy.toml"
    secret.write_text("version = 1\n")
    secret.chmod(0)
    assert "is not readable (permission denied)." in check(capsys, secret)


def test_audit_and_doctor_say_the_same(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["audit", "--all", "--policy", str(tmp_path)]) == EXIT_USAGE
    assert "is a directory, not a file." in capsys.readouterr().err
    assert run(["doctor", "--api-url", "http://127.0.0.1:9", "--policy", str(tmp_path)]) == 3
    assert "is a directory, not a file" in capsys.readouterr().out
