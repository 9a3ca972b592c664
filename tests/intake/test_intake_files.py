"""Hostile media: links, pipes, devices, huge or changing files, floods and deep trees."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest
from intake_samples import psbt, run

from signer.transport.intake import Limits
from signer.transport.intake import files as intake_files


def codes(result: object) -> list[str]:
    return [r.code for r in result.refused]  # type: ignore[attr-defined]


def test_symlinks_are_refused_given_or_found(tmp_path: Path) -> None:
    real = tmp_path / "real.psbt"
    real.write_bytes(psbt())
    media = tmp_path / "media"
    media.mkdir()
    (media / "link.psbt").symlink_to(real)
    (media / "dirlink").symlink_to(tmp_path)
    result = run(media, media / "link.psbt")
    assert result.drafts == []
    assert codes(result) == ["symlink", "symlink", "symlink"]
    assert all(r.sha256 is None for r in result.refused)
    assert {r.source for r in result.refused} == {str(media / "dirlink"), str(media / "link.psbt")}


def test_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.psbt")
    (tmp_path / "ok.psbt").write_bytes(psbt())
    done = threading.Event()
    outcome: list[object] = []

    def scan_in_thread() -> None:  # opening a FIFO for reading would block forever
        outcome.append(run(tmp_path))
        done.set()

    threading.Thread(target=scan_in_thread, daemon=True).start()
    assert done.wait(10), "scan blocked on a FIFO"
    result = outcome[0]
    assert codes(result) == ["not_a_regular_file"]
    assert [d.source for d in result.drafts] == [str(tmp_path / "ok.psbt")]  # type: ignore[attr-defined]


def test_device_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "null.psbt").symlink_to("/dev/null")
    result = run(Path("/dev/null"), Path("/dev/zero"), tmp_path / "null.psbt")
    assert codes(result) == ["not_a_regular_file", "not_a_regular_file", "symlink"]
    assert "/dev/zero" in result.refused[1].message


def test_oversize_file_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.psbt"
    big.write_bytes(psbt() + b"\x00" * (1024 * 1024))
    small = tmp_path / "small.psbt"
    small.write_bytes(psbt())
    result = run(big, small, limits=Limits())
    assert codes(result) == ["too_large"] and result.refused[0].sha256 is None
    assert len(result.drafts) == 1
    tight = run(small, limits=Limits(max_file_bytes=len(psbt()) - 1))
    assert codes(tight) == ["too_large"] and "limit" in tight.refused[0].message


def test_binary_junk_is_refused_with_its_hash(tmp_path: Path) -> None:
    junk = os.urandom(4096)
    (tmp_path / "draft.psbt").write_bytes(b"\x00" + junk)
    result = run(tmp_path)
    assert codes(result) == ["unrecognised_format"]
    assert result.refused[0].sha256 == hashlib.sha256(b"\x00" + junk).hexdigest()


def test_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.psbt").write_bytes(b"")
    assert codes(run(tmp_path)) == ["unrecognised_format"]


def swap_before_open(monkeypatch: pytest.MonkeyPatch, change: object) -> None:
    """Run ``change(name, dir_fd)`` after lstat and before the file is opened."""
    original = intake_files.open_entry

    def racing_open(name: str, dir_fd: int | None) -> int:
        change(name, dir_fd)  # type: ignore[operator]
        return original(name, dir_fd)

    monkeypatch.setattr(intake_files, "open_entry", racing_open)


def test_file_replaced_by_another_between_lstat_and_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.psbt"
    target.write_bytes(b"harmless text")
    other = tmp_path.parent / f"{tmp_path.name}-other.psbt"
    other.write_bytes(psbt())
    swap_before_open(monkeypatch, lambda name, fd: os.replace(other, target))
    result = run(target)
    assert codes(result) == ["file_changed"] and result.drafts == []


def test_file_replaced_by_a_link_or_fifo_before_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.psbt"
    target.write_bytes(psbt())

    def to_link(name: str, fd: int | None) -> None:
        target.unlink()
        target.symlink_to("/dev/zero")

    swap_before_open(monkeypatch, to_link)
    assert codes(run(target)) == ["file_changed"]
    target.unlink()
    target.write_bytes(psbt())

    def to_fifo(name: str, fd: int | None) -> None:
        target.unlink()
        os.mkfifo(target)

    swap_before_open(monkeypatch, to_fifo)
    assert codes(run(target)) == ["file_changed"]


def test_file_written_while_being_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.psbt"
    target.write_bytes(psbt())
    original = intake_files.open_entry

    def open_then_append(name: str, dir_fd: int | None) -> int:
        fd = original(name, dir_fd)
        with open(target, "ab") as writer:
            writer.write(b"\x00" * 10)
        return fd

    monkeypatch.setattr(intake_files, "open_entry", open_then_append)
    assert codes(run(target)) == ["file_changed"]


def test_file_count_cap(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        for number in range(4):
            (tmp_path / folder / f"{number}.psbt").write_bytes(psbt())
    result = run(tmp_path, limits=Limits(max_files=9))
    assert codes(result) == ["too_many_files"]
    # the given directory, a/ and its 4 files, b/: b's 4 entries no longer fit, none is read
    assert [Path(d.source).parent.name for d in result.drafts] == ["a"] * 4
    assert result.refused[0].source == str(tmp_path / "b")
    assert len(run(tmp_path, limits=Limits(max_files=11)).drafts) == 8


def test_file_count_cap_counts_given_paths(tmp_path: Path) -> None:
    files = [tmp_path / f"{number}.psbt" for number in range(5)]
    for path in files:
        path.write_bytes(psbt())
    result = run(*files, limits=Limits(max_files=3))
    assert len(result.drafts) == 3 and codes(result) == ["too_many_files"]
    assert result.refused[0].source == str(files[3])


def test_file_count_cap_stops_wide_trees_of_empty_directories(tmp_path: Path) -> None:
    for number in range(50):
        (tmp_path / f"d{number:02d}").mkdir()
    result = run(tmp_path, limits=Limits(max_files=20))
    assert codes(result) == ["too_many_files"]


def test_deep_directories(tmp_path: Path) -> None:
    path = tmp_path
    for level in range(12):
        path = path / f"level{level}"
        path.mkdir()
        if level == 3:
            (path / "shallow.psbt").write_bytes(psbt())
    (path / "deep.psbt").write_bytes(psbt())
    result = run(tmp_path)
    assert [Path(d.source).name for d in result.drafts] == ["shallow.psbt"]
    assert codes(result) == ["too_deep"]
    assert result.refused[0].source.endswith("level7")  # depth 8 below the given directory
    everything = run(tmp_path, limits=Limits(max_depth=20))
    assert len(everything.drafts) == 2 and everything.refused == []


def test_file_names_cannot_forge_output_lines(tmp_path: Path) -> None:
    (tmp_path / "a\nOK approved\u202e.bin").write_bytes(b"\x00junk")
    os.close(os.open(os.fsencode(tmp_path) + b"/bad\xff.bin", os.O_CREAT | os.O_WRONLY))
    result = run(tmp_path)
    sources = sorted(r.source for r in result.refused)
    assert sources == [f"{tmp_path}/a\\x0aOK approved\\u202e.bin", f"{tmp_path}/bad\\xff.bin"]
    assert all("\n" not in r.message for r in result.refused)


def test_missing_path_is_refused(tmp_path: Path) -> None:
    result = run(tmp_path / "nothing-here")
    assert codes(result) == ["unreadable"] and "cannot examine" in result.refused[0].message


def test_files_are_read_in_name_order(tmp_path: Path) -> None:
    for name in ("b.psbt", "a.psbt", "c.psbt"):
        (tmp_path / name).write_bytes(psbt())
    assert [Path(d.source).name for d in run(tmp_path).drafts] == ["a.psbt", "b.psbt", "c.psbt"]


def test_file_growing_past_the_cap_during_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.psbt"
    target.write_bytes(psbt())
    original = intake_files.open_entry

    def open_then_grow(name: str, dir_fd: int | None) -> int:
        fd = original(name, dir_fd)
        target.write_bytes(b"\x00" * 300_000)
        return fd

    monkeypatch.setattr(intake_files, "open_entry", open_then_grow)
    monkeypatch.setattr(intake_files, "_same", lambda a, b: True)  # reach the read loop
    result = run(target, limits=Limits(max_file_bytes=100_000))
    assert codes(result) == ["too_large"] and result.refused[0].sha256
