"""The one intake: a real hand-in fits its limits, a zip bomb and a link do not, whatever path the submission takes."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from course.grading import intake
from course.grading.intake import MAX_BYTES, MAX_FILES, InvalidSubmission, materialise
from course.impl import REPO_ROOT

SOLUTIONS = REPO_ROOT / "solutions"


def _hand_in(folder: Path) -> Path:
    """A realistic hand-in: the exercise files, ``answers.md``, notebooks with outputs and a few figures.

    Args:
        folder: Path, where to write it (created).

    Returns:
        ``folder``.
    """
    shutil.copytree(SOLUTIONS, folder / "lstm_homework")
    for name in ("explore.ipynb", "training.ipynb"):  # notebooks with embedded plots run to a few MiB
        (folder / "lstm_homework" / name).write_bytes(os.urandom(3 * 2**20))
    for index in range(6):
        (folder / "lstm_homework" / "figures").mkdir(exist_ok=True)
        (folder / "lstm_homework" / "figures" / f"loss-{index}.png").write_bytes(os.urandom(300_000))
    (folder / "lstm_homework" / ".git").mkdir()  # not copied, not counted
    for index in range(MAX_FILES + 1):
        (folder / "lstm_homework" / ".git" / f"object-{index}").write_bytes(b"x")
    return folder


def _zip(folder: Path, archive: Path) -> Path:
    """Zip a folder's files under their relative paths.

    Args:
        folder: Path.
        archive: Path, the ``.zip`` to write.

    Returns:
        ``archive``.
    """
    with zipfile.ZipFile(archive, "w") as bundle:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            bundle.write(file, file.relative_to(folder).as_posix())
    return archive


def test_a_real_hand_in_fits_as_a_folder_and_as_a_zip(tmp_path: Path) -> None:
    hand_in = _hand_in(tmp_path / "hand-in")
    for source in (hand_in, _zip(hand_in, tmp_path / "hand-in.zip")):
        scratch = tmp_path / f"scratch-{source.suffix or 'folder'}"
        scratch.mkdir()
        root = materialise(source, scratch)
        assert root.name in ("lstm_homework", "submission") and root.is_relative_to(scratch)
        assert (root / "cell.py").is_file() and (root / "figures" / "loss-5.png").is_file()
        assert not (root / ".git").exists()


def test_a_zip_bomb_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(SOLUTIONS / "cell.py", "cell.py")
        bundle.writestr("weights.bin", bytes(MAX_BYTES))  # compresses to about 50 KiB
    assert archive.stat().st_size < MAX_BYTES // 100
    with pytest.raises(InvalidSubmission, match="MiB"):
        materialise(archive, tmp_path)
    assert not (tmp_path / "submission" / "weights.bin").exists()


def test_too_many_files_are_refused_in_a_zip_and_in_a_folder_but_not_beside_the_package(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    (folder / "cell.py").write_text("x = 1\n")
    for index in range(MAX_FILES):
        (folder / f"note-{index}.txt").write_bytes(b"")
    archive = _zip(folder, tmp_path / "many.zip")
    for source in (folder, archive):
        with pytest.raises(InvalidSubmission, match="files"):
            materialise(source, tmp_path / f"scratch-{source.suffix or 'folder'}")
    project = tmp_path / "project"  # ``lstm-course check .`` in a project whose virtual environment is a sibling
    (project / "exercises").mkdir(parents=True)
    (folder / "cell.py").rename(project / "exercises" / "cell.py")
    folder.rename(project / "venv")
    assert (materialise(project, tmp_path / "scratch-project") / "cell.py").is_file()


def test_a_link_or_no_exercise_file_makes_a_submission_invalid(tmp_path: Path) -> None:
    linked = tmp_path / "linked"
    shutil.copytree(SOLUTIONS, linked)
    (linked / "reference.py").symlink_to(SOLUTIONS / "cell.py")
    with pytest.raises(InvalidSubmission, match="symbolic link"):
        materialise(linked, tmp_path / "scratch-linked")
    only_answers = tmp_path / "answers-only"
    only_answers.mkdir()
    (only_answers / "answers.md").write_text("# Answers\n")
    with pytest.raises(InvalidSubmission, match="no exercise file"):
        materialise(only_answers, tmp_path / "scratch-answers")


def test_the_page_states_the_intakes_limits() -> None:
    text = (REPO_ROOT / "docs" / "instructors.md").read_text()
    assert f"at most {MAX_BYTES // 2**20} MiB and {MAX_FILES:,} files" in text


def test_every_reader_takes_submissions_through_the_intake() -> None:
    sources = {path.name: path.read_text() for path in (REPO_ROOT / "course").rglob("*.py")}
    readers = {name for name, text in sources.items() if "zipfile.ZipFile(" in text}
    assert readers <= {"intake.py", "gradescope.py"}, readers  # the bundle writes a zip; only the intake reads one
    assert intake.InvalidSubmission.__module__ == "course.grading.intake"
    assert [name for name, text in sources.items() if "class InvalidSubmission" in text] == ["intake.py"]
