from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from gatekeeper import atomic
from gatekeeper.atomic import write_atomic
from gatekeeper.errors import EXIT_USAGE, UsageError


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_a_new_file(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "report.html"
    assert write_atomic(target, "<p>ünï</p>\n") == target
    assert target.read_bytes() == "<p>ünï</p>\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert _leftovers(tmp_path) == []


def test_replaces_an_existing_file_and_accepts_bytes_and_str_paths(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    write_atomic(str(target), b"\x00new\r\n")
    assert target.read_bytes() == b"\x00new\r\n"  # byte for byte, no newline translation
    assert _leftovers(tmp_path) == []


def test_mode_honours_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        write_atomic(tmp_path / "private.csv", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "private.csv").stat().st_mode) == 0o600


def test_interrupted_replace_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    target.write_text("last good report", encoding="utf-8")

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(UsageError) as info:
        write_atomic(target, "new report")
    assert info.value.exit_code == EXIT_USAGE
    assert "Could not write" in str(info.value) and "No space left on device" in str(info.value)
    assert target.read_text(encoding="utf-8") == "last good report"
    assert _leftovers(tmp_path) == []


def test_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    target.write_text("last good report", encoding="utf-8")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic.os, "fsync", broken_fsync)
    with pytest.raises(UsageError):
        write_atomic(target, "new report")
    assert target.read_text(encoding="utf-8") == "last good report"
    assert _leftovers(tmp_path) == []


def test_interrupt_during_the_write_cleans_up_and_propagates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    target.write_text("last good report", encoding="utf-8")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "half")
    assert target.read_text(encoding="utf-8") == "last good report"
    assert _leftovers(tmp_path) == []


def test_missing_directory_is_a_usage_error_naming_the_path(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "report.html"
    with pytest.raises(UsageError, match=r"no-such-dir/report\.html"):
        write_atomic(target, "x")
    assert not target.parent.exists()


def test_a_symlink_is_kept_and_its_target_replaced(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "latest-real.html"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.html"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new"
    assert _leftovers(real.parent) == [] and _leftovers(tmp_path) == []


def test_temp_file_is_in_the_target_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        seen.append(os.fspath(src))
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", spy)
    write_atomic(tmp_path / "out.sarif", "{}")
    [temp] = seen
    assert Path(temp).parent == tmp_path
    assert Path(temp).name.startswith(".out.sarif.") and temp.endswith(".tmp")


def test_several_files_are_replaced_together(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("old a", encoding="utf-8")
    with atomic.ReplacedTogether() as files:
        files.open_text(tmp_path / "a.json").write("new a\r\n")
        files.open_binary(tmp_path / "b.csv").write(b"new b")
        assert (tmp_path / "a.json").read_text(encoding="utf-8") == "old a"  # not yet
        assert not (tmp_path / "b.csv").exists()
    assert (tmp_path / "a.json").read_bytes() == b"new a\r\n"
    assert (tmp_path / "b.csv").read_bytes() == b"new b"
    assert _leftovers(tmp_path) == []


def test_an_error_while_writing_replaces_none(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("old a", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic.ReplacedTogether() as files:
        files.open_text(tmp_path / "a.json").write("new a")
        files.open_text(tmp_path / "b.html").write("<p>half")
        raise RuntimeError("formatter bug")
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == "old a"
    assert not (tmp_path / "b.html").exists()
    assert _leftovers(tmp_path) == []


def test_a_file_that_cannot_be_opened_replaces_none(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("old a", encoding="utf-8")
    with pytest.raises(UsageError, match=r"missing/b\.html"), atomic.ReplacedTogether() as files:
        files.open_text(tmp_path / "a.json").write("new a")
        files.open_text(tmp_path / "missing" / "b.html")
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == "old a"
    assert _leftovers(tmp_path) == []


def test_a_rename_that_fails_puts_back_the_ones_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second of three renames fails: the first file gets its old content back, the new
    third one (which had no previous file) is not left behind."""
    (tmp_path / "a.json").write_text("old a", encoding="utf-8")
    (tmp_path / "b.html").write_text("old b", encoding="utf-8")
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(os.fspath(dst))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(UsageError, match=r"b\.html: No space left"), atomic.ReplacedTogether() as f:
        f.open_text(tmp_path / "c.csv").write("new c")
        f.open_text(tmp_path / "b.html").write("new b")
        f.open_text(tmp_path / "a.json").write("new a")
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == "old a"
    assert (tmp_path / "b.html").read_text(encoding="utf-8") == "old b"
    assert not (tmp_path / "c.csv").exists()
    assert _leftovers(tmp_path) == []


def test_a_full_disk_while_streaming_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("last good report", encoding="utf-8")
    full_disk = pytest.raises(UsageError, match=r"report\.json: No space left")
    with full_disk, atomic.ReplacedTogether() as files:
        stream = files.open_text(target)
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, stream.fileno())  # the temporary file's data now goes to a full disk
        os.close(full)
        stream.write("x" * (1 << 20))
    assert target.read_text(encoding="utf-8") == "last good report"
    assert _leftovers(tmp_path) == []
