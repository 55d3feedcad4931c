"""MkDocs hook: build the students' site (the default, and what is published) or the instructors' one.

mkdocs.yml's ``extra.audience`` picks the view, from the ``SITE_AUDIENCE`` environment
variable: ``students`` unless it says ``instructors``. ``make serve`` shows the instructors'
view; ``mkdocs build`` and the Pages workflow build the students' one, and so does the student
release, whose pages this same hook reads.

In the students' view every page goes through :func:`course.audience.students.students_page`
(each worked solution becomes the skeleton of the student's file, or a note naming the check
command; no code box shows the reference or the fast LSTM), and every notebook, page and
download alike, gets the students' wording (:mod:`course.audience.notebooks`). In both views
the ``<!-- skeleton: ... -->`` markers are filled in from ``exercises/``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from course.audience import audience_of
from course.audience.notebooks import check_wording, students_notebook
from course.audience.students import expand_skeletons, students_page, students_see

#: The state of the current build: its audience, the repository, and the folder of the
#: students' copies of the notebooks.
_build: dict[str, object] = {}


def on_config(config: dict) -> dict:
    """Read the build's audience, and stop on an unknown one.

    Args:
        config: the MkDocs config.

    Returns:
        The config, with ``extra.audience`` resolved.
    """
    config["extra"]["audience"] = audience_of(config["extra"])
    _build["audience"] = config["extra"]["audience"]
    # Snippet paths are relative to the repository, the folder above docs/.
    _build["root"] = Path(config["docs_dir"]).resolve().parent
    return config


def on_files(files: object, config: dict) -> object:
    """In the students' view, point every notebook at a copy with the students' wording.

    The notebook's page and its download button (mkdocs-jupyter's ``include_source``) both
    read the file at ``abs_src_path``, so both get the copy.

    Args:
        files: the site's files.
        config: the MkDocs config.

    Returns:
        The files.
    """
    if _build.get("audience") != "students":
        return files
    folder = Path(tempfile.mkdtemp(prefix="site-notebooks-"))
    _build["notebooks"] = folder
    found: set[str] = set()
    texts = []
    for file in files:
        if not str(file.src_uri).endswith(".ipynb"):
            continue
        text, rewritten = students_notebook(Path(file.abs_src_path).read_text())
        found |= rewritten
        texts.append(text)
        copy = folder / file.src_uri
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text)
        file.abs_src_path = str(copy)
    if texts:
        check_wording(found, texts)
    return files


def on_page_markdown(markdown: str, page: object, config: dict, files: object) -> str:
    """Show a page to its audience, and fill in its skeleton markers.

    Args:
        markdown: str, the page's Markdown source.
        page: the MkDocs page (unused).
        config: the MkDocs config (unused).
        files: the site's files (unused).

    Returns:
        The page's Markdown.
    """
    root = _build["root"]
    if _build["audience"] == "students":
        markdown = students_page(markdown, students_see, solutions_root=root)
    return expand_skeletons(markdown, root)


def on_post_build(config: dict) -> None:
    """Remove the students' copies of the notebooks.

    Args:
        config: the MkDocs config (unused).
    """
    folder = _build.pop("notebooks", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
