"""A world-readable view of a private clone, for the tests whose graders run as other users.

The confined tier's tests start graders and grading children as uid 65534 or as throwaway
uids, which must read the ``course`` package and the environment's site-packages. In a
clone other users cannot reach (e.g. inside ``mktemp -d``, mode 0700) they cannot. Then
:func:`build` makes a view of the clone out of **hard links**, in a fresh folder of mode
0755 under ``/tmp`` (else ``/var/tmp``): the repository (without ``.git`` and the virtual
environment) and site-packages, at the same places relative to each other. The editable
install's files in the view's site-packages (``__editable__*``: its ``.pth`` and the finder
that maps ``course`` to a folder) are replaced, never edited in place, by copies that name
the view's repository, so a grader started on the view imports the view's ``course``.

Hard links share inodes: a write through the view changes the real file, so "unchanged"
checks on the real files still see it; and a file that others may not read stays so in the
view (:func:`build` refuses then). Hard links cannot cross filesystems: when no such folder
is on the clone's filesystem, :func:`build` raises :class:`ViewUnavailable` and the tests
skip with its reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Folders that every user may traverse, where a view may be made, in order of preference.
PARENTS = (Path("/tmp"), Path("/var/tmp"))
#: Entries of the repository the graders never read and the view leaves out.
LEFT_OUT = (".git",)


class ViewUnavailable(Exception):
    """No world-readable view can be made: the reason says why."""


def world_readable(path: Path) -> bool:
    """Whether every folder down to ``path`` lets others in.

    Args:
        path: Path.

    Returns:
        bool.
    """
    return all(os.stat(p).st_mode & 0o005 == 0o005 for p in (path, *path.parents))


@dataclass(frozen=True)
class View:
    """Where other users find the repository and site-packages.

    Attributes:
        repo: Path, the repository as others reach it (the real one when it is world-readable).
        purelib: Path, site-packages as others reach it.
        real_repo: Path, the repository itself.
        real_purelib: Path, site-packages itself.
        folder: Path or None, the view's folder (None when nothing had to be linked).
    """

    repo: Path
    purelib: Path
    real_repo: Path
    real_purelib: Path
    folder: Path | None = None

    def path(self, real: Path) -> Path:
        """The path through the view of a file of the repository or site-packages.

        Args:
            real: Path, a path in the real repository or site-packages.

        Returns:
            Path, the same file in the view (``real`` itself when it lies in neither).
        """
        real = real.parent.resolve() / real.name
        for real_root, root in ((self.real_purelib, self.purelib), (self.real_repo, self.repo)):
            if real == real_root or real_root in real.parents:
                return root / real.relative_to(real_root)
        return real


def build(repo: Path, purelib: Path) -> View:
    """A view of ``repo`` and ``purelib`` that every user can read, linking only what needs it.

    Args:
        repo: Path, the repository (holds ``course/``).
        purelib: Path, the environment's site-packages (holds the editable install's finder).

    Returns:
        View; its ``folder`` is None when both are world-readable already.

    Raises:
        ViewUnavailable: no folder on the same filesystem, a link failed, or a file is not
            readable by others.
    """
    link_repo = not world_readable(repo)
    if not link_repo and world_readable(purelib):
        return View(repo, purelib, repo, purelib)
    devices = {os.stat(repo).st_dev, os.stat(purelib).st_dev} if link_repo else {os.stat(purelib).st_dev}
    parent = next((p for p in PARENTS if world_readable(p) and {os.stat(p).st_dev} == devices), None)
    if parent is None:
        raise ViewUnavailable(f"hard links cannot reach a world-readable folder ({', '.join(map(str, PARENTS))}) "
                              f"on the filesystem of {repo} and {purelib}")
    folder = Path(tempfile.mkdtemp(prefix="lstm-course-view-", dir=parent))
    try:
        view = _link(repo, purelib, folder, link_repo)
        _let_others_in(folder)
        return view
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def remove(view: View) -> None:
    """Delete the view's links (the real files stay).

    Args:
        view: View.
    """
    if view.folder is not None:
        shutil.rmtree(view.folder, ignore_errors=True)


def _link(repo: Path, purelib: Path, folder: Path, link_repo: bool) -> View:
    """Hard-link the repository (when asked) and site-packages into ``folder``.

    Args:
        repo: Path, the repository.
        purelib: Path, site-packages.
        folder: Path, the view's (empty) folder.
        link_repo: bool, the repository needs a view too.

    Returns:
        View.

    Raises:
        ViewUnavailable: ``cp -al`` failed.
    """
    view_repo = folder / "repo" if link_repo else repo
    inside = link_repo and repo in purelib.parents  # then keep its place in the repository
    view_purelib = view_repo / purelib.relative_to(repo) if inside else folder / "site-packages"
    if link_repo:
        view_repo.mkdir()
        entries = [e for e in repo.iterdir() if e.name not in LEFT_OUT and e not in purelib.parents]
        _cp_al(entries, view_repo)
    view_purelib.parent.mkdir(parents=True, exist_ok=True)
    _cp_al([purelib], view_purelib.parent)
    if view_purelib.name != purelib.name:
        (view_purelib.parent / purelib.name).rename(view_purelib)
    if link_repo:
        _repoint_editable_install(view_purelib, repo, view_repo)
    return View(view_repo, view_purelib, repo, purelib, folder)


def _cp_al(sources: list[Path], target: Path) -> None:
    """``cp -al SOURCES... TARGET/``: hard links to every file, new folders.

    Args:
        sources: list of Path.
        target: Path, an existing folder.

    Raises:
        ViewUnavailable: cp failed (e.g. the filesystem has no hard links).
    """
    if not sources:
        return
    done = subprocess.run(["cp", "-al", "--", *map(str, sources), f"{target}/"], capture_output=True, text=True)
    if done.returncode != 0:
        raise ViewUnavailable(f"cp -al could not hard-link the clone into {target}: {done.stderr.strip()[:300]}")


def _repoint_editable_install(purelib: Path, repo: Path, view_repo: Path) -> None:
    """Make the view's editable-install files name the view's repository.

    Each is unlinked and written anew: editing a hard link would edit the real install.

    Args:
        purelib: Path, the view's site-packages.
        repo: Path, the real repository.
        view_repo: Path, the view's repository.
    """
    pattern = re.compile(re.escape(str(repo)) + r"(?=[/'\"\s]|$)")
    for file in purelib.glob("__editable__*"):
        text = file.read_text()
        file.unlink()
        file.write_text(pattern.sub(str(view_repo).replace("\\", r"\\"), text))
        for stale in (purelib / "__pycache__").glob(f"{file.stem}.*.pyc"):
            stale.unlink()


def _let_others_in(folder: Path) -> None:
    """Open the view's own folders to others, and check that its files are readable.

    The folders are new (``chmod`` on them changes nothing real); the files are links, so their
    modes are the real files' and cannot be changed here.

    Args:
        folder: Path, the view.

    Raises:
        ViewUnavailable: a file others may not read.
    """
    os.chmod(folder, 0o755)
    subprocess.run(["find", str(folder), "-type", "d", "!", "-perm", "-005", "-exec", "chmod", "o+rx", "{}", "+"],
                   check=True)
    done = subprocess.run(["find", str(folder), "-type", "f", "!", "-perm", "-004", "-print", "-quit"],
                          capture_output=True, text=True, check=True)
    if done.stdout.strip():
        raise ViewUnavailable(f"{done.stdout.strip()} is not readable by other users, and a hard link keeps its mode")
